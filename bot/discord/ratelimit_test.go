package discord

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
)

// TestFanOutKeepsUnderTheGlobalLimit: 80 DMs sent at once (a scheduled
// fan-out with many workers) reach Discord at no more than its global 50
// requests a second, in any second.
func TestFanOutKeepsUnderTheGlobalLimit(t *testing.T) {
	f := newFakeDiscord(t)
	a, _ := newTestAdapter(t, f, &scripted{}, "g1")
	const n = 80
	for i := range n { // DM channels known: one request a DM
		a.dmChannels[fmt.Sprintf("u%d", i)] = fmt.Sprintf("dm-u%d", i)
	}
	var mu sync.Mutex
	var at []time.Time
	f.onCall = func(call) {
		mu.Lock()
		defer mu.Unlock()
		at = append(at, time.Now())
	}
	msg := bot.Message{Blocks: []bot.Block{bot.Text{Text: "Time for your weekly reflection."}}}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.SendDM(context.Background(), bot.Identity{Platform: bot.Discord, UserID: fmt.Sprintf("u%d", i)}, msg); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(at) != n {
		t.Fatalf("Discord saw %d requests, want %d", len(at), n)
	}
	most := 0
	for i := range at {
		k := 0
		for _, t2 := range at {
			if !t2.Before(at[i]) && t2.Sub(at[i]) < time.Second {
				k++
			}
		}
		most = max(most, k)
	}
	if most > 50 {
		t.Errorf("%d requests within one second; Discord's global limit is 50", most)
	}
}
