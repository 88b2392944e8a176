package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// fakeSlack is a local Slack: the Web API methods the adapter calls, a
// response_url endpoint, a file upload endpoint and, when set, a Socket
// Mode WebSocket. It records every call.
type fakeSlack struct {
	srv *httptest.Server

	mu        sync.Mutex
	calls     []apiCall
	limited   map[string]int    // method → how many 429s to answer first
	wait      map[string]string // method → their Retry-After ("1" if unset)
	fail      map[string]string // method → Slack error code to answer
	gone      map[string]string // chat.postMessage channel → Slack error code to answer
	ws        http.HandlerFunc  // Socket Mode WebSocket, if any
	delivered chan apiCall      // every call, for benchmarks; nil unless set
	files     map[string][]byte // shared files served at /files/<name> to the bot token

	// tiers, when set, are the rate limits the fake enforces (see
	// enforceTiers); buckets hold their state by method, or by channel.
	tiers   *slackTiers
	buckets map[string]*bucket
	// members are channels' member ids (conversations.members, two a page
	// so tests page); bots are the bot users among them; emails are who
	// users.lookupByEmail finds.
	members map[string][]string
	bots    map[string]bool
	emails  map[string]string
	// others are the workspace's members users.list shows besides those
	// of emails: by user id, their email, and whether they are a bot, an
	// app or deactivated (users.lookupByEmail finds none of them).
	others map[string]otherUser
	// hideEmails makes users.list answer without profile emails, as Slack
	// does for an app without the users:read.email scope.
	hideEmails bool
}

// otherUser is a member of the workspace users.list shows that
// users.lookupByEmail doesn't find.
type otherUser struct {
	email                 string
	bot, app, deactivated bool
}

// apiCall is one request the fake received. Method is the Web API method,
// or "response_url" or "upload".
type apiCall struct {
	Method string
	Path   string
	Form   url.Values
	JSON   map[string]any
	Status int
	File   []byte    // the bytes sent to an upload URL
	At     time.Time // when the fake received it
}

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{limited: map[string]int{}, wait: map[string]string{}, fail: map[string]string{}, gone: map[string]string{}, buckets: map[string]*bucket{}, files: map[string][]byte{},
		members: map[string][]string{}, bots: map[string]bool{}, emails: map[string]string{}, others: map[string]otherUser{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

func (f *fakeSlack) responseURL(id string) string { return f.srv.URL + "/respond/" + id }

// rateLimit makes the next n calls of method answer 429 with Retry-After: 1.
func (f *fakeSlack) rateLimit(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[method] = n
}

// rateLimitFor makes the next n calls of method answer 429 with
// Retry-After: retryAfter ("" for none, as a workspace-wide cap may).
func (f *fakeSlack) rateLimitFor(method string, n int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[method] = n
	f.wait[method] = retryAfter
}

// failWith makes every call of method answer {"ok":false,"error":code}.
func (f *fakeSlack) failWith(method, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[method] = code
}

// channelGone makes chat.postMessage to channel answer {"ok":false,"error":code},
// as Slack does for a conversation that was closed or archived.
func (f *fakeSlack) channelGone(channel, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gone[channel] = code
}

// slackTiers are Slack's rate limits as the fake enforces them: per method
// (per app, per workspace), and for chat.postMessage per channel plus a
// workspace-wide cap.
type slackTiers struct {
	methods    map[string]bucketSpec
	perChannel bucketSpec // chat.postMessage to one conversation
	// workspace is chat.postMessage's workspace-wide cap. Slack publishes no
	// figure ("several hundred a minute"); its 429 carries no Retry-After.
	workspace bucketSpec
}

// bucketSpec is a token bucket: a sustained rate and the burst it allows.
type bucketSpec struct {
	perMinute float64
	burst     float64
}

// publishedTiers are the limits of Slack's method pages: Tier 2 (20+ a
// minute, sporadic bursts) for users.list, Tier 3 (50+ a minute, sporadic
// bursts) for conversations.open, Tier 4 (100+ a minute, generous bursts)
// for users.info and views.*, and chat.postMessage's one a second per
// channel with short bursts. The workspace cap is taken to be the
// adapter's assumption, DefaultMessagesPerMinute.
func publishedTiers() *slackTiers {
	tier2, tier3, tier4 := bucketSpec{20, 5}, bucketSpec{50, 10}, bucketSpec{100, 20}
	return &slackTiers{
		methods: map[string]bucketSpec{
			"users.list":         tier2,
			"conversations.open": tier3, "users.lookupByEmail": tier3,
			"users.info": tier4, "conversations.members": tier4,
			"views.open": tier4, "views.publish": tier4, "views.update": tier4,
		},
		perChannel: bucketSpec{60, 3},
		workspace:  bucketSpec{DefaultMessagesPerMinute, 10},
	}
}

// scaled returns the tiers with every rate k times faster, so a test can
// show the pacing in seconds rather than minutes.
func (t *slackTiers) scaled(k float64) *slackTiers {
	out := &slackTiers{methods: map[string]bucketSpec{}, perChannel: t.perChannel, workspace: t.workspace}
	for m, s := range t.methods {
		out.methods[m] = bucketSpec{s.perMinute * k, s.burst}
	}
	out.perChannel.perMinute *= k
	out.workspace.perMinute *= k
	return out
}

// enforceTiers makes the fake answer calls over t's limits with HTTP 429,
// as Slack does: Retry-After (whole seconds until a call would pass) for a
// method's or a channel's limit, none for the workspace-wide message cap.
func (f *fakeSlack) enforceTiers(t *slackTiers) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tiers = t
	f.buckets = map[string]*bucket{}
}

// bucket is one token bucket's state.
type bucket struct {
	spec   bucketSpec
	tokens float64
	at     time.Time
}

// refill adds the tokens earned since the last call, up to the burst.
func (b *bucket) refill(now time.Time) {
	if b.at.IsZero() {
		b.tokens = b.spec.burst
	} else {
		b.tokens = min(b.spec.burst, b.tokens+now.Sub(b.at).Minutes()*b.spec.perMinute)
	}
	b.at = now
}

// wait is how long until the bucket has a token (0: it has one now).
func (b *bucket) wait() time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.spec.perMinute * float64(time.Minute))
}

// bucketFor returns the bucket named key, creating it with spec.
func (f *fakeSlack) bucketFor(key string, spec bucketSpec) *bucket {
	b := f.buckets[key]
	if b == nil {
		b = &bucket{spec: spec}
		f.buckets[key] = b
	}
	return b
}

// admit takes a token for c from every bucket that applies, or says how long
// to wait and whether to say so (Retry-After). Callers hold f.mu.
func (f *fakeSlack) admit(c apiCall) (ok bool, wait time.Duration, retryAfter bool) {
	if f.tiers == nil {
		return true, 0, false
	}
	var bs []*bucket
	if spec, limited := f.tiers.methods[c.Method]; limited {
		bs = append(bs, f.bucketFor(c.Method, spec))
	}
	if c.Method == "chat.postMessage" {
		bs = append(bs, f.bucketFor("channel "+dmOf(c.param("channel")), f.tiers.perChannel),
			f.bucketFor("workspace", f.tiers.workspace))
	}
	for i, b := range bs {
		b.refill(c.At)
		if d := b.wait(); d > 0 {
			// The workspace cap is the last bucket: its 429 says no more.
			return false, d, c.Method != "chat.postMessage" || i < len(bs)-1
		}
	}
	for _, b := range bs {
		b.tokens--
	}
	return true, 0, false
}

// dmOf is the conversation a chat.postMessage to channel lands in: a user
// id (U…) stands for the bot's DM with that person, whose id the fake
// makes D + user id (as conversations.open answers).
func dmOf(channel string) string {
	if strings.HasPrefix(channel, "U") {
		return "D" + channel
	}
	return channel
}

// tooMany counts the 429s the fake answered for method ("" for all).
func (f *fakeSlack) tooMany(method string) int {
	n := 0
	for _, c := range f.callsTo(method) {
		if c.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" {
		f.mu.Lock()
		ws := f.ws
		f.mu.Unlock()
		if ws == nil {
			http.NotFound(w, r)
			return
		}
		ws(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/files/") {
		f.serveFile(w, r)
		return
	}
	c := apiCall{Path: r.URL.Path}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		c.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	case strings.HasPrefix(r.URL.Path, "/respond/"):
		c.Method = "response_url"
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		c.Method = "upload"
	default:
		http.NotFound(w, r)
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &c.JSON)
	case "multipart/form-data":
		_ = r.ParseMultipartForm(1 << 20)
		c.Form = r.PostForm
		c.File = uploadedFile(r)
	default:
		_ = r.ParseForm()
		c.Form = r.PostForm
	}

	f.mu.Lock()
	c.At = time.Now() // in order, for the buckets
	status := http.StatusOK
	retryAfter := "1"
	if f.limited[c.Method] > 0 {
		f.limited[c.Method]--
		status = http.StatusTooManyRequests
		if ra, ok := f.wait[c.Method]; ok {
			retryAfter = ra
		}
	} else if ok, wait, say := f.admit(c); !ok {
		status = http.StatusTooManyRequests
		retryAfter = ""
		if say {
			retryAfter = strconv.Itoa(int(math.Ceil(wait.Seconds())))
		}
	}
	failure := f.fail[c.Method]
	if c.Method == "chat.postMessage" && f.gone[c.param("channel")] != "" {
		failure = f.gone[c.param("channel")]
	}
	c.Status = status
	f.calls = append(f.calls, c)
	notify := f.delivered
	f.mu.Unlock()
	if notify != nil {
		notify <- c
	}

	if status == http.StatusTooManyRequests {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		return
	}
	if failure != "" {
		writeJSON(w, map[string]any{"ok": false, "error": failure})
		return
	}
	switch c.Method {
	case "response_url", "upload":
		_, _ = io.WriteString(w, "ok")
	case "users.info":
		writeJSON(w, map[string]any{"ok": true, "user": f.user(c.Form.Get("user"))})
	case "users.lookupByEmail":
		f.mu.Lock()
		id, ok := f.emails[c.Form.Get("email")]
		f.mu.Unlock()
		if !ok {
			writeJSON(w, map[string]any{"ok": false, "error": "users_not_found"})
			return
		}
		writeJSON(w, map[string]any{"ok": true, "user": f.user(id)})
	case "users.list":
		writeJSON(w, f.usersPage(c.Form.Get("limit"), c.Form.Get("cursor")))
	case "conversations.members":
		writeJSON(w, f.membersPage(c.Form.Get("channel"), c.Form.Get("cursor")))
	case "conversations.open":
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + c.Form.Get("users")}})
	case "chat.postMessage":
		writeJSON(w, map[string]any{"ok": true, "channel": dmOf(c.Form.Get("channel")), "ts": "1700000000.000100"})
	case "views.open", "views.publish":
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
	case "files.getUploadURLExternal":
		writeJSON(w, map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/F1", "file_id": "F1"})
	case "files.completeUploadExternal":
		writeJSON(w, map[string]any{"ok": true, "files": []map[string]any{{"id": "F1", "title": "plan"}}})
	case "apps.connections.open":
		writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"})
	default:
		writeJSON(w, map[string]any{"ok": true})
	}
}

// shareFile serves data as a file people shared, and returns its
// url_private_download on the fake's host.
func (f *fakeSlack) shareFile(name string, data []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[name] = data
	return f.srv.URL + "/files/" + name
}

// serveFile answers a download of a shared file, like files.slack.com: only
// with the bot token. Each download is recorded as a "file" call.
func (f *fakeSlack) serveFile(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/files/")
	f.mu.Lock()
	data, ok := f.files[name]
	f.calls = append(f.calls, apiCall{Method: "file", Path: r.URL.Path})
	f.mu.Unlock()
	switch {
	case r.Header.Get("Authorization") != "Bearer xoxb-test":
		http.Error(w, "not signed in", http.StatusForbidden)
	case !ok:
		http.NotFound(w, r)
	default:
		_, _ = w.Write(data)
	}
}

// user is the users.info answer for id: "Sam" by default; roster
// students (US…) have distinct, long names; members of a synced channel
// (UM…) are "Member N".
func (f *fakeSlack) user(id string) map[string]any {
	display := "Sam"
	switch {
	case strings.HasPrefix(id, "US"):
		display = "Student " + id[2:] + " Featherstonehaugh-Montgomery"
	case strings.HasPrefix(id, "UM"):
		display = "Member " + id[2:]
	}
	f.mu.Lock()
	isBot := f.bots[id]
	f.mu.Unlock()
	return map[string]any{
		"id": id, "team_id": "T1", "name": "sam", "real_name": "Sam Lee", "is_bot": isBot,
		"tz": "America/New_York", "locale": "en-US",
		"profile": map[string]any{"display_name": display, "real_name": "Sam Lee", "email": strings.ToLower(id) + "@lincoln.example"},
	}
}

// membersPage answers conversations.members two members at a time, the
// cursor being the index of the next.
func (f *fakeSlack) membersPage(channel, cursor string) map[string]any {
	f.mu.Lock()
	all, ok := f.members[channel]
	f.mu.Unlock()
	if !ok {
		return map[string]any{"ok": false, "error": "channel_not_found"}
	}
	from, _ := strconv.Atoi(cursor)
	to := min(from+2, len(all))
	next := ""
	if to < len(all) {
		next = strconv.Itoa(to)
	}
	return map[string]any{"ok": true, "members": all[from:to], "response_metadata": map[string]any{"next_cursor": next}}
}

// usersPage answers users.list: the workspace's members (those
// users.lookupByEmail finds and the others) in user id order, limit a page
// (Slack takes at most 1,000, and without a limit answers limit_required
// for a workspace too big to list whole), the cursor an opaque position.
func (f *fakeSlack) usersPage(limit, cursor string) map[string]any {
	f.mu.Lock()
	type member struct {
		id string
		otherUser
	}
	var all []member
	for email, id := range f.emails {
		all = append(all, member{id, otherUser{email: email}})
	}
	for id, o := range f.others {
		all = append(all, member{id, o})
	}
	hide := f.hideEmails
	f.mu.Unlock()
	slices.SortFunc(all, func(a, b member) int { return strings.Compare(a.id, b.id) })
	n, err := strconv.Atoi(limit)
	switch {
	case limit == "" && len(all) > 1000:
		return map[string]any{"ok": false, "error": "limit_required"}
	case limit == "":
		n = len(all)
	case err != nil || n < 1 || n > 1000:
		return map[string]any{"ok": false, "error": "invalid_limit"}
	}
	from := 0
	if cursor != "" {
		raw, err := base64.StdEncoding.DecodeString(cursor)
		if from, err = strconv.Atoi(strings.TrimPrefix(string(raw), "user:")); err != nil || !strings.HasPrefix(string(raw), "user:") {
			return map[string]any{"ok": false, "error": "invalid_cursor"}
		}
	}
	to := min(from+n, len(all))
	page := make([]map[string]any, 0, to-from)
	for _, m := range all[from:to] {
		u := f.user(m.id)
		u["is_bot"], u["is_app_user"], u["deleted"] = m.bot || u["is_bot"].(bool), m.app, m.deactivated
		profile := u["profile"].(map[string]any)
		profile["email"] = m.email
		if hide {
			delete(profile, "email")
		}
		page = append(page, u)
	}
	next := ""
	if to < len(all) {
		next = base64.StdEncoding.EncodeToString([]byte("user:" + strconv.Itoa(to)))
	}
	return map[string]any{"ok": true, "members": page, "response_metadata": map[string]any{"next_cursor": next}}
}

// uploadedFile is the content of a multipart request's "file" part.
func uploadedFile(r *http.Request) []byte {
	if r.MultipartForm == nil || len(r.MultipartForm.File["file"]) == 0 {
		return nil
	}
	f, err := r.MultipartForm.File["file"][0].Open()
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// callsTo returns the recorded calls of method ("" for all).
func (f *fakeSlack) callsTo(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitCalls waits until method has been called at least n times (delivered
// by the adapter's background work) and returns those calls.
func (f *fakeSlack) waitCalls(t testing.TB, method string, n int) []apiCall {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		cs := f.callsTo(method)
		if len(cs) >= n {
			return cs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d %s calls, got %d (all calls: %v)", n, method, len(cs), f.methods())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fakeSlack) methods() []string {
	var out []string
	for _, c := range f.callsTo("") {
		out = append(out, c.Method)
	}
	return out
}

// param returns a call's parameter, from the form or the JSON body.
func (c apiCall) param(name string) string {
	if c.Form != nil {
		return c.Form.Get(name)
	}
	switch v := c.JSON[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// blocks returns the Block Kit blocks a call carried: a message's, or a view's.
func (c apiCall) blocks(t testing.TB) []map[string]any {
	t.Helper()
	var raw string
	switch {
	case c.Form != nil:
		raw = c.Form.Get("blocks")
	case c.JSON["view"] != nil:
		b, _ := json.Marshal(c.JSON["view"].(map[string]any)["blocks"])
		raw = string(b)
	default:
		b, _ := json.Marshal(c.JSON["blocks"])
		raw = string(b)
	}
	if raw == "" || raw == "null" {
		return nil
	}
	var out []map[string]any
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("%s blocks are not JSON: %v\n%s", c.Method, err, raw)
	}
	return out
}

// allText is every text a call's blocks carry, joined, for assertions.
func (c apiCall) allText(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if str, ok := y.(string); ok && k == "text" {
					b.WriteString(str)
					b.WriteByte('\n')
					continue
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	for _, bl := range c.blocks(t) {
		walk(bl)
	}
	return b.String()
}

// Test setup.

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// sign computes Slack's v0 request signature.
func sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", timestamp)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// recorder is a scripted handler: it records requests and answers with
// reply (or a short private message).
type recorder struct {
	mu    sync.Mutex
	reqs  []*bot.Request
	reply func(req *bot.Request) ([]bot.Message, error)
}

func (r *recorder) Handle(_ context.Context, req *bot.Request) ([]bot.Message, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	reply := r.reply
	r.mu.Unlock()
	if reply != nil {
		return reply(req)
	}
	return []bot.Message{{Blocks: []bot.Block{bot.Text{Text: "Got it."}}}}, nil
}

func (r *recorder) requests() []*bot.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*bot.Request(nil), r.reqs...)
}

// waitRequests waits until the handler has seen n requests.
func (r *recorder) waitRequests(t testing.TB, n int) []*bot.Request {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if rs := r.requests(); len(rs) >= n {
			return rs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited for %d requests, handler saw %d", n, len(r.requests()))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// testGrammar is a slice of plpbot's command tree, enough for forms.
func testGrammar() *grammar.Grammar {
	return &grammar.Grammar{Commands: []*grammar.Command{
		{Name: "plan", Summary: "See your plan"},
		{Name: "goal", Summary: "Goals", Sub: []*grammar.Command{
			{Name: "add", Summary: "Add a goal", Args: []grammar.Arg{
				{Name: "title", Kind: grammar.ArgText, Description: "What you want to achieve", Required: true, MaxLen: plpbot.MaxTitleLen},
				{Name: "category", Kind: grammar.ArgChoice, Keyed: true, Choices: []string{"academic", "personal", "career"}},
				{Name: "by", Kind: grammar.ArgDate, Keyed: true, Description: "Target date, YYYY-MM-DD"},
			}},
			{Name: "list", Summary: "List your goals"},
		}},
		{Name: "checkin", Summary: "Log progress on a goal", Args: []grammar.Arg{
			{Name: "n", Kind: grammar.ArgNumber, Description: "Goal number", Required: true},
			{Name: "percent", Kind: grammar.ArgPercent, Description: "Progress so far", Required: true},
			{Name: "note", Kind: grammar.ArgText, Description: "A short note"},
		}},
		{Name: "reflect", Summary: "Write a reflection", Args: []grammar.Arg{
			{Name: "text", Kind: grammar.ArgText, Description: "Your reflection", Required: true, MaxLen: plpbot.MaxTextLen},
		}},
		{Name: "student", Summary: "A student's plan", Args: []grammar.Arg{
			{Name: "user", Kind: grammar.ArgUser, Description: "Which student", Required: true},
		}},
	}}
}

// testAdapter is an HTTP-mode adapter on a fake Slack.
type testAdapter struct {
	*Adapter
	fake    *fakeSlack
	handler http.Handler
	rec     *recorder
	logs    *syncBuffer
}

func newTestAdapter(t testing.TB, h bot.Handler) *testAdapter {
	t.Helper()
	fake := newFakeSlack(t)
	rec, _ := h.(*recorder)
	if h == nil {
		rec = &recorder{}
		h = rec
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(Config{
		BotToken: "xoxb-test", SigningSecret: testSecret, Mode: ModeHTTP,
		HTTPAddr: "127.0.0.1:0", APIURL: fake.apiURL(),
	}, testGrammar(), h, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.drain)
	a.limits.scale = testPaceScale
	return &testAdapter{Adapter: a, fake: fake, handler: a.HTTPHandler(), rec: rec, logs: logs}
}

// testPaceScale speeds up the adapter's pacing in tests about other things
// (a 200-student roster is 200 users.info lookups, two minutes at Tier 4);
// the tests of the limits themselves run at Slack's pace.
const testPaceScale = 100

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// postSigned sends body to path, signed now, and returns the response.
func (ta *testAdapter) postSigned(t testing.TB, path, contentType string, body []byte, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sign(testSecret, ts, body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	ta.handler.ServeHTTP(w, req)
	return w
}

// command posts a slash command like Slack does.
func (ta *testAdapter) command(t testing.TB, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	v := url.Values{
		"token": {"legacy"}, "team_id": {"T1"}, "team_domain": {"school"},
		"channel_id": {"C1"}, "channel_name": {"period-3"}, "user_id": {"U1"}, "user_name": {"sam"},
		"command": {"/plp"}, "response_url": {ta.fake.responseURL("cmd1")}, "trigger_id": {""},
	}
	for k, val := range fields {
		v.Set(k, val)
	}
	return ta.postSigned(t, "/slack/commands", "application/x-www-form-urlencoded", []byte(v.Encode()), nil)
}

// event posts an Events API event_callback.
func (ta *testAdapter) event(t testing.TB, eventID string, inner map[string]any, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	})
	return ta.postSigned(t, "/slack/events", "application/json", body, header)
}

// interaction posts an interaction payload.
func (ta *testAdapter) interaction(t testing.TB, payload map[string]any) *httptest.ResponseRecorder {
	t.Helper()
	raw, _ := json.Marshal(payload)
	body := url.Values{"payload": {string(raw)}}.Encode()
	return ta.postSigned(t, "/slack/interactions", "application/x-www-form-urlencoded", []byte(body), nil)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
