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
