package slack

import (
	"context"
	"log/slog"
	"testing"

	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestReplicasShareTheWorkspacesLimits: two replicas counting each other on
// one database each pace chat.postMessage and the tiered methods at half
// the workspace's limits; when one stops, the other is back to the whole.
func TestReplicasShareTheWorkspacesLimits(t *testing.T) {
	store := storagetest.New(t, nil)
	fake := newFakeSlack(t)
	replica := func(id string) *Adapter {
		a, err := New(Config{BotToken: "xoxb-" + id, SigningSecret: testSecret, Mode: ModeHTTP,
			HTTPAddr: "127.0.0.1:0", APIURL: fake.apiURL()}, testGrammar(), &recorder{}, slog.New(slog.DiscardHandler),
			WithPeers(store, "slack", id))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.drain)
		return a
	}
	perMinute := func(a *Adapter, method string) float64 {
		a.limits.mu.Lock()
		defer a.limits.mu.Unlock()
		return float64(a.limits.method(method).pace.lim.Limit()) * 60
	}
	near := func(got, want float64) bool { return got > want-0.01 && got < want+0.01 }

	a, b := replica("a"), replica("b")
	ctx := context.Background()
	a.renewShare(ctx)
	b.renewShare(ctx)
	a.renewShare(ctx) // a learns of b at its next renewal
	for _, r := range []*Adapter{a, b} {
		if got := perMinute(r, methodMessagePost); !near(got, DefaultMessagesPerMinute/2) {
			t.Errorf("chat.postMessage at %.1f a minute with two replicas, want %d", got, DefaultMessagesPerMinute/2)
		}
		if got := perMinute(r, "conversations.open"); !near(got, 25) {
			t.Errorf("conversations.open at %.1f a minute with two replicas, want 25", got)
		}
	}
	a.sharePace(ctx)() // a stops: it leaves the group
	b.renewShare(ctx)
	if got := perMinute(b, methodMessagePost); !near(got, DefaultMessagesPerMinute) {
		t.Errorf("chat.postMessage at %.1f a minute once a left, want %d", got, DefaultMessagesPerMinute)
	}
	if got := perMinute(b, "users.info"); !near(got, 100) {
		t.Errorf("users.info at %.1f a minute alone, want 100", got)
	}
}
