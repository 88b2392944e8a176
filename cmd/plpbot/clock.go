package main

import (
	"sync"
	"time"
)

// simClock is the clock every piece shares. It follows base until the
// console's ":advance" moves it forward; from then on it keeps that offset,
// so the handlers, the store and the scheduler all see the same simulated
// time.
type simClock struct {
	base func() time.Time
	mu   sync.Mutex
	skew time.Duration
}

func newSimClock(base func() time.Time) *simClock { return &simClock{base: base} }

// Now returns the simulated time.
func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base().Add(c.skew)
}

// Set moves the clock to t (never backwards).
func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(c.base()); d > c.skew {
		c.skew = d
	}
}
