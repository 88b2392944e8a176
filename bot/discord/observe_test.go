package discord

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/metrics"
)

// TestGatewayReconnectsAndRateLimitsAreCounted: Connected follows the
// gateway session, a session resumed after a cut counts as one reconnect,
// and a 429 is reported under its route without ids.
func TestGatewayReconnectsAndRateLimitsAreCounted(t *testing.T) {
	f := newFakeDiscord(t)
	reg := prometheus.NewRegistry()
	a, err := New(Config{Token: "test-token", AppID: "app1", GuildID: "g1", APIURL: f.apiURL(),
		Observer: metrics.New(reg, "test", nil).Platform(bot.Discord)}, testGrammar(), &scripted{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	f.waitSession("identify")
	waitFor(t, "connected", a.Connected)
	f.drop()
	f.waitSession("resume")
	waitFor(t, "one reconnect", func() bool {
		return a.Connected() && testutil.CollectAndCount(reg, "plpbot_gateway_reconnects_total") == 1
	})

	f.mu.Lock()
	f.rateLimit["123456789012345678"] = true
	f.mu.Unlock()
	_ = a.Post(ctx, bot.Channel{Platform: bot.Discord, ChannelID: "123456789012345678"},
		bot.Message{Blocks: []bot.Block{bot.Text{Text: "Weekly summary"}}})
	want := `
# HELP plpbot_gateway_reconnects_total Times a platform connection (Slack Socket Mode, Discord gateway) came back after it was lost, by platform.
# TYPE plpbot_gateway_reconnects_total counter
plpbot_gateway_reconnects_total{platform="discord"} 1
# HELP plpbot_rate_limited_total HTTP 429 answers from a platform's API, by platform and API method.
# TYPE plpbot_rate_limited_total counter
plpbot_rate_limited_total{method="channels/:id/messages",platform="discord"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "plpbot_gateway_reconnects_total", "plpbot_rate_limited_total"); err != nil {
		t.Error(err)
	}
}

func TestRouteHasNoIDsOrTokens(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v9/channels/123456789012345678/messages":                  "channels/:id/messages",
		"/api/v9/interactions/1234/aW50ZXJhY3Rpb246MTIz/callback":       "interactions/:id/:id/callback",
		"/api/v9/webhooks/app1/aW50ZXJhY3Rpb246MTIz/messages/@original": "webhooks/:id/:id/messages/@original",
		"/api/v9/users/@me/channels":                                    "users/@me/channels",
		"/api/v9/applications/99/guilds/42/commands":                    "applications/:id/guilds/:id/commands",
		"/channels/1/messages":                                          "channels/:id/messages",
	} {
		if got := route(path); got != want {
			t.Errorf("route(%q) = %q, want %q", path, got, want)
		}
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
