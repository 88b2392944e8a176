package scheduler_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
)

// TestEveryButtonIsACommand runs a fortnight of every job and parses each
// button of each message against the real grammar, so renaming a command
// breaks this test rather than a student's button.
func TestEveryButtonIsACommand(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York", NudgeAfter: 3 * 24 * time.Hour, SchoolDays: everyDay, QuietHours: "off"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	sam := e.user("Sam", "America/New_York", plpbot.RoleStudent)
	kim := e.user("Kim", "America/New_York", plpbot.RoleStudent)
	e.class("Advisory", teacher, "America/New_York", "", "", sam, kim)
	if _, err := e.store.AddGoal(e.ctx, plpbot.Goal{UserID: sam.ID, Title: "Read three novels"}); err != nil {
		t.Fatal(err)
	}
	e.conference(teacher, sam, at(3, 4, 10, 0))
	e.advance(14 * 24 * time.Hour)

	grammar := handlers.Grammar()
	var msgs []bot.Message
	for _, s := range append(e.fake.DMs(""), e.fake.Posts()...) {
		msgs = append(msgs, s.Msg)
	}
	kinds := map[string]bool{}
	buttons := 0
	for _, m := range msgs {
		kinds[strings.Fields(m.Title + " x")[0]] = true
		for _, b := range m.Buttons {
			buttons++
			if b.Form == nil { // pressed, the button runs its command as typed
				if _, err := grammar.Parse(b.Command); err != nil {
					t.Errorf("%q button %q: command %q doesn't parse: %v", m.Title, b.Label, b.Command, err)
				}
				continue
			}
			// A form's fields, fixed or typed, are the command's arguments.
			if !strings.HasPrefix(b.Command, b.Form.Command) {
				t.Errorf("%q button %q: command %q and form command %q differ", m.Title, b.Label, b.Command, b.Form.Command)
			}
			cmd := grammar.Find(strings.Fields(b.Form.Command)...)
			if cmd == nil {
				t.Errorf("%q button %q: form command %q is not a command", m.Title, b.Label, b.Form.Command)
				continue
			}
			names := make([]string, 0, len(b.Form.Fields)+len(b.Form.Fixed))
			for _, f := range b.Form.Fields {
				names = append(names, f.Name)
			}
			for k := range b.Form.Fixed {
				names = append(names, k)
			}
			for _, name := range names {
				found := false
				for _, a := range cmd.Args {
					found = found || a.Name == name
				}
				if !found {
					t.Errorf("%q button %q: form field %q is not an argument of %q", m.Title, b.Label, name, b.Form.Command)
				}
			}
		}
	}
	for _, want := range []string{"Reflection", "Still", "Conference", "How", "This", "Just"} {
		if !kinds[want] {
			t.Errorf("no %q message in the fortnight; got kinds %v", want, kinds)
		}
	}
	if buttons < 5 {
		t.Errorf("only %d buttons checked", buttons)
	}
}

// TestBriefsStopWhenTheTeacherLeavesTheClass: access is asked when a
// message is sent. A teacher removed from the class after booking gets no
// prep brief or notes request, and nothing of the student reaches them.
func TestBriefsStopWhenTheTeacherLeavesTheClass(t *testing.T) {
	e, teacher, sam := conferenceEnv(t)
	e.conference(teacher, sam, at(3, 4, 10, 0))
	classes, err := e.store.ClassesOf(e.ctx, teacher.ID, plpbot.MemberTeacher)
	if err != nil || len(classes) != 1 {
		t.Fatalf("ClassesOf = %v, %v", classes, err)
	}
	if err := e.store.Unenroll(e.ctx, classes[0].ID, teacher.ID); err != nil {
		t.Fatal(err)
	}
	e.advanceTo(at(3, 4, 13, 0))
	if briefs := e.fake.DMs("Conference prep"); len(briefs) != 0 {
		t.Errorf("a teacher who left the class got %d prep briefs", len(briefs))
	}
	if notes := e.fake.DMs("How did it go"); len(notes) != 0 {
		t.Errorf("a teacher who left the class got %d notes requests", len(notes))
	}
	if heads := e.fake.DMs("Conference coming up"); len(heads) != 1 {
		t.Errorf("the student got %d heads-ups, want 1", len(heads))
	}
	skipped, err := e.store.OutboxItems(e.ctx, storage.OutboxSkipped, 10)
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, it := range skipped {
		if strings.HasPrefix(it.Reason, "no longer allowed") {
			refused++
		}
	}
	if refused < 2 {
		t.Errorf("skipped items = %+v, want the briefs and the notes request skipped as no longer allowed", skipped)
	}
	if log, err := e.store.AuditLog(e.ctx, sam.ID, 0); err != nil || len(log) != 0 {
		t.Errorf("audit = %+v, %v; want no prep_brief read", log, err)
	}
}

// TestSmallClassSummaryShowsNoFigures: below summaries.min_class_size a
// summary shows no progress figure and no participation count, so a class
// of two can't work out each other's progress.
func TestSmallClassSummaryShowsNoFigures(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", plpbot.RoleTeacher)
	ana := e.user("Ana", "America/New_York", plpbot.RoleStudent)
	ben := e.user("Ben", "America/New_York", plpbot.RoleStudent)
	e.class("Duo", teacher, "America/New_York", "0 0 1 1 *", "", ana, ben)
	for _, u := range []*plpbot.Person{ana, ben} {
		g, err := e.store.AddGoal(e.ctx, plpbot.Goal{UserID: u.ID, Title: "Goal"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.store.RecordCheckIn(e.ctx, plpbot.CheckIn{UserID: u.ID, GoalNumber: g.Number, Percent: 30 + len(u.Name)}); err != nil {
			t.Fatal(err)
		}
	}
	e.advanceTo(at(3, 6, 16, 0))
	posts := e.fake.Posts()
	if len(posts) != 1 {
		t.Fatalf("posts = %d, want 1", len(posts))
	}
	txt := posts[0].Msg.PlainText()
	for _, never := range []string{"Checked in", "Class progress", "%"} {
		if strings.Contains(txt, never) {
			t.Errorf("a class of two shows %q:\n%s", never, txt)
		}
	}
	if !strings.Contains(txt, "Goals set: 2") {
		t.Errorf("summary lacks the goal count:\n%s", txt)
	}
}

// TestReflectionStoresOnlyWhatTheStudentWrote: a DM answering a prompt is
// stored as written, with the prompt's title for context, never the
// prompt's body; the staff view and the prep brief show just the answer.
func TestReflectionStoresOnlyWhatTheStudentWrote(t *testing.T) {
	e, teacher, sam := conferenceEnv(t)
	e.class("Homeroom", teacher, "America/New_York", "", "0 0 1 1 *", sam)
	e.advanceTo(at(3, 6, 15, 0)) // Friday's prompt
	if n := len(e.fake.DMs("Reflection time")); n != 1 {
		t.Fatalf("prompts = %d, want 1", n)
	}
	answer := "I finally finished the board"
	if _, err := e.composer.Handle(e.ctx, &bot.Request{Actor: bot.Identity{Platform: bot.Console, UserID: "sam", Name: "Sam"},
		Text: answer, Place: bot.Place{Kind: bot.InDM}}); err != nil {
		t.Fatal(err)
	}
	rs, err := e.store.Reflections(e.ctx, sam.ID, time.Time{}, 0)
	if err != nil || len(rs) != 1 {
		t.Fatalf("reflections = %+v, %v", rs, err)
	}
	if rs[0].Text != answer || strings.Contains(rs[0].Prompt, "Hi Sam") || rs[0].Prompt == "" {
		t.Errorf("stored reflection = %+v; want exactly the answer, and the prompt's title only", rs[0])
	}
	view, err := e.composer.Handle(e.ctx, &bot.Request{Actor: bot.Identity{Platform: bot.Console, UserID: "ms lee", Name: "Ms Lee"},
		Text: "student @sam", Slash: true, Place: bot.Place{Kind: bot.InDM}})
	if err != nil {
		t.Fatal(err)
	}
	if txt := view[0].PlainText(); !strings.Contains(txt, answer) || strings.Contains(txt, "Time for a quick reflection") {
		t.Errorf("staff view:\n%s", txt)
	}
}
