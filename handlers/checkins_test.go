package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
)

func TestCheckIn(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	e.ok("sam", "step add 1 Finish Beloved")
	e.ok("sam", "checkin 1 20%")
	e.now = e.now.Add(time.Minute)

	msgs, err := e.run("sam", "checkin 1 40% finished <!channel> chapter 3 confidence:4")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Nice — Read three novels is at 40% (was 20%). Next step: Finish Beloved.", "1. Read three novels ▰▰▰▰▱▱▱▱▱▱ 40%")
	m := msgs[0]
	if m.Visibility != bot.Private || m.To != nil {
		t.Errorf("a check-in reply is private to the student")
	}
	if len(m.Buttons) != 1 || m.Buttons[0].Label != "Mark step done" || m.Buttons[0].Command != "step done 1.1" {
		t.Errorf("want a Mark step done button for 1.1, got %+v", m.Buttons)
	}
	cs, err := e.store.CheckIns(context.Background(), e.user("sam").ID, time.Time{}, 0)
	if err != nil || len(cs) != 2 {
		t.Fatalf("want 2 check-ins stored, got %d (%v)", len(cs), err)
	}
	if c := cs[0]; c.Percent != 40 || c.Note != "finished <!channel> chapter 3" || c.Confidence != 4 || c.GoalNumber != 1 {
		t.Errorf("check-in stored wrong: %+v", c)
	}

	tests := []struct {
		line string
		want []string
	}{
		{"checkin 1 40%", []string{"still at 40%"}},
		{"checkin 1 30% confidence:2", []string{"honest update", "30% (was 40%)", "Feeling unsure is normal"}},
		{"checkin 1 100", []string{"is at 100% (was 30%)", "/plp goal done 1"}},
	}
	for _, tt := range tests {
		mustContain(t, e.ok("sam", tt.line), tt.want...)
	}
	msgs, _ = e.run("sam", "checkin 1 100%")
	if b := msgs[0].Buttons; len(b) != 1 || b[0].Command != "goal done 1" {
		t.Errorf("at 100%% want a Mark goal done button, got %+v", b)
	}

	bad := []struct {
		who, line string
		code      bot.Code
		want      string
	}{
		{"sam", "checkin 1 140%", bot.EInvalid, "more than 100%"},
		{"sam", "checkin 1 40% confidence:9", bot.EInvalid, "1 to 5"},
		{"sam", "checkin 5 40%", bot.ENotFound, "You don't have a goal 5"},
		{"sam", "checkin 1", bot.EInvalid, ""},
		{"alex", "checkin 1 40%", bot.ENotFound, "You don't have a goal 1"},
	}
	for _, tt := range bad {
		mustContain(t, e.fails(tt.who, tt.line, tt.code), tt.want)
	}
	// "checkin 1 100%" twice in a minute is one check-in (a double tap or a
	// retry), stored once: 5.
	if cs, _ := e.store.CheckIns(context.Background(), e.user("sam").ID, time.Time{}, 0); len(cs) != 5 {
		t.Errorf("refused check-ins were stored: %d check-ins, want 5", len(cs))
	}
}

func TestCheckInNoSteps(t *testing.T) {
	e := newEnv(t)
	e.ok("sam", "goal add Read three novels")
	msgs, err := e.run("sam", "checkin 1 10%")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Nice — Read three novels is at 10% (was 0%).", "/plp step add 1 TEXT")
	if b := msgs[0].Buttons; len(b) != 1 || b[0].Form == nil || b[0].Form.Fixed["n"] != "1" {
		t.Errorf("want an Add a step button with goal 1 fixed, got %+v", b)
	}
}

func TestReflect(t *testing.T) {
	e := newEnv(t)
	out := e.ok("sam", `reflect I learned outlining helps {"$gt":""} <!everyone>`)
	mustContain(t, out, "Thanks for reflecting", "Your teachers can read your reflections")
	rs, err := e.store.Reflections(context.Background(), e.user("sam").ID, time.Time{}, 0)
	if err != nil || len(rs) != 1 || rs[0].Text != `I learned outlining helps {"$gt":""} <!everyone>` {
		t.Fatalf("reflection stored wrong: %v %+v", err, rs)
	}
	e.fails("sam", "reflect", bot.EInvalid)
}
