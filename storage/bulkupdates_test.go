package storage_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// Writes that send more than a hundred updates of documents that exist, on
// the embedded database: each wedged it before they were sent as updates
// of "many" by _id (see the note in byid.go). Each runs under a bounded
// context, so it fails rather than hangs.

// manyUpdates is more updates than the embedded database has connections.
const manyUpdates = 150

// bounded returns a context that ends after limit.
func bounded(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	return ctx
}

// TestNoOneDocumentModels: no write in the storage package builds an
// UpdateOne or ReplaceOne model for a bulk write, which wedges the
// embedded database from the 100th that matches (the note in byid.go).
func TestNoOneDocumentModels(t *testing.T) {
	files, err := filepath.Glob("*.go")
	must(t, "list the package's files", err)
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		must(t, "parse "+name, err)
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if ok && (sel.Sel.Name == "NewUpdateOneModel" || sel.Sel.Name == "NewReplaceOneModel") {
				t.Errorf("%s: mongo.%s in a bulk write: use updateByID (see the note in byid.go)", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

// staffWithManyRecords makes a teacher who wrote feedback for, recorded a
// flag about, created a class for and read the plan of manyUpdates
// students each, as a year of teaching leaves them.
func staffWithManyRecords(t *testing.T, s *storage.Store) *plpbot.Person {
	t.Helper()
	ctx := context.Background()
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	docs := map[string][]any{}
	for i := range manyUpdates {
		stu := fmt.Sprintf("slack:T1:S%03d", i)
		docs["goals"] = append(docs["goals"], plpbot.Goal{ID: plpbot.GoalID(stu, 1), UserID: stu, Number: 1, Title: "Read",
			Status: plpbot.GoalActive, Steps: []plpbot.Step{}, Feedback: []plpbot.Feedback{{ID: fmt.Sprintf("f%03d", i), StudentID: stu,
				StaffID: tch.ID, StaffName: tch.Name, GoalNumber: 1, Text: "well done", At: t0}}})
		docs["flags"] = append(docs["flags"], plpbot.Flag{ID: fmt.Sprintf("g%03d", i), StudentID: stu, Kind: plpbot.FlagIEP,
			ByID: tch.ID, At: t0})
		docs["classes"] = append(docs["classes"], plpbot.Class{ID: fmt.Sprintf("c%03d", i), Name: fmt.Sprintf("Period %d", i),
			NameLower: fmt.Sprintf("period %d", i), Platform: "slack", Workspace: "T1", CreatedBy: tch.ID, CreatedAt: t0})
		docs["audit"] = append(docs["audit"], plpbot.AuditEntry{ID: fmt.Sprintf("a%03d", i), ActorID: tch.ID, ActorName: tch.Name,
			Action: "view_plan", SubjectID: stu, At: t0})
	}
	for coll, ds := range docs {
		_, err := storagetest.Collection(t, s, coll).InsertMany(ctx, ds)
		must(t, "seed "+coll, err)
	}
	return tch
}

// wantAnonymised checks that done anonymised every record of
// staffWithManyRecords and nothing names the teacher any more.
func wantAnonymised(t *testing.T, s *storage.Store, tch *plpbot.Person, done storage.RecordCounts) {
	t.Helper()
	if done.FeedbackGiven != manyUpdates || done.FlagsRecorded != manyUpdates || done.ClassesCreated != manyUpdates ||
		done.AuditActions != manyUpdates {
		t.Errorf("forgetting did %+v, want %d of each kind anonymised", done, manyUpdates)
	}
	for _, needle := range []string{tch.ID, tch.Name} {
		if left := docsMentioning(t, s, needle); len(left) > 0 {
			t.Errorf("documents still hold %q: %d, such as %v", needle, len(left), left[0])
		}
	}
}

// TestForgetStaffWithManyRecords: forgetting a teacher with 150 of each
// kind of record about others anonymises them all, in seconds.
func TestForgetStaffWithManyRecords(t *testing.T) {
	s, _ := newStore(t)
	tch := staffWithManyRecords(t, s)
	done, err := s.Forget(bounded(t, 30*time.Second), tch.ID, admin)
	must(t, "Forget", err)
	wantAnonymised(t, s, tch, done)
}

// TestPurgeStaffWithManyRecords: the retention policy purging such a
// teacher, gone a year, does the same.
func TestPurgeStaffWithManyRecords(t *testing.T) {
	s, clk := newStore(t)
	tch := staffWithManyRecords(t, s)
	clk.Advance(400 * 24 * time.Hour)
	ctx := bounded(t, 30*time.Second)
	inactive, err := s.Inactive(ctx, clk.Now().Add(-365*24*time.Hour))
	must(t, "Inactive", err)
	if len(inactive) != 1 || inactive[0].ID != tch.ID {
		t.Fatalf("Inactive = %+v, want the teacher", inactive)
	}
	n, err := s.Purge(ctx, inactive, storage.RetentionEraser)
	must(t, "Purge", err)
	if n != 1 {
		t.Errorf("Purge = %d, want 1", n)
	}
	wantAnonymised(t, s, tch, storage.RecordCounts{FeedbackGiven: manyUpdates, FlagsRecorded: manyUpdates,
		ClassesCreated: manyUpdates, AuditActions: manyUpdates})
}

// TestRenewManyOutboxClaims: renewing the leases of 150 held items sets
// them all.
func TestRenewManyOutboxClaims(t *testing.T) {
	s, _ := newStore(t)
	ids := planN(t, s, manyUpdates, t0)
	until := t0.Add(time.Minute)
	must(t, "RenewOutboxClaims", s.RenewOutboxClaims(bounded(t, 30*time.Second), ids, until))
	for _, id := range []string{ids[0], ids[manyUpdates-1]} {
		it, err := s.OutboxItemByID(context.Background(), id)
		if err != nil || !it.LeaseUntil.Equal(ms(until)) {
			t.Errorf("%s: %v, lease until %v; want %v", id, err, it.LeaseUntil, until)
		}
	}
}

// TestPlanOutboxAgainMany: planning 300 items already planned (a planner
// catching up a run another replica made) adds none, and returns at once:
// inserts that find their document hold nothing.
func TestPlanOutboxAgainMany(t *testing.T) {
	s, _ := newStore(t)
	planN(t, s, 2*manyUpdates, t0)
	items := make([]storage.OutboxItem, 2*manyUpdates)
	for i := range items {
		items[i] = storage.OutboxItem{Job: "reflect", Period: "2026-03-06T14:00", Recipient: fmt.Sprintf("u%d", i), Due: t0}
	}
	n, err := s.PlanOutbox(bounded(t, 30*time.Second), items)
	if err != nil || n != 0 {
		t.Errorf("PlanOutbox again = %d, %v; want none new", n, err)
	}
}

// TestApplyRosterManyTermsAndCaseloads: an import that changes 150 terms
// (a district's schools and grading periods) and 150 counselors' caseloads
// updates them all, and saves its state.
func TestApplyRosterManyTermsAndCaseloads(t *testing.T) {
	s, _ := newStore(t)
	terms := make([]plpbot.Term, manyUpdates)
	caseloads := make([]storage.CaseloadWrite, manyUpdates)
	for i := range terms {
		terms[i] = plpbot.Term{ID: fmt.Sprintf("roster:term-%d", i), Name: fmt.Sprintf("Fall %d", i), Platform: plpbot.PlatformRoster,
			Workspace: "org-1", Starts: t0, Ends: t0.Add(100 * 24 * time.Hour), SourcedID: fmt.Sprintf("term-%d", i)}
		caseloads[i] = storage.CaseloadWrite{Caseload: plpbot.Caseload{CounselorID: fmt.Sprintf("roster:couns-%d", i),
			Platform: plpbot.PlatformRoster, Workspace: "org-1", SourcedID: fmt.Sprintf("couns-%d", i)},
			Add: []string{fmt.Sprintf("roster:stu-%d", i)}}
	}
	must(t, "first import", s.ApplyRoster(bounded(t, 30*time.Second),
		&storage.RosterWrites{NewTerms: terms, Caseloads: caseloads}, &storage.RosterState{Terms: terms}))

	for i := range terms {
		terms[i].Name = fmt.Sprintf("Autumn %d", i)
		caseloads[i].Add = []string{fmt.Sprintf("roster:stu-%d", i+1000)}
		caseloads[i].Remove = []string{fmt.Sprintf("roster:stu-%d", i)}
	}
	must(t, "second import", s.ApplyRoster(bounded(t, 30*time.Second),
		&storage.RosterWrites{Terms: terms, Caseloads: caseloads}, &storage.RosterState{Terms: terms}))

	ctx := context.Background()
	last := manyUpdates - 1
	if tm, err := s.Term(ctx, terms[last].ID); err != nil || tm.Name != terms[last].Name {
		t.Errorf("term %d: %v, %+v", last, err, tm)
	}
	c, err := s.Caseload(ctx, &plpbot.Person{ID: caseloads[last].Caseload.CounselorID})
	if err != nil || len(c.Added) != 1 || c.Added[0] != fmt.Sprintf("roster:stu-%d", last+1000) {
		t.Errorf("caseload %d: %v, %+v", last, err, c)
	}
	st, err := s.RosterState(ctx)
	if err != nil || len(st.Terms) != manyUpdates || st.Terms[last].Name != terms[last].Name {
		t.Errorf("roster state: %v, %d terms", err, len(st.Terms))
	}
}
