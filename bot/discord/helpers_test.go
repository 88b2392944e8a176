package discord

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/handlers"
)

// testGrammar is the real command tree.
func testGrammar() *grammar.Grammar { return handlers.Grammar() }

// scripted is a handler whose replies the test decides; it records requests.
type scripted struct {
	mu    sync.Mutex
	reqs  []*bot.Request
	reply func(*bot.Request) ([]bot.Message, error)
}

func (s *scripted) Handle(_ context.Context, req *bot.Request) ([]bot.Message, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	fn := s.reply
	s.mu.Unlock()
	if fn == nil {
		return []bot.Message{{Visibility: bot.Private, Blocks: []bot.Block{bot.Text{Text: "ok"}}}}, nil
	}
	return fn(req)
}

func (s *scripted) set(fn func(*bot.Request) ([]bot.Message, error)) {
	s.mu.Lock()
	s.reply = fn
	s.mu.Unlock()
}

func (s *scripted) requests() []*bot.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*bot.Request(nil), s.reqs...)
}

// logSink collects log lines for assertions.
type logSink struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newTestAdapter builds an adapter against f without starting it.
func newTestAdapter(t testing.TB, f *fakeDiscord, h bot.Handler, guildID string) (*Adapter, *logSink) {
	t.Helper()
	logs := &logSink{}
	cfg := Config{Token: "test-token", AppID: "app1", GuildID: guildID, APIURL: f.apiURL()}
	a, err := New(cfg, testGrammar(), h, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a, logs
}

// startAdapter runs an adapter against a fresh fake until the test ends,
// then checks every message it sent against Discord's limits.
func startAdapter(t testing.TB, h bot.Handler) (*fakeDiscord, *Adapter, *logSink) {
	t.Helper()
	f := newFakeDiscord(t)
	a, logs := newTestAdapter(t, f, h, "g1")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	f.waitSession("identify")
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: %v", err)
		}
		checkOutgoing(t, f.allCalls())
	})
	return f, a, logs
}

// wireMessage is an outgoing message as Discord receives it.
type wireMessage struct {
	Content         string      `json:"content"`
	Embeds          []wireEmbed `json:"embeds"`
	Components      []wireRow   `json:"components"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
	Flags    int    `json:"flags"`
	CustomID string `json:"custom_id"`
	Title    string `json:"title"`
}

type wireEmbed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Color       int    `json:"color"`
	Fields      []struct {
		Name   string `json:"name"`
		Value  string `json:"value"`
		Inline bool   `json:"inline"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
}

type wireRow struct {
	Type       int `json:"type"`
	Components []struct {
		Type      int    `json:"type"`
		CustomID  string `json:"custom_id"`
		Label     string `json:"label"`
		Style     int    `json:"style"`
		Required  bool   `json:"required"`
		MaxLength int    `json:"max_length"`
		Value     string `json:"value"`
	} `json:"components"`
}

// text returns everything a person reads in the message.
func (m wireMessage) text() string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		b.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			b.WriteString("\n" + f.Name + "\n" + f.Value)
		}
		if e.Footer != nil {
			b.WriteString("\n" + e.Footer.Text)
		}
	}
	return b.String()
}

// callback is an interaction response as sent to /callback.
type callback struct {
	Type int         `json:"type"`
	Data wireMessage `json:"data"`
}

// outgoing decodes a call that carries a message (or a modal); ok is false
// for other calls.
func outgoing(t testing.TB, c call) (m wireMessage, kind int, ok bool) {
	t.Helper()
	switch {
	case strings.HasSuffix(c.Path, "/callback"):
		var cb callback
		c.decode(t, &cb)
		return cb.Data, cb.Type, true
	case strings.HasPrefix(c.Path, "/webhooks/"), strings.HasPrefix(c.Path, "/channels/") && strings.HasSuffix(c.Path, "/messages"):
		c.decode(t, &m)
		return m, 0, true
	}
	return m, 0, false
}

// checkOutgoing asserts every message the adapter sent is within Discord's
// limits and forbids all mentions.
func checkOutgoing(t testing.TB, calls []call) {
	t.Helper()
	for _, c := range calls {
		m, kind, ok := outgoing(t, c)
		if !ok {
			continue
		}
		where := c.Method + " " + c.Path
		if kind == 9 {
			checkModal(t, where, m)
			continue
		}
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Errorf("%s: allowed_mentions must be {parse: []}, body %s", where, c.Body)
		}
		if kind == 5 {
			continue
		}
		if textLen(m.Content) > MaxContentLen {
			t.Errorf("%s: content has %d characters", where, textLen(m.Content))
		}
		if m.Content == "" && len(m.Embeds) == 0 && len(c.Files) == 0 && len(m.Components) == 0 && c.Method != "PATCH" {
			t.Errorf("%s: empty message", where)
		}
		if len(m.Embeds) > MaxEmbeds {
			t.Errorf("%s: %d embeds", where, len(m.Embeds))
		}
		total := 0
		for _, e := range m.Embeds {
			total += textLen(e.Title) + textLen(e.Description)
			if textLen(e.Title) > MaxTitleLen || textLen(e.Description) > MaxDescriptionLen || len(e.Fields) > MaxFields {
				t.Errorf("%s: embed over limits: title %d, description %d, fields %d", where, textLen(e.Title), textLen(e.Description), len(e.Fields))
			}
			if e.Title == "" && e.Description == "" && len(e.Fields) == 0 {
				t.Errorf("%s: empty embed", where)
			}
			for _, f := range e.Fields {
				total += textLen(f.Name) + textLen(f.Value)
				if textLen(f.Name) > MaxFieldNameLen || textLen(f.Value) > MaxFieldValueLen || f.Name == "" || f.Value == "" {
					t.Errorf("%s: field over limits or empty: name %d, value %d", where, textLen(f.Name), textLen(f.Value))
				}
			}
			if e.Footer != nil {
				total += textLen(e.Footer.Text)
				if textLen(e.Footer.Text) > MaxFooterLen {
					t.Errorf("%s: footer has %d characters", where, textLen(e.Footer.Text))
				}
			}
		}
		if total > MaxEmbedTotal {
			t.Errorf("%s: embeds hold %d characters in all", where, total)
		}
		if len(m.Components) > MaxActionRows {
			t.Errorf("%s: %d action rows", where, len(m.Components))
		}
		ids := map[string]bool{}
		for _, r := range m.Components {
			if r.Type != 1 || len(r.Components) == 0 || len(r.Components) > MaxRowButtons {
				t.Errorf("%s: bad action row %+v", where, r)
			}
			for _, b := range r.Components {
				if b.Type != 2 || b.CustomID == "" || textLen(b.CustomID) > MaxCustomIDLen || textLen(b.Label) > MaxButtonLabelLen || ids[b.CustomID] {
					t.Errorf("%s: bad button %+v", where, b)
				}
				ids[b.CustomID] = true
			}
		}
	}
}

func checkModal(t testing.TB, where string, m wireMessage) {
	t.Helper()
	if m.Title == "" || textLen(m.Title) > 45 {
		t.Errorf("%s: modal title %q", where, m.Title)
	}
	if m.CustomID == "" || textLen(m.CustomID) > MaxCustomIDLen {
		t.Errorf("%s: modal custom_id %q", where, m.CustomID)
	}
	if len(m.Components) == 0 || len(m.Components) > 5 {
		t.Errorf("%s: modal has %d rows", where, len(m.Components))
	}
	for _, r := range m.Components {
		if len(r.Components) != 1 || r.Components[0].Type != 4 {
			t.Errorf("%s: modal row must hold one text input: %+v", where, r)
			continue
		}
		in := r.Components[0]
		if in.CustomID == "" || in.Label == "" || textLen(in.Label) > 45 || in.MaxLength > 4000 {
			t.Errorf("%s: bad text input %+v", where, in)
		}
	}
}

// Interaction payloads, as the gateway sends them.

func member(userID, name string) map[string]any {
	return map[string]any{"user": map[string]any{"id": userID, "username": strings.ToLower(name), "global_name": name}, "roles": []string{}}
}

// commandOptions nests leaf options under the subcommand path.
func commandOptions(path []string, leaf []map[string]any) []map[string]any {
	if len(path) == 1 {
		return []map[string]any{{"name": path[0], "type": 1, "options": leaf}}
	}
	return []map[string]any{{"name": path[0], "type": 2, "options": []map[string]any{{"name": path[1], "type": 1, "options": leaf}}}}
}

func opt(name string, typ int, value any) map[string]any {
	return map[string]any{"name": name, "type": typ, "value": value}
}

// slashInteraction is a /plp interaction by user in guild g1 (or a DM if guild is "").
func slashInteraction(id, userID string, path []string, leaf []map[string]any, resolved map[string]any) map[string]any {
	data := map[string]any{"id": "cmd1", "name": RootCommand, "type": 1, "options": commandOptions(path, leaf)}
	if resolved != nil {
		data["resolved"] = resolved
	}
	return map[string]any{
		"id": id, "application_id": "app1", "type": 2, "token": "tok-" + id, "version": 1,
		"guild_id": "g1", "channel_id": "c1", "member": member(userID, "Sam"), "locale": "en-US", "data": data,
	}
}

func buttonInteraction(id, userID, customID string) map[string]any {
	return map[string]any{
		"id": id, "application_id": "app1", "type": 3, "token": "tok-" + id, "version": 1,
		"guild_id": "g1", "channel_id": "c1", "member": member(userID, "Sam"),
		"message": map[string]any{"id": "m1", "channel_id": "c1"},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
	}
}

func modalInteraction(id, userID, customID string, values map[string]string) map[string]any {
	var rows []any
	for k, v := range values {
		rows = append(rows, map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": k, "value": v}}})
	}
	return map[string]any{
		"id": id, "application_id": "app1", "type": 5, "token": "tok-" + id, "version": 1,
		"guild_id": "g1", "channel_id": "c1", "member": member(userID, "Sam"),
		"data": map[string]any{"custom_id": customID, "components": rows},
	}
}

func dmMessage(id, userID, text string) map[string]any {
	return map[string]any{
		"id": id, "channel_id": "dm-" + userID, "content": text, "type": 0,
		"author": map[string]any{"id": userID, "username": "sam", "global_name": "Sam"},
	}
}

// lastCallback waits for the callback of interaction id and decodes it.
func lastCallback(t testing.TB, f *fakeDiscord, id string) (wireMessage, int) {
	t.Helper()
	cs := f.waitCalls("POST", "/interactions/"+id+"/", 1)
	var cb callback
	cs[len(cs)-1].decode(t, &cb)
	return cb.Data, cb.Type
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
