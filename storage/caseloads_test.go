package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// names returns the names of people, in order.
func names(ps []plpbot.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// TestCaseloadRules: rules by grade and last-name range, students added and
// removed by name, all read against the students as they are now.
func TestCaseloadRules(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	couns := mustUser(t, s, "UC", "Mx Counsel", plpbot.RoleCounselor)
	sam := mustUser(t, s, "U1", "Sam Adams", plpbot.RoleStudent)
	alex := mustUser(t, s, "U2", "Alex Moore", plpbot.RoleStudent)
	jo := mustUser(t, s, "U3", "Jo Zhang", plpbot.RoleStudent)
	mustUser(t, s, "UT", "Ms Lee", plpbot.RoleTeacher) // staff are never on a caseload
	for _, g := range []struct {
		p     *plpbot.Person
		grade string
	}{{sam, "10"}, {alex, "9"}, {jo, "11"}} {
		_, err := s.SetGrade(ctx, g.p.ID, g.grade)
		must(t, "SetGrade", err)
	}

	cl, err := s.Caseload(ctx, couns)
	must(t, "Caseload", err)
	if !cl.Empty() || cl.CounselorID != couns.ID {
		t.Fatalf("a new counselor's caseload = %+v, want empty", cl)
	}
	got, err := s.CaseloadStudents(ctx, cl)
	must(t, "CaseloadStudents", err)
	if len(got) != 0 {
		t.Errorf("empty caseload lists %v", names(got))
	}

	want := func(what string, ch storage.CaseloadChange, wantNames ...string) {
		t.Helper()
		cl, err := s.ChangeCaseload(ctx, couns, ch)
		must(t, "ChangeCaseload "+what, err)
		got, err := s.CaseloadStudents(ctx, cl)
		must(t, "CaseloadStudents "+what, err)
		slices.Sort(wantNames)
		gotNames := names(got)
		slices.Sort(gotNames)
		if !slices.Equal(gotNames, wantNames) {
			t.Errorf("%s: caseload = %v, want %v", what, gotNames, wantNames)
		}
		// The stored caseload says the same as the query.
		again, err := s.Caseload(ctx, couns)
		must(t, "Caseload", err)
		for _, p := range []*plpbot.Person{sam, alex, jo} {
			u, _ := s.User(ctx, p.ID)
			if again.Includes(u) != slices.Contains(wantNames, u.Name) {
				t.Errorf("%s: Includes(%s) = %v, disagrees with the roster", what, u.Name, again.Includes(u))
			}
		}
	}
	al, _ := plpbot.ParseNameRange("A-L")
	want("grade 9", storage.CaseloadChange{AddGrades: []string{"9"}}, "Alex Moore")
	want("grade 9 twice", storage.CaseloadChange{AddGrades: []string{"9"}}, "Alex Moore")
	want("last A-L", storage.CaseloadChange{AddLastNames: []plpbot.NameRange{al}}, "Alex Moore", "Sam Adams")
	want("add Jo", storage.CaseloadChange{AddStudents: []string{jo.ID}}, "Alex Moore", "Sam Adams", "Jo Zhang")
	want("remove Sam", storage.CaseloadChange{RemoveStudents: []string{sam.ID}}, "Alex Moore", "Jo Zhang")
	want("drop A-L", storage.CaseloadChange{RemoveLastNames: []plpbot.NameRange{al}}, "Alex Moore", "Jo Zhang")
	want("add Sam back", storage.CaseloadChange{AddStudents: []string{sam.ID}}, "Alex Moore", "Jo Zhang", "Sam Adams")
	want("drop grade 9", storage.CaseloadChange{RemoveGrades: []string{"9"}}, "Jo Zhang", "Sam Adams")
	want("grade 9 again", storage.CaseloadChange{AddGrades: []string{"9"}}, "Alex Moore", "Jo Zhang", "Sam Adams")

	// Alex moves to grade 10: off the grade 9 caseload at once.
	_, err = s.SetGrade(ctx, alex.ID, "10")
	must(t, "SetGrade", err)
	cl, _ = s.Caseload(ctx, couns)
	got, _ = s.CaseloadStudents(ctx, cl)
	if slices.Contains(names(got), "Alex Moore") {
		t.Errorf("a student who moved grade stays on the caseload: %v", names(got))
	}
	rows, err := s.CaseloadRoster(ctx, cl)
	must(t, "CaseloadRoster", err)
	if len(rows) != 2 || rows[0].Name != "Jo Zhang" && rows[0].Name != "Sam Adams" {
		t.Errorf("CaseloadRoster = %+v", rows)
	}

	// A student the roster import brought, with the SIS's grade "10", is on
	// a grade 10 caseload, as the query and the rule both say.
	imported := plpbot.Person{ID: plpbot.RosterID("s-77"), Platform: plpbot.PlatformRoster, PlatformID: "s-77",
		Name: "Ana Zed", NameLower: "ana zed", Role: plpbot.RoleStudent, CreatedAt: t0, UpdatedAt: t0,
		SIS: &plpbot.PersonSIS{SourcedID: "s-77", Grades: []string{"10"}}}
	if _, err := storagetest.Collection(t, s, "users").InsertOne(ctx, imported); err != nil {
		t.Fatal(err)
	}
	cl, err = s.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddGrades: []string{"10"}})
	must(t, "ChangeCaseload", err)
	got, err = s.CaseloadStudents(ctx, cl)
	must(t, "CaseloadStudents", err)
	if !slices.Contains(names(got), "Ana Zed") {
		t.Errorf("an imported grade 10 student isn't on the grade 10 caseload: %v", names(got))
	}
	// By last name too (Zed: every student of the school is read), once
	// linked to an account on another platform.
	if _, err := storagetest.Collection(t, s, "users").UpdateOne(ctx, bson.D{{Key: "_id", Value: imported.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "platform", Value: "discord"}, {Key: "workspace", Value: "g1"}}}}); err != nil {
		t.Fatal(err)
	}
	z, _ := plpbot.ParseNameRange("Z")
	got, err = s.CaseloadStudents(ctx, &plpbot.Caseload{CounselorID: couns.ID, Platform: "slack", Workspace: "T1", LastNames: []plpbot.NameRange{z}})
	must(t, "CaseloadStudents", err)
	if gotNames := names(got); !slices.Contains(gotNames, "Ana Zed") || !slices.Contains(gotNames, "Jo Zhang") || len(gotNames) != 2 {
		t.Errorf("last:Z = %v, want Ana Zed (a linked roster student) and Jo Zhang", gotNames)
	}

	// Forgetting Jo takes them off the named list; forgetting the counselor
	// deletes the caseload.
	_, err = s.Forget(ctx, jo.ID, storage.RetentionEraser)
	must(t, "Forget", err)
	cl, _ = s.Caseload(ctx, couns)
	if slices.Contains(cl.Added, jo.ID) {
		t.Errorf("a forgotten student stays on a caseload: %+v", cl)
	}
	_, err = s.Forget(ctx, couns.ID, storage.RetentionEraser)
	must(t, "Forget", err)
	cl, _ = s.Caseload(ctx, couns)
	if !cl.Empty() {
		t.Errorf("a forgotten counselor's caseload is %+v", cl)
	}
}

func TestTerms(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	tch := mustUser(t, s, "T", "Ms Rivera", plpbot.RoleTeacher)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	fall, err := s.AddTerm(ctx, plpbot.Term{Name: "Fall 2026", Platform: "slack", Workspace: "T1", Starts: day("2026-08-24"), Ends: day("2026-12-18")})
	must(t, "AddTerm", err)
	if fall.ID == "" || fall.SourcedID != "" {
		t.Errorf("AddTerm = %+v", fall)
	}
	if _, err := s.AddTerm(ctx, plpbot.Term{Name: "FALL 2026", Platform: "slack", Workspace: "T1", Starts: day("2026-08-24"), Ends: day("2026-12-18")}); !errors.Is(err, storage.ErrDuplicate) {
		t.Errorf("a second Fall 2026: err = %v, want ErrDuplicate", err)
	}
	_, err = s.AddTerm(ctx, plpbot.Term{Name: "Spring 2027", Platform: "slack", Workspace: "T1", Starts: day("2027-01-05"), Ends: day("2027-05-28")})
	must(t, "AddTerm", err)
	got, err := s.TermByName(ctx, "slack", "T1", "fall 2026")
	must(t, "TermByName", err)
	if got.ID != fall.ID || !got.Ends.Equal(day("2026-12-18")) {
		t.Errorf("TermByName = %+v", got)
	}
	if _, err := s.TermByName(ctx, "slack", "T2", "Fall 2026"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another workspace's term: err = %v", err)
	}
	ts, err := s.Terms(ctx, "slack", "T1")
	must(t, "Terms", err)
	if len(ts) != 2 || ts[0].Name != "Fall 2026" {
		t.Errorf("Terms = %+v", ts)
	}
	byID, err := s.TermsByID(ctx)
	must(t, "TermsByID", err)
	if byID[fall.ID] == nil || byID[fall.ID].Name != "Fall 2026" {
		t.Errorf("TermsByID = %v", byID)
	}
	c := mustClass(t, s, "Bio 7", tch.ID)
	c, err = s.SetClassTerm(ctx, c.ID, fall.ID)
	must(t, "SetClassTerm", err)
	if c.TermID != fall.ID {
		t.Errorf("class term = %q", c.TermID)
	}
	c2, err := s.CreateClass(ctx, plpbot.Class{Name: "Chem", Platform: "slack", Workspace: "T1", CreatedBy: tch.ID, TermID: fall.ID})
	must(t, "CreateClass in a term", err)
	if again, _ := s.Class(ctx, c2.ID); again.TermID != fall.ID {
		t.Errorf("CreateClass lost the term: %+v", again)
	}
}

// TestAccessCaseloadIsAsFreshAsTheActor: a counselor's caseload for access
// decisions is kept in memory as long as their record (the actor cache's
// age limit). This replica's change applies at once; another replica's
// once the entry is older than the limit, and never later.
func TestAccessCaseloadIsAsFreshAsTheActor(t *testing.T) {
	ctx := context.Background()
	var sent atomic.Int32
	opts := storagetest.Options(t)
	opts.ActorCache = 300 * time.Millisecond
	opts.Monitor = &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { sent.Add(1) }}
	a := storagetest.Open(t, opts)
	opts.Monitor = nil
	b := storagetest.Open(t, opts) // another replica on the same database
	couns := mustUser(t, a, "UC", "Mx Rivera", plpbot.RoleCounselor)
	sam := mustUser(t, a, "US", "Sam", plpbot.RoleStudent)
	_, err := a.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddStudents: []string{sam.ID}})
	must(t, "ChangeCaseload", err)
	includes := func(s *storage.Store) bool {
		t.Helper()
		cl, err := s.AccessCaseload(ctx, couns)
		must(t, "AccessCaseload", err)
		return cl.Includes(sam)
	}
	if !includes(a) {
		t.Fatal("Sam is not on the caseload just made")
	}
	sent.Store(0)
	if !includes(a) || sent.Load() != 0 {
		t.Errorf("read again a moment later: %d commands, want 0", sent.Load())
	}
	_, err = b.ChangeCaseload(ctx, couns, storage.CaseloadChange{RemoveStudents: []string{sam.ID}})
	must(t, "ChangeCaseload on the other replica", err)
	time.Sleep(opts.ActorCache + 50*time.Millisecond)
	if includes(a) {
		t.Error("the other replica's change is not seen once the entry is older than the age limit")
	}
	_, err = a.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddStudents: []string{sam.ID}})
	must(t, "ChangeCaseload", err)
	if !includes(a) {
		t.Error("this replica's own change is not seen at once")
	}
}
