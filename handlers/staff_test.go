package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// Helpers of the staff tests are prefixed "staff" so they never collide
// with the student tests' helpers in this package.

// staffUID is the stored id of the console user called name.
func staffUID(name string) string {
	return storage.Identity{Platform: string(bot.Console), PlatformID: strings.ToLower(name)}.UserID()
}

// staffMsgs runs line as name and returns the messages; it fails on error.
func (e *env) staffMsgs(name, line string) []bot.Message {
	e.t.Helper()
	msgs, err := e.run(name, line)
	if err != nil {
		e.t.Fatalf("%s: /plp %s: unexpected error: %v", name, line, err)
	}
	return msgs
}

// staffDM returns the DM to user name among msgs, failing if there is none.
func staffDM(t *testing.T, msgs []bot.Message, name string) bot.Message {
	t.Helper()
	for _, m := range msgs {
		if m.To != nil && m.To.UserID == strings.ToLower(name) {
			return m
		}
	}
	t.Fatalf("no DM to %s among %d messages:\n%s", name, len(msgs), plain(msgs))
	return bot.Message{}
}

// staffNoDM fails if msgs hold a DM to name.
func staffNoDM(t *testing.T, msgs []bot.Message, name string) {
	t.Helper()
	for _, m := range msgs {
		if m.To != nil && m.To.UserID == strings.ToLower(name) {
			t.Fatalf("unexpected DM to %s: %s", name, m.PlainText())
		}
	}
}

// staffGoal gives student a goal directly in the store and returns it.
func (e *env) staffGoal(student, title string, progress int, lastCheckIn time.Time) *plpbot.Goal {
	e.t.Helper()
	ctx := context.Background()
	g, err := e.store.AddGoal(ctx, plpbot.Goal{UserID: staffUID(student), Title: title})
	if err != nil {
		e.t.Fatalf("AddGoal: %v", err)
	}
	if !lastCheckIn.IsZero() {
		if g, _, err = e.store.RecordCheckIn(ctx, plpbot.CheckIn{UserID: g.UserID, GoalNumber: g.Number, Percent: progress, At: lastCheckIn, Note: "note on " + title}); err != nil {
			e.t.Fatalf("RecordCheckIn: %v", err)
		}
	}
	return g
}

// staffCounts counts the documents of every plan collection, to show that
// a refused command stored nothing. Users are left out: meeting someone
// records them, whatever the command. Audit entries are counted apart from
// the record of a refusal ("refused:…"), which a refusal of staff leaves
// as a security signal.
func (e *env) staffCounts() map[string]int64 {
	e.t.Helper()
	ctx := context.Background()
	out := map[string]int64{}
	for _, coll := range []string{"classes", "enrollments", "goals", "checkins", "reflections", "conferences", "flags"} {
		n, err := storagetest.Collection(e.t, e.store, coll).CountDocuments(ctx, bson.D{})
		if err != nil {
			e.t.Fatalf("count %s: %v", coll, err)
		}
		out[coll] = n
	}
	// Feedback is kept on its goal.
	cur, err := storagetest.Collection(e.t, e.store, "goals").Find(ctx, bson.D{})
	if err != nil {
		e.t.Fatalf("read goals: %v", err)
	}
	var goals []plpbot.Goal
	if err := cur.All(ctx, &goals); err != nil {
		e.t.Fatalf("read goals: %v", err)
	}
	for _, g := range goals {
		out["feedback"] += int64(len(g.Feedback))
	}
	err = e.store.EachAudit(ctx, time.Time{}, func(a *plpbot.AuditEntry) error {
		if !strings.HasPrefix(a.Action, "refused:") {
			out["audit"]++
		}
		return nil
	})
	if err != nil {
		e.t.Fatalf("count audit: %v", err)
	}
	return out
}

// staffSame fails if the counts changed.
func (e *env) staffSame(before map[string]int64, what string) {
	e.t.Helper()
	after := e.staffCounts()
	for k, v := range before {
		if after[k] != v {
			e.t.Errorf("%s stored something: %s went from %d to %d", what, k, v, after[k])
		}
	}
}

// staffAudit returns the actions audited about name, newest first.
func (e *env) staffAudit(name string) []string {
	e.t.Helper()
	log, err := e.store.AuditLog(context.Background(), staffUID(name), 0)
	if err != nil {
		e.t.Fatalf("AuditLog: %v", err)
	}
	out := make([]string, len(log))
	for i, a := range log {
		out[i] = a.ActorID + " " + a.Action
	}
	return out
}

// staffFails runs line as name, expects a user error with code and checks
// that nothing was stored; it returns the rendered error.
func (e *env) staffFails(name, line string, code bot.Code) string {
	e.t.Helper()
	before := e.staffCounts()
	out := e.fails(name, line, code)
	e.staffSame(before, name+": /plp "+line)
	return out
}

func TestRoster(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex", "jo")
	ctx := context.Background()
	e.staffGoal("sam", "Read three novels", 60, e.now.Add(-5*24*time.Hour))
	e.staffGoal("sam", "Run a 5k", 20, e.now.Add(-6*24*time.Hour))
	if _, err := e.store.SetAway(ctx, staffUID("alex"), e.now.Add(9*24*time.Hour), "family trip"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetCantDM(ctx, staffUID("jo"), "cannot_dm"); err != nil {
		t.Fatal(err)
	}
	e.ok("ms-lee", "flag @jo 504 extra time on tests")
	// Another class with another teacher, for the outsider and admin rows.
	e.ok("admin", "role @mr-kim teacher")
	e.ok("kit", "plan")
	e.ok("mr-kim", "class create Period 5")
	e.ok("mr-kim", "class add @kit")

	out := e.ok("ms-lee", "roster")
	mustContain(t, out, "Roster · Period 3", "3 students", "1 checked in this week", "average 40%", "1 away", "1 can't get DMs",
		"sam ▰▰▱▱▱ 40% · 2 goals · checked in 5d ago",
		"alex · no active goals · no check-ins yet · away until Fri 4 Dec",
		"jo · no active goals · no check-ins yet · can't DM · 🔒", "🔒 = staff-only")
	mustNotContain(t, out, "kit", "family trip", "extra time", "note on")

	// The rows come in name order.
	if a, j, s := strings.Index(out, "alex"), strings.Index(out, "jo ·"), strings.Index(out, "sam ▰"); !(a < j && j < s) {
		t.Errorf("roster not in name order:\n%s", out)
	}

	school := e.ok("admin", "roster")
	mustContain(t, school, "Whole school", "4 students", "kit", "sam", "jo")
	mustNotContain(t, school, "ms-lee", "mr-kim", "admin ")
	mustContain(t, e.ok("admin", "roster Period 5"), "Roster · Period 5", "kit")
	mustContain(t, e.ok("mr-kim", "roster"), "kit")

	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"student", "sam", "roster", bot.EForbidden, "for staff"},
		{"other teacher's class", "mr-kim", "roster Period 3", bot.EForbidden, "You don't teach Period 3"},
		{"unknown class", "ms-lee", "roster Period 9", bot.ENotFound, "can't find a class called Period 9"},
		{"teacher without a class", "mr-ray", "roster", bot.ENotFound, "class create"},
	}
	e.ok("admin", "role @mr-ray teacher")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.staffFails(tt.who, tt.line, tt.code)
			mustContain(t, got, tt.want)
			mustNotContain(t, got, "sam", "alex")
		})
	}
}

func TestRosterAsksWhichClass(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("ms-lee", "class create Period 4")
	// In the linked channel the class is known; in a DM it's ambiguous.
	mustContain(t, e.ok("ms-lee", "roster"), "Period 3", "sam")
	msgs, err := e.dm("ms-lee", "roster")
	ue, ok := bot.AsUserError(err)
	if !ok || ue.Code != bot.EInvalid {
		t.Fatalf("roster in a DM with two classes: want an invalid error, got %v %v", msgs, err)
	}
	mustContain(t, bot.ErrorMessage(err).PlainText(), "You teach 2 classes: Period 3 and Period 4. Which one?", "/plp roster Period 3")
	mustContain(t, e.ok("ms-lee", "roster period 4"), "Roster · Period 4", "No students here yet")
}

func TestStudentView(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	ctx := context.Background()
	g := e.staffGoal("sam", "Read three novels", 40, e.now.Add(-2*24*time.Hour))
	if _, err := e.store.AddStep(ctx, g.UserID, g.Number, "Finish Beloved"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		text string
		at   time.Time
	}{
		{"I learned outlining helps", e.now.Add(-3 * 24 * time.Hour)},
		{"An old thought from September", time.Date(2026, 9, 10, 12, 0, 0, 0, time.UTC)},
	} {
		if _, err := e.store.AddReflection(ctx, plpbot.Reflection{UserID: staffUID("sam"), Text: r.text, At: r.at}); err != nil {
			t.Fatal(err)
		}
	}
	e.ok("ms-lee", "feedback @sam 1 Great pace <!channel>")
	e.ok("ms-lee", "flag @sam iep reading support")
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30 goals check")

	audited := len(e.staffAudit("sam"))
	out := e.ok("ms-lee", "student @sam")
	mustContain(t, out, "sam's plan", "1. Read three novels ▰▰▰▰▱▱▱▱▱▱ 40%", "Next step: Finish Beloved",
		"goal 1 → 40%", "I learned outlining helps", "Great pace <!channel>",
		"Staff only", "IEP", "reading support", "#1 · Tue 1 Dec 2026, 10:30 UTC with ms-lee · 1 talking point",
		"/plp feedback @sam N your note")
	mustNotContain(t, out, "An old thought")
	if got := e.staffAudit("sam"); len(got) != audited+1 || !slices.Contains(got, staffUID("ms-lee")+" view_plan") {
		t.Errorf("student view not audited: %v", got)
	}

	out = e.ok("ms-lee", "student @sam since:2026-09-01")
	mustContain(t, out, "Since Tue 1 Sep 2026", "An old thought from September", "I learned outlining helps")

	mustContain(t, e.ok("admin", "student @alex"), "alex's plan", "No goals yet", "No check-ins, reflections or feedback")

	// User text is wrapped so adapters escape it.
	msgs := e.staffMsgs("ms-lee", "student @sam")
	found := false
	for _, b := range msgs[0].Blocks {
		if l, ok := b.(bot.List); ok {
			for _, it := range l.Items {
				if strings.Contains(it, bot.User("Great pace <!channel>")) {
					found = true
				}
			}
		}
	}
	if !found {
		t.Errorf("feedback text is not wrapped in bot.User")
	}

	e.ok("admin", "role @mr-kim teacher")
	e.ok("mr-kim", "class create Period 5")
	e.ok("admin", "role @ms-park counselor")
	refusals := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"student", "alex", "student @sam", bot.EForbidden, "for staff"},
		{"teacher of another class", "mr-kim", "student @sam", bot.EForbidden, "sam isn't in any of your classes"},
		{"counselor outside the class", "ms-park", "student @sam", bot.EForbidden, "sam isn't on your caseload or in your classes"},
		{"unknown person, same words", "mr-kim", "student @nobody", bot.EForbidden, "nobody isn't in any of your classes"},
		{"admin, unknown person", "admin", "student @nobody", bot.ENotFound, "I don't know that person yet"},
		{"since in the future", "ms-lee", "student @sam since:2027-01-01", bot.EInvalid, "in the future"},
		{"a group", "ms-lee", "student @everyone", bot.EInvalid, "group"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			got := e.staffFails(tt.who, tt.line, tt.code)
			mustContain(t, got, tt.want)
			mustNotContain(t, got, "Read three novels", "outlining", "reading support", "Great pace")
		})
	}
	if _, err := e.store.User(ctx, "console::nobody"); err == nil {
		t.Errorf("looking up an unknown person created them")
	}
}

func TestFeedback(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.staffGoal("sam", "Read three novels", 40, time.Time{})
	ctx := context.Background()

	msgs := e.staffMsgs("ms-lee", `feedback @sam 1 Great pace <!channel> {"$gt":""} — try a harder book`)
	mustContain(t, plain(msgs), "Sent to sam", "Read three novels")
	dm := staffDM(t, msgs, "sam")
	mustContain(t, dm.PlainText(), `ms-lee left feedback on Read three novels: Great pace <!channel> {"$gt":""} — try a harder book`)
	if !strings.Contains(dm.Blocks[0].(bot.Text).Text, bot.User(`Great pace <!channel> {"$gt":""} — try a harder book`)) {
		t.Errorf("feedback text not wrapped in bot.User: %q", dm.Blocks[0])
	}
	if len(dm.Buttons) != 1 || dm.Buttons[0].Command != "reflect" || dm.Buttons[0].Form == nil {
		t.Errorf("feedback DM should offer a reflect form: %+v", dm.Buttons)
	}
	fb, err := e.store.FeedbackFor(ctx, staffUID("sam"), time.Time{}, 0)
	if err != nil || len(fb) != 1 || fb[0].Text != `Great pace <!channel> {"$gt":""} — try a harder book` || fb[0].StaffName != "ms-lee" {
		t.Fatalf("feedback not stored literally: %+v %v", fb, err)
	}

	e.ok("admin", "role @mr-kim teacher")
	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"no such goal", "ms-lee", "feedback @sam 7 nice", bot.ENotFound, "sam doesn't have a goal 7"},
		{"alex has no goal 1", "ms-lee", "feedback @alex 1 nice", bot.ENotFound, "alex doesn't have a goal 1"},
		{"outsider teacher", "mr-kim", "feedback @sam 1 nice", bot.EForbidden, "isn't in any of your classes"},
		{"student", "alex", "feedback @sam 1 nice", bot.EForbidden, "for staff"},
		{"no text", "ms-lee", "feedback @sam 1", bot.EInvalid, "feedback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
	// The outsider learned nothing about sam's goal.
	mustNotContain(t, e.fails("mr-kim", "feedback @sam 1 nice", bot.EForbidden), "Read three novels")
}

func TestFlag(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("admin", "role @mr-kim teacher")

	msgs := e.staffMsgs("ms-lee", "flag @sam iep reading support")
	mustContain(t, plain(msgs), "Saved an IEP flag for sam", "visible to staff only")
	mustNotContain(t, plain(msgs), "reading support")
	for _, m := range msgs {
		if m.To != nil || m.Visibility != bot.Private {
			t.Errorf("a flag reply must be private to the teacher: %+v", m)
		}
	}
	flags, err := e.store.Flags(context.Background(), staffUID("sam"))
	if err != nil || len(flags) != 1 || flags[0].Kind != "iep" || flags[0].Note != "reading support" || flags[0].ByID != staffUID("ms-lee") {
		t.Fatalf("flag not stored: %+v %v", flags, err)
	}
	if got := e.staffAudit("sam"); !slices.Contains(got, staffUID("ms-lee")+" flag") {
		t.Errorf("flag not audited: %v", got)
	}

	tests := []struct {
		name, who, line string
		code            bot.Code
	}{
		{"student flags a classmate", "alex", "flag @sam other", bot.EForbidden},
		{"outsider teacher", "mr-kim", "flag @sam 504", bot.EForbidden},
		{"unknown kind", "ms-lee", "flag @sam adhd", bot.EInvalid},
		{"flag yourself", "ms-lee", "flag @ms-lee other", bot.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { e.staffFails(tt.who, tt.line, tt.code) })
	}
}
