package handlers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// commandLog counts the commands the driver sends, by name.
type commandLog struct {
	mu    sync.Mutex
	on    bool
	names []string
}

func (l *commandLog) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.on {
			l.names = append(l.names, e.CommandName)
		}
	}}
}

func (l *commandLog) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.names = true, nil
}

func (l *commandLog) stop() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.names
}

// TestRoundTripBudgets counts the driver's commands for each write a
// student makes, with their record read a moment before (the actor cache),
// and holds the budgets reached so far: check-in 3 (goal, then the check-in
// and the roster summary together), goal add 4 (the goal-limit read, the
// number, the insert, the summary), step add 2, reflect 2. The issue's
// target is 2 for every write; see README.
func TestRoundTripBudgets(t *testing.T) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var log commandLog
	opts := storagetest.Options(t)
	opts.Now, opts.Monitor = clock, log.monitor()
	store := storagetest.Open(t, opts)
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	e.ok("Sam", "goal add Read three novels")
	e.ok("Sam", "step add 1 Pick the first one")
	for _, tc := range []struct {
		line string
		max  int
	}{
		{"checkin 1 40%", 3},
		{"goal add Learn to juggle", 4},
		{"step add 1 Read chapter one", 2},
		{"reflect Reading got easier this week", 2},
	} {
		e.ok("Sam", "help") // the actor is read now, as by their previous command
		log.start()
		e.ok("Sam", tc.line)
		got := log.stop()
		t.Logf("%-40s %d requests %v", tc.line, len(got), got)
		if len(got) > tc.max {
			t.Errorf("/plp %s: %d requests %v, budget %d", tc.line, len(got), got, tc.max)
		}
	}
}
