package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/plpbot/plpbot/bot/slack"
	"github.com/plpbot/plpbot/bot/web"
)

// dashboard is the browser dashboard (bot/web) and, until plpbot has one
// HTTP server for everything on http.addr, the small server that serves it
// there. Its listener opens before the handlers are built, so the links
// /plp dashboard makes carry the port actually bound (":0" in tests).
type dashboard struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	// url is the dashboard's address as people's browsers reach it,
	// ending in web.Prefix; empty when there are no sign-in links to make.
	url string
	web *web.Server
}

// dashboardShutdownTimeout bounds finishing the page views in flight.
const dashboardShutdownTimeout = 5 * time.Second

// listenDashboard opens http.addr for the dashboard. An empty http.addr
// serves nothing. In the console, an address without a host listens on
// loopback only (it is a tool on someone's own computer) and a port in use
// is a warning; elsewhere it is an error. Slack's HTTP mode has http.addr
// to itself for now.
func (m *Main) listenDashboard(useConsole bool) error {
	cfg := &m.Config
	addr := cfg.HTTP.Addr
	if addr == "" {
		return nil
	}
	if !useConsole && cfg.SlackEnabled() && cfg.Slack.Mode == slack.ModeHTTP {
		m.Logger.Warn("the dashboard is off: Slack's HTTP mode serves http.addr", slog.String("addr", addr))
		return nil
	}
	if useConsole {
		addr = consoleAddr(addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if useConsole {
			m.Logger.Warn("the dashboard is off: http.addr is in use", slog.String("addr", addr), slog.Any("error", err))
			return nil
		}
		return fmt.Errorf("listen on http.addr %s: %w (set http.addr to a free port, or to \"\" for no dashboard)", addr, err)
	}
	m.dash.ln = ln
	switch {
	case cfg.HTTP.PublicURL != "":
		m.dash.url = strings.TrimRight(cfg.HTTP.PublicURL, "/") + web.Prefix
	case useConsole:
		m.dash.url = "http://" + ln.Addr().String() + web.Prefix
	default:
		m.Logger.Warn("set http.public_url so /plp dashboard can give people a link", slog.String("addr", ln.Addr().String()))
	}
	return nil
}

// consoleAddr turns ":8080" into "127.0.0.1:8080"; an address that names
// a host stays as it is.
func consoleAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "" {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

// serveDashboard builds the dashboard over the handlers, delivering the
// DMs its commands send through senders (as the scheduler's go), and
// serves it on the listener listenDashboard opened.
func (m *Main) serveDashboard(senders senderRouter) error {
	if m.dash.ln == nil {
		return nil
	}
	w, err := web.New(m.Handlers, m.Store, web.Options{
		Sender: senders,
		Secure: strings.HasPrefix(strings.ToLower(m.Config.HTTP.PublicURL), "https:"),
		Logger: m.Logger,
	})
	if err != nil {
		return err
	}
	m.dash.web = w
	mux := http.NewServeMux()
	m.mountDashboard(mux)
	m.dash.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.dash.done = make(chan struct{})
	go func() {
		defer close(m.dash.done)
		if err := m.dash.srv.Serve(m.dash.ln); !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("the dashboard's server stopped", slog.Any("error", err))
		}
	}()
	m.Logger.Info("serving the dashboard", slog.String("addr", m.dash.ln.Addr().String()), slog.String("url", m.dash.url))
	return nil
}

// mountDashboard puts the dashboard on mux under /dash/: the one line an
// HTTP server on http.addr needs to serve it.
func (m *Main) mountDashboard(mux *http.ServeMux) {
	if m.dash.web != nil {
		mux.Handle(web.Prefix, m.dash.web)
	}
}

// stopDashboard stops taking page views and waits for those in flight;
// without a server it closes the listener, if one was opened.
func (m *Main) stopDashboard() {
	if m.dash.srv == nil {
		if m.dash.ln != nil {
			_ = m.dash.ln.Close()
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), dashboardShutdownTimeout)
	defer cancel()
	if err := m.dash.srv.Shutdown(ctx); err != nil {
		m.Logger.Warn("dashboard server shutdown", slog.Any("error", err))
	}
	<-m.dash.done
}

// DashboardURL is the dashboard's address as people reach it (with the
// port the system chose for ":0"), or "" when there is none.
func (m *Main) DashboardURL() string { return m.dash.url }
