package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/slack"
	"github.com/plpbot/plpbot/metrics"
	"github.com/plpbot/plpbot/storage"
)

// Timing of the HTTP server on http.addr.
const (
	// readyPingTimeout bounds /readyz's database ping: a database that
	// doesn't answer in a second is down as far as people are concerned.
	readyPingTimeout = time.Second
	// httpShutdownTimeout bounds finishing the requests in flight on Close.
	httpShutdownTimeout = 5 * time.Second
)

// newMetrics builds the one Prometheus registry of the process (never the
// global default one) with plpbot's collectors, the Go runtime's and the
// process's, and the outbox counted at scrape time.
func (m *Main) newMetrics() *metrics.Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mx := metrics.New(reg, version, m.Logger.With(slog.String("component", "metrics")))
	mx.WatchOutbox(m.outboxCounts)
	return mx
}

// outboxCounts counts the outbox by state for plpbot_outbox_items, every
// state present.
func (m *Main) outboxCounts(ctx context.Context) (map[string]int64, error) {
	counts, err := m.Store.OutboxCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(counts))
	for _, st := range []storage.OutboxStatus{storage.OutboxPending, storage.OutboxSending, storage.OutboxSent, storage.OutboxFailed, storage.OutboxSkipped} {
		out[string(st)] = 0
	}
	for st, n := range counts {
		out[string(st)] = n
	}
	return out, nil
}

// routes are what http.addr serves: /healthz, /readyz, /metrics, and in
// Slack's HTTP mode Slack's endpoints under /slack/.
func (m *Main) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", m.serveReady)
	mux.Handle("GET /metrics", m.Metrics.Handler())
	if m.Slack != nil && m.Config.Slack.Mode == slack.ModeHTTP {
		mux.Handle("/slack/", m.Slack.HTTPHandler())
	}
	return mux
}

// startHTTP listens on http.addr and serves routes in the background. An
// empty http.addr serves nothing (Slack's HTTP mode can't have it empty).
// In the console, an address without a host listens on loopback only (it
// is a tool on someone's own computer), and a port in use is a warning:
// the console works without it. Elsewhere it is an error, as operators
// rely on the endpoints.
func (m *Main) startHTTP(useConsole bool) error {
	addr := m.Config.HTTP.Addr
	if addr == "" {
		return nil
	}
	if useConsole {
		addr = loopbackIfNoHost(addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if useConsole {
			m.Logger.Warn("health and metrics endpoints are off: http.addr is in use", slog.String("addr", addr), slog.Any("error", err))
			return nil
		}
		return fmt.Errorf("listen on http.addr %s: %w (set http.addr to a free port, or to \"\" for no health and metrics endpoints)", addr, err)
	}
	m.http = &http.Server{
		Handler:           m.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	addr = ln.Addr().String()
	m.httpAddr.Store(addr)
	m.httpDone = make(chan struct{})
	go func() {
		defer close(m.httpDone)
		if err := m.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("http server stopped", slog.Any("error", err))
			m.finish(fmt.Errorf("http.addr %s: %w", addr, err))
		}
	}()
	m.Logger.Info("serving /healthz, /readyz and /metrics", slog.String("addr", addr))
	return nil
}

// stopHTTP stops taking requests on http.addr and waits for those in flight.
func (m *Main) stopHTTP() {
	if m.http == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
	defer cancel()
	if err := m.http.Shutdown(ctx); err != nil {
		m.Logger.Warn("http server shutdown", slog.Any("error", err))
	}
	<-m.httpDone
}

// HTTPAddr is the address the HTTP server listens on (with the port the
// system chose for ":0"), or "" when there is none.
func (m *Main) HTTPAddr() string {
	s, _ := m.httpAddr.Load().(string)
	return s
}

// loopbackIfNoHost turns ":8080" into "127.0.0.1:8080"; an address that
// names a host stays as it is.
func loopbackIfNoHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// connector is an adapter that knows whether its platform connection is up
// (Slack, Discord). One without it, the console, is up while it runs.
type connector interface{ Connected() bool }

// shardHolder is a Discord adapter that shares the gateway among replicas
// and says which shards this process holds. Until the adapter implements
// it, /readyz says "unknown".
type shardHolder interface{ Shards() []int }

// readiness is /readyz's answer.
type readiness struct {
	// Ready: the database answers and every configured adapter is connected.
	Ready bool `json:"ready"`
	// Database is "ok" or why not.
	Database string `json:"database"`
	// Adapters maps each configured adapter to "connected" or "disconnected".
	Adapters map[string]string `json:"adapters"`
	// Planner: this replica holds the planner lease. Only one replica does;
	// the others are ready too.
	Planner bool `json:"planner"`
	// Shards are the Discord gateway shards this process holds, or "unknown";
	// absent without Discord.
	Shards any `json:"shards,omitempty"`
	// NotReady lists what isn't, in words.
	NotReady []string `json:"not_ready,omitempty"`
}

// serveReady answers /readyz: 200 when ready, else 503, with a JSON body
// saying what is and isn't.
func (m *Main) serveReady(w http.ResponseWriter, r *http.Request) {
	rep := m.readiness(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !rep.Ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
}

// readiness checks the database (with a short deadline) and each adapter.
// The database's error goes to the log, not to the unauthenticated answer.
func (m *Main) readiness(ctx context.Context) readiness {
	rep := readiness{Database: "ok", Adapters: map[string]string{}}
	ctx, cancel := context.WithTimeout(ctx, readyPingTimeout)
	defer cancel()
	if err := m.Store.Ping(ctx); err != nil {
		rep.Database = "unreachable"
		if errors.Is(err, context.DeadlineExceeded) {
			rep.Database = fmt.Sprintf("unreachable: no answer within %s", readyPingTimeout)
		}
		rep.NotReady = append(rep.NotReady, "database: "+rep.Database)
		m.Logger.Warn("readyz: the database did not answer", slog.Any("error", err))
	}
	for _, a := range m.adapters() {
		state := "connected"
		if c, ok := a.adapter.(connector); ok && !c.Connected() {
			state = "disconnected"
			rep.NotReady = append(rep.NotReady, a.name+": disconnected")
		}
		rep.Adapters[a.name] = state
	}
	if m.Scheduler != nil {
		rep.Planner = m.Scheduler.Planner()
	}
	if m.Discord != nil {
		rep.Shards = "unknown"
		if sh, ok := any(m.Discord).(shardHolder); ok {
			rep.Shards = sh.Shards()
		}
	}
	rep.Ready = len(rep.NotReady) == 0
	return rep
}

// namedAdapter is a running adapter and its name in /readyz.
type namedAdapter struct {
	name    string
	adapter any
}

// adapters lists the adapters this process runs.
func (m *Main) adapters() []namedAdapter {
	var out []namedAdapter
	if m.Console != nil {
		out = append(out, namedAdapter{string(bot.Console), m.Console})
	}
	if m.Slack != nil {
		out = append(out, namedAdapter{string(bot.Slack), m.Slack})
	}
	if m.Discord != nil {
		out = append(out, namedAdapter{string(bot.Discord), m.Discord})
	}
	return out
}
