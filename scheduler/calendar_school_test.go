package scheduler_test

import (
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
)

// saturdaySchool teaches Monday to Saturday.
var saturdaySchool = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

// TestSaturdaySchool: prompts and nudges reach students on school days
// only (schedule.school_days), in their zone. A school that teaches on
// Saturdays gets Friday night's prompt on Saturday morning; a Monday to
// Friday school gets it on Monday.
func TestSaturdaySchool(t *testing.T) {
	for _, tt := range []struct {
		name       string
		schoolDays []time.Weekday
		want       time.Time
	}{
		{"Monday to Friday (the default)", nil, at(3, 9, 7, 0)},
		{"Monday to Saturday", saturdaySchool, at(3, 7, 7, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York", SchoolDays: tt.schoolDays})
			teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
			kim := e.user("Kim", "America/New_York", plpbot.RoleStudent)
			e.class("Math", teacher, "America/New_York", "0 21 * * FRI", "0 0 1 1 *", kim) // Friday 21:00: quiet hours
			e.advanceTo(at(3, 9, 12, 0))
			got := e.fake.DMs("Reflection time")
			if len(got) != 1 || !got[0].At.Equal(tt.want) {
				t.Fatalf("prompts %v, want one at %s", got, tt.want.In(ny))
			}
		})
	}
	// Nudges keep to the same days: Kim, quiet since Friday morning, is
	// nudged on Saturday in a Saturday school and on Monday in the other.
	for _, tt := range []struct {
		name       string
		schoolDays []time.Weekday
		wantDay    time.Weekday
	}{
		{"nudge, Monday to Friday", nil, time.Monday},
		{"nudge, Monday to Saturday", saturdaySchool, time.Saturday},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, at(3, 6, 9, 0), scheduler.Options{TimeZone: "America/New_York", SchoolDays: tt.schoolDays, NudgeAfter: 24 * time.Hour})
			teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
			kim := e.user("Kim", "America/New_York", plpbot.RoleStudent)
			e.class("Math", teacher, "America/New_York", "0 0 1 1 *", "0 0 1 1 *", kim)
			e.advanceTo(at(3, 9, 12, 0))
			got := e.fake.DMs("Just checking in")
			if len(got) != 1 || got[0].At.In(ny).Weekday() != tt.wantDay {
				t.Fatalf("nudges %v, want one on %s", got, tt.wantDay)
			}
		})
	}
}

// TestTermEndArchivesClass: a class whose term ended gets no reflection
// prompts, follow-ups or summaries after the term's last day (in its
// zone), while its students' other classes carry on.
func TestTermEndArchivesClass(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York", QuietHours: "off", SchoolDays: everyDay})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	kim := e.user("Kim", "America/New_York", plpbot.RoleStudent)
	term, err := e.store.AddTerm(e.ctx, plpbot.Term{Name: "Winter", Platform: "console",
		Starts: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Ends: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	math := e.class("Math", teacher, "America/New_York", "0 14 * * *", "0 15 * * *", kim)
	if _, err := e.store.SetClassTerm(e.ctx, math.ID, term.ID); err != nil {
		t.Fatal(err)
	}
	art := e.class("Art", teacher, "America/New_York", "0 0 1 1 *", "0 16 * * *")

	e.advanceTo(at(3, 9, 12, 0))
	end := at(3, 5, 0, 0) // the morning after Wed 4 Mar, the term's last day
	prompts := e.fake.DMs("")
	if len(prompts) == 0 {
		t.Fatal("no prompts at all before the term ended")
	}
	for _, p := range prompts {
		if !p.At.Before(end) {
			t.Errorf("%q sent %s, after the term ended", p.Msg.Title, p.At.In(ny))
		}
	}
	if n := len(e.fake.DMs("Reflection time")); n != 3 {
		t.Errorf("%d prompts, want 3 (Mon, Tue, Wed)", n)
	}
	var mathPosts, artPosts int
	for _, p := range e.fake.Posts() {
		switch p.To {
		case math.ChannelID:
			mathPosts++
			if !p.At.Before(end) {
				t.Errorf("a summary of the archived class went out %s", p.At.In(ny))
			}
		case art.ChannelID:
			artPosts++
		}
	}
	if mathPosts != 3 || artPosts != 7 {
		t.Errorf("summaries: Math %d (want 3, Mon-Wed), Art %d (want 7, every day)", mathPosts, artPosts)
	}
	// Planning skips the archived class's runs: no prompt or summary is
	// even planned; only Wednesday's follow-up, planned before the end, is
	// left to be skipped when it comes due.
	skipped, err := e.store.OutboxItems(e.ctx, storage.OutboxSkipped, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range skipped {
		if it.ClassID == math.ID && it.Job != "followup" {
			t.Errorf("planned for the archived class: %s %s (%s)", it.Job, it.Period, it.Reason)
		}
	}
}
