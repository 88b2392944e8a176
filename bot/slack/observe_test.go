package slack

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/metrics"
)

// TestRateLimitsAreCountedByMethod: every 429 Slack answers is reported
// once, under the Web API method (or response_url) that got it, including
// those the adapter then waits out and retries.
func TestRateLimitsAreCountedByMethod(t *testing.T) {
	fake := newFakeSlack(t)
	reg := prometheus.NewRegistry()
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, Mode: ModeHTTP, HTTPAddr: "127.0.0.1:0",
		APIURL: fake.apiURL(), Observer: metrics.New(reg, "test", nil).Platform(bot.Slack)},
		testGrammar(), &recorder{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.drain)
	ta := &testAdapter{Adapter: a, fake: fake, handler: a.HTTPHandler()}
	fake.rateLimit("chat.postMessage", 1)
	fake.rateLimit("response_url", 2)
	ta.event(t, "Ev1", map[string]any{"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "plan"}, nil)
	ta.command(t, map[string]string{"text": "plan"})
	fake.waitCalls(t, "chat.postMessage", 2)
	fake.waitCalls(t, "response_url", 3)
	want := `
# HELP plpbot_rate_limited_total HTTP 429 answers from a platform's API, by platform and API method.
# TYPE plpbot_rate_limited_total counter
plpbot_rate_limited_total{method="chat.postMessage",platform="slack"} 1
plpbot_rate_limited_total{method="response_url",platform="slack"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "plpbot_rate_limited_total"); err != nil {
		t.Error(err)
	}
}

func TestAPIMethodNames(t *testing.T) {
	for path, want := range map[string]string{
		"/api/chat.postMessage":            "chat.postMessage",
		"/api/conversations.open":          "conversations.open",
		"/commands/T1/1234/abcdef":         "response_url",
		"/actions/T1/1234/abcdef":          "response_url",
		"/upload/v1/ABC":                   "files.upload",
		"/gov/api/users.info":              "users.info",
		"/api/":                            "response_url",
		"/respond/user-supplied/../api/x/": "response_url",
	} {
		if got := apiMethod(path); got != want {
			t.Errorf("apiMethod(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestSocketModeConnectionAndReconnects: Connected follows the Socket Mode
// connection, and a connection that Slack drops and the adapter re-opens
// counts as one reconnect.
func TestSocketModeConnectionAndReconnects(t *testing.T) {
	fake := newFakeSlack(t)
	var conns atomic.Int32
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	fake.mu.Lock()
	fake.ws = func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		if conns.Add(1) == 1 {
			return // the first connection drops at once
		}
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}
	fake.mu.Unlock()
	reg := prometheus.NewRegistry()
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: fake.apiURL(),
		Observer: metrics.New(reg, "test", nil).Platform(bot.Slack)}, testGrammar(), &recorder{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if a.Connected() {
		t.Error("connected before Run")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for conns.Load() < 2 || !a.Connected() || total(t, reg, "plpbot_gateway_reconnects_total") < 1 {
		if time.Now().After(deadline) {
			t.Fatalf("connections %d, connected %v, reconnects %v", conns.Load(), a.Connected(),
				total(t, reg, "plpbot_gateway_reconnects_total"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := total(t, reg, "plpbot_gateway_reconnects_total"); n != 1 {
		t.Errorf("reconnects: %v, want 1 (the first connection is no reconnect)", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if a.Connected() {
		t.Error("connected after Run returned")
	}
}

// total sums every sample of a counter in reg.
func total(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range fams {
		if f.GetName() == name {
			for _, m := range f.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
