package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
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

	mu    sync.Mutex
	calls []call
	// conns are the open gateway sessions, oldest first. Like Discord, the
	// fake sends each event to every session of the shard it belongs to.
	conns      []*gatewayConn
	shardOfSID map[string][2]int // session id → [shard, count], for RESUME
	sessionN   int
	identifies int
	resumes    int
	// mostOnAShard is the most sessions ever open at once on one shard.
	mostOnAShard int
	guilds       []fakeGuild
	// acked holds the interactions already answered: a second callback is
	// refused with 40060, as Discord does, and counted in refused.
	acked      map[string]bool
	refused    int
	blockedDMs map[string]bool // user ids whose DMs answer 50007
	rateLimit  map[string]bool // channel ids that answer 429
	// profiles are the display names GET /users/{id} answers, as Discord
	// knows its users; others are called "user<id>".
	profiles map[string]string
	onCall   func(call)
	// files are the attachments the fake's CDN serves at /attachments/<name>.
	files    map[string][]byte
	sessions chan string // "identify" or "resume", after READY / RESUMED is sent (dropped when full)
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
	Data   [][]byte        // attachment contents, in the order of Files
}

// decode unmarshals the call's body into v.
func (c call) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(c.Body, v); err != nil {
		t.Fatalf("%s %s: body %s: %v", c.Method, c.Path, c.Body, err)
	}
}

// gatewayConn is one client's gateway session: the shard it identified
// for (0 of 1 without sharding) and its own sequence numbers.
type gatewayConn struct {
	mu sync.Mutex
	ws *websocket.Conn
	// beat is closed when the client's first heartbeat arrives: its
	// heartbeat goroutine is then idle until the next interval.
	beat     chan struct{}
	beatOnce sync.Once

	shard, count int
	sessionID    string
	seq          int64
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

// dispatch sends an op 0 event with the connection's next sequence number.
func (g *gatewayConn) dispatch(event string, data any) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	return g.ws.WriteJSON(map[string]any{"op": 0, "t": event, "s": g.seq, "d": data})
}

// shardOf is the shard of count that Discord sends a guild's events to:
// (guild_id >> 22) % count. DMs (no guild) go to shard 0, as do the fake's
// non-numeric guild ids.
func shardOf(guildID string, count int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil || count <= 1 {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// fakeGuild is a server the bot is in.
type fakeGuild struct {
	ID, Name string
	Channels []any
}

func newFakeDiscord(t testing.TB) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{t: t, blockedDMs: map[string]bool{}, rateLimit: map[string]bool{}, sessions: make(chan string, 64),
		profiles: map[string]string{"u1": "Sam", "t1": "Ms Lee"}, shardOfSID: map[string][2]int{}, acked: map[string]bool{}, files: map[string][]byte{},
		guilds: []fakeGuild{{ID: "g1", Name: "Lincoln *High*",
			Channels: []any{map[string]any{"id": "c1", "name": "period-3", "type": 0, "guild_id": "g1"}}}}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway", f.gateway)
	mux.HandleFunc("GET /gateway/bot", f.gateway)
	mux.HandleFunc("GET /ws/", f.websocket)
	mux.HandleFunc("PUT /applications/{app}/commands", f.commands)
	mux.HandleFunc("PUT /applications/{app}/guilds/{guild}/commands", f.commands)
	mux.HandleFunc("POST /interactions/{id}/{token}/callback", f.record(http.StatusNoContent, f.callback))
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
	mux.HandleFunc("GET /attachments/{name}", func(w http.ResponseWriter, r *http.Request) {
		f.add(call{Method: r.Method, Path: r.URL.Path})
		f.mu.Lock()
		data, ok := f.files[r.PathValue("name")]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	})
	mux.HandleFunc("GET /users/@me/guilds", func(w http.ResponseWriter, r *http.Request) {
		f.add(call{Method: r.Method, Path: r.URL.Path})
		f.mu.Lock()
		defer f.mu.Unlock()
		out := []map[string]any{}
		for _, g := range f.guilds {
			out = append(out, map[string]any{"id": g.ID, "name": g.Name})
		}
		writeJSON(w, http.StatusOK, out)
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
		for _, gc := range f.conns {
			gc.ws.Close()
		}
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

// attach serves data as an attachment on the fake's CDN and returns its URL.
func (f *fakeDiscord) attach(name string, data []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[name] = data
	return f.srv.URL + "/attachments/" + name
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
					c.Data = append(c.Data, data)
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

// callback accepts the first response to an interaction and refuses any
// other with 40060, as Discord does.
func (f *fakeDiscord) callback(w http.ResponseWriter, r *http.Request, _ call) bool {
	id := r.PathValue("id")
	f.mu.Lock()
	again := f.acked[id]
	f.acked[id] = true
	if again {
		f.refused++
	}
	f.mu.Unlock()
	if again {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 40060, "message": "Interaction has already been acknowledged."})
		return false
	}
	return true
}

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

// websocket is the gateway: HELLO, then IDENTIFY → READY (+ GUILD_CREATE
// for the shard's guilds) or RESUME → RESUMED, then heartbeat ACKs until the
// socket closes. Any number of clients may be connected at once.
func (f *fakeDiscord) websocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	gc := &gatewayConn{ws: ws, beat: make(chan struct{}), count: 1}
	defer ws.Close()
	if err := gc.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}}); err != nil {
		return
	}
	var first struct {
		Op int `json:"op"`
		D  struct {
			Token     string  `json:"token"`
			SessionID string  `json:"session_id"`
			Intents   int     `json:"intents"`
			Shard     *[2]int `json:"shard"`
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
	kind := f.connect(gc, first.Op == 6, first.D.Token, first.D.SessionID, first.D.Intents, first.D.Shard)
	defer f.disconnect(gc)
	if kind == "identify" {
		var ids []any
		for _, g := range f.guildsOf(gc) {
			ids = append(ids, map[string]any{"id": g.ID, "unavailable": true})
		}
		_ = gc.dispatch("READY", map[string]any{
			"v": 9, "session_id": gc.sessionID, "shard": []int{gc.shard, gc.count},
			"resume_gateway_url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws/",
			"user":               map[string]any{"id": "bot1", "username": "plpbot", "bot": true},
			"guilds":             ids,
			"application":        map[string]any{"id": "app1"},
		})
		for _, g := range f.guildsOf(gc) {
			_ = gc.dispatch("GUILD_CREATE", map[string]any{"id": g.ID, "name": g.Name, "channels": g.Channels})
		}
	} else {
		_ = gc.dispatch("RESUMED", map[string]any{})
	}
	select {
	case f.sessions <- kind:
	default:
	}
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

// connect checks an IDENTIFY or RESUME and adds the session to conns. It
// returns "identify" or "resume".
func (f *fakeDiscord) connect(gc *gatewayConn, resume bool, token, sessionID string, intents int, shard *[2]int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	kind := "identify"
	if resume {
		kind = "resume"
		f.resumes++
		gc.sessionID = sessionID
		if sh, ok := f.shardOfSID[sessionID]; ok {
			gc.shard, gc.count = sh[0], sh[1]
		}
	} else {
		f.identifies++
		if token != "Bot test-token" {
			f.t.Errorf("identify token = %q", token)
		}
		if want := 1<<0 | 1<<12; intents != want {
			f.t.Errorf("identify intents = %d, want %d (guilds | direct messages)", intents, want)
		}
		if shard != nil {
			if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
				f.t.Errorf("identify shard = %v", *shard)
			}
			gc.shard, gc.count = shard[0], shard[1]
		}
		f.sessionN++
		gc.sessionID = "session-" + strconv.Itoa(f.sessionN)
		f.shardOfSID[gc.sessionID] = [2]int{gc.shard, gc.count}
	}
	f.conns = append(f.conns, gc)
	same := 0
	for _, c := range f.conns {
		if c.shard == gc.shard && c.count == gc.count {
			same++
		}
	}
	f.mostOnAShard = max(f.mostOnAShard, same)
	return kind
}

// disconnect forgets a closed session.
func (f *fakeDiscord) disconnect(gc *gatewayConn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = slices.DeleteFunc(f.conns, func(c *gatewayConn) bool { return c == gc })
}

// guildsOf returns the guilds whose events go to gc's shard.
func (f *fakeDiscord) guildsOf(gc *gatewayConn) []fakeGuild {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeGuild
	for _, g := range f.guilds {
		if shardOf(g.ID, gc.count) == gc.shard {
			out = append(out, g)
		}
	}
	return out
}

// dispatch sends an op 0 event to every open session of the shard it
// belongs to (by the guild_id in data; DMs go to shard 0), as Discord does,
// and fails the test if no session gets it. It returns how many did.
func (f *fakeDiscord) dispatch(event string, data any) int {
	f.t.Helper()
	guild := ""
	if m, ok := data.(map[string]any); ok {
		guild, _ = m["guild_id"].(string)
	}
	f.mu.Lock()
	var to []*gatewayConn
	for _, gc := range f.conns {
		if shardOf(guild, gc.count) == gc.shard {
			to = append(to, gc)
		}
	}
	f.mu.Unlock()
	if len(to) == 0 {
		f.t.Fatalf("dispatch %s: no gateway session for guild %q", event, guild)
	}
	for _, gc := range to {
		if err := gc.dispatch(event, data); err != nil {
			f.t.Errorf("dispatch %s: %v", event, err)
		}
	}
	return len(to)
}

// onShard reports how many sessions are open on shard of count.
func (f *fakeDiscord) onShard(shard, count int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, gc := range f.conns {
		if gc.shard == shard && gc.count == count {
			n++
		}
	}
	return n
}

// drop closes the newest gateway socket without a close frame, as a network
// cut would. It waits for the client's first heartbeat so the cut meets an
// idle heartbeat goroutine, as almost every real cut does: a cut during
// discordgo's heartbeat write makes its reader and heartbeat goroutines
// both reconnect (bwmarrin/discordgo#406).
func (f *fakeDiscord) drop() {
	f.t.Helper()
	f.mu.Lock()
	var gc *gatewayConn
	if n := len(f.conns); n > 0 {
		gc = f.conns[n-1]
		f.conns = f.conns[:n-1]
	}
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
