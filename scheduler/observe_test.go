package scheduler_test

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/metrics"
	"github.com/plpbot/plpbot/scheduler"
)

// metricValue sums the samples of metric name whose labels include want.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	samples:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if have[k] != v {
					continue samples
				}
			}
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				sum += m.GetGauge().GetValue()
			}
		}
	}
	return sum
}

// TestObserverHearsDeliveriesRetriesRunsAndLease: a reflection run with a
// rate limit, server errors and one student who refused DMs shows in the
// metrics as it happened: every other student sent, one undeliverable, the
// retries by reason, the run planned, and this replica the planner.
func TestObserverHearsDeliveriesRetriesRunsAndLease(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York", Observer: metrics.New(reg, "test", nil)})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	dan := e.user("Dan", "America/New_York", plpbot.RoleStudent)
	c := e.class("Art", teacher, "America/New_York", "", "0 0 1 1 *", dan)
	ids := seedStudents(t, e.store, c.ID, 10, "America/New_York")
	e.fake.fail = func(n int, to string) error {
		switch {
		case to == "dan":
			return &bot.UndeliverableError{Reason: "cannot_dm", Err: errors.New("50007")}
		case n <= 2:
			return &bot.RetryAfterError{After: 20 * time.Second}
		case n <= 4:
			return errors.New("HTTP 500")
		}
		return nil
	}
	e.advanceTo(at(3, 6, 16, 0))

	dm := map[string]string{"platform": "console", "method": scheduler.MethodDM}
	with := func(k, v string) map[string]string {
		m := map[string]string{k: v}
		for kk, vv := range dm {
			m[kk] = vv
		}
		return m
	}
	if got := metricValue(t, reg, "plpbot_deliveries_total", with("outcome", scheduler.DeliverySent)); got != float64(len(ids)) {
		t.Errorf("sent: %v, want %d", got, len(ids))
	}
	if got := metricValue(t, reg, "plpbot_deliveries_total", with("outcome", scheduler.DeliveryUndeliverable)); got != 1 {
		t.Errorf("undeliverable: %v, want 1 (Dan)", got)
	}
	if got := metricValue(t, reg, "plpbot_deliveries_total", with("outcome", scheduler.DeliveryFailed)); got != 0 {
		t.Errorf("failed: %v, want 0", got)
	}
	if got := metricValue(t, reg, "plpbot_delivery_retries_total", with("reason", scheduler.RetryRateLimited)); got < 1 {
		t.Errorf("rate-limited retries: %v, want at least the one 429", got)
	}
	if got := metricValue(t, reg, "plpbot_delivery_retries_total", with("reason", scheduler.RetryError)); got < 1 || got > 2 {
		t.Errorf("error retries: %v, want the HTTP 500s (1 or 2)", got)
	}
	if got := metricValue(t, reg, "plpbot_job_runs_total", map[string]string{"job": "reflect", "outcome": scheduler.JobPlanned}); got != 1 {
		t.Errorf("reflect runs planned: %v, want 1", got)
	}
	if got := metricValue(t, reg, "plpbot_job_runs_total", map[string]string{"job": "plan", "outcome": scheduler.JobOK}); got < 1 {
		t.Errorf("planning passes: %v, want some", got)
	}
	if got := metricValue(t, reg, "plpbot_lease_held", map[string]string{"lease": "scheduler-planner"}); got != 1 || !e.sched.Planner() {
		t.Errorf("lease held: gauge %v, Planner() %v; want this replica the planner", got, e.sched.Planner())
	}

	// Another replica doesn't take the lease while it is held.
	b := e.another("replica-b")
	e.tick(at(3, 6, 16, 1))
	if err := b.Tick(e.ctx, at(3, 6, 16, 1)); err != nil {
		t.Fatal(err)
	}
	if b.Planner() || !e.sched.Planner() {
		t.Errorf("Planner(): a %v, b %v; want a only", e.sched.Planner(), b.Planner())
	}
	// A lease that ran out is no longer held, even without asking.
	e.clock.Set(at(3, 6, 16, 5))
	if e.sched.Planner() {
		t.Error("Planner() after the lease ran out: true")
	}
}
