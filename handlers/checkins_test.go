package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
)

func TestWeeklyStreak(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 25 Nov 2026, 15:00 UTC; weeks start on Mondays.
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	weeksAgo := func(n int) time.Time { return now.AddDate(0, 0, -7*n) }
	away := func(from, until time.Time) plpbot.AwayPeriod { return plpbot.AwayPeriod{From: from, Until: until} }
	tests := []struct {
		name     string
		loc      *time.Location
		checkIns []time.Time
		away     []plpbot.AwayPeriod
		want     int
	}{
		{"none", time.UTC, nil, nil, 0},
		{"this week only", time.UTC, []time.Time{now}, nil, 1},
		{"last week only: this week isn't over", time.UTC, []time.Time{weeksAgo(1)}, nil, 1},
		{"three weeks running", time.UTC, []time.Time{now, weeksAgo(1), weeksAgo(2)}, nil, 3},
		{"several a week count once", time.UTC, []time.Time{now, now.Add(-time.Hour), weeksAgo(1), weeksAgo(1).Add(time.Hour)}, nil, 2},
		{"a gap breaks it", time.UTC, []time.Time{now, weeksAgo(1), weeksAgo(3), weeksAgo(4)}, nil, 2},
		{"two weeks ago only", time.UTC, []time.Time{weeksAgo(2)}, nil, 0},
		{"an away week freezes the gap", time.UTC, []time.Time{now, weeksAgo(1), weeksAgo(3)},
			[]plpbot.AwayPeriod{away(weeksAgo(2), weeksAgo(2).Add(48*time.Hour))}, 3},
		{"away now freezes back to the last check-in", time.UTC, []time.Time{weeksAgo(3), weeksAgo(4)},
			[]plpbot.AwayPeriod{away(weeksAgo(2), now.AddDate(0, 0, 10))}, 2},
		{"away long ago doesn't bridge a recent gap", time.UTC, []time.Time{now, weeksAgo(2)},
			[]plpbot.AwayPeriod{away(weeksAgo(10), weeksAgo(9))}, 1},
		{"check-in in an away week counts", time.UTC, []time.Time{now, weeksAgo(1)},
			[]plpbot.AwayPeriod{away(weeksAgo(1).Add(-time.Hour), weeksAgo(1).Add(time.Hour))}, 2},
		// Sunday 22 Nov 23:30 in New York is Monday 04:30 UTC: the student's
		// own week decides.
		{"weeks in the student's zone", ny, []time.Time{time.Date(2026, 11, 23, 4, 30, 0, 0, time.UTC), day(2026, 11, 10)}, nil, 2},
		{"same instants in UTC leave a gap", time.UTC, []time.Time{time.Date(2026, 11, 23, 4, 30, 0, 0, time.UTC), day(2026, 11, 10)}, nil, 1},
		// Weeks across the end of daylight saving (1 Nov 2026 in New York).
		{"across a DST change", ny, []time.Time{day(2026, 11, 24), day(2026, 11, 17), day(2026, 11, 10), day(2026, 11, 3), day(2026, 10, 27)}, nil, 5},
		{"future check-ins are ignored", time.UTC, []time.Time{now.AddDate(0, 0, 14)}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := handlers.WeeklyStreak(now, tt.loc, tt.checkIns, tt.away); got != tt.want {
				t.Errorf("WeeklyStreak = %d, want %d", got, tt.want)
			}
		})
	}
}

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
	if cs, _ := e.store.CheckIns(context.Background(), e.user("sam").ID, time.Time{}, 0); len(cs) != 6 {
		t.Errorf("refused check-ins were stored: %d check-ins", len(cs))
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
