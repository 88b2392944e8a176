package discord

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// Observer hears about Discord's rate limits and gateway reconnects, for
// metrics (metrics.PlatformObserver implements it). Config.Observer may be
// nil. Its methods are called from any goroutine and must be quick.
type Observer interface {
	// RateLimited: Discord answered 429 to one REST call of route, such as
	// "channels/:id/messages".
	RateLimited(route string)
	// Reconnected: the gateway session is back (READY or RESUMED) after it
	// was lost.
	Reconnected()
}

// Connected reports whether every gateway session this replica holds is
// up (READY or RESUMED came and no disconnect since); a standby that holds
// no shard is connected. /readyz asks it.
func (a *Adapter) Connected() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, sh := range a.held {
		if !a.up[sh.session] {
			return false
		}
	}
	return true
}

// watchConnection keeps Connected current for gateway session s and counts
// reconnects.
func (a *Adapter) watchConnection(s *discordgo.Session) {
	set := func(up bool) {
		a.mu.Lock()
		if a.up == nil {
			a.up = map[*discordgo.Session]bool{}
		}
		a.up[s] = up
		a.mu.Unlock()
	}
	up := func() {
		set(true)
		if a.wasConnected.Swap(true) && a.obs != nil {
			a.obs.Reconnected()
		}
	}
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) { up() })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { up() })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) { set(false) })
}

// observingTransport tells the Observer about every 429 a REST call gets,
// whether discordgo then waits and retries or returns the error.
type observingTransport struct {
	next http.RoundTripper
	obs  Observer
}

// RoundTrip implements http.RoundTripper.
func (t observingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.obs.RateLimited(route(r.URL.Path))
	}
	return resp, err
}

// observeTransport wraps rt so obs hears of 429s; with no observer it
// returns rt as it is.
func observeTransport(rt http.RoundTripper, obs Observer) http.RoundTripper {
	if obs == nil {
		return rt
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return observingTransport{next: rt, obs: obs}
}

// routeWord is a path part kept as it is in a route; anything else (ids,
// interaction tokens, emoji) becomes ":id", so routes are few and carry no
// secrets.
var routeWord = regexp.MustCompile(`^@?[a-z][a-z-]{0,31}$`)

// route names a REST path for metrics without its ids or tokens:
// /api/v9/channels/123/messages → channels/:id/messages.
func route(path string) string {
	if i := strings.Index(path, "/api/"); i >= 0 {
		path = path[i+len("/api/"):]
		if strings.HasPrefix(path, "v") {
			if j := strings.Index(path, "/"); j >= 0 {
				path = path[j+1:]
			}
		}
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		if !routeWord.MatchString(p) {
			parts[i] = ":id"
		}
	}
	return strings.Join(parts, "/")
}
