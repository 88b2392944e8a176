package scheduler_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/scheduler"
)

// These tests run replicas on the real clock (shifted to a school day), as
// Run does in production, with a short send lease.

const testLease = 2 * time.Second

// realClock is the real clock moved to start: time passes as it does.
func realClock(start time.Time) func() time.Time {
	began := time.Now()
	return func() time.Time { return start.Add(time.Since(began)) }
}

// planned is an env with n students whose reflection prompts are due at
// 14:00 on a Friday, planned and not yet sent.
func planned(t *testing.T, n int) *env {
	t.Helper()
	e := newEnv(t, at(3, 6, 13, 59), scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	c := e.class("Hall", teacher, "America/New_York", "", "0 0 1 1 *")
	seedStudents(t, e.store, c.ID, n, "America/New_York")
	e.tick(at(3, 6, 13, 59))
	e.clock.Set(at(3, 6, 14, 0))
	if err := e.sched.Plan(e.ctx, at(3, 6, 14, 0)); err != nil {
		t.Fatal(err)
	}
	if got := e.counts(); got["pending"] != int64(n) {
		t.Fatalf("outbox = %v, want %d prompts pending", got, n)
	}
	return e
}

// replica runs a scheduler sending through p on clock until stop is called.
func (e *env) replica(id string, p *fakePlatform, clock func() time.Time, workers int) (stop func()) {
	o := e.opts
	o.ReplicaID, o.Now, o.SetNow = id, clock, nil
	o.SendLease, o.PollEvery, o.Workers = testLease, 50*time.Millisecond, workers
	s := scheduler.New(e.store, e.composer, p, o)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Run(ctx); err != nil {
			e.t.Error(err)
		}
	}()
	return func() { cancel(); <-done }
}

// prompted counts prompts by recipient across platforms.
func prompted(ps ...*fakePlatform) map[string]int {
	m := map[string]int{}
	for _, p := range ps {
		for to, k := range perRecipient(p.DMs("Reflection time")) {
			m[to] += k
		}
	}
	return m
}

func waitFor(t *testing.T, limit time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// TestADeadWorkersItemsAreTakenOverWithinTheLease: a replica whose sends
// stop mid-fan-out (its connection hangs, then it is stopped without
// finishing) holds only what it was sending; another replica sends those
// once their lease runs out, within seconds, and everything else at once.
func TestADeadWorkersItemsAreTakenOverWithinTheLease(t *testing.T) {
	const n, workers = 30, 4
	e := planned(t, n)
	clock := realClock(at(3, 6, 14, 0))

	hang := make(chan struct{})
	defer close(hang)
	a := &fakePlatform{clock: e.clock, fail: func(k int, _ string) error {
		if k > 10 {
			<-hang // the connection hangs: nothing reaches the platform
			return errors.New("connection reset")
		}
		return nil
	}}
	stopA := e.replica("replica-a", a, clock, workers)
	if !waitFor(t, 20*time.Second, func() bool { return len(a.DMs("")) == 10 }) {
		t.Fatalf("replica a sent %d", len(a.DMs("")))
	}
	time.Sleep(100 * time.Millisecond) // its workers are stuck in sends now
	killed := time.Now()
	go stopA() // stopped without finishing: its stuck sends never return

	b := &fakePlatform{clock: e.clock}
	stopB := e.replica("replica-b", b, clock, workers)
	defer stopB()
	done := waitFor(t, testLease+10*time.Second, func() bool { return len(prompted(a, b)) == n })
	took := time.Since(killed)
	got := prompted(a, b)
	if !done {
		t.Fatalf("%d of %d students got a prompt %s after the kill", len(got), n, took)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%s got %d prompts", to, k)
		}
	}
	if took > testLease+3*time.Second {
		t.Errorf("the dead replica's items were sent %s after it stopped; want within the lease (%s) and a few seconds", took, testLease)
	}
	t.Logf("a sent %d, b %d; all sent %s after a stopped (lease %s)", len(a.DMs("")), len(b.DMs("")), took.Round(time.Millisecond), testLease)
}

// TestASlowWorkerKeepsItsItems: sends that take longer than the lease are
// not taken over by another replica while their worker lives (it renews its
// claims), so nobody gets a prompt twice.
func TestASlowWorkerKeepsItsItems(t *testing.T) {
	const n = 12
	e := planned(t, n)
	clock := realClock(at(3, 6, 14, 0))
	var mu sync.Mutex
	slowStarted := 0
	a := &fakePlatform{clock: e.clock, fail: func(int, string) error {
		mu.Lock()
		slowStarted++
		mu.Unlock()
		time.Sleep(testLease * 3 / 2) // slow, but alive
		return nil
	}}
	stopA := e.replica("replica-a", a, clock, 2)
	if !waitFor(t, 20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return slowStarted >= 2 }) {
		t.Fatal("replica a never started sending")
	}
	b := &fakePlatform{clock: e.clock}
	stopB := e.replica("replica-b", b, clock, 2)
	ok := waitFor(t, 20*time.Second, func() bool { return len(prompted(a, b)) == n })
	stopB()
	stopA()
	got := prompted(a, b)
	if !ok {
		t.Fatalf("%d of %d students got a prompt", len(got), n)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%s got %d prompts: a live worker's claim was taken over", to, k)
		}
	}
	if len(a.DMs("")) < 2 {
		t.Errorf("replica a sent %d, want its two slow sends", len(a.DMs("")))
	}
}

// TestARateLimitPutsOffOnlyThatItem: a 429 reschedules the item it
// answered, for as long as the platform said; the rest of the run goes on
// (pacing is the adapter's: it holds its own calls back meanwhile).
func TestARateLimitPutsOffOnlyThatItem(t *testing.T) {
	const n = 10
	e := planned(t, n)
	var limited string
	e.fake.fail = func(k int, to string) error {
		if k == 1 {
			limited = to
			return &bot.RetryAfterError{After: 30 * time.Second}
		}
		return nil
	}
	e.tick(at(3, 6, 14, 0))
	got := prompted(e.fake)
	if len(got) != n-1 || got[limited] != 0 {
		t.Fatalf("%d prompts sent at once (to %s: %d); want all but the one rate limited", len(got), limited, got[limited])
	}
	e.tick(at(3, 6, 14, 0).Add(29 * time.Second))
	if got := prompted(e.fake); got[limited] != 0 {
		t.Fatalf("retried before Retry-After")
	}
	e.tick(at(3, 6, 14, 0).Add(30 * time.Second))
	if got := prompted(e.fake); len(got) != n || got[limited] != 1 {
		t.Errorf("after Retry-After: %d students prompted, %s %d times", len(got), limited, got[limited])
	}
}

// TestReplicasShareAFanOut: two idle replicas both take part in a run
// planned while they wait (neither planned it, so nobody pokes them): each
// finds the work within a poll (a second) and sends a fair part of it.
func TestReplicasShareAFanOut(t *testing.T) {
	const n = 60
	e := newEnv(t, at(3, 6, 13, 59), scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	c := e.class("Hall", teacher, "America/New_York", "", "0 0 1 1 *")
	seedStudents(t, e.store, c.ID, n, "America/New_York")
	e.tick(at(3, 6, 13, 59))
	clock := realClock(at(3, 6, 14, 0).Add(-2 * time.Second))
	var mu sync.Mutex
	first := map[string]time.Time{}
	var stops []func()
	var ps []*fakePlatform
	for _, id := range []string{"replica-a", "replica-b"} {
		p := &fakePlatform{clock: e.clock, fail: func(int, string) error {
			mu.Lock()
			if first[id].IsZero() {
				first[id] = time.Now()
			}
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
			return nil
		}}
		o := e.opts
		o.ReplicaID, o.Now, o.SetNow, o.Workers = id, clock, nil, 2 // PollEvery: the default
		s := scheduler.New(e.store, e.composer, p, o)
		ctx, cancel := context.WithCancel(e.ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = s.Run(ctx) }()
		stops = append(stops, func() { cancel(); <-done })
		ps = append(ps, p)
	}
	time.Sleep(1500 * time.Millisecond) // both idle, between polls
	planned := time.Now()
	e.clock.Set(at(3, 6, 14, 0))
	if err := e.sched.Plan(e.ctx, at(3, 6, 14, 0)); err != nil {
		t.Fatal(err)
	}
	ok := waitFor(t, 60*time.Second, func() bool { return len(prompted(ps...)) == n })
	for _, stop := range stops {
		stop()
	}
	if !ok {
		t.Fatalf("%d of %d prompts sent", len(prompted(ps...)), n)
	}
	a, b := len(ps[0].DMs("")), len(ps[1].DMs(""))
	if a+b != n || min(a, b) < n/4 {
		t.Errorf("replicas sent %d and %d of %d; want each a fair part", a, b, n)
	}
	for id, at := range first {
		if joined := at.Sub(planned); joined > 2*time.Second {
			t.Errorf("%s started sending %s after the run was planned; want within a poll", id, joined.Round(time.Millisecond))
		}
	}
	t.Logf("replicas sent %d and %d, starting %s and %s after planning", a, b,
		first["replica-a"].Sub(planned).Round(time.Millisecond), first["replica-b"].Sub(planned).Round(time.Millisecond))
}
