package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// The fan-out runs the real path: the scheduler plans a reflection run and
// delivers it through the Slack adapter (the bot.Sender it runs with in
// production) to a fake Slack that enforces Slack's published rate limits.

// fanOut is one school on the embedded database: n Slack students in a
// class whose reflection prompt was due a few minutes ago, so a scheduler
// started now plans and sends it at once.
type fanOut struct {
	store *storage.Store
	h     *handlers.Handlers
	fake  *fakeSlack
	n     int
}

func newFanOut(tb testing.TB, n int) *fanOut {
	tb.Helper()
	ctx := context.Background()
	// The class is created an hour ago (the store's clock runs behind while
	// setting up), so the run due five minutes ago is one it missed.
	var behind atomic.Int64
	behind.Store(int64(time.Hour))
	store := storagetest.New(tb, func() time.Time { return time.Now().Add(-time.Duration(behind.Load())) })
	defer behind.Store(0)
	h := handlers.New(store, handlers.Options{Logger: slog.New(slog.DiscardHandler)})
	fake := newFakeSlack(tb)
	fake.enforceTiers(publishedTiers())
	now := time.Now().UTC()
	due := now.Add(-5 * time.Minute)
	teacher, _, err := store.EnsureUser(ctx, storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: "UTEACH"}, storage.UserHints{Name: "Ms Lee"})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := store.CreateClass(ctx, plpbot.Class{Name: "Hall", Platform: "slack", Workspace: "T1", TimeZone: "UTC",
		Reflections: fmt.Sprintf("%d %d * * *", due.Minute(), due.Hour()), Summaries: "0 0 1 1 *", CreatedBy: teacher.ID})
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]string, n)
	docs := make([]any, n)
	for i := range n {
		pid := fmt.Sprintf("US%04d", i)
		ids[i] = storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: pid}.UserID()
		docs[i] = plpbot.Person{ID: ids[i], Platform: "slack", Workspace: "T1", PlatformID: pid, Name: "Student " + pid,
			NameLower: "student " + strconv.Itoa(i), TimeZone: "UTC", Role: plpbot.RoleStudent, CreatedAt: now, UpdatedAt: now}
	}
	if _, err := storagetest.Collection(tb, store, "users").InsertMany(ctx, docs); err != nil {
		tb.Fatal(err)
	}
	if err := store.Enroll(ctx, c.ID, ids, plpbot.MemberStudent); err != nil {
		tb.Fatal(err)
	}
	return &fanOut{store: store, h: h, fake: fake, n: n}
}

// replica is one plpbot process: a Slack adapter and a scheduler on the
// shared database, sending until the returned stop is called. perMinute is
// its slack.messages_per_minute (0: the default); with, the adapter's
// options (WithPeers: it keeps its share of the workspace's limits, as Run
// does).
func (f *fanOut) replica(tb testing.TB, id string, perMinute int, opts scheduler.Options, with ...Option) (stop func()) {
	tb.Helper()
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("PLPBOT_BENCH_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	// One app in one workspace: the token tells the fake's records apart.
	a, err := New(Config{BotToken: "xoxb-" + id, SigningSecret: testSecret, Mode: ModeHTTP, HTTPAddr: "127.0.0.1:0",
		APIURL: f.fake.apiURL(), DMChannels: storeKeeper{f.store}, MessagesPerMinute: perMinute}, f.h.Grammar(), f.h, log, with...)
	if err != nil {
		tb.Fatal(err)
	}
	stopSharing := a.sharePace(context.Background())
	opts.ReplicaID, opts.QuietHours, opts.SchoolDays, opts.Logger = id, "off", []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}, log
	s := scheduler.New(f.store, f.h, a, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			tb.Error(err)
		}
		a.drain()
		stopSharing()
	}
}

// storeKeeper keeps DM channels on people's records, as cmd/plpbot wires it.
type storeKeeper struct{ store *storage.Store }

func (k storeKeeper) KeepDMChannel(ctx context.Context, who bot.Identity, channel string) error {
	id := storage.Identity{Platform: string(who.Platform), Workspace: who.Workspace, PlatformID: who.UserID}
	return k.store.SetDMChannel(ctx, id.UserID(), channel)
}

// prompts returns the reflection prompts Slack accepted, in order.
func (f *fanOut) prompts() []apiCall {
	var out []apiCall
	for _, c := range f.fake.callsTo("chat.postMessage") {
		if c.Status == http.StatusOK {
			out = append(out, c)
		}
	}
	return out
}

// waitPrompts waits until every student got a prompt, or gives up at limit.
func (f *fanOut) waitPrompts(tb testing.TB, limit time.Duration) []apiCall {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for {
		got := f.prompts()
		if len(got) >= f.n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// floor is the shortest time Slack's limits allow from the first to the
// last of n messages to n different people: the workspace-wide cap's burst
// goes at once, the rest at its rate.
func floor(t *slackTiers, n int) time.Duration {
	rest := float64(n) - t.workspace.burst
	return time.Duration(max(rest, 0) / t.workspace.perMinute * float64(time.Minute))
}

// BenchmarkFanOut300 sends a reflection prompt to 300 Slack students
// through the scheduler and the adapter, against a fake Slack enforcing the
// published tiers, and reports the time from the first prompt to the 300th
// beside the floor those limits allow, and the 429s Slack answered: with
// one replica; with two sharing the workspace's limit, each paced at the
// whole of it (slack.messages_per_minute left at its default), so that
// only their slowing down on 429s shares it; with two whose configuration
// divides it; and with two that count each other on the database
// (WithPeers, as cmd/plpbot runs them) and divide it themselves.
//
//	go test -run '^$' -bench FanOut300 -benchtime 1x ./bot/slack
func BenchmarkFanOut300(b *testing.B) {
	const n = 300
	for _, bc := range []struct {
		name      string
		replicas  int
		perMinute int
		peers     bool
	}{
		{"replicas=1", 1, 0, false},
		{"replicas=2/undivided", 2, 0, false},
		{"replicas=2/divided", 2, DefaultMessagesPerMinute / 2, false},
		{"replicas=2/peers", 2, 0, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				f := newFanOut(b, n)
				var stops []func()
				for r := range bc.replicas {
					id := fmt.Sprintf("replica-%d", r)
					var with []Option
					if bc.peers {
						with = append(with, WithPeers(f.store, "slack", id))
					}
					stops = append(stops, f.replica(b, id, bc.perMinute, scheduler.Options{}, with...))
				}
				got := f.waitPrompts(b, 15*time.Minute)
				for _, stop := range stops {
					stop()
				}
				if len(got) < n {
					b.Fatalf("%d of %d prompts sent", len(got), n)
				}
				took := got[n-1].At.Sub(got[0].At)
				fl := floor(publishedTiers(), n)
				b.ReportMetric(took.Seconds(), "s-first-to-last")
				b.ReportMetric(fl.Seconds(), "s-floor")
				b.ReportMetric(took.Seconds()/fl.Seconds(), "x-floor")
				b.ReportMetric(float64(f.fake.tooMany("")), "429s")
				b.ReportMetric(float64(f.tooManyAfter(got[0].At.Add(steady))), "429s-steady")
				b.ReportMetric(float64(len(f.fake.callsTo("conversations.open"))), "conversations.open")
				if bc.replicas > 1 {
					b.ReportMetric(float64(f.sentBy("xoxb-replica-0")), "sent-by-first")
				}
			}
		})
	}
}

// steady is when a fan-out is in its steady state: after the first bursts,
// and once replicas have learnt from any 429s how to share the limit.
const steady = 15 * time.Second

// tooManyAfter counts the 429s the fake answered after t.
func (f *fanOut) tooManyAfter(t time.Time) int {
	k := 0
	for _, c := range f.fake.callsTo("") {
		if c.Status == http.StatusTooManyRequests && c.At.After(t) {
			k++
		}
	}
	return k
}

// sentBy counts the prompts a replica sent, by its token.
func (f *fanOut) sentBy(token string) int {
	k := 0
	for _, c := range f.prompts() {
		if c.param("token") == token {
			k++
		}
	}
	return k
}

// TestScheduledDMsOpenNoConversationTwice: two scheduled DMs to each of
// five people never call conversations.open twice for one person (its
// Tier 3 limit is what made a 300-student fan-out take six minutes).
func TestScheduledDMsOpenNoConversationTwice(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ta.fake.enforceTiers(publishedTiers())
	ctx := context.Background()
	msg := bot.Message{Blocks: []bot.Block{bot.Text{Text: "Time for your weekly reflection."}}}
	for round := range 2 {
		for i := range 5 {
			to := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: fmt.Sprintf("U%d", i)}
			if err := ta.SendDM(ctx, to, msg); err != nil {
				t.Fatalf("round %d, DM to %s: %v", round, to.UserID, err)
			}
		}
	}
	opens := map[string]int{}
	for _, c := range ta.fake.callsTo("conversations.open") {
		opens[c.param("users")]++
	}
	for who, k := range opens {
		if k > 1 {
			t.Errorf("conversations.open for %s %d times", who, k)
		}
	}
	if got := len(ta.fake.callsTo("chat.postMessage")); got != 10 {
		t.Errorf("chat.postMessage called %d times, want 10", got)
	}
}

// TestFanOutKeepsEachDMOnThePersonsRecord: the first prompts go to the
// students' user ids and their DM ids are kept on their records, so the
// follow-ups, sent by another process that has never seen them, go straight
// to those DMs: no conversations.open at all, and no 429.
func TestFanOutKeepsEachDMOnThePersonsRecord(t *testing.T) {
	const n = 12
	f := newFanOut(t, n)
	opts := scheduler.Options{FollowupAfter: 3 * time.Second}
	stop := f.replica(t, "replica-0", 0, opts)
	if got := f.waitPrompts(t, time.Minute); len(got) < n {
		t.Fatalf("%d of %d prompts sent", len(got), n)
	}
	stop()
	for i := range n {
		id := storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: fmt.Sprintf("US%04d", i)}.UserID()
		u, err := f.store.User(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("DUS%04d", i); u.DMChannel != want {
			t.Errorf("%s: DMChannel = %q, want %q", id, u.DMChannel, want)
		}
	}
	f.n = 2 * n
	stop = f.replica(t, "replica-1", 0, opts)
	got := f.waitPrompts(t, time.Minute)
	stop()
	if len(got) < 2*n {
		t.Fatalf("%d of %d prompts and follow-ups sent", len(got), 2*n)
	}
	seen := map[string]int{}
	for _, c := range got {
		to := c.param("channel")
		seen[dmOf(to)]++
		if first := seen[dmOf(to)] == 1; first != strings.HasPrefix(to, "U") {
			t.Errorf("message %d to this student went to %s", seen[dmOf(to)], to)
		}
	}
	if k := len(f.fake.callsTo("conversations.open")); k != 0 {
		t.Errorf("conversations.open called %d times", k)
	}
	if k := f.fake.tooMany(""); k != 0 {
		t.Errorf("%d 429s", k)
	}
}
