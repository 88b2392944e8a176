package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// maxRetryDelay caps the exponential backoff of transient failures.
const maxRetryDelay = time.Hour

// deliverDue sends every item due at now and returns when none is left; the
// clock stands still meanwhile, so retries fall after now and the loop ends.
// inOrder sends one item at a time, by due time and then key (simulated
// time: a console transcript reads the same every run).
func (s *Scheduler) deliverDue(ctx context.Context, now time.Time, inOrder bool) error {
	workers := s.opts.Workers
	if inOrder {
		workers = 1
	}
	return s.sendDue(ctx, func() time.Time { return now }, workers)
}

// deliverLoop sends due items on the real clock until ctx is done. It looks
// for work every PollEvery, and at once when poked (the planner pokes after
// planning), so the workers of every replica join a fan-out within a poll.
func (s *Scheduler) deliverLoop(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.wake:
		}
		if err := s.sendDue(ctx, s.now, s.opts.Workers); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "deliver outbox", slog.Any("err", err))
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(s.opts.PollEvery)
	}
}

// sendDue sends due items with Workers workers until none is due. It looks
// up due items a batch at a time but claims each only as a worker is free
// to send it, so a process holds no more than it is sending, and replicas
// share a fan-out item by item. While items are held their claims are
// renewed every third of SendLease: a worker that dies leaves its items to
// another replica within SendLease, and only the sends it had in flight can
// go twice.
func (s *Scheduler) sendDue(ctx context.Context, clock func() time.Time, workers int) error {
	h := &held{lease: map[string]time.Time{}}
	feed := make(chan *storage.OutboxItem)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range feed {
				s.deliver(ctx, clock, h, it)
				h.drop(it.ID)
			}
		}()
	}
	stopRenewing := s.renew(ctx, clock, h)
	err := s.claimInto(ctx, clock, h, feed)
	close(feed)
	wg.Wait()
	stopRenewing()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// dueBatch is how many due items one query looks up for claiming.
const dueBatch = 64

// claimInto claims due items one by one and hands each to a free worker.
func (s *Scheduler) claimInto(ctx context.Context, clock func() time.Time, h *held, feed chan<- *storage.OutboxItem) error {
	for {
		cands, err := s.store.DueOutbox(ctx, clock(), dueBatch, s.platforms)
		if err != nil {
			return fmt.Errorf("find due outbox items: %w", err)
		}
		slices.SortStableFunc(cands, func(a, b storage.OutboxItem) int { // by due, then key
			if c := a.Due.Compare(b.Due); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		claimed := 0
		for _, c := range cands {
			it, won, err := s.store.ClaimOutboxItem(ctx, s.replica, c, clock(), s.opts.SendLease)
			if err != nil {
				return fmt.Errorf("claim outbox item: %w", err)
			}
			if !won {
				continue // another replica's now
			}
			claimed++
			h.hold(it.ID, it.LeaseUntil)
			select {
			case feed <- it:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if claimed == 0 {
			return nil
		}
	}
}

// renew extends the claims of held items every third of SendLease until
// the returned function is called.
func (s *Scheduler) renew(ctx context.Context, clock func() time.Time, h *held) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(max(s.opts.SendLease/3, time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			now := clock()
			ids := h.live(now)
			until := now.Add(s.opts.SendLease)
			if err := s.store.RenewOutboxClaims(ctx, ids, until); err != nil {
				if ctx.Err() == nil {
					s.log.WarnContext(ctx, "renew outbox claims", slog.Int("items", len(ids)), slog.Any("err", err))
				}
				continue
			}
			h.extend(ids, until)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// held are the items one sendDue has claimed and not finished, with when
// their claim runs out.
type held struct {
	mu    sync.Mutex
	lease map[string]time.Time
}

func (h *held) hold(id string, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lease[id] = until
}

func (h *held) drop(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.lease, id)
}

// live returns the items whose claim has not run out at now, dropping the
// others: another worker may hold them by now, so they are not renewed.
func (h *held) live(now time.Time) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]string, 0, len(h.lease))
	for id, until := range h.lease {
		if until.After(now) {
			ids = append(ids, id)
		} else {
			delete(h.lease, id)
		}
	}
	return ids
}

func (h *held) extend(ids []string, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		if _, ok := h.lease[id]; ok {
			h.lease[id] = until
		}
	}
}

// ours reports whether the claim on id still has margin left at now: a
// send is started only then, so that a worker whose renewals failed doesn't
// send what another worker may be sending.
func (h *held) ours(id string, now time.Time, margin time.Duration) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	until, ok := h.lease[id]
	return ok && until.Sub(now) > margin
}

// delivery is a composed message and where it goes.
type delivery struct {
	to      *bot.Identity // a DM, or
	channel *bot.Channel  // a post
	userID  string        // the DM's recipient, to flag if undeliverable
	msg     bot.Message
	// before runs just before sending (recording a prompt, so the student's
	// answer finds it); after runs once it is sent.
	before func(ctx context.Context) error
	after  func(ctx context.Context, now time.Time) error
}

// platform is the platform the delivery goes out on.
func (d *delivery) platform() bot.Platform {
	if d.channel != nil {
		return d.channel.Platform
	}
	return d.to.Platform
}

// reaches reports whether this scheduler's sender delivers on p.
func (s *Scheduler) reaches(p bot.Platform) bool {
	return s.platforms == nil || slices.Contains(s.platforms, string(p))
}

// deliver sends one claimed item and records what became of it.
func (s *Scheduler) deliver(ctx context.Context, clock func() time.Time, h *held, it *storage.OutboxItem) {
	now := clock()
	log := s.log.With(slog.String("item", it.ID), slog.Int("attempt", it.Attempt))
	d, skip, err := s.compose(ctx, it, now)
	if err == nil && d != nil && d.before != nil {
		err = d.before(ctx)
	}
	if err != nil {
		if ctx.Err() == nil {
			s.retry(ctx, it, now, fmt.Errorf("compose: %w", err))
		}
		return
	}
	if skip != "" {
		log.DebugContext(ctx, "outbox item skipped", slog.String("why", skip))
		s.finish(ctx, it, storage.OutboxResult{Status: storage.OutboxSkipped, Reason: skip})
		s.observeDone(it, DeliverySkipped)
		return
	}
	if p := d.platform(); !s.reaches(p) {
		// Only an item planned before items named their platform gets here.
		// Not running an adapter is this process's gap, not the person's
		// refusal: retry, perhaps on a replica that runs it.
		s.retry(ctx, it, now, fmt.Errorf("no %s adapter runs in this process", p))
		return
	}
	if err := s.pace.wait(ctx); err != nil {
		return
	}
	if !h.ours(it.ID, clock(), s.opts.SendLease/4) {
		log.WarnContext(ctx, "claim ran out before sending; leaving the item to whoever holds it now")
		return
	}
	if d.channel != nil {
		err = s.sender.Post(ctx, *d.channel, d.msg)
	} else {
		err = s.sender.SendDM(ctx, *d.to, d.msg)
	}
	now = clock()
	var und *bot.UndeliverableError
	var ra *bot.RetryAfterError
	switch {
	case err == nil:
		// Record the send even if we are shutting down: it happened.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		s.finish(rctx, it, storage.OutboxResult{Status: storage.OutboxSent})
		s.observeDone(it, DeliverySent)
		if d.after != nil {
			if err := d.after(rctx, now); err != nil {
				log.WarnContext(ctx, "after send", slog.Any("err", err))
			}
		}
	case ctx.Err() != nil:
		// Stopped mid-send: the lease runs out and another attempt follows.
	case errors.As(err, &und):
		// The platform itself refused for good; for a DM that means the
		// person can't get DMs until they write to the bot (handlers clear it).
		log.WarnContext(ctx, "undeliverable", slog.String("reason", und.Reason))
		s.finish(ctx, it, storage.OutboxResult{Status: storage.OutboxFailed, Reason: "undeliverable: " + und.Reason})
		s.observeDone(it, DeliveryUndeliverable)
		if d.userID != "" {
			if _, err := s.store.SetCantDM(ctx, d.userID, und.Reason); err != nil {
				log.WarnContext(ctx, "flag can't DM", slog.Any("err", err))
			}
		}
	case errors.As(err, &ra):
		// This item only: the adapter holds its own calls back for as long
		// as the platform said, and the rest of the run goes on as the
		// limits allow.
		wait := max(ra.After, time.Second)
		log.InfoContext(ctx, "rate limited", slog.Duration("retry_after", wait))
		s.finish(ctx, it, storage.OutboxResult{Status: storage.OutboxPending, Due: now.Add(wait), Reason: "rate limited"})
		s.observeRetry(it, RetryRateLimited)
	default:
		s.retry(ctx, it, now, err)
	}
}

// retry schedules another attempt after a transient error, with exponential
// backoff, or fails the item after MaxTries.
func (s *Scheduler) retry(ctx context.Context, it *storage.OutboxItem, now time.Time, cause error) {
	reason := cause.Error()
	if len(reason) > 300 {
		reason = reason[:300]
	}
	if it.Failures+1 >= s.opts.MaxTries {
		s.log.ErrorContext(ctx, "outbox item failed", slog.String("item", it.ID), slog.Int("tries", it.Failures+1), slog.String("reason", reason))
		s.finish(ctx, it, storage.OutboxResult{Status: storage.OutboxFailed, Reason: reason, Transient: true})
		s.observeDone(it, DeliveryFailed)
		return
	}
	delay := s.opts.RetryBase << it.Failures
	if delay > maxRetryDelay || delay <= 0 {
		delay = maxRetryDelay
	}
	s.log.WarnContext(ctx, "send failed; will retry", slog.String("item", it.ID), slog.Duration("in", delay), slog.String("reason", reason))
	s.finish(ctx, it, storage.OutboxResult{Status: storage.OutboxPending, Due: now.Add(delay), Reason: reason, Transient: true})
	s.observeRetry(it, RetryError)
}

func (s *Scheduler) finish(ctx context.Context, it *storage.OutboxItem, r storage.OutboxResult) {
	if err := s.store.FinishOutbox(ctx, it.ID, it.Attempt, r); err != nil && ctx.Err() == nil {
		s.log.ErrorContext(ctx, "record outbox result", slog.String("item", it.ID), slog.Any("err", err))
	}
}

// pacer spaces sends evenly at a rate, across workers.
type pacer struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
}

// pacerMargin keeps the pace a little under the limit, so that scheduling
// jitter doesn't put N+1 sends in one second of the platform's window.
const pacerMargin = 1.04

func newPacer(perSecond float64) *pacer {
	if perSecond <= 0 {
		return &pacer{}
	}
	return &pacer{interval: time.Duration(pacerMargin * float64(time.Second) / perSecond)}
}

// wait blocks until the next send slot (real time).
func (p *pacer) wait(ctx context.Context) error {
	if p.interval == 0 {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(p.interval)
	p.mu.Unlock()
	if d := time.Until(slot); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
