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
func (s *Scheduler) deliverDue(ctx context.Context, now time.Time, inOrder bool) error {
	clock := func() time.Time { return now }
	for {
		items, err := s.store.ClaimOutbox(ctx, s.replica, now, s.opts.SendLease, s.opts.Workers*16, s.platforms)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		if len(items) == 0 {
			return nil
		}
		if inOrder {
			s.sendInOrder(ctx, clock, items)
		} else {
			s.sendAll(ctx, clock, items)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// deliverLoop sends due items on the real clock until ctx is done.
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
		wait := s.opts.PollEvery
		for ctx.Err() == nil {
			items, err := s.store.ClaimOutbox(ctx, s.replica, s.now(), s.opts.SendLease, s.opts.Workers*16, s.platforms)
			if err != nil {
				if ctx.Err() == nil {
					s.log.ErrorContext(ctx, "claim outbox", slog.Any("err", err))
				}
				break
			}
			if len(items) == 0 {
				break
			}
			if until := s.sendAll(ctx, s.now, items); !until.IsZero() {
				// The platform asked us to slow down: resume when it said.
				wait = min(time.Until(until), s.opts.PollEvery)
				break
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// batch is shared by the workers sending one claimed batch: once the platform
// says "slow down", the rest of the batch waits instead of adding to a storm
// of 429s.
type batch struct {
	mu         sync.Mutex
	pauseUntil time.Time
}

func (b *batch) pause(until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if until.After(b.pauseUntil) {
		b.pauseUntil = until
	}
}

func (b *batch) paused() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pauseUntil
}

// sendAll sends claimed items with up to Workers at once. It returns when
// the platform asked to pause until, if it did.
// sendInOrder sends items one at a time, by due time and then key.
func (s *Scheduler) sendInOrder(ctx context.Context, clock func() time.Time, items []storage.OutboxItem) {
	slices.SortStableFunc(items, func(a, b storage.OutboxItem) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var b batch
	for i := range items {
		if ctx.Err() != nil {
			return
		}
		s.deliver(ctx, clock, &b, &items[i])
	}
}

func (s *Scheduler) sendAll(ctx context.Context, clock func() time.Time, items []storage.OutboxItem) time.Time {
	var b batch
	ch := make(chan *storage.OutboxItem)
	var wg sync.WaitGroup
	for w := 0; w < min(s.opts.Workers, len(items)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range ch {
				s.deliver(ctx, clock, &b, it)
			}
		}()
	}
feed:
	for i := range items {
		select {
		case ch <- &items[i]:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	return b.paused()
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
func (s *Scheduler) deliver(ctx context.Context, clock func() time.Time, b *batch, it *storage.OutboxItem) {
	now := clock()
	log := s.log.With(slog.String("item", it.ID), slog.Int("attempt", it.Attempt))
	if until := b.paused(); until.After(now) {
		s.finish(ctx, it, storage.OutboxResult{Status: storage.OutboxPending, Due: until, Reason: "rate limited"})
		s.observeRetry(it, RetryRateLimited)
		return
	}
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
		wait := max(ra.After, time.Second)
		b.pause(now.Add(wait))
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
