package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
)

// The adapter's pacing against the fake enforcing Slack's tiers. Rates are
// scaled up alike on both sides (tiersScale) so the tests take seconds;
// bursts are Slack's.

const tiersScale = 20

// pacedAdapter is a test adapter pacing at Slack's rates times tiersScale,
// against a fake enforcing the same.
func pacedAdapter(t *testing.T) *testAdapter {
	t.Helper()
	ta := newTestAdapter(t, nil)
	ta.limits.scale = tiersScale
	ta.fake.enforceTiers(publishedTiers().scaled(tiersScale))
	return ta
}

var reflectionMsg = bot.Message{Blocks: []bot.Block{bot.Text{Text: "Time for your weekly reflection."}}}

func TestEachMethodKeepsToItsTierWithout429s(t *testing.T) {
	ta := pacedAdapter(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	var lookupsDone, postsDone time.Time
	run := func(n int, fn func(i int) error, done *time.Time) {
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := fn(i)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
				}
				if now := time.Now(); now.After(*done) {
					*done = now
				}
			}()
		}
	}
	start := time.Now()
	// 60 users.info (Tier 4), 60 DMs to 60 people, and 8 posts to one channel.
	run(60, func(i int) error {
		_, err := ta.lookup(ctx, bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: fmt.Sprintf("UL%d", i)})
		return err
	}, &lookupsDone)
	run(60, func(i int) error {
		return ta.SendDM(ctx, bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: fmt.Sprintf("UD%d", i)}, reflectionMsg)
	}, &postsDone)
	var channelDone time.Time
	run(8, func(int) error {
		return ta.Post(ctx, bot.Channel{Platform: bot.Slack, Workspace: "T1", ChannelID: "C9"}, reflectionMsg)
	}, &channelDone)
	wg.Wait()
	for _, c := range ta.fake.callsTo("") {
		if c.Status == 429 {
			t.Logf("429 %s %s at %s", c.Method, c.param("channel"), c.At.Sub(start))
		}
	}
	if len(errs) > 0 {
		t.Fatalf("%d calls failed, the first: %v", len(errs), errs[0])
	}
	if n := ta.fake.tooMany(""); n != 0 {
		t.Errorf("Slack answered %d 429s; the adapter should keep under every tier", n)
	}
	tiers := publishedTiers().scaled(tiersScale)
	// Not faster than the tiers allow (else the fake would have said 429),
	// and no method waits for another's: DMs at their own pace, not users.info's.
	floor := func(spec bucketSpec, n int) time.Duration {
		return time.Duration((float64(n) - spec.burst) / spec.perMinute * float64(time.Minute))
	}
	if got, min := lookupsDone.Sub(start), floor(tiers.methods["users.info"], 60); got < min {
		t.Errorf("60 users.info took %s, under the Tier 4 floor %s", got, min)
	}
	if got, min := channelDone.Sub(start), floor(tiers.perChannel, 8); got < min {
		t.Errorf("8 posts to one channel took %s, under its floor %s", got, min)
	}
	if postsDone.After(lookupsDone) {
		t.Errorf("60 DMs (done after %s) waited on users.info (done after %s)", postsDone.Sub(start), lookupsDone.Sub(start))
	}
	t.Logf("users.info ×60: %s; DMs ×60: %s; one channel ×8: %s", lookupsDone.Sub(start), postsDone.Sub(start), channelDone.Sub(start))
}

func TestRetryAfterHoldsThatMethodOnly(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ctx := context.Background()
	ta.fake.rateLimitFor("chat.postMessage", 1, "2")
	sam := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1"}

	// A scheduled send is put off, not retried: the scheduler reschedules it.
	err := ta.SendDM(ctx, sam, reflectionMsg)
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 2*time.Second {
		t.Fatalf("SendDM = %v, want a *bot.RetryAfterError of 2s", err)
	}
	limitedAt := ta.fake.callsTo("chat.postMessage")[0].At

	// Another method goes at once.
	if _, err := ta.lookup(ctx, sam); err != nil {
		t.Fatal(err)
	}
	if got := ta.fake.callsTo("users.info")[0].At.Sub(limitedAt); got > 500*time.Millisecond {
		t.Errorf("users.info waited %s after a chat.postMessage 429", got)
	}

	// The same method waits as long as it was told, never less.
	if err := ta.SendDM(ctx, sam, reflectionMsg); err != nil {
		t.Fatal(err)
	}
	posts := ta.fake.callsTo("chat.postMessage")
	if got := posts[1].At.Sub(limitedAt); got < 2*time.Second {
		t.Errorf("chat.postMessage retried %s after Retry-After: 2", got)
	}
	if posts[1].Status != http.StatusOK {
		t.Errorf("the retry got %d", posts[1].Status)
	}
}

// TestWorkspaceCapWithoutRetryAfterWaitsASecond: Slack's workspace-wide
// message cap may answer 429 with no Retry-After; the adapter then waits a
// second rather than hammering it.
func TestWorkspaceCapWithoutRetryAfterWaitsASecond(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ctx := context.Background()
	ta.fake.rateLimitFor("chat.postMessage", 1, "")
	ch := bot.Channel{Platform: bot.Slack, Workspace: "T1", ChannelID: "C1"}
	var ra *bot.RetryAfterError
	if err := ta.Post(ctx, ch, reflectionMsg); !errors.As(err, &ra) || ra.After != time.Second {
		t.Fatalf("Post = %v, want a *bot.RetryAfterError of 1s", err)
	}
	if err := ta.Post(ctx, ch, reflectionMsg); err != nil {
		t.Fatal(err)
	}
	posts := ta.fake.callsTo("chat.postMessage")
	if got := posts[1].At.Sub(posts[0].At); got < time.Second {
		t.Errorf("posted again %s after a 429 without Retry-After", got)
	}
}

// TestLongHoldsPutScheduledSendsOff: a scheduled send whose turn is further
// off than maxSendWait returns at once, unsent, so the worker moves on.
func TestLongHoldsPutScheduledSendsOff(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ctx := context.Background()
	ta.fake.rateLimitFor("chat.postMessage", 1, "60")
	sam := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1"}
	var ra *bot.RetryAfterError
	if err := ta.SendDM(ctx, sam, reflectionMsg); !errors.As(err, &ra) {
		t.Fatalf("first SendDM = %v", err)
	}
	start := time.Now()
	err := ta.SendDM(ctx, sam, reflectionMsg)
	if !errors.As(err, &ra) || ra.After < 55*time.Second {
		t.Fatalf("SendDM during a 60s hold = %v, want a *bot.RetryAfterError of about 60s", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("SendDM held the worker %s", took)
	}
	if n := len(ta.fake.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("chat.postMessage called %d times during the hold", n)
	}
}

// keeperFunc is a DMChannelKeeper from a function.
type keeperFunc func(ctx context.Context, who bot.Identity, channel string) error

func (f keeperFunc) KeepDMChannel(ctx context.Context, who bot.Identity, channel string) error {
	return f(ctx, who, channel)
}

func TestDMChannelIsKeptAndFoundAgainWhenGone(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ctx := context.Background()
	var mu sync.Mutex
	kept := map[string][]string{}
	ta.cfg.DMChannels = keeperFunc(func(_ context.Context, who bot.Identity, ch string) error {
		mu.Lock()
		defer mu.Unlock()
		kept[who.UserID] = append(kept[who.UserID], ch)
		return nil
	})
	// Sam's record has a DM that Slack has since closed; Kim has none yet.
	sam := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1", DMChannel: "DOLD"}
	kim := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U2"}
	ta.fake.channelGone("DOLD", "channel_not_found")
	for range 2 {
		for _, who := range []bot.Identity{sam, kim} {
			if err := ta.SendDM(ctx, who, reflectionMsg); err != nil {
				t.Fatalf("SendDM to %s: %v", who.UserID, err)
			}
		}
	}
	var to []string
	for _, c := range ta.fake.callsTo("chat.postMessage") {
		to = append(to, c.param("channel"))
	}
	// Sam: the old DM (gone), his user id (Slack answers with DU1), then DU1.
	// Kim: her user id, then DU2.
	want := []string{"DOLD", "U1", "U2", "DU1", "DU2"}
	if fmt.Sprint(to) != fmt.Sprint(want) {
		t.Errorf("posted to %v, want %v", to, want)
	}
	if fmt.Sprint(kept) != fmt.Sprint(map[string][]string{"U1": {"DU1"}, "U2": {"DU2"}}) {
		t.Errorf("kept %v, want each new DM once", kept)
	}
	if n := len(ta.fake.callsTo("conversations.open")); n != 0 {
		t.Errorf("conversations.open called %d times", n)
	}
}

// TestA429SlowsTheMethodDownAndCalmWinsItBack: replicas sharing one
// workspace learn its limit from 429s: a burst of them cuts the pace once,
// by a quarter; each calm spell adds a twentieth of the tier back.
func TestA429SlowsTheMethodDownAndCalmWinsItBack(t *testing.T) {
	l := newLimiter(http.DefaultClient, 300, slog.New(slog.DiscardHandler))
	pace := func() float64 {
		l.mu.Lock()
		defer l.mu.Unlock()
		return float64(l.method(methodMessagePost).pace.lim.Limit()) * 60
	}
	l.limited(methodMessagePost, "")
	l.limited(methodMessagePost, "1") // the same burst
	if got := pace(); got != 225 {
		t.Fatalf("after a burst of 429s: %v a minute, want 225", got)
	}
	l.calm(methodMessagePost) // too soon
	if got := pace(); got != 225 {
		t.Fatalf("sped up at once: %v a minute", got)
	}
	l.mu.Lock()
	l.methods[methodMessagePost].changed = time.Now().Add(-calmSpell)
	l.mu.Unlock()
	l.calm(methodMessagePost)
	if got := pace(); got != 240 {
		t.Errorf("after a calm spell: %v a minute, want 240", got)
	}
}

// TestACommandsDMsTakeTheirTurnsTogether: a teacher's command that DMs a
// whole class (welcome DMs) while the workspace's message pace is taken up
// by everyone else's DMs: its 24 DMs reserve their turns together, so they
// go out within their own share of the pace, where sent one after the
// other each queued anew behind everybody else (24 times as long: past the
// command's work time on a busy day).
func TestACommandsDMsTakeTheirTurnsTogether(t *testing.T) {
	const class = 24
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		msgs := []bot.Message{{Blocks: []bot.Block{bot.Text{Text: "Added 24 students."}}}}
		for i := range class {
			dm := reflectionMsg
			dm.To = &bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: fmt.Sprintf("UW%02d", i)}
			msgs = append(msgs, dm)
		}
		return msgs, nil
	}}
	ta := newTestAdapter(t, rec)
	ta.limits.scale = tiersScale
	ta.fake.enforceTiers(publishedTiers().scaled(tiersScale))
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var busy sync.WaitGroup
	for i := range 20 { // twenty others DMing without pause
		busy.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				_ = ta.SendDM(ctx, bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: fmt.Sprintf("UB%02d-%d", i, n)}, reflectionMsg)
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // the pace is taken up
	start := time.Now()
	ta.command(t, map[string]string{"text": "plan"})
	deadline := time.After(20 * time.Second)
	for sent := 0; sent < class; {
		select {
		case <-deadline:
			t.Fatalf("%d of the %d welcome DMs sent after 20 s", sent, class)
		case <-time.After(20 * time.Millisecond):
		}
		sent = 0
		for _, c := range ta.fake.callsTo("chat.postMessage") {
			if strings.HasPrefix(c.param("channel"), "UW") && c.Status == 200 {
				sent++
			}
		}
	}
	took := time.Since(start)
	stop()
	busy.Wait()
	// Counted, not timed: how many of the others' DMs went out between the
	// class's first and last. Taking their turns together, about one round
	// of the twenty others' (whose turns were already taken); one after the
	// other, a round of theirs before each of the 24.
	var seq []bool // each delivered DM in order: one of the class's?
	for _, c := range ta.fake.callsTo("chat.postMessage") {
		if c.Status == 200 {
			seq = append(seq, strings.HasPrefix(c.param("channel"), "UW"))
		}
	}
	firstIdx, lastIdx := -1, -1
	for i, ofClass := range seq {
		if ofClass {
			lastIdx = i
			if firstIdx < 0 {
				firstIdx = i
			}
		}
	}
	others := lastIdx - firstIdx + 1 - class
	if others > 3*20 {
		t.Errorf("%d others' DMs went out between the class's first and last, want about one round of the 20 others (≤ 60)", others)
	}
	t.Logf("24 welcome DMs in %s with 20 others DMing; %d others' DMs between the class's first and last", took, others)
}
