package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
)

// A weekly standing conference rolls forward as each occurrence passes,
// keeps its wall-clock time across the DST change (8 Mar 2026), and each
// occurrence gets its own reminders; ending the series stops it.
func TestStandingConferenceRollsForward(t *testing.T) {
	e, teacher, sam := conferenceEnv(t)
	first, err := e.store.ScheduleConference(e.ctx, plpbot.Conference{StudentID: sam.ID, StudentName: sam.Name,
		TeacherID: teacher.ID, TeacherName: teacher.Name, At: at(3, 4, 10, 0), Every: "1w", Zone: "America/New_York", Topic: "mentoring"})
	if err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(3, 25, 13, 0))

	confs, err := e.store.Conferences(e.ctx, storage.ConferenceQuery{TeacherID: teacher.ID})
	if err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for _, c := range confs {
		got = append(got, c.At)
		if c.Number != first.Number && (c.Series != first.Number || c.Topic != "mentoring" || len(c.Agenda) != 1) {
			t.Errorf("occurrence %d: %+v", c.Number, c)
		}
	}
	want := []time.Time{at(3, 4, 10, 0), at(3, 11, 10, 0), at(3, 18, 10, 0), at(3, 25, 10, 0), at(4, 1, 10, 0)}
	if len(got) != len(want) {
		t.Fatalf("occurrences at %v, want %v", got, want)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("occurrence %d at %v, want %v (10:00 New York)", i, got[i].In(ny), want[i])
		}
	}
	// Each of the four past occurrences got the 24h and 1h briefs and a heads-up.
	briefs := perDay(e.fake.DMs("Conference prep"))
	for _, d := range []string{"03-03", "03-04", "03-10", "03-11", "03-17", "03-18", "03-24", "03-25"} {
		if briefs[d] != 1 {
			t.Errorf("briefs on %s = %d, want 1 (all: %v)", d, briefs[d], briefs)
		}
	}
	if n := len(e.fake.DMs("Conference coming up")); n != 4 {
		t.Errorf("heads-ups = %d, want 4", n)
	}

	// Ending the series: the next occurrence passes and nothing follows.
	last := confs[len(confs)-1]
	if _, err := e.store.EndConferenceSeries(e.ctx, last.Number); err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(4, 10, 12, 0))
	after, _ := e.store.Conferences(e.ctx, storage.ConferenceQuery{TeacherID: teacher.ID})
	if len(after) != len(confs) {
		t.Errorf("an ended series went on: %d conferences, want %d", len(after), len(confs))
	}
}

// perDay counts messages by their New York day, "MM-DD".
func perDay(ss []sent) map[string]int {
	m := map[string]int{}
	for _, s := range ss {
		m[s.At.In(ny).Format("01-02")]++
	}
	return m
}

// A quiet student gets one nudge per quiet spell, inside allowed hours; a
// student who is away gets none; a check-in starts a new spell.
func TestNudgeOncePerQuietSpell(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York", NudgeAfter: 72 * time.Hour})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	ana := e.user("Ana Diaz", "America/New_York", plpbot.RoleStudent)
	bo := e.user("Bo", "America/New_York", plpbot.RoleStudent)
	e.class("Advisory", teacher, "America/New_York", "0 0 1 1 *", "0 0 1 1 *", ana, bo)
	g, err := e.store.AddGoal(e.ctx, plpbot.Goal{UserID: ana.ID, Title: "Read <b>three</b> novels"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetAway(e.ctx, bo.ID, at(3, 30, 0, 0), "trip"); err != nil {
		t.Fatal(err)
	}

	e.advanceTo(at(3, 9, 12, 0))
	nudges := e.fake.DMs("Just checking in")
	if len(nudges) != 1 || nudges[0].To != "ana diaz" {
		t.Fatalf("nudges = %+v, want exactly one, to Ana", nudges)
	}
	if w := nudges[0].At.In(ny); w.Before(at(3, 5, 9, 0)) || w.Hour() < 7 || w.Hour() >= 20 || w.Weekday() == time.Saturday || w.Weekday() == time.Sunday {
		t.Errorf("nudge at %v: want after three quiet days, on a school day outside quiet hours", w)
	}
	txt := nudges[0].Msg.PlainText()
	if !strings.Contains(txt, "Read <b>three</b> novels") || len(nudges[0].Msg.Buttons) != 1 || nudges[0].Msg.Buttons[0].Command != "checkin 1" {
		t.Errorf("nudge should name the goal and offer a check-in: %s %+v", txt, nudges[0].Msg.Buttons)
	}

	// A check-in starts a new spell: one more nudge three days later, no more.
	if _, _, err := e.store.RecordCheckIn(e.ctx, plpbot.CheckIn{UserID: ana.ID, GoalNumber: g.Number, Percent: 20}); err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(3, 13, 12, 0))
	nudges = e.fake.DMs("Just checking in")
	if len(nudges) != 2 || nudges[1].To != "ana diaz" || nudges[1].At.Before(at(3, 12, 12, 0)) {
		t.Errorf("after a check-in: nudges = %+v, want a second one to Ana from 12 Mar", nudges)
	}
}

// Nudges are off by default.
func TestNoNudgesByDefault(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	ana := e.user("Ana Diaz", "America/New_York", plpbot.RoleStudent)
	e.class("Advisory", teacher, "America/New_York", "0 0 1 1 *", "0 0 1 1 *", ana)
	e.advanceTo(at(3, 20, 12, 0))
	if n := len(e.fake.DMs("Just checking in")); n != 0 {
		t.Errorf("nudges = %d with NudgeAfter 0, want none", n)
	}
}

// TestStandingConferenceEndsWhenAccessEnds: the teacher leaves the class;
// the standing 1:1 books no more occurrences, and the one already booked
// brings them no brief.
func TestStandingConferenceEndsWhenAccessEnds(t *testing.T) {
	e, teacher, sam := conferenceEnv(t)
	first, err := e.store.ScheduleConference(e.ctx, plpbot.Conference{StudentID: sam.ID, StudentName: sam.Name,
		TeacherID: teacher.ID, TeacherName: teacher.Name, At: at(3, 4, 10, 0), Every: "1w", Zone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(3, 5, 13, 0)) // #1 happened; #2 (11 Mar) is booked
	classes, err := e.store.ClassesOf(e.ctx, teacher.ID, plpbot.MemberTeacher)
	if err != nil || len(classes) != 1 {
		t.Fatalf("ClassesOf = %v, %v", classes, err)
	}
	if err := e.store.Unenroll(e.ctx, classes[0].ID, teacher.ID); err != nil {
		t.Fatal(err)
	}
	before := len(e.fake.DMs("Conference prep"))
	e.advanceTo(at(3, 26, 13, 0))
	confs, err := e.store.Conferences(e.ctx, storage.ConferenceQuery{TeacherID: teacher.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(confs) != 2 {
		t.Errorf("occurrences = %d, want 2 (the first and the one booked before the teacher left)", len(confs))
	}
	if n := len(e.fake.DMs("Conference prep")) - before; n != 0 {
		t.Errorf("%d briefs went to a teacher who left the class", n)
	}
	if c, err := e.store.ConferenceByNumber(e.ctx, first.Number); err != nil || c.Status != plpbot.ConferenceScheduled && c.Status != plpbot.ConferenceDone {
		t.Errorf("first occurrence = %+v, %v", c, err)
	}
}
