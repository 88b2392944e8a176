package storage

import (
	"sync"
	"time"
)

// recent keeps values read lately, each answered from memory until it is
// older than the age limit; past max entries it starts afresh. It is safe
// for concurrent use. The zero value with ttl 0 keeps nothing.
type recent[V any] struct {
	ttl time.Duration // 0: off
	max int
	mu  sync.Mutex
	m   map[string]recentValue[V]
}

type recentValue[V any] struct {
	v  V
	at time.Time
}

func newRecent[V any](ttl time.Duration, max int) *recent[V] {
	return &recent[V]{ttl: ttl, max: max}
}

// get returns key's value, if read within the age limit.
func (r *recent[V]) get(key string) (V, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.m[key]
	if !ok || r.ttl <= 0 || time.Since(e.at) > r.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

// put remembers v under key as read at read (the time the read was sent,
// so a change that crossed the read is never kept past the age limit).
func (r *recent[V]) put(key string, v V, read time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ttl <= 0 {
		return
	}
	if r.m == nil || len(r.m) >= r.max {
		r.m = make(map[string]recentValue[V])
	}
	r.m[key] = recentValue[V]{v: v, at: read}
}

// drop forgets the keys whose value matches (all when match is nil).
func (r *recent[V]) drop(match func(key string, v V) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, e := range r.m {
		if match == nil || match(k, e.v) {
			delete(r.m, k)
		}
	}
}
