package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// The end-to-end tests run the real handlers on the embedded database behind
// the adapter, with Slack played by the fake.

func TestMain(m *testing.M) { storagetest.Main(m) }

// e2e is a Slack adapter in HTTP mode over the real handlers.
type e2e struct {
	*testAdapter
	h     *handlers.Handlers
	store *storage.Store
}

func newE2E(t testing.TB) *e2e {
	t.Helper()
	store := storagetest.New(t, nil)
	h := handlers.New(store, handlers.Options{
		Admins: map[bot.Platform][]string{bot.Slack: {"UADMIN"}},
		Logger: slog.New(slog.DiscardHandler),
	})
	fake := newFakeSlack(t)
	logs := &syncBuffer{}
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, Mode: ModeHTTP, HTTPAddr: "127.0.0.1:0", APIURL: fake.apiURL()},
		h.Grammar(), h, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.drain)
	a.limits.scale = testPaceScale
	return &e2e{testAdapter: &testAdapter{Adapter: a, fake: fake, handler: a.HTTPHandler(), logs: logs}, h: h, store: store}
}

// slash runs /plp text as user and returns the blocks' text of the answers
// that reached Slack (response_url posts).
func (e *e2e) slash(t *testing.T, user, text string) string {
	t.Helper()
	before := len(e.fake.callsTo("response_url"))
	e.command(t, map[string]string{"user_id": user, "user_name": strings.ToLower(user), "text": text})
	e.wait() // background work done; the adapter is reusable until Run
	var out strings.Builder
	for _, c := range e.fake.callsTo("response_url")[before:] {
		out.WriteString(c.allText(t))
	}
	if out.Len() == 0 {
		t.Fatalf("/plp %s: no answer reached Slack (%v)", text, e.fake.methods())
	}
	return out.String()
}

func TestEndToEndStudentFlow(t *testing.T) {
	e := newE2E(t)
	if got := e.slash(t, "U1", "goal add Read three novels category:academic by:2027-05-30"); !strings.Contains(got, "Read three novels") {
		t.Fatalf("goal add answered:\n%s", got)
	}
	if got := e.slash(t, "U1", "checkin 1 40%"); !strings.Contains(got, "40%") {
		t.Fatalf("checkin answered:\n%s", got)
	}
	if got := e.slash(t, "U1", "goal done 9"); !strings.Contains(strings.ToLower(got), "9") {
		t.Errorf("a wrong goal number answered:\n%s", got)
	}

	// A DM reflection, delivered three times by Slack, is answered once.
	dm := map[string]any{"type": "message", "channel": "DU1", "channel_type": "im", "user": "U1",
		"text": "I learned &lt;3 that outlining first helps", "ts": "1700000000.000300"}
	for _, h := range []map[string]string{nil, {"X-Slack-Retry-Num": "1"}, {"X-Slack-Retry-Num": "2"}} {
		if w := e.event(t, "EvReflect", dm, h); w.Code != http.StatusOK {
			t.Fatalf("event status %d", w.Code)
		}
	}
	e.wait()
	if n := len(e.fake.callsTo("chat.postMessage")); n != 1 {
		t.Errorf("the reflection was answered %d times, want once", n)
	}

	// The App Home shows the plan with the goal.
	e.event(t, "EvHome", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}, nil)
	e.wait()
	pubs := e.fake.callsTo("views.publish")
	if len(pubs) != 1 || !strings.Contains(pubs[0].allText(t), "Read three novels") {
		t.Fatalf("home views: %d", len(pubs))
	}
	if n := len(pubs[0].blocks(t)); n > MaxBlocksPerView {
		t.Errorf("home view has %d blocks", n)
	}
}

// TestEndToEndCantDM: someone the scheduler marked as refusing DMs hears, in
// Slack's words (the adapter's bot.DMAdvisor), how to let the bot reach them,
// until a DM from them clears the mark.
func TestEndToEndCantDM(t *testing.T) {
	e := newE2E(t)
	e.slash(t, "U1", "goal add Read three novels")
	uid := storage.Identity{Platform: string(bot.Slack), Workspace: "T1", PlatformID: "U1"}.UserID()
	if _, err := e.store.SetCantDM(context.Background(), uid, "cannot_dm_bot"); err != nil {
		t.Fatal(err)
	}
	if got := e.slash(t, "U1", "goal list"); !strings.Contains(got, "missing reminders") || !strings.Contains(got, e.AllowDMsHint()) {
		t.Errorf("a flagged person's reply lacks Slack's note on DMs:\n%s", got)
	}
	e.event(t, "EvHi", map[string]any{"type": "message", "channel": "DU1", "channel_type": "im", "user": "U1",
		"text": "hi", "ts": "1700000000.000400"}, nil)
	e.wait()
	u, err := e.store.User(context.Background(), uid)
	if err != nil || u.CantDM != "" {
		t.Fatalf("after a DM the mark is %q, %v; want it cleared", u.CantDM, err)
	}
	if got := e.slash(t, "U1", "goal list"); strings.Contains(got, "missing reminders") {
		t.Errorf("the note outlived the mark:\n%s", got)
	}
}

// TestEndToEndMentions: commands the handlers suggest mention people in
// Slack's syntax (the adapter's bot.Mentioner), which Slack's parser reads back.
func TestEndToEndMentions(t *testing.T) {
	e := newE2E(t)
	e.slash(t, "U1", "goal add Read three novels")
	got := e.slash(t, "UADMIN", "student <@U1>")
	// Escaped in the mrkdwn, so Slack shows it as typed rather than as a ping.
	if !strings.Contains(got, "/plp feedback &lt;@U1&gt; N your note") {
		t.Errorf("/plp student suggests no Slack mention:\n%s", got)
	}
}

func TestEndToEndGoalForm(t *testing.T) {
	e := newE2E(t)
	e.command(t, map[string]string{"user_id": "U1", "text": "goal add", "trigger_id": "trig"})
	e.wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open calls: %d (%v)", len(opens), e.fake.methods())
	}
	// Submit the very view Slack was asked to open.
	view := opens[0].JSON["view"].(map[string]any)
	submit := func(values map[string]string) *httpResult {
		state := map[string]any{}
		for _, b := range view["blocks"].([]any) {
			id := b.(map[string]any)["block_id"].(string)
			state[id] = map[string]any{formActionID: map[string]any{"type": "plain_text_input", "value": values[id]}}
		}
		v := map[string]any{}
		for k, x := range view {
			v[k] = x
		}
		v["id"], v["state"] = "V1", map[string]any{"values": state}
		w := e.interaction(t, map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"},
			"user": map[string]any{"id": "U1", "name": "u1", "team_id": "T1"}, "view": v})
		return &httpResult{code: w.Code, body: w.Body.String()}
	}
	bad := submit(map[string]string{"title": "Learn to juggle", "by": "2027-02-30"})
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(bad.body), &resp); err != nil || resp.ResponseAction != "errors" || resp.Errors["by"] == "" {
		t.Fatalf("invalid date: %d %s", bad.code, bad.body)
	}
	good := submit(map[string]string{"title": "Learn to juggle", "by": "2027-02-28", "category": "personal"})
	if good.code != http.StatusOK || good.body != "" {
		t.Fatalf("valid form: %d %q", good.code, good.body)
	}
	e.wait()
	if got := e.slash(t, "U1", "goal list"); !strings.Contains(got, "Learn to juggle") {
		t.Errorf("goal list after the form:\n%s", got)
	}
}

type httpResult struct {
	code int
	body string
}

func TestEndToEndRosterOf200StudentsStaysWithinLimits(t *testing.T) {
	e := newE2E(t)
	e.slash(t, "UADMIN", "class create Period 3 English")
	var mentions []string
	for i := range 200 {
		mentions = append(mentions, fmt.Sprintf("<@US%03d|student%03d>", i, i))
	}
	for start := 0; start < len(mentions); start += 50 {
		e.slash(t, "UADMIN", "class add "+strings.Join(mentions[start:start+50], " "))
	}
	before := len(e.fake.callsTo(""))
	e.slash(t, "UADMIN", "roster Period 3 English")
	var msgs []apiCall
	for _, c := range e.fake.callsTo("")[before:] {
		if c.Method == "response_url" || c.Method == "chat.postMessage" {
			msgs = append(msgs, c)
		}
	}
	var all strings.Builder
	for _, c := range msgs {
		checkLimits(t, c)
		all.WriteString(c.allText(t))
	}
	for i := range 200 {
		if name := fmt.Sprintf("Student %03d", i); !strings.Contains(all.String(), name) {
			t.Errorf("%s is missing from the roster", name)
		}
	}
	t.Logf("roster: %d messages, %d characters", len(msgs), len(all.String()))
}

// BenchmarkSlashCommandHTTPEndToEnd is a signed "/plp checkin 1 40%" through
// POST /slack/commands to the answer at the response_url, on the real
// handlers and the embedded database.
func BenchmarkSlashCommandHTTPEndToEnd(b *testing.B) {
	h := e2eHandler(b)
	benchmarkSlash(b, h)
}

// BenchmarkHandlerAloneEndToEnd is the same check-in on the same handlers,
// called directly.
func BenchmarkHandlerAloneEndToEnd(b *testing.B) {
	h := e2eHandler(b)
	req := &bot.Request{Actor: bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1", Name: "sam"},
		Place: bot.Place{Kind: bot.InDM}, Text: "checkin 1 40%", Slash: true}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Handle(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// e2eHandler is the real handlers with user U1 owning goal 1.
func e2eHandler(b *testing.B) *handlers.Handlers {
	b.Helper()
	h := handlers.New(storagetest.New(b, nil), handlers.Options{Logger: slog.New(slog.DiscardHandler)})
	_, err := h.Handle(context.Background(), &bot.Request{
		Actor: bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1", Name: "sam"},
		Place: bot.Place{Kind: bot.InDM}, Text: "goal add Read three novels", Slash: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	return h
}
