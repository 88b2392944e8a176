package handlers_test

import (
	"context"
	"testing"

	"github.com/plpbot/plpbot/bot"
)

func TestExportSelf(t *testing.T) {
	e := newEnv(t)
	e.ok("Sam Lee", "profile set interests robotics")
	e.ok("Sam Lee", "goal add # Read <b>three</b> [novels](http://x) by:2027-05-30 why:I want to enjoy reading again")
	e.ok("Sam Lee", "step add 1 Finish Beloved")
	e.ok("Sam Lee", "step done 1.1")
	e.ok("Sam Lee", "checkin 1 40% halfway confidence:4")
	e.ok("Sam Lee", "reflect Reading before bed works\n# not a heading")

	msgs, err := e.run("Sam Lee", "export")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].File == nil {
		t.Fatalf("want one reply with a file, got %+v", msgs)
	}
	f := msgs[0].File
	if f.Name != "plan-sam-lee.md" || f.ContentType != "text/markdown" {
		t.Errorf("file: got %q %q", f.Name, f.ContentType)
	}
	md := string(f.Data)
	mustContain(t, md,
		"# Learning plan: Sam Lee",
		"- **Interests:** robotics",
		`### 1. \# Read \<b\>three\</b\> \[novels\](http://x)`,
		"- **Target date:** Sun 30 May 2027",
		"- **Why it matters:** I want to enjoy reading again",
		"  - [x] Finish Beloved",
		"goal 1: 40% (confidence 4/5) — halfway",
		"> Reading before bed works\n> \\# not a heading",
		"## Next conference\n\nNone scheduled.",
	)
	mustContain(t, plain(msgs), "Here's your plan")
}

func TestExportStaff(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("other-teacher", "plan")
	e.ok("admin", "role @other-teacher teacher")
	e.ok("sam", "goal add Read three novels")
	e.ok("ms-lee", "flag @sam iep reading support plan")
	e.ok("ms-lee", "feedback @sam 1 Great pace — try a harder book next")
	e.ok("ms-lee", "conference @sam 2026-12-02 10:30 goals check")
	ctx := context.Background()
	samID := e.user("sam").ID
	before, err := e.store.AuditLog(ctx, samID, 0)
	if err != nil {
		t.Fatal(err)
	}

	// Refused: a classmate, a teacher of another class. Nothing audited as
	// an export; the teacher's attempt is recorded as a refusal.
	mustContain(t, e.fails("alex", "export @sam", bot.EForbidden), "only export your own")
	e.fails("other-teacher", "export @sam", bot.EForbidden)
	after, _ := e.store.AuditLog(ctx, samID, 0)
	if len(after) != len(before)+1 || after[0].Action != "refused:export" || after[0].ActorID != e.user("other-teacher").ID {
		t.Fatalf("a refused export: want one refused:export entry by other-teacher, got %d → %d entries, newest %+v", len(before), len(after), after[0])
	}

	for _, who := range []string{"ms-lee", "admin"} {
		msgs, err := e.run(who, "export @sam")
		if err != nil {
			t.Fatalf("%s: %v", who, err)
		}
		md := string(msgs[0].File.Data)
		mustContain(t, md, "# Learning plan: sam", "### 1. Read three novels", "ms-lee on goal 1: Great pace", "with ms-lee")
		mustNotContain(t, md, "iep", "IEP", "reading support plan", "flag")
		mustContain(t, plain(msgs), "Intervention flags are never included")
		if !audited(t, e, samID, "export", e.user(who).ID) {
			t.Errorf("%s: export not audited", who)
		}
	}
	// Exporting yourself by mention is just your own export, not audited.
	n0, _ := e.store.AuditLog(ctx, samID, 0)
	msgs, err := e.run("sam", "export @sam")
	if err != nil || msgs[0].File == nil {
		t.Fatalf("self export by mention: %v", err)
	}
	if n1, _ := e.store.AuditLog(ctx, samID, 0); len(n1) != len(n0) {
		t.Errorf("a self export was audited")
	}
}

// audited reports whether the audit log about subjectID has an entry of
// action by actorID.
func audited(t *testing.T, e *env, subjectID, action, actorID string) bool {
	t.Helper()
	log, err := e.store.AuditLog(context.Background(), subjectID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range log {
		if a.Action == action && a.ActorID == actorID {
			return true
		}
	}
	return false
}
