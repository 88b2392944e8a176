package slack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Slack limits each Web API method per app and per workspace, in tiers (see
// https://docs.slack.dev/apis/web-api/rate-limits): Tier 2 allows 20+ calls a
// minute and Tier 3 50+, both with sporadic bursts, Tier 4 100+ with
// generous ones, and
// chat.postMessage about one message a second per conversation with short
// bursts, under a workspace-wide cap. Past a limit Slack answers HTTP 429,
// with Retry-After (seconds) for that method. One adapter is one app in one
// workspace, so its limits are per method (and per conversation).
//
// The adapter keeps under these limits before calling, rather than learning
// them from 429s: a fan-out to 300 students then goes at the pace Slack
// allows, without the storm of 429s and retries that would otherwise slow
// it down several times over.

// DefaultMessagesPerMinute is the workspace-wide chat.postMessage rate the
// adapter keeps to unless told otherwise (config key
// slack.messages_per_minute). Slack publishes one message a second per
// channel "plus a workspace-wide limit" of several hundred a minute, but no
// figure; this is its low end.
const DefaultMessagesPerMinute = 300

// Bursts and limits of the adapter's own pacing: a little under Slack's, so
// that calls bunched by the network still arrive within them.
const (
	messageBurst      = 5 // chat.postMessage, workspace-wide
	perChannelBurst   = 2 // chat.postMessage, one conversation
	perChannelPerMin  = 60
	slowDownFactor    = 0.75            // a 429 cuts the method's pace to this share
	slowestShare      = 1.0 / 8         // and never below this share of its tier
	speedUpShare      = 1.0 / 20        // each calm spell wins back this share of the tier
	calmSpell         = 5 * time.Second // no 429 for this long: speed up again
	cutsApart         = time.Second     // 429s closer than this are one slow-down
	maxIdleChannels   = 1024            // conversations tracked before idle ones are dropped
	minRetryAfter     = time.Second     // a 429 without Retry-After waits this long
	methodMessagePost = "chat.postMessage"
)

// tier is a method's published limit as the adapter paces it.
type tier struct {
	perMinute float64
	burst     int
}

// tierOf returns the tier of a method the adapter calls. Methods without
// one here (apps.connections.open, auth.test) are called as they come; a
// 429 still holds them back for as long as Slack says.
func tierOf(method string) (tier, bool) {
	switch method {
	case "users.list": // Tier 2
		return tier{ListPagesPerMinute, 3}, true
	case "conversations.open", "users.lookupByEmail": // Tier 3
		return tier{LookupsPerMinute, 5}, true
	case "users.info", "conversations.members", "views.open", "views.publish", "views.update", "views.push",
		"files.getUploadURLExternal", "files.completeUploadExternal": // Tier 4
		return tier{100, 10}, true
	}
	return tier{}, false
}

// httpDoer is what slack-go needs of an HTTP client.
type httpDoer interface {
	Do(req *http.Request) (*http.Response, error)
}

// limiter is the adapter's Web API client: it paces each method to its
// tier (chat.postMessage also per conversation), holds a method back after
// a 429 for as long as Retry-After says, and slows the method down so that
// several replicas sharing one workspace's limit settle under it: a 429
// cuts the pace by a quarter, each calm spell adds a twentieth of the tier
// back (cut by a share, grow by a step: replicas that both slow down and
// speed up this way drift towards equal shares). It is safe for concurrent
// use.
type limiter struct {
	next       httpDoer
	log        *slog.Logger
	messageCap float64 // chat.postMessage a minute, workspace-wide
	// scale multiplies every rate: 1, except in tests about other things.
	scale float64
	// share is this replica's part of the workspace's limits: 1/N with N
	// replicas sharing them (setShare).
	share float64

	mu       sync.Mutex
	methods  map[string]*methodLimit
	channels map[string]*paced
}

// methodLimit is one method's pace and hold.
type methodLimit struct {
	pace    *paced     // nil: not paced, only held after a 429
	ceiling rate.Limit // the tier's rate, this replica's share of it
	burst   int        // the tier's burst, before sharing
	until   time.Time  // not before: a 429's Retry-After
	changed time.Time  // when the pace last changed
	cut     time.Time  // when a 429 last slowed it down
}

// paced is a token bucket and the time of its latest reservation. A call
// that needs several buckets (a message: its conversation's and the
// workspace's) takes a token from each at one common time, the first at
// which all have one; reservations are made in time order, as rate.Limiter
// expects, so each bucket's account matches when calls really go out.
type paced struct {
	lim *rate.Limiter
	at  time.Time
}

func newPaced(r rate.Limit, burst int) *paced { return &paced{lim: rate.NewLimiter(r, burst)} }

// earliest is the first time at or after t at which p has a token.
func (p *paced) earliest(t time.Time) time.Time {
	if p.at.After(t) {
		t = p.at
	}
	tokens := p.lim.TokensAt(t)
	if tokens >= 1 {
		return t
	}
	return t.Add(time.Duration((1 - tokens) / float64(p.lim.Limit()) * float64(time.Second)))
}

// reserve takes a token at t (not before p's latest reservation).
func (p *paced) reserve(t time.Time) *rate.Reservation {
	p.at = t
	return p.lim.ReserveN(t, 1)
}

// setLimit changes the pace from now (or p's latest reservation) on.
func (p *paced) setLimit(now time.Time, r rate.Limit) {
	if p.at.After(now) {
		now = p.at
	}
	p.lim.SetLimitAt(now, r)
}

// setBurst changes the burst from now (or p's latest reservation) on.
func (p *paced) setBurst(now time.Time, burst int) {
	if p.at.After(now) {
		now = p.at
	}
	p.lim.SetBurstAt(now, burst)
}

func newLimiter(next httpDoer, messagesPerMinute int, log *slog.Logger) *limiter {
	if messagesPerMinute <= 0 {
		messagesPerMinute = DefaultMessagesPerMinute
	}
	return &limiter{next: next, log: log, messageCap: float64(messagesPerMinute), scale: 1, share: 1,
		methods: map[string]*methodLimit{}, channels: map[string]*paced{}}
}

// perMinute is a rate of n calls a minute.
func perMinute(n float64) rate.Limit { return rate.Limit(n / 60) }

// method returns method's limit, creating it. Callers hold l.mu.
func (l *limiter) method(name string) *methodLimit {
	m := l.methods[name]
	if m != nil {
		return m
	}
	m = &methodLimit{}
	if name == methodMessagePost {
		m.ceiling, m.burst = perMinute(l.messageCap*l.scale*l.share), messageBurst
	} else if t, ok := tierOf(name); ok {
		m.ceiling, m.burst = perMinute(t.perMinute*l.scale*l.share), t.burst
	}
	if m.ceiling > 0 {
		m.pace = newPaced(m.ceiling, sharedBurst(m.burst, l.share))
	}
	l.methods[name] = m
	return m
}

// channel returns the pace of posts to one conversation. Callers hold l.mu.
func (l *limiter) channel(id string, now time.Time) *paced {
	c := l.channels[id]
	if c != nil {
		return c
	}
	if len(l.channels) >= maxIdleChannels {
		for k, p := range l.channels {
			if !p.at.After(now) && p.lim.TokensAt(now) >= perChannelBurst {
				delete(l.channels, k)
			}
		}
	}
	c = newPaced(perMinute(perChannelPerMin*l.scale), perChannelBurst)
	l.channels[id] = c
	return c
}

// Do implements httpDoer: it waits for the call's turn, makes it, and learns
// from a 429.
func (l *limiter) Do(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	if method == "" {
		return l.next.Do(req)
	}
	var channel string
	if method == methodMessagePost {
		channel = formValue(req, "channel")
	}
	if err := l.wait(req.Context(), method, channel); err != nil {
		return nil, err
	}
	resp, err := l.next.Do(req)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		l.limited(method, resp.Header.Get("Retry-After"))
	} else {
		l.calm(method)
	}
	return resp, nil
}

// apiMethod is the Web API method a request calls ("" for other requests,
// such as a file's upload URL).
func apiMethod(path string) string {
	i := strings.LastIndex(path, "/api/")
	if i < 0 {
		return ""
	}
	return path[i+len("/api/"):]
}

// formValue reads a form field from a request's body and puts the body
// back, so the request goes out unchanged.
func formValue(req *http.Request, key string) string {
	if req.Body == nil || req.Body == http.NoBody {
		return ""
	}
	if ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return ""
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if err != nil {
		return ""
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return v.Get(key)
}

// rateWaitError says a call would wait longer for its turn than its caller
// allows (withMaxWait); it was not made.
type rateWaitError struct {
	Method string
	After  time.Duration
}

// Error says which method and how long.
func (e *rateWaitError) Error() string {
	return fmt.Sprintf("slack %s: rate limit, next turn in %s", e.Method, e.After.Round(time.Millisecond))
}

type maxWaitKey struct{}

// withMaxWait bounds how long calls made with ctx wait for their turn: a
// longer wait is a *rateWaitError at once, so a scheduled send is put off
// rather than a worker held.
func withMaxWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, maxWaitKey{}, d)
}

// wait blocks until method (to channel, if any) may be called: after any
// hold, at the first time every bucket it needs has a token.
func (l *limiter) wait(ctx context.Context, method, channel string) error {
	now := time.Now()
	l.mu.Lock()
	m := l.method(method)
	var ps []*paced
	if m.pace != nil {
		ps = append(ps, m.pace)
	}
	if channel != "" {
		ps = append(ps, l.channel(channel, now))
	}
	at := now
	if m.until.After(at) {
		at = m.until
	}
	for _, p := range ps {
		at = p.earliest(at) // later than each bucket's earliest: all have one then
	}
	if maxWait, ok := ctx.Value(maxWaitKey{}).(time.Duration); ok && at.Sub(now) > maxWait {
		l.mu.Unlock()
		return &rateWaitError{Method: method, After: at.Sub(now)}
	}
	rs := make([]*rate.Reservation, len(ps))
	d := at.Sub(now)
	for i, p := range ps {
		rs[i] = p.reserve(at)
		d = max(d, rs[i].DelayFrom(now))
	}
	l.mu.Unlock()
	cancel := func() {
		for _, r := range rs {
			r.CancelAt(time.Now())
		}
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		cancel()
		return fmt.Errorf("slack %s: waiting for its rate limit: %w", method, ctx.Err())
	}
}

// limited records a 429: nothing more of method before Retry-After (a
// second when Slack gives none), and a slower pace for a while.
func (l *limiter) limited(method, retryAfter string) {
	wait := minRetryAfter
	if secs, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && time.Duration(secs)*time.Second > wait {
		wait = time.Duration(secs) * time.Second
	}
	now := time.Now()
	l.mu.Lock()
	m := l.method(method)
	if until := now.Add(wait); until.After(m.until) {
		m.until = until
	}
	attrs := []any{slog.String("method", method), slog.Duration("retry_after", wait)}
	if m.pace != nil && now.Sub(m.cut) >= cutsApart {
		pace := max(m.pace.lim.Limit()*slowDownFactor, m.ceiling*slowestShare)
		m.pace.setLimit(now, pace)
		m.changed, m.cut = now, now
		attrs = append(attrs, slog.Float64("now_per_minute", float64(pace)*60))
	}
	l.mu.Unlock()
	l.log.Warn("slack: rate limited", attrs...)
}

// calm wins back pace lost to 429s, a step per calm spell.
func (l *limiter) calm(method string) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.methods[method]
	if m == nil || m.pace == nil || m.pace.lim.Limit() >= m.ceiling || now.Sub(m.changed) < calmSpell {
		return
	}
	m.pace.setLimit(now, min(m.ceiling, m.pace.lim.Limit()+m.ceiling*speedUpShare))
	m.changed = now
}

// sharedBurst is a replica's part of a burst: at least one call.
func sharedBurst(burst int, share float64) int { return max(1, int(float64(burst)*share+0.5)) }

// setShare makes this replica's pace of every workspace-wide limit 1/n of
// it, n being the replicas that share the workspace: each method's ceiling,
// burst and current pace (slowed by 429s or not) change in proportion. A
// conversation's own pace is not shared: replicas post to different people.
// It reports whether the share changed.
func (l *limiter) setShare(n int) bool {
	share := 1 / float64(max(n, 1))
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if share == l.share {
		return false
	}
	ratio := rate.Limit(share / l.share)
	l.share = share
	for _, m := range l.methods {
		if m.pace == nil {
			continue
		}
		m.ceiling *= ratio
		m.pace.setLimit(now, m.pace.lim.Limit()*ratio)
		m.pace.setBurst(now, sharedBurst(m.burst, share))
	}
	return true
}
