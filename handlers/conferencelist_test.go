package handlers_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestConferenceListExTeacher: a co-teacher removed from a class no longer
// sees its students in their conference list — not in "who's due", not
// the conference they had booked — and the list records no read of them;
// an id of theirs left on a student's enrollment (a stale teacher list)
// changes nothing: their own membership decides.
func TestConferenceListExTeacher(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("admin", "role @mr-kim teacher")
	e.ok("ms-lee", "class add @mr-kim")
	e.ok("mr-kim", "conference @sam 2026-12-01 10:30 goals")
	out := e.ok("mr-kim", "conference list")
	mustContain(t, out, "#1 · sam ·", "Who's due", "alex · never met", "sam · never met")

	e.ok("ms-lee", "class remove @mr-kim")
	check := func(when string) {
		t.Helper()
		got := e.newAuditsSince("mr-kim", "conference list", "sam", "alex")
		if len(got["sam"])+len(got["alex"]) > 0 {
			t.Errorf("%s: the ex-teacher's list audited a read of %v", when, got)
		}
		out := e.ok("mr-kim", "conference list")
		mustNotContain(t, out, "sam ·", "alex ·", "#1", "goals")
		mustContain(t, out, "No conferences coming up.")
	}
	check("removed")

	// A stale teacher list naming them grants nothing.
	enr := storagetest.Collection(t, e.store, "enrollments")
	res, err := enr.UpdateMany(context.Background(), bson.D{{Key: "role", Value: plpbot.MemberStudent}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "teacher_ids", Value: staffUID("mr-kim")}}}})
	if err != nil || res.ModifiedCount != 2 {
		t.Fatalf("plant a stale teacher id: %+v, %v", res, err)
	}
	check("a stale teacher list")

	// Added back, they see the class again.
	e.ok("ms-lee", "class add @mr-kim")
	mustContain(t, e.ok("mr-kim", "conference list"), "#1 · sam ·", "alex · never met")
}

// TestWhoIsDueLeavesOutArchivedClasses: once a class's term is over, its
// students leave the teacher's "who's due" (they still have the plan, and
// a student they meet stays listed with the meeting).
func TestWhoIsDueLeavesOutArchivedClasses(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("admin", "term add Fall 2026 2026-08-24 2026-12-18")
	e.ok("ms-lee", "class term Fall 2026")
	e.ok("ms-lee", "conference @sam 2027-01-12 10:30")
	mustContain(t, e.ok("ms-lee", "conference list"), "alex · never met", "sam · never met")

	e.now = time.Date(2026, 12, 19, 9, 0, 0, 0, time.UTC)
	got := e.newAuditsSince("ms-lee", "conference list", "sam", "alex")
	out := e.ok("ms-lee", "conference list")
	mustNotContain(t, out, "alex ·")
	mustContain(t, out, "#1 · sam ·", "sam · never met · next Tue 12 Jan")
	if len(got["alex"]) != 0 || len(got["sam"]) != 1 {
		t.Errorf("audited %v, want sam once and alex not at all", got)
	}
}

// TestConferenceListAuditsEveryoneShown: a student whose notes are shown
// under "Recent notes" is recorded as read, even when "who's due" (at
// most 25 rows, the longest since met first) leaves them out; the list
// records exactly the students it shows.
func TestConferenceListAuditsEveryoneShown(t *testing.T) {
	e := newEnv(t)
	students := make([]string, 30)
	for i := range students {
		students[i] = fmt.Sprintf("s%02d", i)
	}
	e.setupClass(students...)
	e.ok("ms-lee", "conference @s29 2026-11-26 10:30")
	e.now = time.Date(2026, 11, 26, 11, 0, 0, 0, time.UTC)
	e.ok("ms-lee", "conference done 1 NOTES agreed on a reading plan")

	got := e.newAuditsSince("ms-lee", "conference list", students...)
	out := e.ok("ms-lee", "conference list")
	mustContain(t, out, "Recent notes", "NOTES agreed on a reading plan", "…and 5 more.")
	for _, s := range students {
		shown := strings.Contains(out, s+" ·") || strings.Contains(out, s+":")
		if audited := len(got[s]) > 0; audited != shown {
			t.Errorf("%s: shown %v, audited %v (%q)", s, shown, audited, got[s])
		}
	}
	if !slices.Equal(got["s29"], []string{"ms-lee conference_list notes of #1"}) {
		t.Errorf("s29, shown only by their notes, audited %q", got["s29"])
	}
}

// TestConferenceListRefusedWhenTheAuditFails: the audit of a staff
// conference list is written before anything is shown; when it can't be
// written, the teacher sees the error and no student.
func TestConferenceListRefusedWhenTheAuditFails(t *testing.T) {
	e, armed := envCutAtAudit(t)
	e.setupClass("sam", "alex")
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30 goals")

	armed.Store(true)
	msgs, err := e.run("ms-lee", "conference list")
	armed.Store(false)
	out := plain(msgs)
	if err == nil && !strings.Contains(out, "couldn't") {
		t.Fatalf("with the audit failing, the list answered %q", out)
	}
	mustNotContain(t, out, "sam", "alex", "#1", "goals")
	t.Logf("with the audit failing: %v %q", err, out)
}

// TestConferenceListCounselorCaseload: a counselor's list reads the
// caseload's rules when it is shown: a student who moves off it (a grade
// change) leaves the list at once, with the conference booked with them,
// and the list records no read of them.
func TestConferenceListCounselorCaseload(t *testing.T) {
	e := caseloadWorld(t) // sam is in grade 9, alex and jo in grade 10
	e.ok("admin", "caseload @mx-rivera grade:9")
	e.ok("mx-rivera", "conference @sam 2026-12-01 10:30 goals")
	got := e.newAuditsSince("mx-rivera", "conference list", "sam", "alex")
	mustContain(t, e.ok("mx-rivera", "conference list"), "#1 · Sam Moore ·", "Who's due", "Sam Moore · never met")
	if !slices.Equal(got["sam"], []string{"mx-rivera conference_list conference #1"}) || len(got["alex"]) > 0 {
		t.Errorf("on the caseload: audited %v", got)
	}

	e.ok("admin", "role @sam student grade:10")
	got = e.newAuditsSince("mx-rivera", "conference list", "sam", "alex")
	out := e.ok("mx-rivera", "conference list")
	mustNotContain(t, out, "Sam Moore", "#1", "goals", "Alex")
	if len(got["sam"])+len(got["alex"]) > 0 {
		t.Errorf("off the caseload: audited %v", got)
	}
	// The rule for grade 10 brings in alex and jo, and sam again.
	e.ok("admin", "caseload @mx-rivera grade:10")
	mustContain(t, e.ok("mx-rivera", "conference list"), "#1 · Sam Moore ·", "Alex Adams · never met", "Jo Young · never met")
}

// envCutAtAudit is an env whose link to the database is cut as the first
// audit entry is sent once armed is set: every read before it succeeds.
func envCutAtAudit(t *testing.T) (*env, *atomic.Bool) {
	t.Helper()
	p := storagetest.NewCutProxy(t)
	armed := &atomic.Bool{}
	opts := storagetest.Options(t)
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	opts.URI, opts.Now = p.URI(), func() time.Time { return now }
	opts.Timeouts = storage.Timeouts{Heartbeat: 500 * time.Millisecond, ServerSelection: time.Second, Connect: time.Second}
	opts.Monitor = &event.CommandMonitor{Started: func(_ context.Context, ev *event.CommandStartedEvent) {
		if coll, _ := ev.Command.Lookup(ev.CommandName).StringValueOK(); armed.Load() && ev.CommandName == "insert" && coll == "audit" {
			p.Cut()
		}
	}}
	store := storagetest.Open(t, opts)
	t.Cleanup(p.Restore)
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: opts.Now, DefaultTimeZone: "UTC", CommandTimeout: time.Second})
	return e, armed
}
