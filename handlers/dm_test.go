package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

func TestDMReflection(t *testing.T) {
	e := newEnv(t)
	e.ok("sam", "plan")
	ctx := context.Background()
	samID := e.user("sam").ID
	if err := e.store.SavePrompt(ctx, storage.Prompt{ID: "reflect|2026-W48|" + samID, UserID: samID,
		Text: "What did you learn this week?", SentAt: e.now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}

	msgs, err := e.dm("sam", "I learned that <!channel> outlining first makes essays easier")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Thanks — I saved that as your answer to What did you learn this week?", "/plp checkin")
	rs, _ := e.store.Reflections(ctx, samID, time.Time{}, 0)
	if len(rs) != 1 || rs[0].Prompt != "What did you learn this week?" || rs[0].Text != "I learned that <!channel> outlining first makes essays easier" {
		t.Fatalf("reflection stored wrong: %+v", rs)
	}
	if _, err := e.store.OpenPrompt(ctx, samID, e.now); err == nil {
		t.Error("the prompt is still open after its answer")
	}
	// With no open prompt a DM is a plain reflection.
	mustContain(t, plainDM(t, e, "sam", "Next I want to try a harder book"), "Thanks for reflecting")

	bad := []struct {
		name, text, want string
	}{
		{"empty", "   ", "Send me a few words"},
		{"oversize", strings.Repeat("a", plpbot.MaxTextLen+1), "2001 characters"},
		{"control character", "hello\x07there", "hidden character"},
		{"markup marker", "hi \uE000there", "hidden character"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.dm("sam", tt.text)
			ue, ok := bot.AsUserError(err)
			if !ok || ue.Code != bot.EInvalid {
				t.Fatalf("want an invalid-input error, got %v", err)
			}
			mustContain(t, bot.ErrorMessage(err).PlainText(), tt.want)
		})
	}
	if rs, _ := e.store.Reflections(ctx, samID, time.Time{}, 0); len(rs) != 2 {
		t.Errorf("refused DMs were stored: %d reflections", len(rs))
	}
	// A DM that starts with a command word is a command, not a reflection.
	mustContain(t, plainDM(t, e, "sam", "goal add Run a 5k"), "Goal 1 added")
	mustContain(t, plainDM(t, e, "sam", "/plp plan"), "Your plan, sam")
	if rs, _ := e.store.Reflections(ctx, samID, time.Time{}, 0); len(rs) != 2 {
		t.Errorf("commands in DMs were stored as reflections")
	}
}

func plainDM(t *testing.T, e *env, who, text string) string {
	t.Helper()
	msgs, err := e.dm(who, text)
	if err != nil {
		t.Fatalf("DM %q: %v", text, err)
	}
	return plain(msgs)
}

// TestWhatADMMeans: a DM that parses as a command runs as one (with or
// without "/plp" or "plp"); greetings and questions get help and the next
// step; an ambiguous DM asks with buttons instead of guessing; nothing a
// student wrote is lost.
func TestWhatADMMeans(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	ctx := context.Background()
	samID := e.user("sam").ID
	reflections := func() int {
		rs, err := e.store.Reflections(ctx, samID, time.Time{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}

	for _, text := range []string{"plp checkin 1 55%", "PLP checkin 1 56%", "/checkin 1 57%", "checkin 1 58%"} {
		mustContain(t, plainDM(t, e, "sam", text), "Read three novels")
	}
	if g, err := e.store.Goal(ctx, samID, 1); err != nil || g.Progress != 58 {
		t.Errorf("goal after DM check-ins = %+v, %v; want 58%%", g, err)
	}
	if n := reflections(); n != 0 {
		t.Errorf("command DMs were stored as %d reflections", n)
	}

	help := plainDM(t, e, "sam", "help me")
	mustContain(t, help, "/plp checkin")
	mustNotContain(t, help, "I don't know")
	mustContain(t, plainDM(t, e, "sam", "what can you do?"), "/plp checkin")

	msgs, err := e.dm("newkid", "hi")
	if err != nil {
		t.Fatalf("hi from a newcomer: %v", err)
	}
	mustContain(t, plain(msgs), "Welcome", "/plp goal add")
	if rs, _ := e.store.Reflections(ctx, e.user("newkid").ID, time.Time{}, 0); len(rs) != 0 {
		t.Errorf("a greeting was stored as a reflection: %+v", rs)
	}
	if n := reflections(); n != 0 {
		t.Errorf("greetings were stored: %d reflections", n)
	}

	// "plan to …" starts like a command but reads as a sentence: ask.
	msgs, err = e.dm("sam", "plan to study more every night")
	if err != nil {
		t.Fatalf("ambiguous DM: %v", err)
	}
	var keep, run string
	for _, m := range msgs {
		for _, b := range m.Buttons {
			switch {
			case strings.Contains(b.Label, "reflection"):
				keep = b.Command
			case strings.Contains(b.Label, "plan"):
				run = b.Command
			}
		}
	}
	if keep == "" || run == "" {
		t.Fatalf("ambiguous DM answered without both buttons: %+v", msgs)
	}
	if n := reflections(); n != 0 {
		t.Fatalf("the ambiguous DM was stored before the student chose")
	}
	mustContain(t, e.ok("sam", keep), "saved")
	rs, _ := e.store.Reflections(ctx, samID, time.Time{}, 0)
	if len(rs) != 1 || rs[0].Text != "plan to study more every night" {
		t.Errorf("kept reflection = %+v, want exactly what sam wrote", rs)
	}
	e.fails("sam", keep, bot.ENotFound) // kept once
}
