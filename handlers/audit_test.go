package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
)

// auditOf returns what the audit log holds about name, newest first, as
// "actor action detail" lines.
func (e *env) auditOf(name string) []string {
	e.t.Helper()
	log, err := e.store.AuditLog(context.Background(), staffUID(name), 0)
	if err != nil {
		e.t.Fatalf("AuditLog: %v", err)
	}
	out := make([]string, len(log))
	for i, a := range log {
		out[i] = strings.TrimSpace(strings.TrimPrefix(a.ActorID, "console::") + " " + a.Action + " " + a.Detail)
	}
	return out
}

// newAuditsSince runs line as who and returns the audit entries it added
// about each of names (newest first), by name.
func (e *env) newAuditsSince(who, line string, names ...string) map[string][]string {
	e.t.Helper()
	before := map[string]int{}
	for _, n := range names {
		before[n] = len(e.auditOf(n))
	}
	e.ok(who, line)
	out := map[string][]string{}
	for _, n := range names {
		all := e.auditOf(n)
		out[n] = all[:len(all)-before[n]]
	}
	return out
}

// withEnrolBy rebuilds e's handlers with classes.enrol_by set.
func (e *env) withEnrolBy(by handlers.EnrolBy) *env {
	e.h = handlers.New(e.store, handlers.Options{Now: func() time.Time { return e.now }, DefaultTimeZone: "UTC", EnrolBy: by})
	return e
}

// TestAuditStaffReads: the roster and a staff conference list are reads of
// each student they show, one entry each; a student's own lists are not
// audited; nobody outside the list gets an entry.
func TestAuditStaffReads(t *testing.T) {
	e := privacyWorld(t) // sam has conference #1 with ms-lee; alex none; kit is mr-kim's
	for _, tt := range []struct {
		name, who, line string
		want            map[string][]string
	}{
		{"class roster", "ms-lee", "roster", map[string][]string{
			"sam": {"ms-lee roster Period 3"}, "alex": {"ms-lee roster Period 3"}, "kit": nil}},
		{"co-teaching counselor's roster", "ms-park", "roster Period 3", map[string][]string{
			"sam": {"ms-park roster Period 3"}, "alex": {"ms-park roster Period 3"}, "kit": nil}},
		{"whole school", "admin", "roster", map[string][]string{
			"sam": {"admin roster whole school"}, "alex": {"admin roster whole school"}, "kit": {"admin roster whole school"}}},
		{"teacher's conference list", "ms-lee", "conference list", map[string][]string{
			"sam": {"ms-lee conference_list conference #1"}, "alex": {"ms-lee conference_list meeting dates"}, "kit": nil}},
		{"other teacher's conference list", "mr-kim", "conference list", map[string][]string{
			"sam": nil, "alex": nil, "kit": {"mr-kim conference_list meeting dates"}}},
		{"a student's own conference list", "sam", "conference list", map[string][]string{
			"sam": nil, "alex": nil, "kit": nil}},
		{"a student's own plan", "sam", "plan", map[string][]string{"sam": nil}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := e.newAuditsSince(tt.who, tt.line, "sam", "alex", "kit")
			for name, want := range tt.want {
				if !slices.Equal(got[name], want) {
					t.Errorf("about %s: got %q, want %q", name, got[name], want)
				}
			}
		})
	}
	// The roster's entries went in one write: the same instant for all.
	log, err := e.store.AuditLog(context.Background(), staffUID("sam"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(log, func(a plpbot.AuditEntry) bool { return a.Action == "roster" && a.ActorName == "admin" }) {
		t.Errorf("no roster entry by admin, by name, in %+v", log)
	}
}

// TestAuditRefusals: staff asking for a student they don't serve are
// refused, and the attempt is recorded about that student as a security
// signal. A student's attempt is refused by the command's audience and an
// unknown name has no subject: neither leaves an entry.
func TestAuditRefusals(t *testing.T) {
	e := privacyWorld(t)
	for _, tt := range []struct {
		who, line string
		want      []string // new entries about sam
	}{
		{"mr-kim", "student @sam", []string{"mr-kim refused:student"}},
		{"mr-kim", "export @sam", []string{"mr-kim refused:export"}},
		{"ms-cho", "feedback @sam 1 hi", []string{"ms-cho refused:feedback"}},
		{"ms-cho", "flag @sam iep", []string{"ms-cho refused:flag"}},
		{"mr-kim", "conference @sam 2026-12-02 10:00", []string{"mr-kim refused:conference schedule"}},
		{"mr-kim", "away @sam until 2026-12-10", []string{"mr-kim refused:away set"}},
		{"mr-kim", "student @nobody", nil},
		{"alex", "student @sam", nil},
		{"alex", "export @sam", nil},
	} {
		t.Run(tt.who+" "+tt.line, func(t *testing.T) {
			before := len(e.auditOf("sam"))
			_, err := e.run(tt.who, tt.line)
			if ue, ok := bot.AsUserError(err); !ok || (ue.Code != bot.EForbidden && ue.Code != bot.ENotFound) {
				t.Fatalf("want a refusal, got %v", err)
			}
			all := e.auditOf("sam")
			if got := all[:len(all)-before]; !slices.Equal(got, tt.want) {
				t.Errorf("new entries about sam: got %q, want %q", got, tt.want)
			}
		})
	}
	// The admin sees them in the audit, marked.
	mustContain(t, e.ok("admin", "audit @sam"), "mr-kim · ⚠️ was refused `/plp student`", "ms-cho · ⚠️ was refused `/plp flag`")
}

// TestAuditCommand: /plp audit lists who read or changed a person's
// records, newest first, 20 to a page, in the viewer's zone, for admins only.
func TestAuditCommand(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	ctx := context.Background()
	e.ok("admin", "profile set timezone America/New_York")
	e.ok("sam", "plan") // the student's own read: never listed
	// 45 reads by ms-lee, one an hour from 2026-11-01 00:00 UTC: read 1 is
	// the oldest, read 45 the newest; plus class_add from setupClass, at
	// the clock's now (2026-11-25), newer than all of them.
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= 45; i++ {
		if err := e.store.Audit(ctx, plpbot.AuditEntry{ActorID: staffUID("ms-lee"), ActorName: "ms-lee", Action: "view_plan",
			SubjectID: staffUID("sam"), Detail: fmt.Sprintf("read %d", i), At: start.Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name, line   string
		want, absent []string
	}{
		{"first page", "audit @sam", []string{
			"Audit · sam", "newest first · 1–20",
			"Wed 25 Nov 2026, 10:00 EST · ms-lee · added them to a class: Period 3", // 15:00 UTC, in New York
			"Mon 2 Nov 2026, 16:00 EST · ms-lee · read the plan: read 45", "read 27",
			"More: `/plp audit @sam page:2`", "Times in America/New_York",
		}, []string{"read 26", "sam · "}},
		{"second page", "audit @sam page:2", []string{"newest first · 21–40", "read 26", "read 7", "More: `/plp audit @sam page:3`"},
			[]string{"read 27", "read 6"}},
		{"last page", "audit @sam page:3", []string{"newest first · 41–46", "read 6",
			"Sat 31 Oct 2026, 21:00 EDT · ms-lee · read the plan: read 1"}, []string{"More:", "read 7"}},
		// since: is midnight in the viewer's zone: 2026-11-01 04:00 UTC, so reads 4 to 45.
		{"since", "audit @sam since:2026-11-01", []string{"since Sun 1 Nov 2026, newest first · 1–20", "read 45",
			"More: `/plp audit @sam since:2026-11-01 page:2`"}, []string{"read 26"}},
		{"since, last page", "audit @sam since:2026-11-01 page:3", []string{"41–43", "read 6", "read 4"}, []string{"read 3", "More:"}},
		{"since, only the newest", "audit @sam since:2026-11-25", []string{"since Wed 25 Nov 2026, newest first\n", "added them to a class"}, []string{"read the plan", "1–"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := e.ok("admin", tt.line)
			mustContain(t, out, tt.want...)
			mustNotContain(t, out, tt.absent...)
		})
	}
	mustContain(t, e.ok("admin", "audit @admin"), "nobody yet", "own reads and changes aren't listed")

	for _, tt := range []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"teacher", "ms-lee", "audit @sam", bot.EForbidden, "That command is for admins."},
		{"the student", "sam", "audit @sam", bot.EForbidden, "That command is for admins."},
		{"past the end", "admin", "audit @sam page:4", bot.ENotFound, "There's no page 4"},
		{"unknown person", "admin", "audit @nobody", bot.ENotFound, "I don't know anyone called @nobody"},
		{"since in the future", "admin", "audit @sam since:2027-01-01", bot.EInvalid, "is in the future"},
		{"page zero", "admin", "audit @sam page:0", bot.EInvalid, "page"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
}

// TestClassChangesAudited: adding a student to a class grants its teachers
// the plan, so each addition and removal is audited about the person, the
// student's welcome DM names who added them, and the admin sees both in
// /plp audit.
func TestClassChangesAudited(t *testing.T) {
	e := newEnv(t)
	e.setupClass()
	e.ok("sam", "plan")
	e.ok("admin", "role @ms-park counselor")

	msgs := e.staffMsgs("ms-lee", "class add @sam @ms-park")
	mustContain(t, staffDM(t, msgs, "sam").PlainText(), "ms-lee added you to Period 3")
	if got := e.auditOf("sam"); !slices.Equal(got, []string{"ms-lee class_add Period 3"}) {
		t.Errorf("about sam: %q", got)
	}
	if got := e.auditOf("ms-park"); !slices.Equal(got, []string{"ms-lee class_add Period 3 (co-teacher)", "admin role student → counselor"}) {
		t.Errorf("about ms-park: %q", got)
	}
	// Adding someone already in the class grants nothing: no entry.
	e.ok("ms-lee", "class add @sam")
	e.ok("ms-lee", "class remove @sam")
	if got := e.auditOf("sam"); !slices.Equal(got, []string{"ms-lee class_remove Period 3", "ms-lee class_add Period 3"}) {
		t.Errorf("about sam after remove: %q", got)
	}
	// Removing someone not in the class changes nothing: no entry.
	e.fails("ms-lee", "class remove @sam", bot.ENotFound)
	if n := len(e.auditOf("sam")); n != 2 {
		t.Errorf("a refused removal was audited: %d entries", n)
	}
	mustContain(t, e.ok("admin", "audit @sam"),
		"ms-lee · removed them from a class: Period 3", "ms-lee · added them to a class: Period 3")
}

// TestEnrolByAdmins: with classes.enrol_by: admins, teachers can't add or
// remove anyone (they're told who can), nothing is stored, and admins can;
// the welcome DM names the admin and the addition shows in /plp audit.
func TestEnrolByAdmins(t *testing.T) {
	e := newEnv(t)
	e.setupClass("alex") // enrolled while staff could still enrol
	e.withEnrolBy(handlers.EnrolByAdmins)
	e.ok("sam", "plan")
	e.ok("admin", "role @ms-park counselor")

	for _, tt := range []struct{ who, line, want string }{
		{"ms-lee", "class add @sam", "In this school, class lists come from the office. Ask an admin to add @sam."},
		{"ms-lee", "class add @sam @ms-park class:Period 3", "Ask an admin to add @sam and @ms-park."},
		{"ms-lee", "class remove @alex", "In this school, class lists come from the office. Ask an admin to remove @alex."},
		{"ms-park", "class add @sam class:Period 3", "Ask an admin to add @sam."},
		{"sam", "class add @sam", "That command is for staff."},
	} {
		t.Run(tt.who+" "+tt.line, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, bot.EForbidden), tt.want)
		})
	}
	// Teachers' hints point at an admin, not at a command they can't use.
	mustContain(t, e.fails("ms-lee", "student @sam", bot.EForbidden), "ask an admin to add them to your class")
	mustContain(t, e.ok("ms-lee", "class create Period 4"), "ask an admin to add your students")

	msgs := e.staffMsgs("admin", "class add @sam class:Period 3")
	mustContain(t, staffDM(t, msgs, "sam").PlainText(), "admin added you to Period 3")
	mustContain(t, e.ok("ms-lee", "student @sam"), "sam's plan")
	e.ok("admin", "class remove @alex class:Period 3")
	mustContain(t, e.ok("admin", "audit @sam"), "admin · added them to a class: Period 3")
	mustContain(t, e.ok("admin", "audit @alex"), "admin · removed them from a class: Period 3", "ms-lee · added them to a class: Period 3")
}

// TestFeedbackIsAudited: feedback is the audit log's entry of itself, so
// /plp audit lists it once, as "gave feedback" on the goal, without its
// text. Feedback refused is audited as a refusal and stores nothing;
// feedback on a goal the student doesn't have stores nothing either.
func TestFeedbackIsAudited(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	e.ok("admin", "role @mr-kim teacher")
	before := e.staffCounts()
	e.ok("ms-lee", "feedback @sam 1 FB-words lovely choice")
	if after := e.staffCounts(); after["feedback"] != before["feedback"]+1 || after["audit"] != before["audit"]+1 {
		t.Errorf("feedback stored %d feedback and %d audit entries, want one of each (the same record)",
			after["feedback"]-before["feedback"], after["audit"]-before["audit"])
	}
	out := e.ok("admin", "audit @sam")
	mustContain(t, out, "ms-lee · gave feedback: goal 1")
	mustNotContain(t, out, "FB-words")
	if n := strings.Count(out, "gave feedback"); n != 1 {
		t.Errorf("/plp audit lists the feedback %d times, want once:\n%s", n, out)
	}

	before = e.staffCounts()
	mustContain(t, e.staffFails("ms-lee", "feedback @sam 7 FB-nowhere", bot.ENotFound), "sam doesn't have a goal 7")
	e.staffSame(before, "feedback on a goal sam doesn't have")
	mustContain(t, e.staffFails("mr-kim", "feedback @sam 1 FB-outsider", bot.EForbidden), "isn't in any of your classes")
	e.staffSame(before, "refused feedback")
	mustContain(t, e.ok("admin", "audit @sam"), "mr-kim · ⚠️ was refused `/plp feedback`", "ms-lee · gave feedback: goal 1")
}
