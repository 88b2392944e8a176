package scheduler_test

import (
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/scheduler"
)

// TestSnoozeMovesThePromptOnly: "Snooze" on a reflection prompt puts off
// that prompt and nothing else. The student is not marked away (so their
// streak doesn't freeze), the reply says when the prompt comes back (the
// scheduler's one follow-up, which keeps to quiet hours and weekends),
// pressing twice changes nothing more, and it comes back exactly once.
func TestSnoozeMovesThePromptOnly(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	ana := e.user("Ana", "America/New_York", plpbot.RoleStudent)
	e.class("English", teacher, "America/New_York", "", "", ana) // prompts on Fridays at 14:00

	e.advanceTo(at(3, 6, 14, 30))
	prompts := e.fake.DMs("Reflection time")
	if len(prompts) != 1 {
		t.Fatalf("prompts = %d, want 1", len(prompts))
	}
	var snooze *bot.Button
	for i, b := range prompts[0].Msg.Buttons {
		if strings.HasPrefix(b.Label, "Snooze") {
			snooze = &prompts[0].Msg.Buttons[i]
		}
	}
	if snooze == nil {
		t.Fatalf("the prompt has no Snooze button: %v", labels(prompts[0].Msg.Buttons))
	}
	press := func() string {
		t.Helper()
		msgs, err := e.composer.Handle(e.ctx, &bot.Request{
			Actor: bot.Identity{Platform: bot.Console, UserID: "ana"},
			Text:  snooze.Command, Slash: true, Place: bot.Place{Kind: bot.InDM},
		})
		if err != nil {
			t.Fatalf("pressing %q (%q): %v", snooze.Label, snooze.Command, err)
		}
		var b strings.Builder
		for _, m := range msgs {
			if m.To != nil {
				t.Errorf("snooze DMs someone: %+v", m)
			}
			b.WriteString(m.PlainText())
		}
		return b.String()
	}

	// Friday afternoon: tomorrow is Saturday, so it comes back on Monday
	// morning, when quiet hours end; twice pressed, the same answer.
	for i := range 2 {
		if got := press(); !strings.Contains(got, "Mon 9 Mar 2026, 07:00 EDT") {
			t.Errorf("press %d: the reply doesn't say when the prompt comes back:\n%s", i+1, got)
		}
	}
	u, err := e.store.User(e.ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !u.AwayUntil.IsZero() {
		t.Errorf("snooze marked ana away until %s: her streak would freeze", u.AwayUntil)
	}

	// It comes back once, when the reply said, and the prompt is still open.
	e.advanceTo(at(3, 11, 12, 0))
	back := e.fake.DMs("Still there")
	if len(back) != 1 || !back[0].At.Equal(at(3, 9, 7, 0)) {
		t.Fatalf("after the snooze: %d reminders (%+v), want one on Mon 07:00", len(back), back)
	}
	if n := len(e.fake.DMs("Reflection time")); n != 1 {
		t.Errorf("prompts = %d, want still the one", n)
	}
	if _, err := e.store.OpenPrompt(e.ctx, ana.ID, e.clock.Now()); err != nil {
		t.Errorf("the snoozed prompt is no longer open: %v", err)
	}

	// Once it has come back, another press promises nothing more.
	if got := press(); !strings.Contains(got, "won't remind you again") {
		t.Errorf("pressed after the reminder came:\n%s", got)
	}
	e.advanceTo(at(3, 12, 12, 0))
	if n := len(e.fake.DMs("Still there")); n != 1 {
		t.Errorf("reminders = %d after a late press, want still 1", n)
	}
}
