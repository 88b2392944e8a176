package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
)

func TestConferenceSchedule(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	ctx := context.Background()
	if _, err := e.store.SetTimeZone(ctx, staffUID("ms-lee"), "America/New_York"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetTimeZone(ctx, staffUID("sam"), "Europe/London"); err != nil {
		t.Fatal(err)
	}

	msgs := e.staffMsgs("ms-lee", "conference @sam 2026-12-01 10:30 goals check <!here>")
	mustContain(t, plain(msgs), "Conference #1 booked", "With sam on Tue 1 Dec 2026, 10:30 EST", "conference cancel 1")
	dm := staffDM(t, msgs, "sam")
	mustContain(t, dm.PlainText(), "ms-lee set up a conference with you on Tue 1 Dec 2026, 15:30 GMT (your time)",
		"They'd like to talk about: goals check <!here>")
	if len(dm.Buttons) != 1 || dm.Buttons[0].Command != "conference agenda" || dm.Buttons[0].Form == nil {
		t.Errorf("the DM should offer the agenda form: %+v", dm.Buttons)
	}
	cf, err := e.store.ConferenceByNumber(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC); !cf.At.Equal(want) || cf.At.Location() != time.UTC {
		t.Errorf("stored at %v, want %v in UTC", cf.At, want)
	}
	if cf.TeacherID != staffUID("ms-lee") || cf.StudentID != staffUID("sam") || len(cf.Agenda) != 1 || cf.Agenda[0].Text != "goals check <!here>" {
		t.Errorf("stored conference: %+v", cf)
	}

	// Admins may meet anyone; an hour from now is fine.
	mustContain(t, e.ok("admin", "conference @alex 2026-11-25 16:00"), "Conference #2 booked")

	e.ok("admin", "role @mr-kim teacher")
	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		// 08:00 in New York is 13:00 UTC: already past at 15:00 UTC.
		{"earlier today in the teacher's zone", "ms-lee", "conference @sam 2026-11-25 08:00", bot.EInvalid, "has already passed"},
		{"last year", "ms-lee", "conference @sam 2025-12-01 10:00", bot.EInvalid, "has already passed"},
		{"not a real date", "ms-lee", "conference @sam 2026-02-30 10:00", bot.EInvalid, "2026-02-30"},
		{"not a time", "ms-lee", "conference @sam 2026-12-01 25:00", bot.EInvalid, "25:00"},
		{"outsider teacher", "mr-kim", "conference @sam 2026-12-01 10:00", bot.EForbidden, "isn't in any of your classes"},
		{"student", "alex", "conference @sam 2026-12-01 10:00", bot.EForbidden, "for staff"},
		{"yourself", "ms-lee", "conference @ms-lee 2026-12-01 10:00", bot.EInvalid, "needs a student"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
}

func TestConferenceFlow(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	ctx := context.Background()
	e.ok("admin", "role @mr-kim teacher")
	e.ok("mr-kim", "class create Period 5")
	e.ok("mr-kim", "class add @kit")

	// No conference yet: nothing to add to, and nothing is saved.
	mustContain(t, e.staffFails("sam", "conference agenda I want help with electives", bot.ENotFound),
		"don't have a conference booked", "/plp reflect I want help with electives")
	mustContain(t, e.ok("sam", "conference list"), "don't have a conference coming up")
	mustContain(t, e.ok("ms-lee", "conference list"), "No conferences coming up")

	e.ok("ms-lee", "conference @sam 2026-12-01 10:30")
	e.ok("ms-lee", "conference @sam 2026-12-08 10:30")
	e.ok("mr-kim", "conference @kit 2026-12-02 09:00")

	out := e.ok("sam", `conference agenda I want help choosing electives {"$gt":""}`)
	mustContain(t, out, "Added to your conference with ms-lee on Tue 1 Dec 2026, 10:30 UTC", `choosing electives {"$gt":""}`, "1 talking point so far")
	cf, _ := e.store.ConferenceByNumber(ctx, 1)
	if len(cf.Agenda) != 1 || cf.Agenda[0].Text != `I want help choosing electives {"$gt":""}` || cf.Agenda[0].ByID != staffUID("sam") {
		t.Errorf("agenda not stored on the next conference: %+v", cf.Agenda)
	}

	out = e.ok("ms-lee", "conference list")
	mustContain(t, out, "#1 · sam · Tue 1 Dec 2026, 10:30 UTC · 1 talking point", `I want help choosing electives {"$gt":""} — sam`, "#2 · sam")
	mustNotContain(t, out, "kit")
	mustContain(t, e.ok("sam", "conference list"), "Tue 1 Dec 2026, 10:30 UTC with ms-lee · 1 talking point", "Tue 8 Dec")
	out = e.ok("alex", "conference list")
	mustContain(t, out, "don't have a conference coming up")
	mustNotContain(t, out, "sam", "electives")

	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"another teacher closes it", "mr-kim", "conference done 1", bot.EForbidden, "isn't yours"},
		{"another teacher cancels it", "mr-kim", "conference cancel 1", bot.EForbidden, "isn't yours"},
		{"a student closes it", "sam", "conference done 1", bot.EForbidden, "for staff"},
		{"no such conference", "ms-lee", "conference done 99", bot.ENotFound, "no conference #99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.staffFails(tt.who, tt.line, tt.code)
			mustContain(t, got, tt.want)
			mustNotContain(t, got, "sam", "electives")
		})
	}

	out = e.ok("ms-lee", "conference done 1 Agreed on two new steps")
	mustContain(t, out, "Conference #1 with sam is done", "notes are saved", "/plp conference @sam")
	if cf, _ := e.store.ConferenceByNumber(ctx, 1); cf.Status != plpbot.ConferenceDone || cf.Notes != "Agreed on two new steps" {
		t.Errorf("conference not closed: %+v", cf)
	}
	mustContain(t, e.staffFails("ms-lee", "conference done 1", bot.EConflict), "already done")
	mustContain(t, e.staffFails("ms-lee", "conference cancel 1", bot.EConflict), "already done")

	msgs := e.staffMsgs("ms-lee", "conference cancel 2")
	mustContain(t, plain(msgs), "Cancelled conference #2 with sam")
	mustContain(t, staffDM(t, msgs, "sam").PlainText(), "Your conference with ms-lee on Tue 8 Dec 2026, 10:30 UTC is cancelled")
	mustContain(t, e.ok("sam", "conference list"), "don't have a conference coming up")

	// An admin may close anyone's conference.
	mustContain(t, e.ok("admin", "conference cancel 3"), "Cancelled conference #3 with kit")

	// A conference whose time has passed stays in the teacher's list to be closed.
	e.ok("ms-lee", "conference @alex 2026-11-26 09:00")
	e.now = e.now.Add(48 * time.Hour)
	mustContain(t, e.ok("ms-lee", "conference list"), "#4 · alex", "earlier — mark it done?")
	mustContain(t, e.ok("alex", "conference list"), "don't have a conference coming up")
}

func TestStandingConference(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	ctx := context.Background()
	e.ok("admin", "role @mr-kim teacher")

	before := e.staffCounts()
	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"a student", "sam", "conference @alex every 1w tue 10:30", bot.EForbidden, "for staff"},
		{"outsider teacher", "mr-kim", "conference @sam every 1w tue 10:30", bot.EForbidden, "isn't in any of your classes"},
		{"three weeks", "ms-lee", "conference @sam every 3w tue 10:30", bot.EInvalid, "3w"},
		{"no such day", "ms-lee", "conference @sam every 1w tues 10:30", bot.EInvalid, "tues"},
		{"yourself", "ms-lee", "conference @ms-lee every 1w tue 10:30", bot.EInvalid, "needs a student"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
	e.staffSame(before, "refused standing conferences")

	// Wed 25 Nov 15:00: the first Tuesday 10:30 is 1 Dec.
	msgs := e.staffMsgs("ms-lee", "conference @sam every 1w tue 10:30 mentoring <!channel>")
	mustContain(t, plain(msgs), "Standing 1:1 booked", "every week, Tuesday at 10:30", "Tue 1 Dec 2026, 10:30 UTC (#1)", "conference end N")
	mustContain(t, staffDM(t, msgs, "sam").PlainText(), "regular 1:1 with you, every week", "It's for: mentoring <!channel>")
	cf, err := e.store.ConferenceByNumber(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if cf.Every != "1w" || cf.Topic != "mentoring <!channel>" || !cf.At.Equal(time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("stored standing conference: %+v", cf)
	}

	// Done: the next one is booked a week later with the same topic.
	e.now = time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	mustContain(t, e.ok("ms-lee", "conference done 1 good chat"), "Next one (every week): Tue 8 Dec 2026, 10:30 UTC, #2")
	next, err := e.store.ConferenceByNumber(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if next.Status != plpbot.ConferenceScheduled || next.Series != 1 || len(next.Agenda) != 1 || next.Agenda[0].Text != "mentoring <!channel>" {
		t.Errorf("next occurrence: %+v", next)
	}
	// Cancelled just once: the series carries on.
	msgs = e.staffMsgs("ms-lee", "conference cancel 2")
	mustContain(t, plain(msgs), "Next one (every week): Tue 15 Dec 2026, 10:30 UTC, #3")
	mustContain(t, staffDM(t, msgs, "sam").PlainText(), "carries on as usual")
	// A one-off can't be ended as a series.
	e.ok("ms-lee", "conference @alex 2026-12-20 09:00")
	mustContain(t, e.staffFails("ms-lee", "conference end 4", bot.EInvalid), "one-off")

	// The list: who's due, the student never met first.
	out := e.ok("ms-lee", "conference list")
	mustContain(t, out, "#3 · sam · Tue 15 Dec 2026, 10:30 UTC · 1 talking point · every week", "Who's due")
	if a, s := strings.Index(out, "alex · never met"), strings.Index(out, "sam · last met Tue 1 Dec"); a < 0 || s < 0 || a > s {
		t.Errorf("who's due should list alex (never met) before sam (met 1 Dec):\n%s", out)
	}
	mustContain(t, out, "next Tue 15 Dec, 10:30 (#3), every week")
	mustNotContain(t, e.ok("sam", "conference list"), "Who's due", "alex")

	// Ending it: no further occurrence.
	msgs = e.staffMsgs("ms-lee", "conference end 3")
	mustContain(t, plain(msgs), "Ended your standing 1:1 with sam")
	mustContain(t, staffDM(t, msgs, "sam").PlainText(), "regular 1:1s with them have ended")
	if _, err := e.store.ConferenceByNumber(ctx, 5); err == nil {
		t.Error("an ended series booked another occurrence")
	}
	if cf, _ := e.store.ConferenceByNumber(ctx, 3); cf.Every != "" || cf.Status != plpbot.ConferenceCancelled {
		t.Errorf("ended series: %+v", cf)
	}
}

// TestStudentDeclinesAConference: a student can cancel a conference that
// involves them (and only theirs); the staff member hears.
func TestStudentDeclinesAConference(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30")
	e.fails("alex", "conference cancel 1", bot.ENotFound)
	out := e.ok("sam", "conference cancel 1")
	mustContain(t, out, "conference #1 with ms-lee is cancelled", "ms-lee", "can't make conference #1")
	e.fails("sam", "conference cancel 1", bot.EConflict)
}

// TestOnlyServingStaffManageConferences: a teacher removed from the class
// can no longer close or cancel the student's conference.
func TestOnlyServingStaffManageConferences(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30")
	e.ok("ms-lee", "class remove @sam")
	e.fails("ms-lee", "conference done 1 notes", bot.EForbidden)
	e.ok("admin", "conference cancel 1")
}

// TestConferenceNotesComeBack: notes saved with `conference done` show in
// the staff view, the staff conference list and the next prep brief;
// students see them only where the school allows it.
func TestConferenceNotesComeBack(t *testing.T) {
	const notes = "Agreed on two new steps for the essay"
	for _, visible := range []bool{false, true} {
		e := newEnv(t)
		e.h = handlers.New(e.store, handlers.Options{Now: func() time.Time { return e.now }, DefaultTimeZone: "UTC", NotesVisibleToStudents: visible})
		e.setupClass("sam")
		e.ok("ms-lee", "conference @sam 2026-11-26 10:30")
		mustContain(t, e.ok("ms-lee", "conference done 1 "+notes), "notes are saved")
		mustContain(t, e.ok("ms-lee", "student @sam"), notes)
		mustContain(t, e.ok("ms-lee", "conference list"), notes)
		if visible {
			mustContain(t, e.ok("sam", "conference list"), notes)
		} else {
			mustNotContain(t, e.ok("sam", "conference list"), notes)
		}
		e.ok("ms-lee", "conference @sam 2026-12-03 10:30")
		staff, next := e.user("ms-lee"), mustConference(t, e, 2)
		brief, err := e.h.PrepBrief(context.Background(), staff, next, e.now)
		if err != nil {
			t.Fatal(err)
		}
		mustContain(t, brief.PlainText(), "Last time", notes)
	}
}

func mustConference(t *testing.T, e *env, n int) *plpbot.Conference {
	t.Helper()
	c, err := e.store.ConferenceByNumber(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConferenceTimesPeopleType: "3:00 PM" books 15:00 (not 03:00 with "PM"
// as the agenda), and the confirmation echoes the time in the teacher's
// zone; standing 1:1s read times the same way.
func TestConferenceTimesPeopleType(t *testing.T) {
	e := newEnv(t)
	e.setupClass("ana", "sam")
	ctx := context.Background()
	if _, err := e.store.SetTimeZone(ctx, staffUID("ms-lee"), "America/New_York"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line, echo string
		at         time.Time
		agenda     string
	}{
		{"conference @ana 2026-12-10 3:00 PM agenda", "With ana on Thu 10 Dec 2026, 15:00 EST", time.Date(2026, 12, 10, 20, 0, 0, 0, time.UTC), "agenda"},
		{"conference @ana 2026-12-11 3pm", "With ana on Fri 11 Dec 2026, 15:00 EST", time.Date(2026, 12, 11, 20, 0, 0, 0, time.UTC), ""},
		{"conference @ana 2026-12-14 10 a.m. reading plan", "With ana on Mon 14 Dec 2026, 10:00 EST", time.Date(2026, 12, 14, 15, 0, 0, 0, time.UTC), "reading plan"},
		{"conference @ana 2026-12-15 noon", "With ana on Tue 15 Dec 2026, 12:00 EST", time.Date(2026, 12, 15, 17, 0, 0, 0, time.UTC), ""},
	}
	for i, tt := range tests {
		mustContain(t, e.ok("ms-lee", tt.line), tt.echo)
		cf, err := e.store.ConferenceByNumber(ctx, i+1)
		if err != nil {
			t.Fatal(err)
		}
		var agenda string
		if len(cf.Agenda) > 0 {
			agenda = cf.Agenda[0].Text
		}
		if !cf.At.Equal(tt.at) || agenda != tt.agenda {
			t.Errorf("%s: booked %v with agenda %q, want %v with %q", tt.line, cf.At, agenda, tt.at, tt.agenda)
		}
	}
	mustContain(t, e.fails("ms-lee", "conference @ana 2026-12-10 13pm", bot.EInvalid), "I couldn't read that time: 13pm", "Try 15:00 or 3pm.")

	// A standing 1:1 (Wed 25 Nov now): Tuesday 3:30 PM New York time.
	mustContain(t, e.ok("ms-lee", "conference @sam every 1w tue 3:30 PM mentoring"),
		"every week, Tuesday at 15:30 (your time)", "Tue 1 Dec 2026, 15:30 EST")
	cf, err := e.store.ConferenceByNumber(ctx, len(tests)+1)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 20, 30, 0, 0, time.UTC); !cf.At.Equal(want) || cf.Topic != "mentoring" {
		t.Errorf("standing 1:1 at %v topic %q, want %v, mentoring", cf.At, cf.Topic, want)
	}
}
