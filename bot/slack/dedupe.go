package slack

import (
	"sync"
	"time"
)

// Event de-duplication: Slack retries an Events API delivery it thinks
// failed (at once, after 1 and after 5 minutes) and Socket Mode may deliver
// an event again after a reconnect. Ids are kept long enough to cover the
// retries, and no more than maxEvents of them.
const (
	eventTTL  = 10 * time.Minute
	maxEvents = 10000
)

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
