package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// env is a handlers instance on a fresh database with a settable clock.
type env struct {
	t     *testing.T
	h     *handlers.Handlers
	store *storage.Store
	now   time.Time
}

// newEnv starts handlers on a fresh database. The clock starts on
// Wednesday 2026-11-25 15:00 UTC and moves only when a test moves it.
func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, now: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	e.store = storagetest.New(t, clock)
	e.h = handlers.New(e.store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	return e
}

// id is a console identity for name.
func id(name string) bot.Identity {
	return bot.Identity{Platform: bot.Console, UserID: strings.ToLower(name), Name: name}
}

// run types line (a command without "/plp") as name in a channel.
func (e *env) run(name, line string) ([]bot.Message, error) {
	e.t.Helper()
	return e.h.Handle(context.Background(), &bot.Request{
		Actor: id(name), Text: line, Slash: true,
		Place: bot.Place{Kind: bot.InChannel, Channel: bot.Channel{Platform: bot.Console, ChannelID: "general", Name: "general"}},
	})
}

// dm sends text to the bot as a DM from name.
func (e *env) dm(name, text string) ([]bot.Message, error) {
	e.t.Helper()
	return e.h.Handle(context.Background(), &bot.Request{Actor: id(name), Text: text, Place: bot.Place{Kind: bot.InDM}})
}

// ok runs line as name and fails the test on error; it returns the replies'
// plain text joined.
func (e *env) ok(name, line string) string {
	e.t.Helper()
	msgs, err := e.run(name, line)
	if err != nil {
		e.t.Fatalf("%s: /plp %s: unexpected error: %v", name, line, err)
	}
	return plain(msgs)
}

// fails runs line as name, expects a *bot.UserError with code, and returns
// its rendered text.
func (e *env) fails(name, line string, code bot.Code) string {
	e.t.Helper()
	_, err := e.run(name, line)
	ue, ok := bot.AsUserError(err)
	if !ok {
		e.t.Fatalf("%s: /plp %s: want a user error %s, got %v", name, line, code, err)
	}
	if ue.Code != code {
		e.t.Fatalf("%s: /plp %s: want code %s, got %s (%s)", name, line, code, ue.Code, ue.Message)
	}
	return bot.ErrorMessage(err).PlainText()
}

// plain joins messages' plain text, DMs labelled with their recipient.
func plain(msgs []bot.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		if m.To != nil {
			b.WriteString("[DM to " + m.To.UserID + "] ")
		}
		b.WriteString(m.PlainText())
		b.WriteString("\n")
	}
	return b.String()
}

// mustContain fails unless s contains every want.
func mustContain(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q:\n%s", w, s)
		}
	}
}

// mustNotContain fails if s contains any of bad.
func mustNotContain(t *testing.T, s string, bad ...string) {
	t.Helper()
	for _, w := range bad {
		if strings.Contains(s, w) {
			t.Errorf("output must not contain %q:\n%s", w, s)
		}
	}
}

// setupClass makes "admin" an admin (first console user), "ms-lee" a teacher
// with class "Period 3" holding the given students.
func (e *env) setupClass(students ...string) {
	e.t.Helper()
	e.ok("admin", "plan")
	e.ok("admin", "role @ms-lee teacher")
	e.ok("ms-lee", "class create Period 3")
	if len(students) > 0 {
		line := "class add"
		for _, s := range students {
			e.ok(s, "plan") // the student exists with their own name
			line += " @" + s
		}
		e.ok("ms-lee", line)
	}
}
