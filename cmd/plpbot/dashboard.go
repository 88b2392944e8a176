package main

import (
	"net/http"
	"strings"

	"github.com/plpbot/plpbot/bot/web"
)

// dashboard is the browser dashboard (bot/web), served under web.Prefix
// on http.addr beside /healthz and /metrics.
type dashboard struct {
	// url is the dashboard's address as people's browsers reach it,
	// ending in web.Prefix; empty when there are no sign-in links to make.
	url string
	web *web.Server
}

// dashboardURL is where /plp dashboard links point, given the address
// http.addr is bound to: http.public_url, or in the console the bound
// loopback address itself. Slack and Discord without http.public_url
// make no links (people's browsers can't reach a server's own address).
func (m *Main) dashboardURL(useConsole bool, bound string) string {
	switch {
	case m.Config.HTTP.PublicURL != "":
		return strings.TrimRight(m.Config.HTTP.PublicURL, "/") + web.Prefix
	case useConsole:
		return "http://" + bound + web.Prefix
	}
	m.Logger.Warn("set http.public_url so /plp dashboard can give people a link to the dashboard")
	return ""
}

// newDashboard builds the dashboard over the handlers, delivering the DMs
// its commands send (feedback) through senders, as the scheduler's go.
// Without an HTTP server there is nothing to build.
func (m *Main) newDashboard(senders senderRouter) error {
	if m.httpLn == nil {
		return nil
	}
	w, err := web.New(m.Handlers, m.Store, web.Options{
		Sender:   senders,
		Secure:   strings.HasPrefix(strings.ToLower(m.Config.HTTP.PublicURL), "https:"),
		Logger:   m.Logger,
		Commands: m.commands(), // counted in /metrics as chat's are
	})
	if err != nil {
		return err
	}
	m.dash.web = w
	return nil
}

// mountDashboard puts the dashboard on mux under /dash/.
func (m *Main) mountDashboard(mux *http.ServeMux) {
	if m.dash.web != nil {
		mux.Handle(web.Prefix, m.dash.web)
	}
}

// DashboardURL is the dashboard's address as people reach it (with the
// port the system chose for ":0"), or "" when there is none.
func (m *Main) DashboardURL() string { return m.dash.url }
