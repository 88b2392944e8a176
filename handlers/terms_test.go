package handlers_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// TestTermEndArchivesClass: an admin adds a term without an SIS; a class
// created in it (or put in it) is archived the day after the term's last
// day, in the class's zone: its roster still opens, marked archived, the
// class list says so, and an unnamed command means a class still running.
func TestTermEndArchivesClass(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	out := e.ok("admin", "term add Fall 2026 2026-08-24 2026-12-18")
	mustContain(t, out, "Term added", "Fall 2026: Mon 24 Aug 2026 – Fri 18 Dec 2026", "/plp class term Fall 2026")
	mustContain(t, e.ok("admin", "term add Spring 2027 from:2027-01-05 to:2027-05-28"), "Spring 2027: Tue 5 Jan 2027 – Fri 28 May 2027")

	mustContain(t, e.ok("ms-lee", "class term Fall 2026"), "Period 3 is in Fall 2026 now", "after Fri 18 Dec 2026 it is archived")
	mustContain(t, e.ok("ms-lee", "class create Period 4 term:Spring 2027"), "belongs to Spring 2027", "archived after Fri 28 May 2027")
	mustContain(t, e.ok("ms-lee", "term list"), "Fall 2026 · Mon 24 Aug 2026 – Fri 18 Dec 2026 · 1 class · on now",
		"Spring 2027 · Tue 5 Jan 2027 – Fri 28 May 2027 · 1 class · not started")

	// On the last evening of the term the class still runs.
	e.now = time.Date(2026, 12, 18, 23, 0, 0, 0, time.UTC)
	out = e.ok("ms-lee", "roster Period 3")
	mustNotContain(t, out, "archived", "Archived")

	// The next day it is archived, and staff still read it.
	e.now = time.Date(2026, 12, 19, 9, 0, 0, 0, time.UTC)
	out = e.ok("ms-lee", "roster Period 3")
	mustContain(t, out, "Roster · Period 3 (archived)", "Archived: Fall 2026 ended Fri 18 Dec 2026", "sam", "1 student")
	mustContain(t, e.ok("ms-lee", "class list"), "Period 3 · 1 student", "archived")
	mustContain(t, e.ok("ms-lee", "term list"), "Fall 2026 · Mon 24 Aug 2026 – Fri 18 Dec 2026 · 1 class · ended")
	mustContain(t, e.ok("ms-lee", "student @sam"), "sam's plan") // the plan stays, and so does access

	// With one class running, an unnamed command means it, not last term's.
	msgs, err := e.dm("ms-lee", "roster")
	if err != nil {
		t.Fatalf("roster in a DM: %v", err)
	}
	if got := plain(msgs); !strings.Contains(got, "Roster · Period 4") {
		t.Errorf("an unnamed roster picked an archived class:\n%s", got)
	}
	// Out of any term, the class runs again.
	mustContain(t, e.ok("ms-lee", "class term none class:Period 3"), "in no term now")
	mustNotContain(t, e.ok("ms-lee", "roster Period 3"), "archived")
}

// TestTermRefusals: bad terms are refused with what was wrong, and only
// admins add terms.
func TestTermRefusals(t *testing.T) {
	e := newEnv(t)
	e.setupClass()
	e.ok("admin", "term add Fall 2026 2026-08-24 2026-12-18")
	for _, tt := range []struct {
		who, line string
		code      bot.Code
		want      string
	}{
		{"ms-lee", "term add S1 2026-08-24 2027-01-22", bot.EForbidden, "for admins"},
		{"admin", "term add fall 2026 2026-08-24 2026-12-18", bot.EConflict, "already a term called fall 2026"},
		{"admin", "term add Backwards 2026-12-18 2026-08-24", bot.EInvalid, "ends (2026-08-24) before it starts (2026-12-18)"},
		{"admin", "term add Typo 2026-08-24 2062-12-18", bot.EInvalid, "more than a school year"},
		{"admin", "term add Fall 2027", bot.EInvalid, "a name, its first day and its last day"},
		{"admin", "term add none 2026-08-24 2026-12-18", bot.EInvalid, "means no term"},
		{"admin", "term add S2 from:2027-02-30 to:2027-05-01", bot.EInvalid, "That date doesn't exist"},
		{"ms-lee", "class term Winter", bot.ENotFound, "can't find a term called Winter"},
		{"ms-lee", "class create Art term:Winter", bot.ENotFound, "can't find a term called Winter"},
	} {
		t.Run(tt.line, func(t *testing.T) {
			mustContain(t, e.fails(tt.who, tt.line, tt.code), tt.want)
		})
	}
	if out := e.ok("ms-lee", "class list"); strings.Contains(out, "Art") {
		t.Errorf("a refused class create made a class:\n%s", out)
	}
}

// TestClassSyncAndPastedListOnConsole: the console has no channel members
// to sync (it says what to do instead); a pasted list of usernames adds
// those people, and names nobody answers to are reported, not guessed.
func TestClassSyncAndPastedListOnConsole(t *testing.T) {
	e := newEnv(t)
	e.setupClass()
	mustContain(t, e.fails("ms-lee", "class sync", bot.EInvalid), "/plp class add @sam @alex")
	mustContain(t, e.fails("ms-lee", "class sync role:<@&123>", bot.EInvalid), "Roles are Discord's")
	out := e.ok("ms-lee", "class add sam, alex\njo")
	mustContain(t, out, "Added to Period 3: sam, alex and jo", "[DM to sam]", "[DM to jo]")
	out = e.ok("ms-lee", "class add @kit sam bad$name")
	mustContain(t, out, "Added to Period 3: kit", "Already in Period 3: sam", "couldn't find anyone by the name bad$name")
	mustContain(t, e.fails("ms-lee", "class add", bot.EInvalid), "Mention who to add")
	mustContain(t, e.ok("ms-lee", "roster"), "4 students")
	if got := e.auditOf("jo"); !slices.Contains(got, "ms-lee class_add Period 3") {
		t.Errorf("a pasted addition is audited as %q", got)
	}
}

// TestImportedTermsInChat: the terms the roster import keeps (platform
// roster, the school's workspace) are listed in a chat workspace with their
// classes counted, a chat class can be put in one, and a teacher's class in
// an imported term that ended is archived in chat too.
func TestImportedTermsInChat(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	ctx := t.Context()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	fall, err := e.store.AddTerm(ctx, plpbot.Term{Name: "Semester 1", Platform: plpbot.PlatformRoster, Workspace: "org-1",
		Starts: day(2026, 8, 24), Ends: day(2026, 12, 18), SourcedID: "as-s1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateClass(ctx, plpbot.Class{Name: "Algebra I", Platform: plpbot.PlatformRoster, Workspace: "org-1",
		TimeZone: "UTC", TermID: fall.ID}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.ok("admin", "term list"), "Semester 1 · Mon 24 Aug 2026 – Fri 18 Dec 2026 · 1 class · on now")
	mustContain(t, e.ok("ms-lee", "class term Semester 1"), "Period 3 is in Semester 1 now")
	mustContain(t, e.ok("admin", "term list"), "Semester 1 · Mon 24 Aug 2026 – Fri 18 Dec 2026 · 2 classes")
	e.now = time.Date(2026, 12, 19, 9, 0, 0, 0, time.UTC)
	mustContain(t, e.ok("ms-lee", "roster Period 3"), "Archived: Semester 1 ended Fri 18 Dec 2026")
}
