package handlers_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// command is one driver command seen by the monitor: its name, the
// collection it names, and when it started and finished.
type command struct {
	name, coll    string
	start, finish time.Time
}

func (c command) String() string {
	if c.coll == "" {
		return c.name
	}
	return c.name + ":" + c.coll
}

// commandLog records the commands the driver sends while on.
type commandLog struct {
	mu      sync.Mutex
	on      bool
	cmds    []command
	pending map[int64]int // request id → index in cmds
}

func (l *commandLog) monitor() *event.CommandMonitor {
	done := func(id int64) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if i, ok := l.pending[id]; ok {
			l.cmds[i].finish = time.Now()
			delete(l.pending, id)
		}
	}
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			l.mu.Lock()
			defer l.mu.Unlock()
			if !l.on {
				return
			}
			coll, _ := e.Command.Lookup(e.CommandName).StringValueOK()
			l.pending[e.RequestID] = len(l.cmds)
			l.cmds = append(l.cmds, command{name: e.CommandName, coll: coll, start: time.Now()})
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { done(e.RequestID) },
		Failed:    func(_ context.Context, e *event.CommandFailedEvent) { done(e.RequestID) },
	}
}

func (l *commandLog) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on, l.cmds, l.pending = true, nil, map[int64]int{}
}

func (l *commandLog) stop() []command {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	return l.cmds
}

// steps is the number of sequential steps in cmds: the longest chain of
// commands each started after the one before it finished. Commands in
// flight together count as one step.
func steps(cmds []command) int {
	depth := make([]int, len(cmds))
	longest := 0
	for i, c := range cmds {
		depth[i] = 1
		for j := 0; j < i; j++ {
			if !cmds[j].finish.IsZero() && !cmds[j].finish.After(c.start) && depth[j]+1 > depth[i] {
				depth[i] = depth[j] + 1
			}
		}
		longest = max(longest, depth[i])
	}
	return longest
}

// rereads lists the collections cmds read more than once.
func rereads(cmds []command) []string {
	seen := map[string]int{}
	var twice []string
	for _, c := range cmds {
		if c.name != "find" && c.name != "aggregate" && c.name != "count" {
			continue
		}
		if seen[c.coll]++; seen[c.coll] == 2 {
			twice = append(twice, c.coll)
		}
	}
	return twice
}

// requests are cmds in the order sent, for a failure message.
func requests(cmds []command) string { return fmt.Sprint(cmds) }

// TestRoundTripBudgets counts the driver's commands for each write a
// student makes, with their record read a moment before (the actor cache),
// and holds the budgets reached so far: check-in 3 (goal, then the check-in
// and the roster summary together), goal add 3 (the repeat check, the
// insert numbered from the record, then the number and summary), step add
// 2, reflect 2. The target is 2 for every write; see README.
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
		{"goal add Learn to juggle", 3},
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

// TestViewRoundTrips holds the views' budgets in a class of 20 and of 200,
// each viewer's record read a moment before (the actor cache) on a warm
// pool: no collection read twice, and at most 3 sequential steps — reads
// that don't depend on each other are sent together — whatever the class
// size. The staff views are a teacher's and a counselor's whose caseload
// (every last name) is the whole school.
func TestViewRoundTrips(t *testing.T) {
	for _, n := range []int{20, 200} {
		t.Run(fmt.Sprintf("class of %d", n), func(t *testing.T) {
			if n > 20 && testing.Short() {
				t.Skip("a class of 200 takes a few seconds to set up")
			}
			testViewRoundTrips(t, n)
		})
	}
}

func testViewRoundTrips(t *testing.T, size int) {
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var log commandLog
	opts := storagetest.Options(t)
	opts.Now, opts.Monitor = clock, log.monitor()
	store := storagetest.Open(t, opts)
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	students := make([]string, size)
	for i := range students {
		students[i] = fmt.Sprintf("s%03d", i)
	}
	e.setupClass(students...)
	e.ok("admin", "role @mx-rivera counselor")
	e.ok("admin", "caseload @mx-rivera last:a-z")
	e.ok("s000", "goal add Read three novels")
	e.ok("s000", "checkin 1 40%")
	e.ok("s000", "reflect Reading got easier this week")
	e.ok("ms-lee", "conference @s000 2026-12-02 10:30 goals check")
	e.ok("mx-rivera", "conference @s001 2026-12-03 10:30 how it's going")
	warmPool(t, e, "ms-lee", "student @s000")
	for _, tc := range []struct {
		who, line string
	}{
		{"s000", "plan"},
		{"s000", "goal list"},
		{"s000", "conference list"},
		{"ms-lee", "roster"},
		{"ms-lee", "roster Period 3"},
		{"ms-lee", "student @s000"},
		{"ms-lee", "conference list"},
		{"mx-rivera", "roster"},
		{"mx-rivera", "student @s001"},
		{"mx-rivera", "conference list"},
	} {
		// Steps are structural, so the fewest of three runs is the view's:
		// a goroutine the machine was slow to start only adds one.
		var got []command
		n := 0
		for i := range 3 {
			e.ok(tc.who, "help") // the actor is read now, as by their previous command
			log.start()
			e.ok(tc.who, tc.line)
			run := log.stop()
			if k := steps(run); i == 0 || k < n {
				got, n = run, k
			}
		}
		t.Logf("%-9s %-18s %2d requests, %d steps %v", tc.who, tc.line, len(got), n, got)
		if twice := rereads(got); len(twice) > 0 {
			t.Errorf("%s: /plp %s reads %v more than once: %s", tc.who, tc.line, twice, requests(got))
		}
		if n > 3 {
			t.Errorf("%s: /plp %s takes %d sequential steps (budget 3): %s", tc.who, tc.line, n, requests(got))
		}
	}
}

// warmPool runs line as who many times at once, so the driver's pool holds
// the connections a running server would (it dials at most two at a time,
// which would otherwise serialize a cold test's concurrent reads).
func warmPool(t *testing.T, e *env, who, line string) {
	t.Helper()
	var g sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		g.Add(1)
		go func() {
			defer g.Done()
			if _, err := e.run(who, line); err != nil {
				errs <- err
			}
		}()
	}
	g.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("warm the pool: %v", err)
	}
}
