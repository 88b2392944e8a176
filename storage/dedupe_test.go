package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// race runs fn on each store from two goroutines at once and counts the
// true answers.
func race(t *testing.T, stores []*storage.Store, fn func(s *storage.Store) (bool, error)) int {
	t.Helper()
	var wins atomic.Int32
	var wg sync.WaitGroup
	for _, s := range stores {
		for range 2 {
			wg.Go(func() {
				ok, err := fn(s)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
	}
	wg.Wait()
	return int(wins.Load())
}

// TestMarkEventSeenOnceAcrossReplicas: replicas racing to take the same
// event id get it once; it stays taken until the sweep after its expiry
// deletes the mark, and the sweep deletes only expired marks.
func TestMarkEventSeenOnceAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	stores := []*storage.Store{s, storagetest.Replica(t, s, nil)}
	ttl := 10 * time.Minute
	mark := func(key string, at time.Time) func(*storage.Store) (bool, error) {
		return func(st *storage.Store) (bool, error) { return st.MarkEventSeen(ctx, key, at.Add(ttl)) }
	}
	if n := race(t, stores, mark("slack:Ev1", t0)); n != 1 {
		t.Errorf("Ev1 taken %d times, want once", n)
	}
	if n := race(t, stores, mark("slack:Ev1", t0.Add(5*time.Minute))); n != 0 {
		t.Errorf("a retry 5 minutes on was taken %d times, want none", n)
	}
	if n := race(t, stores, mark("slack:Ev2", t0.Add(5*time.Minute))); n != 1 {
		t.Errorf("Ev2 taken %d times, want once", n)
	}
	if n, err := s.SweepSeenEvents(ctx, t0.Add(ttl-time.Second)); err != nil || n != 0 {
		t.Errorf("sweep before any mark expired deleted %d (%v), want 0", n, err)
	}
	if n, err := s.SweepSeenEvents(ctx, t0.Add(ttl)); err != nil || n != 1 {
		t.Errorf("sweep when Ev1's mark expired deleted %d (%v), want Ev1's", n, err)
	}
	if n := race(t, stores, mark("slack:Ev1", t0.Add(ttl))); n != 1 {
		t.Errorf("Ev1 after the sweep taken %d times, want once", n)
	}
	if n := race(t, stores, mark("slack:Ev2", t0.Add(ttl))); n != 0 {
		t.Errorf("Ev2, unexpired, taken %d times, want none", n)
	}
}

// TestLeaseTakeoverRaceAcrossReplicas: when a lease runs out, replicas
// racing to take it over get it once, and the loser sees it held.
func TestLeaseTakeoverRaceAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	stores := []*storage.Store{s, storagetest.Replica(t, s, nil)}
	ttl := 20 * time.Second
	if ok, err := s.AcquireLease(ctx, "discord-shard-0-of-1", "dead", t0, ttl); err != nil || !ok {
		t.Fatalf("first holder: %v, %v", ok, err)
	}
	var owner atomic.Int32
	acquire := func(at time.Time) func(*storage.Store) (bool, error) {
		return func(st *storage.Store) (bool, error) {
			me := "r" + string(rune('0'+owner.Add(1)))
			return st.AcquireLease(ctx, "discord-shard-0-of-1", me, at, ttl)
		}
	}
	if n := race(t, stores, acquire(t0.Add(ttl/2))); n != 0 {
		t.Errorf("%d replicas took a live lease", n)
	}
	if n := race(t, stores, acquire(t0.Add(ttl))); n != 1 {
		t.Errorf("%d replicas took the expired lease, want 1", n)
	}
}
