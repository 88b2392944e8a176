package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeDiscord speaks the parts of Discord's REST API and gateway the
// adapter uses, over loopback, and records every REST call.
type fakeDiscord struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	calls      []call
	conn       *gatewayConn
	seq        int64
	identifies int
	resumes    int
	blockedDMs map[string]bool // user ids whose DMs answer 50007
	rateLimit  map[string]bool // channel ids that answer 429
	// profiles are the display names GET /users/{id} answers, as Discord
	// knows its users; others are called "user<id>".
	profiles map[string]string
	onCall   func(call)
	sessions chan string // "identify" or "resume", after READY / RESUMED is sent
	// members are the server's members, by user id order; noMembersIntent
	// makes listing and searching them answer 50001, as Discord does when
	// the Server Members intent is off.
	members         []fakeMember
	noMembersIntent bool
}

// fakeMember is a server member as List Guild Members returns it.
type fakeMember struct {
	ID, Username, Nick string
	Bot                bool
	Roles              []string
}

// call is one recorded REST request.
type call struct {
	Method string
	Path   string
	Body   json.RawMessage // the JSON payload (payload_json for multipart)
	Files  []string        // attachment file names
}

// decode unmarshals the call's body into v.
func (c call) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(c.Body, v); err != nil {
		t.Fatalf("%s %s: body %s: %v", c.Method, c.Path, c.Body, err)
	}
}

type gatewayConn struct {
	mu sync.Mutex
	ws *websocket.Conn
	// beat is closed when the client's first heartbeat arrives: its
	// heartbeat goroutine is then idle until the next interval.
	beat     chan struct{}
	beatOnce sync.Once
}

func (g *gatewayConn) heartbeat() {
	g.beatOnce.Do(func() { close(g.beat) })
	_ = g.send(map[string]any{"op": 11})
}

func (g *gatewayConn) send(v any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.ws.WriteJSON(v)
}

func newFakeDiscord(t testing.TB) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{t: t, blockedDMs: map[string]bool{}, rateLimit: map[string]bool{}, sessions: make(chan string, 16),
		profiles: map[string]string{"u1": "Sam", "t1": "Ms Lee"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway", f.gateway)
	mux.HandleFunc("GET /gateway/bot", f.gateway)
	mux.HandleFunc("GET /ws/", f.websocket)
	mux.HandleFunc("PUT /applications/{app}/commands", f.commands)
	mux.HandleFunc("PUT /applications/{app}/guilds/{guild}/commands", f.commands)
	mux.HandleFunc("POST /interactions/{id}/{token}/callback", f.record(http.StatusNoContent, nil))
	mux.HandleFunc("PATCH /webhooks/{app}/{token}/messages/@original", f.record(http.StatusOK, f.message))
	mux.HandleFunc("POST /webhooks/{app}/{token}", f.record(http.StatusOK, f.message))
	mux.HandleFunc("POST /users/@me/channels", f.record(http.StatusOK, f.dmChannel))
	mux.HandleFunc("POST /channels/{id}/messages", f.record(http.StatusOK, f.channelMessage))
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		f.mu.Lock()
		name, ok := f.profiles[id]
		f.mu.Unlock()
		if !ok {
			name = "user" + id
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "username": strings.ToLower(name), "global_name": name})
	})
	mux.HandleFunc("GET /guilds/{guild}/members", f.guildMembers)
	mux.HandleFunc("GET /guilds/{guild}/members/search", f.guildMembers)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("fake discord: unexpected %s %s", r.Method, r.URL.Path)
		writeJSON(w, http.StatusNotFound, map[string]any{"code": 0, "message": "404: Not Found"})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.mu.Lock()
		if f.conn != nil {
			f.conn.ws.Close()
		}
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

// guildMembers answers List Guild Members (limit, after) and Search Guild
// Members (query: a username or nickname prefix).
func (f *fakeDiscord) guildMembers(w http.ResponseWriter, r *http.Request) {
	f.add(call{Method: r.Method, Path: r.URL.Path + "?" + r.URL.RawQuery})
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noMembersIntent {
		writeJSON(w, http.StatusForbidden, map[string]any{"code": 50001, "message": "Missing Access"})
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 1
	}
	out := []map[string]any{}
	for _, m := range f.members {
		switch {
		case strings.HasSuffix(r.URL.Path, "/search"):
			p := strings.ToLower(q.Get("query"))
			if !strings.HasPrefix(strings.ToLower(m.Username), p) && !strings.HasPrefix(strings.ToLower(m.Nick), p) {
				continue
			}
		case m.ID <= q.Get("after"):
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, map[string]any{"nick": m.Nick, "roles": m.Roles,
			"user": map[string]any{"id": m.ID, "username": m.Username, "global_name": m.Username, "bot": m.Bot}})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiURL is the base the adapter's config points at.
func (f *fakeDiscord) apiURL() string { return f.srv.URL }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeDiscord) gateway(w http.ResponseWriter, _ *http.Request) {
	url := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws/"
	writeJSON(w, http.StatusOK, map[string]any{"url": url, "shards": 1})
}

func (f *fakeDiscord) commands(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.add(call{Method: r.Method, Path: r.URL.Path, Body: body})
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 50035, "message": "Invalid Form Body"})
		return
	}
	for i := range cmds {
		cmds[i]["id"] = fmt.Sprint(1000 + i)
		cmds[i]["application_id"] = r.PathValue("app")
	}
	writeJSON(w, http.StatusOK, cmds)
}

// record stores the request and answers with status and answer(request body).
func (f *fakeDiscord) record(status int, answer func(w http.ResponseWriter, r *http.Request, c call) bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := call{Method: r.Method, Path: r.URL.Path}
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt == "multipart/form-data" {
			mr := multipart.NewReader(r.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				data, _ := io.ReadAll(p)
				if p.FormName() == "payload_json" {
					c.Body = data
				} else {
					c.Files = append(c.Files, p.FileName())
				}
			}
		} else {
			c.Body, _ = io.ReadAll(r.Body)
		}
		if answer != nil && !answer(w, r, c) {
			f.add(c)
			return
		}
		f.add(c)
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, map[string]any{"id": fmt.Sprint(time.Now().UnixNano()), "channel_id": "c"})
	}
}

func (f *fakeDiscord) add(c call) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	hook := f.onCall
	f.mu.Unlock()
	if hook != nil {
		hook(c)
	}
}

func (f *fakeDiscord) message(http.ResponseWriter, *http.Request, call) bool { return true }

func (f *fakeDiscord) dmChannel(w http.ResponseWriter, _ *http.Request, c call) bool {
	var body struct {
		RecipientID string `json:"recipient_id"`
	}
	_ = json.Unmarshal(c.Body, &body)
	writeJSON(w, http.StatusOK, map[string]any{"id": "dm-" + body.RecipientID, "type": 1})
	return false
}

func (f *fakeDiscord) channelMessage(w http.ResponseWriter, r *http.Request, _ call) bool {
	ch := r.PathValue("id")
	f.mu.Lock()
	blocked := f.blockedDMs[strings.TrimPrefix(ch, "dm-")]
	limited := f.rateLimit[ch]
	f.mu.Unlock()
	switch {
	case blocked:
		writeJSON(w, http.StatusForbidden, map[string]any{"code": 50007, "message": "Cannot send messages to this user"})
		return false
	case limited:
		w.Header().Set("Retry-After", "2")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "You are being rate limited.", "retry_after": 2.5, "global": false})
		return false
	}
	return true
}

// callsTo returns the recorded calls whose path contains part.
func (f *fakeDiscord) callsTo(method, part string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method == method && strings.Contains(c.Path, part) {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeDiscord) allCalls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// waitCalls waits until at least n calls match, and returns them.
func (f *fakeDiscord) waitCalls(method, part string, n int) []call {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		cs := f.callsTo(method, part)
		if len(cs) >= n {
			return cs
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %d× %s %s; have %d; all calls: %v", n, method, part, len(cs), f.paths())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (f *fakeDiscord) paths() []string {
	var out []string
	for _, c := range f.allCalls() {
		out = append(out, c.Method+" "+c.Path)
	}
	return out
}

// websocket is the gateway: HELLO, then IDENTIFY → READY (+ GUILD_CREATE)
// or RESUME → RESUMED, then heartbeat ACKs until the socket closes.
func (f *fakeDiscord) websocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	gc := &gatewayConn{ws: ws, beat: make(chan struct{})}
	defer ws.Close()
	if err := gc.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}}); err != nil {
		return
	}
	var first struct {
		Op int `json:"op"`
		D  struct {
			Token     string `json:"token"`
			SessionID string `json:"session_id"`
			Intents   int    `json:"intents"`
		} `json:"d"`
	}
	for {
		if err := ws.ReadJSON(&first); err != nil {
			return
		}
		if first.Op == 2 || first.Op == 6 {
			break
		}
		if first.Op == 1 {
			gc.heartbeat()
		}
	}
	f.mu.Lock()
	f.conn = gc
	kind := "identify"
	if first.Op == 6 {
		kind = "resume"
		f.resumes++
	} else {
		f.identifies++
		if first.D.Token != "Bot test-token" {
			f.t.Errorf("identify token = %q", first.D.Token)
		}
		if want := 1<<0 | 1<<12; first.D.Intents != want {
			f.t.Errorf("identify intents = %d, want %d (guilds | direct messages)", first.D.Intents, want)
		}
	}
	f.mu.Unlock()
	if first.Op == 2 {
		f.dispatch("READY", map[string]any{
			"v": 9, "session_id": "session-1",
			"resume_gateway_url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws/",
			"user":               map[string]any{"id": "bot1", "username": "plpbot", "bot": true},
			"guilds":             []any{map[string]any{"id": "g1", "unavailable": true}},
			"application":        map[string]any{"id": "app1"},
		})
		f.dispatch("GUILD_CREATE", map[string]any{"id": "g1", "name": "Lincoln *High*",
			"channels": []any{map[string]any{"id": "c1", "name": "period-3", "type": 0, "guild_id": "g1"}}})
	} else {
		f.dispatch("RESUMED", map[string]any{})
	}
	f.sessions <- kind
	for {
		var m struct {
			Op int `json:"op"`
		}
		if err := ws.ReadJSON(&m); err != nil {
			return
		}
		if m.Op == 1 {
			gc.heartbeat()
		}
	}
}

// dispatch sends an op 0 event on the current gateway connection.
func (f *fakeDiscord) dispatch(event string, data any) {
	f.mu.Lock()
	f.seq++
	seq, gc := f.seq, f.conn
	f.mu.Unlock()
	if gc == nil {
		f.t.Fatalf("dispatch %s: no gateway connection", event)
	}
	if err := gc.send(map[string]any{"op": 0, "t": event, "s": seq, "d": data}); err != nil {
		f.t.Errorf("dispatch %s: %v", event, err)
	}
}

// drop closes the gateway socket without a close frame, as a network cut
// would. It waits for the client's first heartbeat so the cut meets an idle
// heartbeat goroutine, as almost every real cut does: a cut during
// discordgo's heartbeat write makes its reader and heartbeat goroutines
// both reconnect (bwmarrin/discordgo#406).
func (f *fakeDiscord) drop() {
	f.t.Helper()
	f.mu.Lock()
	gc := f.conn
	f.conn = nil
	f.mu.Unlock()
	if gc == nil {
		f.t.Fatal("drop: no gateway connection")
	}
	select {
	case <-gc.beat:
	case <-time.After(5 * time.Second):
		f.t.Fatal("drop: no heartbeat from the client")
	}
	gc.ws.NetConn().Close()
}

// waitSession waits for the adapter to identify or resume.
func (f *fakeDiscord) waitSession(want string) {
	f.t.Helper()
	select {
	case got := <-f.sessions:
		if got != want {
			f.t.Fatalf("gateway session: got %s, want %s", got, want)
		}
	case <-time.After(15 * time.Second):
		f.t.Fatalf("timed out waiting for gateway %s", want)
	}
}
