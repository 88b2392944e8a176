package slack

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/plpbot/plpbot/bot"
)

// TestSocketModeAcksEveryEnvelope plays Slack's side of Socket Mode: the
// adapter opens a connection (apps.connections.open), dials the WebSocket,
// gets a hello and three envelopes, and must ack each with its envelope_id.
func TestSocketModeAcksEveryEnvelope(t *testing.T) {
	fake := newFakeSlack(t)
	envelopes := []map[string]any{
		{"envelope_id": "env-dm", "type": "events_api", "accepts_response_payload": false, "payload": map[string]any{
			"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": "Ev1", "event_time": 1700000000,
			"event": map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "reflect I tried a new method", "ts": "1.2"},
		}},
		// A redelivery of the same event after a reconnect.
		{"envelope_id": "env-dm-again", "type": "events_api", "retry_attempt": 1, "retry_reason": "timeout", "payload": map[string]any{
			"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": "Ev1", "event_time": 1700000000,
			"event": map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "reflect I tried a new method", "ts": "1.2"},
		}},
		{"envelope_id": "env-cmd", "type": "slash_commands", "accepts_response_payload": true, "payload": map[string]any{
			"team_id": "T1", "channel_id": "C1", "channel_name": "period-3", "user_id": "U2", "user_name": "alex",
			"command": "/plp", "text": "checkin 1 40%", "response_url": fake.responseURL("sock"), "trigger_id": "trig",
		}},
		// A form submitted with an impossible date: the ack carries the errors.
		{"envelope_id": "env-form", "type": "interactive", "accepts_response_payload": true,
			"payload": submission(t, testGrammar().FormFor([]string{"goal", "add"}, nil), &origin{},
				map[string]string{"title": "Read", "by": "2027-02-30"})},
	}
	acks := make(chan map[string]any, 10)
	// Slack-go sends Origin: https://api.slack.com, as Slack expects.
	upgrader := websocket.Upgrader{CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" }}
	fake.mu.Lock()
	fake.ws = func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		defer conn.Close()
		hello := map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}}
		if err := conn.WriteJSON(hello); err != nil {
			return
		}
		for _, env := range envelopes {
			if err := conn.WriteJSON(env); err != nil {
				return
			}
		}
		for {
			var ack map[string]any
			if err := conn.ReadJSON(&ack); err != nil {
				return
			}
			acks <- ack
		}
	}
	fake.mu.Unlock()

	rec := &recorder{}
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: fake.apiURL()}, testGrammar(), rec,
		slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	got := map[string]bool{}
	timeout := time.After(5 * time.Second)
	for len(got) < len(envelopes) {
		select {
		case ack := <-acks:
			id, _ := ack["envelope_id"].(string)
			got[id] = true
			payload, _ := ack["payload"].(map[string]any)
			if id == "env-form" {
				errs, _ := payload["errors"].(map[string]any)
				if payload["response_action"] != "errors" || errs["by"] == nil {
					t.Errorf("form ack = %v, want response_action errors on by", ack)
				}
			} else if payload != nil {
				t.Errorf("ack %s carries a payload: %v", id, payload)
			}
		case <-timeout:
			t.Fatalf("acks received: %v", got)
		}
	}
	for _, env := range envelopes {
		if !got[env["envelope_id"].(string)] {
			t.Errorf("envelope %s was not acked", env["envelope_id"])
		}
	}
	rec.waitRequests(t, 2)
	fake.waitCalls(t, "response_url", 1)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	reqs := rec.requests()
	if len(reqs) != 2 {
		t.Fatalf("handler saw %d requests, want 2 (the redelivered DM once)", len(reqs))
	}
	var dm, cmd *bot.Request
	for _, r := range reqs {
		if r.Slash {
			cmd = r
		} else {
			dm = r
		}
	}
	if dm == nil || dm.Text != "reflect I tried a new method" || dm.ID != "Ev1" {
		t.Errorf("DM request = %+v", dm)
	}
	if cmd == nil || cmd.Text != "checkin 1 40%" || cmd.Actor.UserID != "U2" || cmd.Place.Channel.ChannelID != "C1" {
		t.Errorf("command request = %+v", cmd)
	}
	if open := fake.callsTo("apps.connections.open"); len(open) == 0 {
		t.Error("apps.connections.open was not called")
	}
}

func TestRunServesHTTPAndShutsDown(t *testing.T) {
	fake := newFakeSlack(t)
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, Mode: ModeHTTP, HTTPAddr: "127.0.0.1:0", APIURL: fake.apiURL()},
		testGrammar(), &recorder{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
}

func TestConfigValidationNamesTheKey(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{}, "slack.bot_token"},
		{Config{BotToken: "x"}, "slack.app_token"},
		{Config{BotToken: "x", Mode: ModeHTTP}, "slack.signing_secret"},
		{Config{BotToken: "x", Mode: ModeHTTP, SigningSecret: "s"}, "http.addr"},
		{Config{BotToken: "x", Mode: "webhook"}, "slack.mode"},
		{Config{BotToken: "x", AppToken: "y"}, ""},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.cfg, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want it to name %s", tt.cfg, err, tt.want)
		}
	}
}
