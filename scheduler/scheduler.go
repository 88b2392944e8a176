// Package scheduler brings plpbot to people at the right time: weekly
// reflection prompts and their one follow-up, conference reminders with a
// prep brief, notes requests, and class summaries in the linked channel.
//
// cron decides when; the outbox decides what is owed; workers decide how to
// deliver. Every run first plans its messages into the outbox, one document
// per (job, period, recipient) with that triple as its _id, so planning twice
// adds nothing and a crash between planning and sending loses nothing.
// Workers on every replica claim items one attempt at a time (a unique claim
// document per attempt arbitrates), send them through a bot.Sender and record
// the result; a lease elects the one replica that plans. Every item names the
// platform it is delivered on, and workers claim only items for platforms
// their sender reaches (bot.Reacher), so a process without an adapter for a
// platform leaves its messages to one that has it. Last runs live in
// the database, so runs missed while the bot was down are caught up (or
// recorded as skipped when no longer useful) and every job runs on an
// injected clock.
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Defaults of Options.
const (
	DefaultQuietHours = "20:00-07:00"
	DefaultFollowup   = 24 * time.Hour
	DefaultNotesAfter = 2 * time.Hour
	DefaultMaxTries   = 5
	DefaultWorkers    = 4
	DefaultSendLease  = 20 * time.Second
	DefaultPollEvery  = time.Second
	// StillUseful is how late a missed reflection prompt or summary may still
	// be sent; an older run is recorded as skipped.
	StillUseful = 24 * time.Hour
)

// plannerLease is the lease that elects the planning replica.
const plannerLease = "scheduler-planner"

// Options configure a Scheduler; zero values take the defaults.
type Options struct {
	// TimeZone is the zone of classes that have none; default UTC.
	TimeZone string
	// Reflections and Summaries are the default crons of classes that set
	// none (5 fields or a descriptor, optionally after CRON_TZ=).
	Reflections string
	Summaries   string
	// ConferenceReminders are lead times before a conference; default 24h, 1h.
	ConferenceReminders []time.Duration
	// FollowupAfter is when an unanswered prompt gets its one follow-up.
	FollowupAfter time.Duration
	// NotesAfter is when a teacher with no notes for a conference is asked.
	NotesAfter time.Duration
	// QuietHours is when students get no DMs, "HH:MM-HH:MM" in their zone;
	// "off" for none; default 20:00-07:00.
	QuietHours string
	// SchoolDays are the days students may get prompts and nudges, in
	// their own zone (schedule.school_days); empty means Monday to Friday.
	SchoolDays []time.Weekday
	// Holidays are school holidays, YYYY-MM-DD: no prompts to students.
	Holidays []string
	// NudgeAfter is how long without a check-in earns a student one gentle
	// DM per quiet spell (0 = no nudges, the default).
	NudgeAfter time.Duration
	// Retention is how long someone in no class may go without activity
	// before the nightly retention job purges them as forget does
	// (privacy.retention_days; 0 = never, the default).
	Retention time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// SetNow, if set, is called by Advance with each simulated time so the
	// rest of the bot shares it; otherwise the scheduler keeps its own offset.
	SetNow func(time.Time)
	// Logger; default slog.Default().
	Logger *slog.Logger
	// ReplicaID names this process among replicas; default host-pid-random.
	ReplicaID string
	// Workers is how many sends run at once; default 4.
	Workers int
	// RatePerSecond paces sends (0 = as fast as the platform allows).
	RatePerSecond float64
	// MaxTries bounds transient failures before an item fails; default 5.
	MaxTries int
	// RetryBase is the first retry delay, doubling each time; default 30s.
	RetryBase time.Duration
	// SendLease is how long a worker's claim on an item lasts unless renewed
	// (it is, every third of it, while the worker lives); after a crash its
	// items wait at most this long for another worker. Default 20s.
	SendLease time.Duration
	// PollEvery is how often idle workers look for due items; default 1s.
	PollEvery time.Duration
	// Observer, if set, hears about deliveries, retries, job runs and the
	// planner lease, for metrics.
	Observer Observer
}

// Scheduler plans and delivers scheduled messages. It is safe for
// concurrent use.
type Scheduler struct {
	store    *storage.Store
	composer Composer
	sender   bot.Sender
	opts     Options
	log      *slog.Logger
	zone     *time.Location
	refl     string
	summ     string
	leads    []time.Duration // longest first
	cal      calendar
	replica  string
	pace     *pacer
	wake     chan struct{}

	// platforms are those the sender reaches (bot.Reacher), the only ones
	// whose items this scheduler claims; nil claims every item.
	platforms []string

	zones sync.Map // zone name → *time.Location

	leader leaderState // until when this replica holds the planner lease
	db     dbGate      // whether the database stopped answering

	indexOnce sync.Once
	indexErr  error

	mu   sync.Mutex
	skew time.Duration // Advance's offset when Options.SetNow is nil
}

// Validate reports the first option that is wrong, naming its config key.
func (o Options) Validate() error {
	if o.TimeZone != "" {
		if _, err := time.LoadLocation(o.TimeZone); err != nil {
			return fmt.Errorf("schedule.timezone: %w", err)
		}
	}
	for key, spec := range map[string]string{"schedule.reflections": o.Reflections, "schedule.summaries": o.Summaries} {
		if spec != "" {
			if _, err := plpbot.ParseSchedule(spec, time.UTC); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	if _, _, err := parseQuietHours(o.QuietHours); err != nil {
		return fmt.Errorf("schedule.quiet_hours: %w", err)
	}
	for _, d := range o.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("schedule.holidays: %q is not a YYYY-MM-DD date", d)
		}
	}
	for _, d := range o.ConferenceReminders {
		if d <= 0 {
			return fmt.Errorf("schedule.conference_reminders: %s is not a positive lead time", d)
		}
	}
	return nil
}

// New returns a scheduler over store that has composer build its messages
// and reaches people through sender.
// Invalid options (check them first with Options.Validate) fall back to
// their defaults with a warning.
func New(store *storage.Store, composer Composer, sender bot.Sender, opts Options) *Scheduler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if err := opts.Validate(); err != nil {
		log.Warn("scheduler options invalid; using defaults where wrong", slog.Any("err", err))
	}
	s := &Scheduler{store: store, composer: composer, sender: sender, log: log, zone: time.UTC, wake: make(chan struct{}, 1)}
	if r, ok := sender.(bot.Reacher); ok {
		s.platforms = []string{}
		for _, p := range r.Reaches() {
			s.platforms = append(s.platforms, string(p))
		}
	}
	if l, err := time.LoadLocation(opts.TimeZone); err == nil && opts.TimeZone != "" {
		s.zone = l
	}
	s.refl, s.summ = plpbot.DefaultReflections, plpbot.DefaultSummaries
	if _, err := plpbot.ParseSchedule(opts.Reflections, s.zone); opts.Reflections != "" && err == nil {
		s.refl = opts.Reflections
	}
	if _, err := plpbot.ParseSchedule(opts.Summaries, s.zone); opts.Summaries != "" && err == nil {
		s.summ = opts.Summaries
	}
	s.leads = slices.Clone(opts.ConferenceReminders)
	s.leads = slices.DeleteFunc(s.leads, func(d time.Duration) bool { return d <= 0 })
	if len(s.leads) == 0 {
		s.leads = []time.Duration{24 * time.Hour, time.Hour}
	}
	slices.SortFunc(s.leads, func(a, b time.Duration) int { return int((b - a) / time.Second) })
	qs := opts.QuietHours
	if qs == "" {
		qs = DefaultQuietHours
	}
	from, to, err := parseQuietHours(qs)
	if err != nil {
		from, to, _ = parseQuietHours(DefaultQuietHours)
	}
	s.cal = calendar{quietFrom: from, quietTo: to, schoolDays: schoolWeek(opts.SchoolDays), holidays: map[string]bool{}}
	for _, d := range opts.Holidays {
		s.cal.holidays[strings.TrimSpace(d)] = true
	}
	if opts.FollowupAfter <= 0 {
		opts.FollowupAfter = DefaultFollowup
	}
	if opts.NotesAfter <= 0 {
		opts.NotesAfter = DefaultNotesAfter
	}
	if opts.MaxTries <= 0 {
		opts.MaxTries = DefaultMaxTries
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 30 * time.Second
	}
	if opts.SendLease <= 0 {
		opts.SendLease = DefaultSendLease
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = DefaultPollEvery
	}
	s.replica = opts.ReplicaID
	if s.replica == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		s.replica = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	s.pace = newPacer(opts.RatePerSecond)
	s.opts = opts
	return s
}

// now is the scheduler's clock.
func (s *Scheduler) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Now().Add(s.skew).UTC()
}

func (s *Scheduler) ensureIndexes(ctx context.Context) error {
	s.indexOnce.Do(func() { s.indexErr = s.store.EnsureSchedulerIndexes(ctx) })
	return s.indexErr
}

// Tick plans every job due at now (if this replica holds the planner lease)
// and then delivers every outbox item due at now, before returning. Tests
// and Advance drive the scheduler through it.
func (s *Scheduler) Tick(ctx context.Context, now time.Time) error {
	return s.tick(ctx, now, false)
}

// tick plans and delivers at now; inOrder sends one item at a time by due
// time (simulated time: a console transcript reads the same every run).
func (s *Scheduler) tick(ctx context.Context, now time.Time, inOrder bool) error {
	if err := s.ensureIndexes(ctx); err != nil {
		return err
	}
	if err := s.planIfLeader(ctx, now); err != nil {
		return err
	}
	return s.deliverDue(ctx, now, inOrder)
}

// plannerTTL is how long the planner lease lasts unless renewed; the planner
// renews it every minute.
const plannerTTL = 3 * time.Minute

// planIfLeader plans due jobs if this replica holds (or wins) the lease.
func (s *Scheduler) planIfLeader(ctx context.Context, now time.Time) error {
	lead, err := s.store.AcquireLease(ctx, plannerLease, s.replica, now, plannerTTL)
	s.noteLease(now, plannerTTL, lead, err)
	if err != nil {
		return fmt.Errorf("planner lease: %w", err)
	}
	if !lead {
		return nil
	}
	err = s.Plan(ctx, now)
	outcome := JobOK
	if err != nil {
		outcome = JobFailed
	}
	s.observer().JobRan(jobPlan, outcome, 1)
	return err
}

// Advance runs the scheduler over simulated time, from now to now+d, jumping
// from one due moment to the next and planning and delivering at each, so a
// console user sees a week of prompts, reminders and summaries arrive. It
// moves the clock (Options.SetNow, or the scheduler's own offset) as it goes.
func (s *Scheduler) Advance(ctx context.Context, d time.Duration) error {
	cur := s.now()
	end := cur.Add(d)
	for steps := 0; ; steps++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		next, err := s.nextWake(ctx, cur)
		if err != nil {
			return err
		}
		if next.IsZero() || next.After(end) {
			next = end
		}
		if !next.After(cur) {
			next = cur.Add(time.Minute)
			if next.After(end) {
				next = end
			}
		}
		s.setNow(next)
		if err := s.tick(ctx, next, true); err != nil {
			return err
		}
		if !next.Before(end) || steps > 100000 {
			return nil
		}
		cur = next
	}
}

func (s *Scheduler) setNow(t time.Time) {
	if s.opts.SetNow != nil {
		s.opts.SetNow(t)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew = t.Sub(s.opts.Now())
}

// Run plans every minute on cron (on the replica holding the planner lease)
// and delivers with Workers workers until ctx is done, then waits for
// running jobs and sends to finish.
func (s *Scheduler) Run(ctx context.Context) error {
	if err := s.ensureIndexes(ctx); err != nil {
		return err
	}
	cl := cronLogger{s.log}
	c := cron.New(
		cron.WithLocation(s.zone),
		cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)),
	)
	if _, err := c.AddFunc("* * * * *", func() {
		now := s.now()
		if s.paused(ctx, nil) {
			return // planned on the database's return (databaseUp)
		}
		if err := s.planIfLeader(ctx, now); s.paused(ctx, err) {
			return
		} else if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "planning failed", slog.Any("err", err))
		}
		if now.Minute() == 0 && now.Hour() == 3 {
			if n, err := s.store.SweepOutbox(ctx, now.Add(-30*24*time.Hour)); err != nil {
				s.log.WarnContext(ctx, "outbox sweep failed", slog.Any("err", err))
			} else if n > 0 {
				s.log.InfoContext(ctx, "outbox swept", slog.Int64("deleted", n))
			}
		}
		s.poke()
	}); err != nil {
		return fmt.Errorf("schedule planner: %w", err)
	}
	// Plan at once at start-up: this is where missed runs are caught up
	// (or, with the database unreachable, on its return).
	if s.databaseUp(ctx) {
		if err := s.planIfLeader(ctx, s.now()); !s.paused(ctx, err) && err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "planning failed", slog.Any("err", err))
		}
	}
	c.Start()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.deliverLoop(ctx)
	}()
	<-ctx.Done()
	<-c.Stop().Done()
	wg.Wait()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.store.ReleaseLease(rctx, plannerLease, s.replica); err != nil {
		s.log.Warn("release planner lease", slog.Any("err", err))
	}
	s.noteLease(s.now(), 0, false, nil)
	return nil
}

// poke wakes idle workers.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// OutboxReport describes the outbox for `plpbot outbox`: counts by status
// and the latest failures with their reasons.
func (s *Scheduler) OutboxReport(ctx context.Context) (string, error) {
	counts, err := s.store.OutboxCounts(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("Outbox\n")
	for _, st := range []storage.OutboxStatus{storage.OutboxPending, storage.OutboxSending, storage.OutboxSent, storage.OutboxFailed, storage.OutboxSkipped} {
		fmt.Fprintf(&b, "  %-8s %d\n", st, counts[st])
	}
	failed, err := s.store.OutboxItems(ctx, storage.OutboxFailed, 10)
	if err != nil {
		return "", err
	}
	if len(failed) > 0 {
		b.WriteString("Latest failures\n")
		for _, it := range failed {
			fmt.Fprintf(&b, "  %s  %s  %s  tries=%d  %s\n", it.UpdatedAt.Format(time.RFC3339), it.Job, it.Recipient, it.Attempt, it.Reason)
		}
	}
	return b.String(), nil
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

// Info logs cron's routine messages at debug level.
func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

// Error logs cron's errors, such as a recovered panic.
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, slog.Any("err", err))...)
}
