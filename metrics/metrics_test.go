package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/metrics"
)

// noting answers like the handlers do: it notes the command it ran (none for
// a DM that is a reflection) and returns err.
func noting(name string, err error) bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, _ *bot.Request) ([]bot.Message, error) {
		if name != "" {
			bot.NoteCommand(ctx, name)
		}
		return nil, err
	})
}

// TestCommandsByNameAndOutcome: each request is counted once under the
// command the handler noted, with its outcome, and timed; a DM that ran no
// command is "dm", a command line that didn't parse "unknown".
func TestCommandsByNameAndOutcome(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, "test", nil)
	ctx := context.Background()
	slash := &bot.Request{Text: "checkin 1 40%", Slash: true}
	runs := []struct {
		h   bot.Handler
		req *bot.Request
	}{
		{noting("checkin", nil), slash},
		{noting("checkin", nil), slash},
		{noting("checkin", bot.Errorf(bot.ENotFound, "You have no goal 9.")), slash},
		{noting("roster", errors.New("database down")), &bot.Request{Text: "roster", Slash: true}},
		{noting("", nil), &bot.Request{Text: "I finished the book"}},
		{noting("", bot.Errorf(bot.EInvalid, "Did you mean /plp checkin?")), &bot.Request{Text: "chekin", Slash: true}},
		{noting("goal add", nil), &bot.Request{Invocation: &bot.Invocation{Path: []string{"goal", "add"}}}},
	}
	for _, r := range runs {
		_, _ = m.Commands(r.h).Handle(ctx, r.req)
	}
	want := `
# HELP plpbot_commands_total Requests handled, by command (grammar name, or dm / unknown) and outcome (ok, user_error, internal_error).
# TYPE plpbot_commands_total counter
plpbot_commands_total{command="checkin",outcome="ok"} 2
plpbot_commands_total{command="checkin",outcome="user_error"} 1
plpbot_commands_total{command="dm",outcome="ok"} 1
plpbot_commands_total{command="goal add",outcome="ok"} 1
plpbot_commands_total{command="roster",outcome="internal_error"} 1
plpbot_commands_total{command="unknown",outcome="user_error"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "plpbot_commands_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "plpbot_command_duration_seconds"); n != 5 {
		t.Errorf("latency series: %d, want one per command name (5)", n)
	}
}

// TestNilMetricsRecordNothing: every hook is safe on a nil *Metrics, so a
// piece built without metrics (tests, one-shot subcommands) needs no checks.
func TestNilMetricsRecordNothing(t *testing.T) {
	var m *metrics.Metrics
	h := noting("plan", nil)
	if _, err := m.Commands(h).Handle(context.Background(), &bot.Request{}); err != nil {
		t.Fatal(err)
	}
	m.Delivered("slack", "dm", "sent")
	m.Retried("slack", "dm", "error")
	m.JobRan("reflect", "planned", 3)
	m.LeaseHeld("scheduler-planner", true)
	m.ImportRan("oneroster", nil)
	m.WatchOutbox(func(context.Context) (map[string]int64, error) { return nil, nil })
	m.Platform(bot.Slack).RateLimited("chat.postMessage")
	m.Platform(bot.Slack).Reconnected()
	var p *metrics.PlatformObserver
	p.RateLimited("x")
	p.Reconnected()
}

// TestHooks: the scheduler's and the adapters' reports land in their series.
func TestHooks(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, "test", nil)
	m.Delivered("slack", "dm", "sent")
	m.Delivered("", "post", "skipped")
	m.Retried("discord", "dm", "rate_limited")
	m.JobRan("reflect", "planned", 2)
	m.JobRan("reflect", "skipped", 0)
	m.LeaseHeld("scheduler-planner", true)
	m.LeaseHeld("scheduler-planner", false)
	m.ImportRan("oneroster", errors.New("bad file"))
	m.Platform(bot.Slack).RateLimited("conversations.open")
	m.Platform(bot.Discord).Reconnected()
	want := `
# HELP plpbot_deliveries_total Scheduled messages finished, by platform, method (dm, post) and outcome (sent, skipped, undeliverable, failed).
# TYPE plpbot_deliveries_total counter
plpbot_deliveries_total{method="dm",outcome="sent",platform="slack"} 1
plpbot_deliveries_total{method="post",outcome="skipped",platform="unknown"} 1
# HELP plpbot_delivery_retries_total Scheduled messages put back for another attempt, by platform, method (dm, post) and reason (error, rate_limited).
# TYPE plpbot_delivery_retries_total counter
plpbot_delivery_retries_total{method="dm",platform="discord",reason="rate_limited"} 1
# HELP plpbot_gateway_reconnects_total Times a platform connection (Slack Socket Mode, Discord gateway) came back after it was lost, by platform.
# TYPE plpbot_gateway_reconnects_total counter
plpbot_gateway_reconnects_total{platform="discord"} 1
# HELP plpbot_import_runs_total Roster imports, by source and outcome (ok, failed).
# TYPE plpbot_import_runs_total counter
plpbot_import_runs_total{outcome="failed",source="oneroster"} 1
# HELP plpbot_job_runs_total Scheduler job runs, by job (plan, reflect, summary, nudge) and outcome (planned, skipped, failed, ok).
# TYPE plpbot_job_runs_total counter
plpbot_job_runs_total{job="reflect",outcome="planned"} 2
# HELP plpbot_lease_held 1 if this replica holds the lease (such as scheduler-planner), else 0.
# TYPE plpbot_lease_held gauge
plpbot_lease_held{lease="scheduler-planner"} 0
# HELP plpbot_rate_limited_total HTTP 429 answers from a platform's API, by platform and API method.
# TYPE plpbot_rate_limited_total counter
plpbot_rate_limited_total{method="conversations.open",platform="slack"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"plpbot_deliveries_total", "plpbot_delivery_retries_total", "plpbot_gateway_reconnects_total",
		"plpbot_import_runs_total", "plpbot_job_runs_total", "plpbot_lease_held", "plpbot_rate_limited_total"); err != nil {
		t.Error(err)
	}
}

// TestOutboxAtScrapeTime: the outbox is counted when scraped; when the
// count fails (the database is down), /metrics still serves everything
// else with 200.
func TestOutboxAtScrapeTime(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := metrics.New(reg, "v1.2.3", nil)
	var fail bool
	m.WatchOutbox(func(context.Context) (map[string]int64, error) {
		if fail {
			return nil, errors.New("server selection timeout")
		}
		return map[string]int64{"pending": 3, "sent": 40}, nil
	})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	scrape := func() (int, string) {
		t.Helper()
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := scrape()
	for _, want := range []string{`plpbot_outbox_items{state="pending"} 3`, `plpbot_outbox_items{state="sent"} 40`, `plpbot_build_info{goversion="go`, `version="v1.2.3"} 1`} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("scrape: %d, want 200 with %q:\n%s", code, want, body)
		}
	}
	fail = true
	code, body = scrape()
	if code != http.StatusOK || strings.Contains(body, "plpbot_outbox_items{") || !strings.Contains(body, "plpbot_build_info") {
		t.Errorf("scrape with the database down: %d, want 200 without the outbox:\n%s", code, body)
	}
}
