package slack

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Event de-duplication: Slack retries an Events API delivery it thinks
// failed (at once, after 1 and after 5 minutes), Socket Mode may deliver
// an event again after a reconnect, and with several replicas the retry may
// reach another one. Each process first checks its own memory, then an
// EventLog shared by every replica, if it has one. Ids are kept long enough
// to cover the retries, and no more than maxEvents of them in memory.
const (
	eventTTL  = 10 * time.Minute
	maxEvents = 10000
	// eventSweepEvery is how often Run deletes expired marks from the EventLog.
	eventSweepEvery = time.Minute
	// eventLogTimeout bounds the shared check; past it the event is
	// handled anyway: a rare duplicate is better than a lost reflection.
	eventLogTimeout = 5 * time.Second
)

// EventLog remembers, across replicas on one database, which events have
// been taken; *storage.Store implements it.
type EventLog interface {
	// MarkEventSeen records key as taken and reports whether this is its
	// first delivery; the mark lasts until a sweep after expires.
	MarkEventSeen(ctx context.Context, key string, expires time.Time) (bool, error)
	// SweepSeenEvents deletes the marks that expired by now.
	SweepSeenEvents(ctx context.Context, now time.Time) (int64, error)
}

// Option adjusts an Adapter built by New.
type Option func(*Adapter)

// WithEventLog de-duplicates events across replicas through log, as well
// as in this process's memory.
func WithEventLog(log EventLog) Option {
	return func(a *Adapter) { a.events, a.sweepEvery = log, eventSweepEvery }
}

// firstDelivery reports whether no replica has taken event id yet,
// according to the shared EventLog (always true without one). If the log
// can't be reached in time the event counts as new.
func (a *Adapter) firstDelivery(ctx context.Context, id string) bool {
	if a.events == nil || id == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, eventLogTimeout)
	defer cancel()
	first, err := a.events.MarkEventSeen(ctx, "slack:"+id, time.Now().Add(eventTTL))
	if err != nil {
		a.log.Warn("slack: can't check the event with other replicas; handling it", slog.String("event_id", id), slog.Any("err", err))
		return true
	}
	if !first {
		a.log.Debug("slack: another replica took this event", slog.String("event_id", id))
	}
	return first
}

// sweepEvents starts deleting expired marks from the EventLog every
// sweepEvery, and returns the function that stops it and waits.
func (a *Adapter) sweepEvents(ctx context.Context) (stop func()) {
	if a.events == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(a.sweepEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				if _, err := a.events.SweepSeenEvents(ctx, now); err != nil && ctx.Err() == nil {
					a.log.Warn("slack: sweeping seen events", slog.Any("err", err))
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// eventSet remembers event ids for a while, in bounded memory.
type eventSet struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	at    map[string]time.Time
	order []string // insertion order, oldest first
}

func newEventSet(ttl time.Duration, max int, now func() time.Time) *eventSet {
	return &eventSet{ttl: ttl, max: max, now: now, at: make(map[string]time.Time)}
}

// add records id and reports whether it is new. An empty id is always new.
func (s *eventSet) add(id string) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if _, ok := s.at[id]; ok {
		return false
	}
	s.at[id] = now
	s.order = append(s.order, id)
	for len(s.order) > s.max {
		delete(s.at, s.order[0])
		s.order = s.order[1:]
	}
	return true
}

// expire forgets ids older than the ttl.
func (s *eventSet) expire(now time.Time) {
	for len(s.order) > 0 {
		first := s.order[0]
		if now.Sub(s.at[first]) < s.ttl {
			return
		}
		delete(s.at, first)
		s.order = s.order[1:]
	}
}

// len reports how many ids are remembered.
func (s *eventSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.at)
}
