package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestDatabaseCut: with the database cut off, a check-in answers at once
// (within its deadline) that nothing was saved, with a Try again button
// whose command parses; once the link is back, commands work again within
// seconds, and the goal ends at the check-in made.
func TestDatabaseCut(t *testing.T) {
	p := storagetest.NewCutProxy(t)
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	opts := storagetest.Options(t)
	opts.URI, opts.Now = p.URI(), clock
	opts.Timeouts = storage.Timeouts{Heartbeat: 500 * time.Millisecond, ServerSelection: time.Second, Connect: time.Second}
	store := storagetest.Open(t, opts)
	const deadline = time.Second
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC", CommandTimeout: deadline})
	e.ok("Sam", "goal add Read three novels")

	p.Cut()
	start := time.Now()
	msgs, err := e.run("Sam", "checkin 1 40%")
	took := time.Since(start)
	if err != nil {
		t.Fatalf("during the cut: %v, want the friendly answer", err)
	}
	out := plain(msgs)
	mustContain(t, out, "I couldn't save that just now — nothing was changed.")
	if took > deadline+time.Second {
		t.Errorf("the answer took %v, deadline %v", took, deadline)
	}
	if len(msgs) != 1 || len(msgs[0].Buttons) != 1 || msgs[0].Buttons[0].Label != "Try again" {
		t.Fatalf("want one Try again button, got %+v", msgs)
	}
	retry := msgs[0].Buttons[0].Command
	if _, err := e.h.Grammar().Parse(retry); err != nil {
		t.Errorf("Try again's command %q doesn't parse: %v", retry, err)
	}
	t.Logf("during the cut: answered in %v: %q", took.Round(time.Millisecond), out)
	// A view says nothing could be shown, not that nothing was saved.
	msgs, err = e.run("Sam", "goal list")
	if err != nil {
		t.Fatalf("goal list during the cut: %v, want the friendly answer", err)
	}
	mustContain(t, plain(msgs), "I couldn't load that just now.", "Try again")
	mustNotContain(t, plain(msgs), "save")

	time.Sleep(2 * time.Second) // the cut lasts a while
	p.Restore()
	back := time.Now()
	for {
		msgs, err = e.run("Sam", retry)
		if err == nil && strings.Contains(plain(msgs), "40%") {
			break
		}
		if time.Since(back) > 10*time.Second {
			t.Fatalf("not back 10 s after the link came back: %v %s", err, plain(msgs))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("back %v after the link came back", time.Since(back).Round(time.Millisecond))
	if took := time.Since(back); took > 5*time.Second {
		t.Errorf("back only %v after the link came back, want within seconds", took)
	}
	g, err := store.Goal(context.Background(), e.user("Sam").ID, 1)
	if err != nil || g.Progress != 40 {
		t.Fatalf("goal after the cut: %+v, %v; want 40%%", g, err)
	}
	cs, err := store.CheckIns(context.Background(), g.UserID, time.Time{}, 0)
	if err != nil || len(cs) != 1 {
		t.Errorf("want the check-in stored once, got %d (%v)", len(cs), err)
	}
}
