package slack

import (
	"net/http"
	"strings"
)

// Observer hears about Slack's rate limits and Socket Mode reconnects, for
// metrics (metrics.PlatformObserver implements it). Config.Observer may be
// nil. Its methods are called from any goroutine and must be quick.
type Observer interface {
	// RateLimited: Slack answered 429 to one call of method, such as
	// "chat.postMessage" or "response_url".
	RateLimited(method string)
	// Reconnected: the Socket Mode connection came back after it was lost.
	Reconnected()
}

// Connected reports whether the adapter is serving: its Socket Mode
// connection is up, or in HTTP mode, Run is serving the endpoints. /readyz
// asks it.
func (a *Adapter) Connected() bool { return a.connected.Load() }

// observingTransport tells the Observer about every 429 an HTTP call to
// Slack gets, whichever code made the call and however it retries.
type observingTransport struct {
	next http.RoundTripper
	obs  Observer
}

// RoundTrip implements http.RoundTripper.
func (t observingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.obs.RateLimited(apiMethod(r.URL.Path))
	}
	return resp, err
}

// apiMethod names a call for metrics by its Web API method (the path's last
// part after /api/, such as "conversations.open"); any other URL the bot
// posts to is a response_url, except file uploads (files.uploadV2's upload
// step goes to a one-off URL).
func apiMethod(path string) string {
	if i := strings.LastIndex(path, "/api/"); i >= 0 {
		if m := path[i+len("/api/"):]; m != "" && !strings.Contains(m, "/") {
			return m
		}
	}
	if strings.Contains(path, "upload") {
		return "files.upload"
	}
	return "response_url"
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
