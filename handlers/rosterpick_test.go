package handlers_test

import (
	"context"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// dmText runs line as who in a DM and returns the replies' text, or the
// refusal's when it is one the person is meant to read; it fails on any
// other error.
func (e *env) dmText(who, line string) string {
	e.t.Helper()
	return e.view(viewCase{who: who, line: line, dm: true})
}

// TestRosterInADMExTeacher: /plp roster naming no class, in a DM or in a
// channel linked to someone else's class, opens a class the asker teaches
// now — its students only, each read audited — and nothing of a class
// they were removed from, even with their id left on its students'
// enrollments (a stale teacher list): their own membership decides, at the
// moment of use.
func TestRosterInADMExTeacher(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("admin", "role @mr-kim teacher")
	e.ok("ms-lee", "class add @mr-kim")
	e.ok("kit", "plan")
	e.ok("mr-kim", "class create Art")
	e.ok("mr-kim", "class add @kit class:Art")

	// Two classes running: which one? Nothing read is shown, nor audited.
	before := len(e.auditOf("sam")) + len(e.auditOf("kit"))
	out := e.dmText("mr-kim", "roster")
	mustContain(t, out, "You teach 2 classes: Art and Period 3. Which one?", "/plp roster Art")
	mustNotContain(t, out, "sam", "kit")
	if after := len(e.auditOf("sam")) + len(e.auditOf("kit")); after != before {
		t.Errorf("asking which class audited %d reads", after-before)
	}

	// In Period 3's channel (#general) it means Period 3, which he co-teaches.
	out = e.ok("mr-kim", "roster")
	mustContain(t, out, "Roster · Period 3", "2 students", "sam", "alex")
	mustNotContain(t, out, "kit")

	e.ok("ms-lee", "class remove @mr-kim")
	check := func(when string) {
		t.Helper()
		for _, dm := range []bool{true, false} {
			before := map[string]int{"sam": len(e.auditOf("sam")), "alex": len(e.auditOf("alex")), "kit": len(e.auditOf("kit"))}
			out := e.view(viewCase{who: "mr-kim", line: "roster", dm: dm})
			mustContain(t, out, "Roster · Art", "1 student", "kit")
			mustNotContain(t, out, "Period 3", "sam", "alex")
			for name, n := range before {
				got := e.auditOf(name)[:len(e.auditOf(name))-n]
				want := 0
				if name == "kit" {
					want = 1
				}
				if len(got) != want {
					t.Errorf("%s (dm %v): %s's new audit entries %q, want %d", when, dm, name, got, want)
				}
			}
		}
	}
	check("removed")

	enr := storagetest.Collection(t, e.store, "enrollments")
	res, err := enr.UpdateMany(context.Background(), bson.D{{Key: "role", Value: plpbot.MemberStudent}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "teacher_ids", Value: staffUID("mr-kim")}}}})
	if err != nil || res.ModifiedCount != 2 {
		t.Fatalf("plant a stale teacher id: %+v, %v", res, err)
	}
	check("a stale teacher list")

	// Out of Art too, he has no class, and sees nobody.
	e.ok("admin", "class remove @mr-kim class:Art")
	out = e.dmText("mr-kim", "roster")
	mustContain(t, out, "You don't have a class yet.")
	mustNotContain(t, out, "sam", "alex", "kit")
}

// TestRosterRefusedWhenTheAuditFails: a roster is a read of each student on
// it, audited before anything is shown; when the audit can't be written,
// the teacher sees the error and no student — in a DM, in the class's
// channel, and naming the class.
func TestRosterRefusedWhenTheAuditFails(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		dm         bool
	}{
		{"in a DM", "roster", true},
		{"in the class channel", "roster", false},
		{"named", "roster Period 3", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, armed := envCutAtAudit(t)
			e.setupClass("sam", "alex")
			e.ok("admin", "term add Fall 2026 2026-08-24 2026-12-18")
			e.ok("ms-lee", "class term Fall 2026")

			armed.Store(true)
			run := e.run
			if tc.dm {
				run = e.dm
			}
			msgs, err := run("ms-lee", tc.line)
			armed.Store(false)
			out := plain(msgs)
			if err == nil && !strings.Contains(out, "couldn't") {
				t.Fatalf("with the audit failing, the roster answered %q", out)
			}
			mustNotContain(t, out, "sam", "alex", "Period 3")
		})
	}
}
