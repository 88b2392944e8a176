package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
)

// Slack's worked example from "Verifying requests from Slack".
func TestSignMatchesSlacksPublishedExample(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	got := sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", []byte(body))
	if want := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"; got != want {
		t.Fatalf("sign = %s, want %s", got, want)
	}
}

func TestRequestsWithoutAValidSignatureAreRefused(t *testing.T) {
	body := []byte(url.Values{"team_id": {"T1"}, "user_id": {"U1"}, "channel_id": {"C1"}, "text": {"plan"},
		"response_url": {"http://127.0.0.1:1/never"}}.Encode())
	now := time.Now().Unix()
	tests := []struct {
		name      string
		timestamp string
		signature func(ts string) string
		want      int
	}{
		{"valid", strconv.FormatInt(now, 10), func(ts string) string { return sign(testSecret, ts, body) }, http.StatusOK},
		{"replayed old timestamp", strconv.FormatInt(now-6*60, 10), func(ts string) string { return sign(testSecret, ts, body) }, http.StatusUnauthorized},
		{"wrong signature", strconv.FormatInt(now, 10), func(ts string) string { return sign("another-secret", ts, body) }, http.StatusUnauthorized},
		{"garbage signature", strconv.FormatInt(now, 10), func(string) string { return "v0=zz" }, http.StatusUnauthorized},
		{"no signature", strconv.FormatInt(now, 10), func(string) string { return "" }, http.StatusUnauthorized},
		{"no timestamp", "", func(ts string) string { return sign(testSecret, ts, body) }, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) { return nil, nil }}
			ta := newTestAdapter(t, rec)
			for _, path := range []string{"/slack/commands", "/slack/events", "/slack/interactions"} {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Slack-Request-Timestamp", tt.timestamp)
				req.Header.Set("X-Slack-Signature", tt.signature(tt.timestamp))
				w := httptest.NewRecorder()
				ta.handler.ServeHTTP(w, req)
				if path == "/slack/commands" && w.Code != tt.want {
					t.Errorf("%s: status %d, want %d", path, w.Code, tt.want)
				}
				if tt.want == http.StatusUnauthorized && w.Code != http.StatusUnauthorized {
					t.Errorf("%s: status %d, want 401", path, w.Code)
				}
			}
			ta.wait()
			if tt.want == http.StatusUnauthorized && len(rec.requests()) != 0 {
				t.Errorf("a refused request reached the handler: %+v", rec.requests())
			}
			if tt.want == http.StatusOK && len(rec.requests()) != 1 {
				t.Errorf("handler saw %d requests, want 1", len(rec.requests()))
			}
			if tt.want == http.StatusUnauthorized && len(ta.fake.callsTo("")) != 0 {
				t.Errorf("a refused request called Slack: %v", ta.fake.methods())
			}
		})
	}
}

func TestURLVerificationEchoesTheChallenge(t *testing.T) {
	ta := newTestAdapter(t, nil)
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	w := ta.postSigned(t, "/slack/events", "application/json", body, nil)
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("got %d %q", w.Code, w.Body.String())
	}
}

func TestSlashCommandBecomesARequestAndAnswersThroughResponseURL(t *testing.T) {
	tests := []struct {
		name       string
		channel    string
		text       string
		visibility bot.Visibility
		wantPlace  bot.PlaceKind
		wantText   string
		wantType   string
	}{
		{"private reply in a channel", "C1", "checkin 1 40%", bot.Private, bot.InChannel, "checkin 1 40%", "ephemeral"},
		{"public reply in a channel", "C1", "roster", bot.Public, bot.InChannel, "roster", "in_channel"},
		{"in the bot's DM", "D9", "goal list", bot.Private, bot.InDM, "goal list", "ephemeral"},
		{"escaped text and mentions", "C1", "student <@U2|alex> &lt;3 &amp; more", bot.Private, bot.InChannel, "student <@U2|alex> <3 & more", "ephemeral"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
				return []bot.Message{{Visibility: tt.visibility, Title: "Check-in saved", Blocks: []bot.Block{
					bot.Progress{Label: "Goal 1", Percent: 40},
				}}}, nil
			}}
			ta := newTestAdapter(t, rec)
			w := ta.command(t, map[string]string{"channel_id": tt.channel, "text": tt.text})
			if w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Fatalf("ack = %d %q, want an empty 200", w.Code, w.Body.String())
			}
			req := rec.waitRequests(t, 1)[0]
			want := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1", Name: "sam"}
			if req.Actor != want || req.Place.Kind != tt.wantPlace || req.Text != tt.wantText || !req.Slash || req.Lookup == nil {
				t.Fatalf("request = %+v", req)
			}
			if tt.wantPlace == bot.InChannel && req.Place.Channel.ChannelID != tt.channel {
				t.Errorf("place = %+v", req.Place)
			}
			resp := ta.fake.waitCalls(t, "response_url", 1)[0]
			if resp.param("response_type") != tt.wantType {
				t.Errorf("response_type = %q, want %q", resp.param("response_type"), tt.wantType)
			}
			text := resp.allText(t)
			if !strings.Contains(text, "Check-in saved") || !strings.Contains(text, "Goal 1  ▰▰▰▰▱▱▱▱▱▱ 40%") {
				t.Errorf("reply blocks:\n%s", text)
			}
			if resp.param("text") == "" {
				t.Error("no fallback text")
			}
		})
	}
}

func TestLookupFillsNameTimeZoneLocaleAndEmailFromUsersInfo(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ta.command(t, map[string]string{"text": "plan"})
	req := ta.rec.waitRequests(t, 1)[0]
	got, err := req.Lookup(context.Background(), bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U2"})
	if err != nil {
		t.Fatal(err)
	}
	want := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U2", Name: "Sam", TimeZone: "America/New_York", Locale: "en-US",
		Email: "u2@lincoln.example"}
	if got != want {
		t.Fatalf("lookup = %+v, want %+v", got, want)
	}
	if c := ta.fake.callsTo("users.info"); len(c) != 1 || c[0].param("include_locale") != "true" {
		t.Errorf("users.info calls = %+v", c)
	}
}

func TestMessagesAddressedToSomeoneGoByDM(t *testing.T) {
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{
			{Blocks: []bot.Block{bot.Text{Text: "Feedback sent to Sam."}}},
			{To: &bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U7"}, Blocks: []bot.Block{bot.Text{Text: "Ms. Lee left feedback on goal 1."}}},
		}, nil
	}}
	ta := newTestAdapter(t, rec)
	ta.command(t, map[string]string{"text": "feedback <@U7> 1 nice"})
	post := ta.fake.waitCalls(t, "chat.postMessage", 1)[0]
	if post.param("channel") != "DU7" || !strings.Contains(post.allText(t), "left feedback") {
		t.Errorf("DM = %+v", post.Form)
	}
	if open := ta.fake.callsTo("conversations.open"); len(open) != 1 || open[0].param("users") != "U7" {
		t.Errorf("conversations.open = %+v", open)
	}
	if r := ta.fake.waitCalls(t, "response_url", 1); !strings.Contains(r[0].allText(t), "Feedback sent") {
		t.Errorf("reply = %s", r[0].allText(t))
	}
}

func TestHandlerErrorsArePrivateAndInternalOnesAreLogged(t *testing.T) {
	tests := []struct {
		name    string
		fail    func() ([]bot.Message, error)
		want    string
		wantLog bool
	}{
		{"user error", func() ([]bot.Message, error) {
			return nil, &bot.UserError{Code: bot.ENotFound, Message: "You don't have a goal 7.", Hint: "See your goals with /plp goal list"}
		}, "You don't have a goal 7.", false},
		{"internal error", func() ([]bot.Message, error) { return nil, errors.New("mongo: connection refused") }, "something went wrong on my side", true},
		{"panic", func() ([]bot.Message, error) { panic("nil map") }, "something went wrong on my side", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestAdapter(t, &recorder{reply: func(*bot.Request) ([]bot.Message, error) { return tt.fail() }})
			ta.command(t, map[string]string{"text": "goal done 7"})
			r := ta.fake.waitCalls(t, "response_url", 1)[0]
			if r.param("response_type") != "ephemeral" || !strings.Contains(r.allText(t), tt.want) {
				t.Errorf("reply %s: %s", r.param("response_type"), r.allText(t))
			}
			if strings.Contains(r.allText(t), "mongo") {
				t.Error("the cause leaked to the person")
			}
			if logged := strings.Contains(ta.logs.String(), "level=ERROR"); logged != tt.wantLog {
				t.Errorf("logged an error = %v, want %v:\n%s", logged, tt.wantLog, ta.logs.String())
			}
		})
	}
}

func TestDirectMessagesBecomeRequestsAndRetriesAreHandledOnce(t *testing.T) {
	ta := newTestAdapter(t, nil)
	dm := map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": "U1",
		"text": "I learned that outlining first &amp; often makes essays easier", "ts": "1700000000.000200"}
	for i, header := range []map[string]string{nil, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}, {"X-Slack-Retry-Num": "2"}} {
		if w := ta.event(t, "Ev1", dm, header); w.Code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, w.Code)
		}
	}
	ta.fake.waitCalls(t, "chat.postMessage", 1)
	ta.wait()
	reqs := ta.rec.requests()
	if len(reqs) != 1 {
		t.Fatalf("handler saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.ID != "Ev1" || r.Slash || r.Place.Kind != bot.InDM || r.Actor.UserID != "U1" || r.Actor.Workspace != "T1" ||
		r.Text != "I learned that outlining first & often makes essays easier" {
		t.Errorf("request = %+v", r)
	}
	if posts := ta.fake.callsTo("chat.postMessage"); len(posts) != 1 || posts[0].param("channel") != "D1" {
		t.Errorf("replies = %+v", posts)
	}
}

func TestMessagesThatAreNotAPersonsDMAreIgnored(t *testing.T) {
	tests := []struct {
		name  string
		event map[string]any
	}{
		{"the bot's own message", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "bot_id": "B1", "text": "hi"}},
		{"an edit", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "subtype": "message_changed", "text": "hi"}},
		{"a channel message", map[string]any{"type": "message", "channel": "C1", "channel_type": "channel", "user": "U1", "text": "hi"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestAdapter(t, nil)
			ta.event(t, fmt.Sprintf("Ev%d", i), tt.event, nil)
			ta.wait()
			if n := len(ta.rec.requests()); n != 0 {
				t.Errorf("handler saw %d requests", n)
			}
		})
	}
}

func TestRateLimitedRepliesAreRetriedAfterRetryAfter(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ta.fake.rateLimit("chat.postMessage", 1)
	ta.fake.rateLimit("response_url", 1)
	start := time.Now()
	ta.event(t, "Ev1", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "plan"}, nil)
	ta.command(t, map[string]string{"text": "plan"})
	posts := ta.fake.waitCalls(t, "chat.postMessage", 2)
	resps := ta.fake.waitCalls(t, "response_url", 2)
	if time.Since(start) < time.Second {
		t.Errorf("retried after %s, before Retry-After: 1", time.Since(start))
	}
	for _, cs := range [][]apiCall{posts, resps} {
		if cs[0].Status != http.StatusTooManyRequests || cs[1].Status != http.StatusOK || !strings.Contains(cs[1].allText(t), "Got it.") {
			t.Errorf("%s: statuses %d, %d", cs[0].Method, cs[0].Status, cs[1].Status)
		}
	}
}

func TestButtonsRunTheirCommandAsThePersonWhoPressed(t *testing.T) {
	ta := newTestAdapter(t, nil)
	w := ta.interaction(t, map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"},
		"user":         map[string]any{"id": "U3", "name": "alex", "team_id": "T1"},
		"channel":      map[string]any{"id": "D3", "name": "directmessage"},
		"response_url": ta.fake.responseURL("btn"), "trigger_id": "trig",
		"actions": []map[string]any{{"type": "button", "action_id": "plp_0", "block_id": "b", "value": "step done 1.2"}},
	})
	if w.Code != http.StatusOK {
		t.Fatalf("ack %d", w.Code)
	}
	r := ta.rec.waitRequests(t, 1)[0]
	if r.Text != "step done 1.2" || !r.Slash || r.Actor.UserID != "U3" || r.Place.Kind != bot.InDM {
		t.Errorf("request = %+v", r)
	}
	ta.fake.waitCalls(t, "response_url", 1)
}

func TestBareCommandsOpenAForm(t *testing.T) {
	tests := []struct {
		text       string
		wantFields []string
	}{
		{"goal add", []string{"title", "category", "by"}},
		{"checkin", []string{"n", "percent", "note"}},
		{"REFLECT", []string{"text"}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			ta := newTestAdapter(t, nil)
			ta.command(t, map[string]string{"text": tt.text, "trigger_id": "trig-1"})
			open := ta.fake.waitCalls(t, "views.open", 1)[0]
			if open.param("trigger_id") != "trig-1" {
				t.Errorf("trigger_id = %q", open.param("trigger_id"))
			}
			var ids []string
			for _, b := range open.blocks(t) {
				if b["type"] != "input" {
					t.Errorf("block %v is not an input", b)
				}
				ids = append(ids, b["block_id"].(string))
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantFields, ",") {
				t.Errorf("fields = %v, want %v", ids, tt.wantFields)
			}
			ta.wait()
			if n := len(ta.rec.requests()); n != 0 {
				t.Errorf("handler ran %d times; the form should come first", n)
			}
		})
	}
}

func TestCommandsThatCannotUseAFormGoToTheHandler(t *testing.T) {
	for _, text := range []string{"goal add Read three novels", "student", "plan", "goal", ""} {
		t.Run(text, func(t *testing.T) {
			ta := newTestAdapter(t, nil)
			ta.command(t, map[string]string{"text": text, "trigger_id": "trig-1"})
			ta.rec.waitRequests(t, 1)
			ta.wait()
			if n := len(ta.fake.callsTo("views.open")); n != 0 {
				t.Errorf("opened %d forms", n)
			}
		})
	}
}

// submission builds the view_submission Slack sends for form f filled with values.
func submission(t *testing.T, f *bot.Form, o *origin, values map[string]string) map[string]any {
	t.Helper()
	raw, err := json.Marshal(buildModal(f, o))
	if err != nil {
		t.Fatal(err)
	}
	var view map[string]any
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	state := map[string]any{}
	for _, fld := range f.Fields {
		state[fld.Name] = map[string]any{formActionID: map[string]any{"type": "plain_text_input", "value": values[fld.Name]}}
	}
	view["id"] = "V1"
	view["state"] = map[string]any{"values": state}
	return map[string]any{"type": "view_submission", "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": "U1", "name": "sam", "team_id": "T1"}, "trigger_id": "t2", "view": view}
}

func TestFormSubmissions(t *testing.T) {
	g := testGrammar()
	goalAdd := g.FormFor([]string{"goal", "add"}, nil)
	o := &origin{channelID: "C1", place: bot.Place{Kind: bot.InChannel}}
	tests := []struct {
		name        string
		values      map[string]string
		reply       func(*bot.Request) ([]bot.Message, error)
		wantErrors  map[string]string // response_action errors by block; nil: the modal closes
		wantHandled bool
	}{
		{"an invalid date stays in the form", map[string]string{"title": "Read three novels", "by": "2027-02-30"}, nil,
			map[string]string{"by": "2027-02-30"}, false},
		{"a missing required field stays in the form", map[string]string{"by": "2027-05-30"}, nil,
			map[string]string{"title": ""}, false},
		{"a valid form runs the command", map[string]string{"title": "Read three novels", "by": "2027-05-30"}, nil, nil, true},
		{"a quick handler error about a field stays in the form", map[string]string{"title": "Read three novels"},
			func(*bot.Request) ([]bot.Message, error) {
				return nil, &bot.UserError{Code: bot.EConflict, Message: "You already have that goal.", Field: "title"}
			}, map[string]string{"title": "You already have that goal."}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestAdapter(t, &recorder{reply: tt.reply})
			w := ta.interaction(t, submission(t, goalAdd, o, tt.values))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d", w.Code)
			}
			if tt.wantErrors == nil {
				if w.Body.Len() != 0 {
					t.Errorf("body %q, want empty (the modal closes)", w.Body.String())
				}
			} else {
				var resp struct {
					ResponseAction string            `json:"response_action"`
					Errors         map[string]string `json:"errors"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.ResponseAction != "errors" {
					t.Fatalf("body %q: want response_action errors", w.Body.String())
				}
				for field, want := range tt.wantErrors {
					if msg, ok := resp.Errors[field]; !ok || !strings.Contains(msg, want) {
						t.Errorf("errors = %v, want %s to mention %q", resp.Errors, field, want)
					}
				}
			}
			ta.wait()
			reqs := ta.rec.requests()
			if handled := len(reqs) == 1; handled != tt.wantHandled {
				t.Fatalf("handler saw %d requests", len(reqs))
			}
			if tt.wantHandled && tt.wantErrors == nil {
				inv := reqs[0].Invocation
				if inv == nil || inv.Name() != "goal add" || inv.Arg("title") != "Read three novels" || inv.Arg("by") != "2027-05-30" {
					t.Errorf("invocation = %+v", inv)
				}
				if reqs[0].Place.Kind != bot.InChannel || reqs[0].Place.Channel.ChannelID != "C1" {
					t.Errorf("place = %+v", reqs[0].Place)
				}
				if n := len(ta.fake.callsTo("chat.postMessage")); n != 1 {
					t.Errorf("%d replies (by DM, as the form had no response_url)", n)
				}
			}
		})
	}
}

func TestFormButtonsOpenTheirForm(t *testing.T) {
	form := testGrammar().FormFor([]string{"checkin"}, map[string]string{"n": "2"})
	value := buttonValue(bot.Button{Label: "Check in", Form: form})
	ta := newTestAdapter(t, nil)
	ta.interaction(t, map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "U1"},
		"trigger_id": "trig-2", "response_url": ta.fake.responseURL("b"),
		"actions": []map[string]any{{"type": "button", "action_id": "plp_0", "block_id": "b", "value": value}},
	})
	open := ta.fake.waitCalls(t, "views.open", 1)[0]
	var ids []string
	for _, b := range open.blocks(t) {
		ids = append(ids, b["block_id"].(string))
	}
	if strings.Join(ids, ",") != "percent,note" {
		t.Errorf("fields = %v; the fixed goal number should not be asked", ids)
	}
	var meta formMeta
	view := open.JSON["view"].(map[string]any)
	if err := json.Unmarshal([]byte(view["private_metadata"].(string)), &meta); err != nil || meta.Fixed["n"] != "2" || meta.Command != "checkin" {
		t.Errorf("metadata = %+v (%v)", meta, err)
	}
}

func TestAppHomeShowsThePlan(t *testing.T) {
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		var bars []bot.Block
		for i := range 150 {
			bars = append(bars, bot.Text{Text: fmt.Sprintf("Goal %d", i)}, bot.Divider{})
		}
		return []bot.Message{{Title: "Your plan", Blocks: bars}}, nil
	}}
	ta := newTestAdapter(t, rec)
	ta.event(t, "Ev9", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"}, nil)
	pub := ta.fake.waitCalls(t, "views.publish", 1)[0]
	r := rec.requests()[0]
	if r.Invocation == nil || r.Invocation.Name() != "plan" || r.Actor.UserID != "U1" {
		t.Errorf("request = %+v", r)
	}
	if pub.param("user_id") != "U1" {
		t.Errorf("user_id = %q", pub.param("user_id"))
	}
	blocks := pub.blocks(t)
	if len(blocks) == 0 || len(blocks) > MaxBlocksPerView || blocks[0]["type"] != "header" {
		t.Errorf("home view has %d blocks", len(blocks))
	}
	if !strings.Contains(pub.allText(t), "/plp plan") {
		t.Error("a cut home view should say where the rest is")
	}
}

func TestSenderMapsSlackErrors(t *testing.T) {
	msg := bot.Message{Blocks: []bot.Block{bot.Text{Text: "Time for your weekly check-in."}}}
	tests := []struct {
		name      string
		method    string
		failure   string // Slack error code, or "429"
		channel   bool   // Post rather than SendDM
		wantCheck func(error) bool
	}{
		{"delivered", "", "", false, func(err error) bool { return err == nil }},
		{"DM to a bot", "conversations.open", "cannot_dm_bot", false, undeliverable("cannot_dm_bot")},
		{"user gone", "conversations.open", "user_not_found", false, undeliverable("user_not_found")},
		{"deactivated", "chat.postMessage", "account_inactive", false, undeliverable("account_inactive")},
		{"rate limited", "chat.postMessage", "429", false, func(err error) bool {
			var ra *bot.RetryAfterError
			return errors.As(err, &ra) && ra.After == time.Second
		}},
		{"transient", "chat.postMessage", "internal_error", false, func(err error) bool {
			var u *bot.UndeliverableError
			var ra *bot.RetryAfterError
			return err != nil && !errors.As(err, &u) && !errors.As(err, &ra)
		}},
		{"channel delivered", "", "", true, func(err error) bool { return err == nil }},
		{"channel gone", "chat.postMessage", "channel_not_found", true, undeliverable("channel_not_found")},
		{"bot not in channel", "chat.postMessage", "not_in_channel", true, undeliverable("not_in_channel")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := newTestAdapter(t, nil)
			switch tt.failure {
			case "":
			case "429":
				ta.fake.rateLimit(tt.method, 1)
			default:
				ta.fake.failWith(tt.method, tt.failure)
			}
			var err error
			if tt.channel {
				err = ta.Post(context.Background(), bot.Channel{Platform: bot.Slack, Workspace: "T1", ChannelID: "C5"}, msg)
			} else {
				err = ta.SendDM(context.Background(), bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U5"}, msg)
			}
			if !tt.wantCheck(err) {
				t.Fatalf("err = %#v", err)
			}
		})
	}
}

// TestSenderLeavesOtherPlatforms: a Discord person or channel is not
// Slack's to reach, which is no refusal of theirs: a plain error (so nobody
// is marked as refusing DMs), and nothing reaches Slack.
func TestSenderLeavesOtherPlatforms(t *testing.T) {
	ta := newTestAdapter(t, nil)
	ctx := context.Background()
	msg := bot.Message{Blocks: []bot.Block{bot.Text{Text: "Time for your weekly check-in."}}}
	var u *bot.UndeliverableError
	if err := ta.SendDM(ctx, bot.Identity{Platform: bot.Discord, Workspace: "g1", UserID: "123"}, msg); err == nil || errors.As(err, &u) {
		t.Errorf("SendDM to a Discord person: %v, want a plain error", err)
	}
	if err := ta.Post(ctx, bot.Channel{Platform: bot.Discord, Workspace: "g1", ChannelID: "456"}, msg); err == nil || errors.As(err, &u) {
		t.Errorf("Post to a Discord channel: %v, want a plain error", err)
	}
	if m := ta.fake.methods(); len(m) != 0 {
		t.Errorf("Slack was called: %v", m)
	}
}

func undeliverable(reason string) func(error) bool {
	return func(err error) bool {
		var u *bot.UndeliverableError
		return errors.As(err, &u) && u.Reason == reason
	}
}

func TestFilesAreUploadedToThePersonsDM(t *testing.T) {
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{Blocks: []bot.Block{bot.Text{Text: "Here is your plan."}},
			File: &bot.File{Name: "plan-sam.md", ContentType: "text/markdown", Data: []byte("# Sam's plan\n")}}}, nil
	}}
	ta := newTestAdapter(t, rec)
	ta.command(t, map[string]string{"text": "export"})
	done := ta.fake.waitCalls(t, "files.completeUploadExternal", 1)[0]
	if done.param("channel_id") != "DU1" {
		t.Errorf("a private file was shared to %q, want the DM", done.param("channel_id"))
	}
	if up := ta.fake.callsTo("upload"); len(up) != 1 {
		t.Errorf("uploads = %d", len(up))
	}
}
