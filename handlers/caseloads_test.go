package handlers_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// runAs types line as a console person whose display name has several
// words ("Sam Moore"): e.run's people are named by their id.
func (e *env) runAs(uid, name, line string) ([]bot.Message, error) {
	e.t.Helper()
	return e.h.Handle(context.Background(), &bot.Request{
		Actor: bot.Identity{Platform: bot.Console, UserID: uid, Name: name}, Text: line, Slash: true,
		Place: bot.Place{Kind: bot.InDM},
	})
}

// caseloadWorld: admin; mx-rivera a counselor and ms-lee a teacher with no
// students; students sam ("Sam Moore", grade 9, a goal), alex ("Alex
// Adams", grade 10) and jo ("Jo Young", grade 10), none in a class.
func caseloadWorld(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.ok("admin", "plan")
	e.ok("admin", "role @mx-rivera counselor")
	e.ok("admin", "role @ms-lee teacher")
	for _, s := range []struct{ uid, name, grade string }{
		{"sam", "Sam Moore", "9"}, {"alex", "Alex Adams", "10"}, {"jo", "Jo Young", "10"},
	} {
		if _, err := e.runAs(s.uid, s.name, "plan"); err != nil {
			t.Fatal(err)
		}
		mustContain(t, e.ok("admin", "role @"+s.uid+" student grade:"+s.grade), "grade "+s.grade+" now")
	}
	if _, err := e.runAs("sam", "Sam Moore", "goal add Read three novels"); err != nil {
		t.Fatal(err)
	}
	return e
}

// canRead reports whether who may open name's plan now (/plp student).
func (e *env) canRead(who, name string) bool {
	e.t.Helper()
	_, err := e.run(who, "student @"+name)
	if err == nil {
		return true
	}
	if ue, ok := bot.AsUserError(err); !ok || ue.Code != bot.EForbidden {
		e.t.Fatalf("%s: /plp student @%s: %v", who, name, err)
	}
	return false
}

// TestCaseloadByGradeGrantsAccess: an admin gives a counselor grade 9; the
// counselor then sees grade 9 students as a teacher sees a class — roster,
// student view, feedback, conferences, who's due, the prep brief — each
// read audited; a student who moves grade leaves the caseload at once.
func TestCaseloadByGradeGrantsAccess(t *testing.T) {
	e := caseloadWorld(t)
	ctx := context.Background()
	if e.canRead("mx-rivera", "sam") {
		t.Fatal("a counselor reads a student before any caseload")
	}
	mustContain(t, e.fails("mx-rivera", "student @sam", bot.EForbidden), "isn't on your caseload")
	mustContain(t, e.ok("mx-rivera", "roster"), "No students on your caseload yet")

	out := e.ok("admin", "caseload @mx-rivera grade:09")
	mustContain(t, out, "caseload now takes in grade 9", "That's 1 student on it now", "[DM to mx-rivera]", "admin gave you grade 9")
	if got := e.auditOf("mx-rivera"); !slices.Contains(got, "admin caseload_rule added grade 9") {
		t.Errorf("the rule isn't audited on the counselor: %q", got)
	}

	// The roster shows the caseload (the counselor teaches no class), audited per student.
	for _, line := range []string{"roster", "roster caseload"} {
		got := e.newAuditsSince("mx-rivera", line, "sam", "alex", "jo")
		if !slices.Equal(got["sam"], []string{"mx-rivera roster caseload"}) || len(got["alex"])+len(got["jo"]) != 0 {
			t.Errorf("/plp %s audited %v", line, got)
		}
		out := e.ok("mx-rivera", line)
		mustContain(t, out, "Roster · Your caseload", "1 student", "Sam Moore")
		mustNotContain(t, out, "Alex", "Jo Young")
	}
	mustContain(t, e.ok("mx-rivera", "caseload"), "Your caseload", "1 student on it now", "Grades: 9", "/plp roster caseload")

	// The student view, feedback and a conference, as a teacher has them.
	if got := e.newAuditsSince("mx-rivera", "student @sam", "sam")["sam"]; len(got) != 1 || !strings.HasPrefix(got[0], "mx-rivera view_plan") {
		t.Errorf("student view audited %q", got)
	}
	mustContain(t, e.ok("mx-rivera", "feedback @sam 1 Great start"), "Sent to Sam Moore")
	mustContain(t, e.ok("mx-rivera", "conference @sam 2026-12-01 10:30 goals"), "#1")
	mustContain(t, e.ok("mx-rivera", "conference list"), "Who's due", "Sam Moore")
	counselor, _ := e.store.User(ctx, staffUID("mx-rivera"))
	cf, err := e.store.ConferenceByNumber(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.h.PrepBrief(ctx, counselor, cf, e.now); err != nil {
		t.Errorf("prep brief for a caseload student: %v", err)
	}
	if ok, err := e.h.StillServes(ctx, counselor.ID, staffUID("sam")); err != nil || !ok {
		t.Errorf("StillServes = %v, %v; want true", ok, err)
	}

	// Rules are read when used: sam moves to grade 10 and is off at once.
	e.ok("admin", "role @sam student grade:10")
	if e.canRead("mx-rivera", "sam") {
		t.Error("a student who moved grade is still readable by the grade 9 counselor")
	}
	if _, err := e.h.PrepBrief(ctx, counselor, cf, e.now); plpbot.ErrorCode(err) != plpbot.EFORBIDDEN {
		t.Errorf("prep brief after the move: err = %v, want forbidden", err)
	}
	if ok, _ := e.h.StillServes(ctx, counselor.ID, staffUID("sam")); ok {
		t.Error("StillServes after the move")
	}
	mustNotContain(t, e.ok("mx-rivera", "roster"), "Sam Moore")
	if got := e.auditOf("sam"); !slices.Contains(got, "admin grade 9 → 10") {
		t.Errorf("the grade change isn't audited: %q", got)
	}
	// A counselor who stops being one loses the caseload's access at once.
	e.ok("admin", "caseload @mx-rivera grade:10")
	if !e.canRead("mx-rivera", "alex") {
		t.Fatal("grade 10 rule gives no access")
	}
	e.ok("admin", "role @mx-rivera teacher")
	if e.canRead("mx-rivera", "alex") {
		t.Error("a counselor made a teacher still reads their old caseload")
	}
}

// TestCaseloadByLastNameAndByName: last:A-L picks students by the last
// word of their name; removing one by name revokes their access at the
// moment of use, whatever the rule says, and adding them back restores it.
func TestCaseloadByLastNameAndByName(t *testing.T) {
	e := caseloadWorld(t)
	mustContain(t, e.ok("admin", "caseload @mx-rivera last:a-l"), "last names A-L", "1 student")
	if !e.canRead("mx-rivera", "alex") || e.canRead("mx-rivera", "jo") || e.canRead("mx-rivera", "sam") {
		t.Fatal("last:A-L should pick Alex Adams only")
	}
	// Jo by name.
	out := e.ok("admin", "caseload @mx-rivera add @jo")
	mustContain(t, out, "Added Jo Young to mx-rivera's caseload", "2 students")
	if !slices.Contains(e.auditOf("jo"), "admin caseload_add caseload of mx-rivera") {
		t.Errorf("adding by name isn't audited: %q", e.auditOf("jo"))
	}
	if !e.canRead("mx-rivera", "jo") {
		t.Fatal("a student added by name is not readable")
	}
	// Alex off by name: the last-name rule no longer brings them.
	mustContain(t, e.ok("admin", "caseload @mx-rivera remove @alex"), "Took Alex Adams off", "1 student")
	if e.canRead("mx-rivera", "alex") {
		t.Error("a student removed by name is still readable")
	}
	if !slices.Contains(e.auditOf("alex"), "admin caseload_remove caseload of mx-rivera") {
		t.Errorf("the removal isn't audited: %q", e.auditOf("alex"))
	}
	show := e.ok("admin", "caseload @mx-rivera")
	mustContain(t, show, "Last names: A-L (the last word of each name)", "Added by name: Jo Young", "Kept off by name: Alex Adams")
	e.ok("admin", "caseload @mx-rivera add @alex")
	if !e.canRead("mx-rivera", "alex") {
		t.Error("adding a removed student back doesn't restore access")
	}
	// Dropping the rule and Jo leaves Alex (by name) only.
	e.ok("admin", "caseload @mx-rivera remove last:A-L")
	e.ok("admin", "caseload @mx-rivera remove @jo")
	if e.canRead("mx-rivera", "jo") || !e.canRead("mx-rivera", "alex") {
		t.Error("after dropping the rule and Jo, only Alex should remain")
	}
}

// TestCaseloadRefusals: only admins change caseloads, only counselors have
// them, caseloads hold students, and bad rules are named.
func TestCaseloadRefusals(t *testing.T) {
	e := caseloadWorld(t)
	for _, tt := range []struct {
		who, line string
		code      bot.Code
		want      string
	}{
		{"mx-rivera", "caseload @mx-rivera grade:9", bot.EForbidden, "Only admins change caseloads"},
		{"ms-lee", "caseload @mx-rivera", bot.EForbidden, "Only admins can see or change someone else's caseload"},
		{"ms-lee", "caseload", bot.EInvalid, "Caseloads are for counselors"},
		{"sam", "caseload", bot.EForbidden, "for staff"},
		{"admin", "caseload", bot.EInvalid, "Name the counselor"},
		{"admin", "caseload @ms-lee grade:9", bot.EInvalid, "ms-lee is a teacher, and caseloads are for counselors"},
		{"admin", "caseload @mx-rivera grade:9-10", bot.EInvalid, "isn't a grade I can read"},
		{"admin", "caseload @mx-rivera last:L-A", bot.EInvalid, "runs backwards"},
		{"admin", "caseload @mx-rivera add @ms-lee", bot.EInvalid, "caseloads hold students"},
		{"admin", "caseload @mx-rivera remove grade:11", bot.ENotFound, "has no rule for grade 11"},
		{"admin", "caseload @mx-rivera remove", bot.EInvalid, "Say what comes off"},
		{"admin", "role @ms-lee teacher grade:9", bot.EInvalid, "Grades are for students"},
	} {
		t.Run(tt.who+" "+tt.line, func(t *testing.T) {
			mustContain(t, e.fails(tt.who, tt.line, tt.code), tt.want)
		})
	}
	// Nothing changed.
	if e.canRead("mx-rivera", "sam") {
		t.Error("a refused change granted access")
	}
}
