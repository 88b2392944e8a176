// Package metrics counts what plpbot does, for Prometheus: commands by name
// and outcome and their latency, scheduled deliveries and their retries, the
// platforms' rate limits and gateway reconnects, the leases this replica
// holds, job and import runs, and the outbox by state (counted when scraped).
//
// Everything registers on the registry given to New — cmd/plpbot builds one
// with prometheus.NewRegistry and passes it down — never on client_golang's
// global default registry. The pieces that have something to report call
// small hooks: the command middleware wraps the bot.Handler the adapters
// use, and *Metrics (or the PlatformObserver that Platform returns)
// satisfies the optional observer interfaces of the scheduler and the
// adapters. Every method is safe on a nil *Metrics, which records nothing.
//
// Label values come from fixed sets (command names from the grammar,
// platform and API method names, outcomes), never from what people type.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/plpbot/plpbot/bot"
)

// Command outcomes, the values of the outcome label of plpbot_commands_total.
const (
	OutcomeOK            = "ok"             // answered
	OutcomeUserError     = "user_error"     // the person's mistake, answered with what is right
	OutcomeInternalError = "internal_error" // ours: logged, the person saw an apology
)

// Command names for requests that ran no command of the grammar.
const (
	CommandDM      = "dm"      // a DM that was no command: a reflection, a greeting
	CommandUnknown = "unknown" // a command line that didn't parse
)

// Metrics holds plpbot's collectors. Create it with New; a nil *Metrics
// records nothing.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	commands    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	deliveries  *prometheus.CounterVec
	retries     *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	reconnects  *prometheus.CounterVec
	leaseHeld   *prometheus.GaugeVec
	jobRuns     *prometheus.CounterVec
	importRuns  *prometheus.CounterVec
}

// New creates plpbot's collectors and registers them on reg, with the Go
// runtime's and the process's standard collectors (go_*, process_*) and
// plpbot_build_info for version.
func New(reg *prometheus.Registry, version string, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: reg,
		log: log,
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plpbot_commands_total",
			Help: "Requests handled, by command (grammar name, or dm / unknown) and outcome (ok, user_error, internal_error).",
		}, []string{"command", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "plpbot_command_duration_seconds",
			Help:    "Time to handle a request, from the handler's start to its reply being ready, by command.",
			Buckets: prometheus.DefBuckets,
		}, []string{"command"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plpbot_deliveries_total",
			Help: "Scheduled messages finished, by platform, method (dm, post) and outcome (sent, skipped, undeliverable, failed).",
		}, []string{"platform", "method", "outcome"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plpbot_delivery_retries_total",
			Help: "Scheduled messages put back for another attempt, by platform, method (dm, post) and reason (error, rate_limited).",
		}, []string{"platform", "method", "reason"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plpbot_rate_limited_total",
			Help: "HTTP 429 answers from a platform's API, by platform and API method.",
		}, []string{"platform", "method"}),
		reconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plpbot_gateway_reconnects_total",
			Help: "Times a platform connection (Slack Socket Mode, Discord gateway) came back after it was lost, by platform.",
		}, []string{"platform"}),
		leaseHeld: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "plpbot_lease_held",
			Help: "1 if this replica holds the lease (such as scheduler-planner), else 0.",
		}, []string{"lease"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plpbot_job_runs_total",
			Help: "Scheduler job runs, by job (plan, reflect, summary, nudge) and outcome (planned, skipped, failed, ok).",
		}, []string{"job", "outcome"}),
		importRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "plpbot_import_runs_total",
			Help: "Roster imports, by source and outcome (ok, failed).",
		}, []string{"source", "outcome"}),
	}
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "plpbot_build_info",
		Help: "Always 1; the labels say which plpbot and Go runtime run.",
	}, []string{"version", "goversion"})
	build.WithLabelValues(version, runtime.Version()).Set(1)
	reg.MustRegister(m.commands, m.latency, m.deliveries, m.retries, m.rateLimited,
		m.reconnects, m.leaseHeld, m.jobRuns, m.importRuns, build)
	return m
}

// Handler serves the registry in Prometheus's text format (GET /metrics).
// A collector that fails at scrape time (the outbox, with the database
// down) drops its own series and the rest are still served.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// Commands wraps h, the handler every adapter calls, so each request is
// counted by command and outcome and timed. The command's name is what the
// handler notes with bot.NoteCommand.
func (m *Metrics) Commands(h bot.Handler) bot.Handler {
	if m == nil {
		return h
	}
	return bot.HandlerFunc(func(ctx context.Context, req *bot.Request) ([]bot.Message, error) {
		ctx, note := bot.WithCommandNote(ctx)
		start := time.Now()
		msgs, err := h.Handle(ctx, req)
		name := note.Name()
		if name == "" {
			name = CommandUnknown
			if req.Invocation == nil && !req.Slash {
				name = CommandDM
			}
		}
		m.commands.WithLabelValues(name, Outcome(err)).Inc()
		m.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
		return msgs, err
	})
}

// Outcome classifies a handler's error: none is ok, a *bot.UserError (or
// the domain's refusal) is the person's, anything else is ours.
func Outcome(err error) string {
	switch _, isUser := bot.AsUserError(err); {
	case err == nil:
		return OutcomeOK
	case isUser:
		return OutcomeUserError
	default:
		return OutcomeInternalError
	}
}

// Delivered counts a scheduled message that is done with: sent, skipped,
// undeliverable or failed (it implements scheduler.Observer).
func (m *Metrics) Delivered(platform, method, outcome string) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(orUnknown(platform), method, outcome).Inc()
}

// Retried counts a scheduled message put back for another attempt, because
// of an error or a rate limit (it implements scheduler.Observer).
func (m *Metrics) Retried(platform, method, reason string) {
	if m == nil {
		return
	}
	m.retries.WithLabelValues(orUnknown(platform), method, reason).Inc()
}

// JobRan counts n runs of a scheduler job with an outcome (it implements
// scheduler.Observer).
func (m *Metrics) JobRan(job, outcome string, n int) {
	if m == nil || n <= 0 {
		return
	}
	m.jobRuns.WithLabelValues(job, outcome).Add(float64(n))
}

// LeaseHeld sets whether this replica holds lease name (it implements
// scheduler.Observer).
func (m *Metrics) LeaseHeld(name string, held bool) {
	if m == nil {
		return
	}
	v := 0.0
	if held {
		v = 1
	}
	m.leaseHeld.WithLabelValues(name).Set(v)
}

// ImportRan counts a roster import from source (such as "oneroster"): ok
// when err is nil, else failed.
func (m *Metrics) ImportRan(source string, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	m.importRuns.WithLabelValues(source, outcome).Inc()
}

// Platform returns the observer an adapter of platform reports rate limits
// and reconnects to (it implements the adapters' Observer interfaces).
func (m *Metrics) Platform(platform bot.Platform) *PlatformObserver {
	return &PlatformObserver{m: m, platform: string(platform)}
}

// PlatformObserver counts one platform's 429s and reconnects. A nil one,
// or one of a nil *Metrics, records nothing.
type PlatformObserver struct {
	m        *Metrics
	platform string
}

// RateLimited counts one HTTP 429 from the platform's API method.
func (p *PlatformObserver) RateLimited(method string) {
	if p == nil || p.m == nil {
		return
	}
	p.m.rateLimited.WithLabelValues(p.platform, method).Inc()
}

// Reconnected counts a connection to the platform that came back.
func (p *PlatformObserver) Reconnected() {
	if p == nil || p.m == nil {
		return
	}
	p.m.reconnects.WithLabelValues(p.platform).Inc()
}

// OutboxCounter counts outbox items by state, every state present (zero
// when none).
type OutboxCounter func(ctx context.Context) (map[string]int64, error)

// outboxTimeout bounds the database query behind one scrape's outbox counts.
const outboxTimeout = 2 * time.Second

// WatchOutbox registers plpbot_outbox_items, which asks count at every
// scrape (the outbox lives in the database, shared by replicas: every
// replica reports the same figures).
func (m *Metrics) WatchOutbox(count OutboxCounter) {
	if m == nil || count == nil {
		return
	}
	m.reg.MustRegister(&outboxCollector{count: count, desc: prometheus.NewDesc(
		"plpbot_outbox_items",
		"Outbox items by state (pending, sending, sent, failed, skipped), counted in the database at scrape time.",
		[]string{"state"}, nil)})
}

// outboxCollector is plpbot_outbox_items.
type outboxCollector struct {
	count OutboxCounter
	desc  *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector: one gauge per state, or an
// invalid metric that tells the scrape why there is none.
func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), outboxTimeout)
	defer cancel()
	counts, err := c.count(ctx)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("outbox counts: the database did not answer in time")
		}
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), state)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
