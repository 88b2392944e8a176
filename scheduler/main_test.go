package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

var ny = mustZone("America/New_York")

// everyDay makes every day a school day, for tests about something else.
var everyDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// clock is a settable test clock shared by the store and the scheduler.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// sent is one message the fake platform accepted.
type sent struct {
	To  string // platform user id, or channel id for posts
	At  time.Time
	Msg bot.Message
}

// fakePlatform is a bot.Sender that records what it accepts and can refuse
// sends the way real platforms do (429 with Retry-After, 500, DMs blocked).
type fakePlatform struct {
	clock *clock
	mu    sync.Mutex
	dms   []sent
	posts []sent
	calls int
	// fail, if set, may refuse call n (counting from 1) to user id to.
	fail func(n int, to string) error
	// delivered, if set, runs after each accepted DM with the number accepted.
	delivered func(n int)
}

func (f *fakePlatform) attempt(ctx context.Context, to string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.calls++
	n, fail := f.calls, f.fail
	f.mu.Unlock()
	if fail != nil {
		return fail(n, to)
	}
	return nil
}

// SendDM implements bot.Sender.
func (f *fakePlatform) SendDM(ctx context.Context, to bot.Identity, msg bot.Message) error {
	if err := f.attempt(ctx, to.UserID); err != nil {
		return err
	}
	f.mu.Lock()
	f.dms = append(f.dms, sent{To: to.UserID, At: f.clock.Now(), Msg: msg})
	n, cb := len(f.dms), f.delivered
	f.mu.Unlock()
	if cb != nil {
		cb(n)
	}
	return nil
}

// Post implements bot.Sender.
func (f *fakePlatform) Post(ctx context.Context, to bot.Channel, msg bot.Message) error {
	if err := f.attempt(ctx, to.ChannelID); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, sent{To: to.ChannelID, At: f.clock.Now(), Msg: msg})
	return nil
}

// DMs returns the DMs accepted so far whose title contains title ("" = all).
func (f *fakePlatform) DMs(title string) []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []sent
	for _, s := range f.dms {
		if strings.Contains(s.Msg.Title, title) {
			out = append(out, s)
		}
	}
	return out
}

// Posts returns the channel posts accepted so far.
func (f *fakePlatform) Posts() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.posts...)
}

// env is a scheduler on a fresh database with a test clock and a fake platform.
type env struct {
	t     *testing.T
	ctx   context.Context
	clock *clock
	store *storage.Store
	fake  *fakePlatform
	sched *scheduler.Scheduler
	// composer is the real one: the handlers, with the real grammar.
	composer *handlers.Handlers
	opts     scheduler.Options
}

// newEnv starts at start with opts (Now, SetNow and Logger are filled in).
func newEnv(t *testing.T, start time.Time, opts scheduler.Options) *env {
	t.Helper()
	c := &clock{now: start}
	e := &env{t: t, ctx: context.Background(), clock: c, fake: &fakePlatform{clock: c}}
	e.store = storagetest.New(t, c.Now)
	opts.Now, opts.SetNow = c.Now, c.Set
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ReplicaID == "" {
		opts.ReplicaID = "replica-a"
	}
	e.opts = opts
	e.composer = handlers.New(e.store, handlers.Options{Now: c.Now, DefaultTimeZone: opts.TimeZone, Logger: opts.Logger})
	e.sched = scheduler.New(e.store, e.composer, e.fake, opts)
	return e
}

// another returns a second scheduler (another replica) on the same database.
func (e *env) another(id string) *scheduler.Scheduler {
	o := e.opts
	o.ReplicaID = id
	return scheduler.New(e.store, e.composer, e.fake, o)
}

// user creates a console user.
func (e *env) user(name, tz string, role plpbot.Role) *plpbot.Person {
	e.t.Helper()
	u, _, err := e.store.EnsureUser(e.ctx, storage.Identity{Platform: "console", PlatformID: strings.ToLower(name)},
		storage.UserHints{Name: name, TimeZone: tz})
	if err != nil {
		e.t.Fatalf("EnsureUser(%s): %v", name, err)
	}
	if role != plpbot.RoleStudent {
		if u, err = e.store.SetRole(e.ctx, u.ID, role); err != nil {
			e.t.Fatalf("SetRole: %v", err)
		}
	}
	return u
}

// class creates a class taught by teacher in zone with the given crons
// ("" = default) and a linked channel, and enrolls students.
func (e *env) class(name string, teacher *plpbot.Person, zone, reflections, summaries string, students ...*plpbot.Person) *plpbot.Class {
	e.t.Helper()
	c, err := e.store.CreateClass(e.ctx, plpbot.Class{Name: name, Platform: "console", ChannelID: "ch-" + strings.ToLower(name),
		TimeZone: zone, Reflections: reflections, Summaries: summaries, CreatedBy: teacher.ID})
	if err != nil {
		e.t.Fatalf("CreateClass: %v", err)
	}
	ids := make([]string, len(students))
	for i, s := range students {
		ids[i] = s.ID
	}
	if err := e.store.Enroll(e.ctx, c.ID, ids, plpbot.MemberStudent); err != nil {
		e.t.Fatalf("Enroll: %v", err)
	}
	return c
}

// seedStudents bulk-inserts n students s0..s(n-1) in zone and enrolls them.
func seedStudents(tb testing.TB, st *storage.Store, classID string, n int, zone string) []string {
	tb.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	docs := make([]any, n)
	now := st.Now()
	for i := range n {
		pid := fmt.Sprintf("s%d", i)
		ids[i] = storage.Identity{Platform: "console", PlatformID: pid}.UserID()
		docs[i] = plpbot.Person{ID: ids[i], Platform: "console", PlatformID: pid, Name: "Student " + pid,
			NameLower: "student " + pid, TimeZone: zone, Role: plpbot.RoleStudent, CreatedAt: now, UpdatedAt: now}
	}
	for lo := 0; lo < n; lo += 5000 {
		if _, err := storagetest.Collection(tb, st, "users").InsertMany(ctx, docs[lo:min(lo+5000, n)]); err != nil {
			tb.Fatalf("insert students: %v", err)
		}
	}
	for lo := 0; lo < n; lo += 5000 {
		if err := st.Enroll(ctx, classID, ids[lo:min(lo+5000, n)], plpbot.MemberStudent); err != nil {
			tb.Fatalf("enroll students: %v", err)
		}
	}
	return ids
}

// advance runs the scheduler over d of simulated time.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	if err := e.sched.Advance(e.ctx, d); err != nil {
		e.t.Fatalf("Advance(%s): %v", d, err)
	}
}

// advanceTo runs the scheduler until t.
func (e *env) advanceTo(t time.Time) {
	e.t.Helper()
	e.advance(t.Sub(e.clock.Now()))
}

// tick plans and delivers at t.
func (e *env) tick(t time.Time) {
	e.t.Helper()
	e.clock.Set(t)
	if err := e.sched.Tick(e.ctx, t); err != nil {
		e.t.Fatalf("Tick(%s): %v", t, err)
	}
}

// counts returns the outbox counts by status.
func (e *env) counts() map[storage.OutboxStatus]int64 {
	e.t.Helper()
	c, err := e.store.OutboxCounts(e.ctx)
	if err != nil {
		e.t.Fatalf("OutboxCounts: %v", err)
	}
	return c
}

// perRecipient counts DMs by recipient.
func perRecipient(ss []sent) map[string]int {
	m := map[string]int{}
	for _, s := range ss {
		m[s.To]++
	}
	return m
}
