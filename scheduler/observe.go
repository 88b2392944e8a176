package scheduler

import (
	"strings"
	"sync"
	"time"

	"github.com/plpbot/plpbot/storage"
)

// Observer hears what the scheduler does, for metrics (the metrics package
// implements it). Options.Observer may be nil. Its methods are called from
// the scheduler's goroutines: they must be safe for concurrent use and quick.
type Observer interface {
	// Delivered: an outbox item is done with; outcome is one of the
	// Delivery* constants, method "dm" or "post".
	Delivered(platform, method, outcome string)
	// Retried: an outbox item goes back to pending for another attempt;
	// reason is RetryError or RetryRateLimited.
	Retried(platform, method, reason string)
	// JobRan: n runs of job ("plan" for a whole planning pass, or reflect,
	// summary, nudge) ended with outcome (JobPlanned, JobSkipped, JobFailed,
	// JobOK).
	JobRan(job, outcome string, n int)
	// LeaseHeld: after trying to take or renew lease name, whether this
	// replica holds it.
	LeaseHeld(name string, held bool)
}

// Outcomes an Observer hears.
const (
	DeliverySent          = "sent"
	DeliverySkipped       = "skipped"
	DeliveryUndeliverable = "undeliverable"
	DeliveryFailed        = "failed" // transient errors, MaxTries times

	RetryError       = "error"
	RetryRateLimited = "rate_limited"

	JobPlanned = "planned"
	JobSkipped = "skipped"
	JobFailed  = "failed"
	JobOK      = "ok"
)

// Delivery methods an Observer hears.
const (
	MethodDM   = "dm"
	MethodPost = "post"
)

// jobPlan names a whole planning pass for Observer.JobRan.
const jobPlan = "plan"

// observer returns Options.Observer, or one that hears nothing.
func (s *Scheduler) observer() Observer {
	if s.opts.Observer == nil {
		return nopObserver{}
	}
	return s.opts.Observer
}

// nopObserver hears nothing.
type nopObserver struct{}

func (nopObserver) Delivered(string, string, string) {}
func (nopObserver) Retried(string, string, string)   {}
func (nopObserver) JobRan(string, string, int)       {}
func (nopObserver) LeaseHeld(string, bool)           {}

// itemLabels are the platform and method of an outbox item, for Observer:
// a class's item is a channel post, anything else a DM.
func itemLabels(it *storage.OutboxItem) (platform, method string) {
	if strings.HasPrefix(it.Recipient, "class:") {
		return it.Platform, MethodPost
	}
	return it.Platform, MethodDM
}

// leaderState remembers until when this replica holds the planner lease.
type leaderState struct {
	mu    sync.Mutex
	until time.Time
}

// noteLease records the outcome of taking or renewing the planner lease at
// now for ttl: held until now+ttl, or not held. An error proves nothing
// either way: the lease taken before still runs until it expires.
func (s *Scheduler) noteLease(now time.Time, ttl time.Duration, held bool, err error) {
	if err != nil {
		return
	}
	s.leader.mu.Lock()
	if held {
		s.leader.until = now.Add(ttl)
	} else {
		s.leader.until = time.Time{}
	}
	s.leader.mu.Unlock()
	s.observer().LeaseHeld(plannerLease, held)
}

// Planner reports whether this replica holds the planner lease: it took or
// renewed it last time it tried, and that lease hasn't run out. Only the
// planner plans; every replica delivers.
func (s *Scheduler) Planner() bool {
	s.leader.mu.Lock()
	defer s.leader.mu.Unlock()
	return s.now().Before(s.leader.until)
}

// observeDone tells the Observer an item is done with.
func (s *Scheduler) observeDone(it *storage.OutboxItem, outcome string) {
	platform, method := itemLabels(it)
	s.observer().Delivered(platform, method, outcome)
}

// observeRetry tells the Observer an item will be tried again.
func (s *Scheduler) observeRetry(it *storage.OutboxItem, reason string) {
	platform, method := itemLabels(it)
	s.observer().Retried(platform, method, reason)
}
