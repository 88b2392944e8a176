package discord

import (
	"net/http"
	"strings"

	"golang.org/x/time/rate"
)

// Discord allows a bot about 50 requests a second in all (the global
// limit), on top of each route's bucket; interaction callbacks don't count.
// discordgo keeps to each bucket from Discord's headers and, after a global
// 429, holds every request back; globalLimit keeps under the global limit
// before Discord has to say so, so a fan-out of DMs never earns one (10,000
// invalid requests in ten minutes earn a temporary ban).
//
// In any one second the bucket lets through its burst plus a second's
// worth, 45: under 50 with room for the network's bunching.
const (
	globalPerSecond = 40
	globalBurst     = 5
)

// globalLimit is an http.RoundTripper that paces requests to Discord's
// global limit.
type globalLimit struct {
	lim  *rate.Limiter
	next http.RoundTripper
}

func newGlobalLimit(next http.RoundTripper) *globalLimit {
	if next == nil {
		next = http.DefaultTransport
	}
	return &globalLimit{lim: rate.NewLimiter(globalPerSecond, globalBurst), next: next}
}

// RoundTrip implements http.RoundTripper: it waits for the request's turn
// (or its context), except for interaction callbacks.
func (g *globalLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.Contains(req.URL.Path, "/interactions/") {
		if err := g.lim.Wait(req.Context()); err != nil {
			return nil, err
		}
	}
	return g.next.RoundTrip(req)
}
