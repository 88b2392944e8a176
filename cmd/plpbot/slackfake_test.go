package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// slackFake is a local Slack over loopback: the Web API methods plpbot
// calls (users.info, conversations.open, chat.postMessage, views.publish …)
// and response_url endpoints (/respond/KEY). Every answer plpbot sends is
// delivered to the inbox of its key, if someone expects it: the
// response_url's KEY, or the DM channel ("D" + user id) of a
// chat.postMessage. Answers nobody expects are dropped, so a long soak keeps
// nothing.
type slackFake struct {
	srv *httptest.Server

	mu      sync.Mutex
	inboxes map[string]chan slackReply
	calls   map[string]int    // by method
	emails  map[string]string // who users.lookupByEmail finds and users.list lists: email → user id
}

// slackReply is one message plpbot sent.
type slackReply struct {
	Method string
	Text   string // the fallback text and every block's text, joined
	At     time.Time
}

func newSlackFake(tb testing.TB) *slackFake {
	tb.Helper()
	f := &slackFake{inboxes: map[string]chan slackReply{}, calls: map[string]int{}, emails: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *slackFake) apiURL() string { return f.srv.URL + "/api/" }

func (f *slackFake) responseURL(key string) string { return f.srv.URL + "/respond/" + key }

// expect opens the inbox of key (keeping one already open) and drops what
// it held: answers from now on are kept for await.
func (f *slackFake) expect(key string) chan slackReply {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, ok := f.inboxes[key]
	if !ok {
		ch = make(chan slackReply, 16)
		f.inboxes[key] = ch
	}
	for {
		select {
		case <-ch:
		default:
			return ch
		}
	}
}

// forget closes the inbox of key: later answers there are dropped.
func (f *slackFake) forget(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.inboxes, key)
}

// count returns how often method was called.
func (f *slackFake) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *slackFake) serve(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	body, _ := io.ReadAll(r.Body)
	method, key := "", ""
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		method = strings.TrimPrefix(r.URL.Path, "/api/")
	case strings.HasPrefix(r.URL.Path, "/respond/"):
		method, key = "response_url", strings.TrimPrefix(r.URL.Path, "/respond/")
	default:
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.calls[method]++
	f.mu.Unlock()
	form, _ := url.ParseQuery(string(body))
	switch method {
	case "response_url":
		f.deliver(key, slackReply{Method: method, Text: string(body), At: now})
		_, _ = io.WriteString(w, "ok")
	case "chat.postMessage":
		ch := form.Get("channel")
		f.deliver(ch, slackReply{Method: method, Text: form.Get("text") + "\n" + form.Get("blocks"), At: now})
		writeSlackJSON(w, map[string]any{"ok": true, "channel": ch, "ts": strconv.FormatInt(now.UnixMicro(), 10)})
	case "users.info":
		id := form.Get("user")
		writeSlackJSON(w, map[string]any{"ok": true, "user": map[string]any{
			"id": id, "team_id": "T1", "name": strings.ToLower(id), "real_name": "Person " + id,
			"tz": "America/New_York", "locale": "en-US",
			"profile": map[string]any{"display_name": "Person " + id, "real_name": "Person " + id},
		}})
	case "users.lookupByEmail":
		f.mu.Lock()
		id, ok := f.emails[form.Get("email")]
		f.mu.Unlock()
		if !ok {
			writeSlackJSON(w, map[string]any{"ok": false, "error": "users_not_found"})
			return
		}
		writeSlackJSON(w, map[string]any{"ok": true, "user": map[string]any{
			"id": id, "team_id": "T1", "name": strings.ToLower(id), "real_name": "Person " + id, "tz": "Europe/Paris",
			"profile": map[string]any{"display_name": "Person " + id, "email": form.Get("email")},
		}})
	case "users.list":
		writeSlackJSON(w, f.usersPage(form.Get("limit"), form.Get("cursor")))
	case "conversations.open":
		writeSlackJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + form.Get("users")}})
	case "files.getUploadURLExternal": // the upload goes to the API's host, as the client allows
		writeSlackJSON(w, map[string]any{"ok": true, "upload_url": f.apiURL() + "upload/F1", "file_id": "F1"})
	case "files.completeUploadExternal":
		writeSlackJSON(w, map[string]any{"ok": true, "files": []map[string]any{{"id": "F1", "title": "chart"}}})
	default:
		writeSlackJSON(w, map[string]any{"ok": true})
	}
}

// usersPage answers users.list: the people of emails, by user id, limit
// (at most 1,000) a page, the cursor the next one's position.
func (f *slackFake) usersPage(limit, cursor string) map[string]any {
	f.mu.Lock()
	ids := make([]string, 0, len(f.emails))
	emailOf := map[string]string{}
	for email, id := range f.emails {
		ids = append(ids, id)
		emailOf[id] = email
	}
	f.mu.Unlock()
	slices.Sort(ids)
	n, err := strconv.Atoi(limit)
	if err != nil || n < 1 || n > 1000 {
		return map[string]any{"ok": false, "error": "invalid_limit"}
	}
	from, _ := strconv.Atoi(cursor)
	to := min(from+n, len(ids))
	var members []map[string]any
	for _, id := range ids[from:to] {
		members = append(members, map[string]any{
			"id": id, "team_id": "T1", "name": strings.ToLower(id), "real_name": "Person " + id, "tz": "Europe/Paris",
			"profile": map[string]any{"display_name": "Person " + id, "email": emailOf[id]},
		})
	}
	next := ""
	if to < len(ids) {
		next = strconv.Itoa(to)
	}
	return map[string]any{"ok": true, "members": members, "response_metadata": map[string]any{"next_cursor": next}}
}

// deliver puts a reply in key's inbox, if it is open and not full.
func (f *slackFake) deliver(key string, r slackReply) {
	f.mu.Lock()
	ch := f.inboxes[key]
	f.mu.Unlock()
	select {
	case ch <- r: // a nil channel (no inbox) is never ready
	default:
	}
}

func writeSlackJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// slackClient posts signed requests to plpbot's Slack endpoints, as Slack
// does.
type slackClient struct {
	base   string // http://HOST:PORT of plpbot's http.addr
	secret string
	hc     *http.Client
	fake   *slackFake
}

// post signs body with the signing secret and posts it to path.
func (c *slackClient) post(path, contentType, body string) error {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(c.secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s", path, resp.Status)
	}
	return nil
}

// command posts "/plp text" as user in channel; its answers go to the
// response_url of key, whose inbox it opens.
func (c *slackClient) command(user, channel, text, key string) error {
	c.fake.expect(key)
	body := url.Values{
		"team_id": {"T1"}, "channel_id": {channel}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {"/plp"}, "text": {text}, "response_url": {c.fake.responseURL(key)},
	}.Encode()
	return c.post("/slack/commands", "application/x-www-form-urlencoded", body)
}

// dm posts a message.im event: user writes text to the bot; the answer goes
// to the DM channel "D" + user, whose inbox it opens (dropping older DMs).
func (c *slackClient) dm(user, eventID, text string) error {
	c.fake.expect("D" + user)
	ev := map[string]any{
		"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": eventID,
		"event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel": "D" + user, "channel_type": "im", "user": user,
			"text": text, "ts": strconv.FormatInt(time.Now().UnixMicro(), 10)},
	}
	b, _ := json.Marshal(ev)
	return c.post("/slack/events", "application/json", string(b))
}

// await waits up to d for the next reply in key's inbox (opened by
// command, dm or expect).
func (f *slackFake) await(key string, d time.Duration) (slackReply, error) {
	f.mu.Lock()
	ch := f.inboxes[key]
	f.mu.Unlock()
	if ch == nil {
		return slackReply{}, fmt.Errorf("nobody expects an answer at %s", key)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-ch:
		return r, nil
	case <-t.C:
		return slackReply{}, fmt.Errorf("no answer at %s within %s", key, d)
	}
}
