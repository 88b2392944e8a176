package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
)

// TestRosterFollowsGoalChanges checks that the roster (which reads the
// summaries kept on each student's user record) follows every kind of goal
// change a student makes.
func TestRosterFollowsGoalChanges(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	e.ok("sam", "goal add Run a 5k")
	e.ok("sam", "checkin 1 40%")
	e.ok("sam", "checkin 2 80%")
	out := e.ok("ms-lee", "roster")
	mustContain(t, out, "60%", "2 goals")
	mustNotContain(t, out, "no check-ins yet")

	e.ok("sam", "goal done 2")
	out = e.ok("ms-lee", "roster")
	mustContain(t, out, "40%", "1 goal")

	e.ok("sam", "goal drop 1")
	out = e.ok("ms-lee", "roster")
	mustContain(t, out, "no active goals")
}

// TestDMSentenceStartingLikeACommand checks that a DM that begins with a
// command's name but reads as a sentence is kept as a reflection, while a
// short mistyped command still gets the parser's help.
func TestDMSentenceStartingLikeACommand(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan") // the first console user is the admin; sam is a student
	msgs, err := e.dm("sam", "help me with this essay please")
	if err != nil {
		t.Fatalf("dm: %v", err)
	}
	mustContain(t, plain(msgs), "/plp help")
	out := e.ok("sam", "plan")
	mustNotContain(t, out, "Last reflection: none yet")

	if _, err := e.dm("sam", "checkin 1"); err == nil {
		t.Fatal("a short broken command in a DM should get the parser's error")
	}
}

// TestStaffPlanShowsClasses checks that staff see their classes at a glance
// above their own plan (the Slack App Home shows the same).
func TestStaffPlanShowsClasses(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "ava")
	out := e.ok("ms-lee", "plan")
	mustContain(t, out, "Period 3", "2 students", "Your plan")
	out = e.ok("sam", "plan")
	mustNotContain(t, out, "Period 3 ·")
}

// TestCantDMClearedByADM checks through Handle that a DM from a person the
// platform had refused DMs to clears the flag and says so.
func TestCantDMClearedByADM(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	ctx := context.Background()
	uid := storage.Identity{Platform: "console", PlatformID: "sam"}.UserID()
	if _, err := e.store.SetCantDM(ctx, uid, "cannot_dm"); err != nil {
		t.Fatal(err)
	}
	msgs, err := e.dm("sam", "I read two chapters today")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "reminders are back on")
	u, err := e.store.User(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	if u.CantDM != "" {
		t.Errorf("can't-DM flag still set: %q", u.CantDM)
	}
}

// TestHolidayWeekFreezesStreak checks that a school-holiday week without a
// check-in neither counts nor breaks a weekly streak.
func TestHolidayWeekFreezesStreak(t *testing.T) {
	for _, tc := range []struct {
		name     string
		holidays []time.Time
		want     string
	}{
		{"no holiday", nil, "1-week check-in streak"},
		{"holiday in the gap week", []time.Time{time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)}, "2-week check-in streak"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			clock := func() time.Time { return e.now }
			h := handlers.New(e.store, handlers.Options{Now: clock, DefaultTimeZone: "UTC", Holidays: tc.holidays})
			run := func(line string) string {
				t.Helper()
				msgs, err := h.Handle(context.Background(), &bot.Request{Actor: id("sam"), Text: line, Slash: true})
				if err != nil {
					t.Fatalf("/plp %s: %v", line, err)
				}
				return plain(msgs)
			}
			e.ok("admin", "plan")
			e.now = time.Date(2026, 11, 11, 15, 0, 0, 0, time.UTC) // Wed, two weeks back
			run("goal add Read three novels")
			run("checkin 1 20%")
			e.now = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) // this week; the week between had no check-in
			run("checkin 1 40%")
			mustContain(t, run("plan"), tc.want)
		})
	}
}

// TestScheduleShowsConfiguredDefaults checks that /plp schedule shows the
// school's configured default crons for a class that sets none.
func TestScheduleShowsConfiguredDefaults(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	clock := func() time.Time { return e.now }
	h := handlers.New(e.store, handlers.Options{Now: clock, DefaultTimeZone: "UTC",
		Reflections: "30 9 * * MON", Summaries: "0 16 * * THU"})
	msgs, err := h.Handle(context.Background(), &bot.Request{Actor: id("ms-lee"), Text: "schedule", Slash: true})
	if err != nil {
		t.Fatal(err)
	}
	out := plain(msgs)
	mustContain(t, out, "30 9 * * MON", "0 16 * * THU", "Mon 30 Nov 2026, 09:30")
	mustNotContain(t, out, "Cron (default): `0 14 * * FRI`")
}
