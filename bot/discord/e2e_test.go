package discord

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestMain starts one embedded database for the package's end-to-end tests
// and benchmarks.
func TestMain(m *testing.M) { storagetest.Main(m) }

// realHandler is plpbot's own handlers on a fresh embedded database, with
// t1 configured as a Discord admin.
func realHandler(tb testing.TB) *handlers.Handlers {
	tb.Helper()
	h, _ := realHandlerStore(tb)
	return h
}

// realHandlerStore is realHandler and its database.
func realHandlerStore(tb testing.TB) (*handlers.Handlers, *storage.Store) {
	tb.Helper()
	store := storagetest.New(tb, nil)
	return handlers.New(store, handlers.Options{
		Admins:          map[bot.Platform][]string{bot.Discord: {"t1"}},
		DefaultTimeZone: "UTC",
		Logger:          slog.New(slog.DiscardHandler),
	}), store
}

// TestEndToEnd runs a teacher and a student through the real handlers and
// database over the fake Discord: a class, a goal, a check-in, a DM
// reflection, the roster.
func TestEndToEnd(t *testing.T) {
	f, _, logs := startAdapter(t, realHandler(t))
	steps := []struct {
		name, user string
		path       []string
		opts       []map[string]any
		resolved   map[string]any
		want       []string
	}{
		{"teacher creates a class", "t1", []string{"class", "create"}, []map[string]any{opt("name", 3, "Period 3 English")}, nil, []string{"Period 3 English"}},
		{"teacher adds the student", "t1", []string{"class", "add"}, []map[string]any{opt("users", 6, "u1")},
			map[string]any{"users": map[string]any{"u1": map[string]any{"id": "u1", "username": "sam", "global_name": "Sam"}}}, []string{"Sam"}},
		{"student adds a goal", "u1", []string{"goal", "add"}, []map[string]any{opt("title", 3, "Read three novels"), opt("category", 3, "academic"), opt("by", 3, "2027-05-30")}, nil, []string{"Read three novels"}},
		{"student checks in", "u1", []string{"checkin"}, []map[string]any{opt("n", 4, 1), opt("percent", 4, 40), opt("note", 3, "finished chapter 3")}, nil, []string{"40%"}},
		{"teacher reads the roster", "t1", []string{"roster"}, nil, nil, []string{"Roster", "Sam"}},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			id := "e2e" + string(rune('a'+i))
			in := slashInteraction(id, st.user, st.path, st.opts, st.resolved)
			in["member"] = member(st.user, map[string]string{"t1": "Ms Lee", "u1": "Sam"}[st.user])
			f.dispatch("INTERACTION_CREATE", in)
			m, kind := lastCallback(t, f, id)
			text := m.text()
			if kind == 5 { // deferred: the answer is the edit
				e := f.waitCalls("PATCH", "/webhooks/app1/tok-"+id+"/messages/@original", 1)[0]
				var em wireMessage
				e.decode(t, &em)
				text = em.text()
			}
			t.Logf("%s: %q", st.name, text)
			for _, w := range st.want {
				if !strings.Contains(text, w) {
					t.Errorf("reply %q lacks %q", text, w)
				}
			}
			if strings.Contains(text, "Sorry") {
				t.Errorf("internal error: %q\nlogs: %s", text, logs.String())
			}
		})
	}
	t.Run("student DMs a reflection", func(t *testing.T) {
		f.dispatch("MESSAGE_CREATE", dmMessage("m1", "u1", "I learned that outlining first makes essays easier"))
		c := f.waitCalls("POST", "/channels/dm-u1/messages", 1)[0]
		var m wireMessage
		c.decode(t, &m)
		if strings.Contains(m.text(), "Sorry") || m.text() == "" {
			t.Errorf("reply %q", m.text())
		}
	})
}

// e2eSlash runs a slash command as user over the fake Discord and returns
// the text of its answer (the response, or its edit when deferred).
func e2eSlash(t *testing.T, f *fakeDiscord, id, user string, path []string, opts []map[string]any, resolved map[string]any) string {
	t.Helper()
	in := slashInteraction(id, user, path, opts, resolved)
	in["member"] = member(user, map[string]string{"t1": "Ms Lee", "u1": "Sam"}[user])
	f.dispatch("INTERACTION_CREATE", in)
	m, kind := lastCallback(t, f, id)
	if kind != 5 {
		return m.text()
	}
	var em wireMessage
	f.waitCalls("PATCH", "/webhooks/app1/tok-"+id+"/messages/@original", 1)[0].decode(t, &em)
	return em.text()
}

// TestEndToEndCantDMAndMentions: someone the scheduler marked as refusing
// DMs hears, in Discord's words (the adapter's bot.DMAdvisor), how to allow
// them, until a DM from them clears the mark; and suggested commands mention
// people in Discord's syntax (bot.Mentioner).
func TestEndToEndCantDMAndMentions(t *testing.T) {
	h, store := realHandlerStore(t)
	f, a, _ := startAdapter(t, h)
	ctx := context.Background()
	e2eSlash(t, f, "c1", "u1", []string{"goal", "add"}, []map[string]any{opt("title", 3, "Read three novels")}, nil)
	uid := storage.Identity{Platform: string(bot.Discord), Workspace: "g1", PlatformID: "u1"}.UserID()
	if _, err := store.SetCantDM(ctx, uid, "cannot_dm"); err != nil {
		t.Fatal(err)
	}
	if got := e2eSlash(t, f, "c2", "u1", []string{"goal", "list"}, nil, nil); !strings.Contains(got, "missing reminders") || !strings.Contains(got, a.AllowDMsHint()) {
		t.Errorf("a flagged person's reply lacks Discord's note on DMs:\n%s", got)
	}

	f.dispatch("MESSAGE_CREATE", dmMessage("m1", "u1", "hi"))
	var m wireMessage
	f.waitCalls("POST", "/channels/dm-u1/messages", 1)[0].decode(t, &m)
	if !strings.Contains(m.text(), "reminders are back on") {
		t.Errorf("the answer to a DM %q doesn't say reminders are back", m.text())
	}
	if u, err := store.User(ctx, uid); err != nil || u.CantDM != "" {
		t.Fatalf("after a DM the mark is %q, %v; want it cleared", u.CantDM, err)
	}
	if got := e2eSlash(t, f, "c3", "u1", []string{"goal", "list"}, nil, nil); strings.Contains(got, "missing reminders") {
		t.Errorf("the note outlived the mark:\n%s", got)
	}

	got := e2eSlash(t, f, "c4", "t1", []string{"student"}, []map[string]any{opt("user", 6, "u1")},
		map[string]any{"users": map[string]any{"u1": map[string]any{"id": "u1", "username": "sam", "global_name": "Sam"}}})
	if !strings.Contains(got, "/plp feedback <@u1> N your note") {
		t.Errorf("/plp student suggests no Discord mention:\n%s", got)
	}
}
