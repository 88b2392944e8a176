package roster_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
)

// counselorSchool is the small 1.2 school with its counselor (staff-3)
// enrolled in class-0 with the enrollment role counselor, the way an SIS
// writes a homeroom's counselor.
func counselorSchool() (rostertest.School, rostertest.Files) {
	school := rostertest.Small("1.2")
	school.CounselorClasses = 1
	return school, school.Files()
}

// counselorID is the small school's counselor.
var counselorID = plpbot.RosterID(rostertest.StaffID(3))

// caseloadOf loads the counselor's caseload as the access check does.
func caseloadOf(t *testing.T, s *storage.Store, id string) *plpbot.Caseload {
	t.Helper()
	u, err := s.User(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Caseload(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// classStudents are the students of a class now.
func classStudents(t *testing.T, s *storage.Store, classSID string) []string {
	t.Helper()
	ids, err := s.ClassMembers(context.Background(), plpbot.RosterID(classSID), plpbot.MemberStudent)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

// TestCaseloadFromCounselorEnrollment: a 1.2 counselor enrolled in a class
// has its students on their caseload right after the import (kept as the
// import's, with the counselor's sourcedId), is not made the class's
// teacher, and each student's audit log says so. The same files again
// write nothing.
func TestCaseloadFromCounselorEnrollment(t *testing.T) {
	s, c, w := newStore(t)
	ctx := context.Background()
	_, files := counselorSchool()
	path := writeSchool(t, files)
	rep := mustImport(t, s, path)
	if got := rep.Counts[roster.KindCaseloads]; got != (roster.Count{Created: 1}) {
		t.Errorf("caseloads: %+v, want 1 created", got)
	}
	if !strings.Contains(rep.Table(), "caseloads") {
		t.Errorf("the report's table has no caseloads line:\n%s", rep.Table())
	}
	want := classStudents(t, s, rostertest.ClassID(0))
	if len(want) == 0 {
		t.Fatal("class-0 has no students: the fixture is wrong")
	}
	cl := caseloadOf(t, s, counselorID)
	if cl.SourcedID != rostertest.StaffID(3) || !slices.Equal(cl.Added, want) {
		t.Fatalf("caseload = %+v, want the import's (sourcedId staff-3) with class-0's students %q", cl, want)
	}
	student, err := s.User(ctx, want[0])
	if err != nil {
		t.Fatal(err)
	}
	if !cl.Includes(student) {
		t.Errorf("the counselor's caseload doesn't include %s, a student of their class", student.ID)
	}
	if on, err := s.CaseloadStudents(ctx, cl); err != nil || len(on) != len(want) {
		t.Errorf("/plp roster caseload would list %d students (%v), want %d", len(on), err, len(want))
	}
	if teachers, _ := s.ClassMembers(ctx, plpbot.RosterID(rostertest.ClassID(0)), plpbot.MemberTeacher); slices.Contains(teachers, counselorID) {
		t.Errorf("the counselor became class-0's teacher: %q", teachers)
	}
	log, _ := s.AuditLog(ctx, want[0], 0)
	if !slices.ContainsFunc(log, func(e plpbot.AuditEntry) bool {
		return e.Action == "caseload_add" && e.Detail == "caseload of Staff Member 3" && e.ActorName == "Roster import (OneRoster)"
	}) {
		t.Errorf("the student's audit log = %+v: want the import's caseload_add", log)
	}

	c.Advance(time.Hour)
	w.n.Store(0)
	rep = mustImport(t, s, path)
	if n := w.n.Load(); n != 0 || rep.Changes() != 0 {
		t.Errorf("the same files again: %d writes, %d changes (%+v)", n, rep.Changes(), rep.Counts)
	}
	if got := rep.Counts[roster.KindCaseloads]; got != (roster.Count{Unchanged: 1}) {
		t.Errorf("caseloads on the second import: %+v, want 1 unchanged", got)
	}
}

// TestCaseloadFollowsTheRoster: a student who leaves the roster (missing
// from a bulk file), or whose enrollment a delta deletes, leaves the
// caseload; one a delta enrolls in the class joins it; students an admin
// named in chat stay; a deleted counselor enrollment ends the caseload.
func TestCaseloadFollowsTheRoster(t *testing.T) {
	s, c, _ := newStore(t)
	ctx := context.Background()
	school, files := counselorSchool()
	mustImport(t, s, writeSchool(t, files))
	onIt := slices.DeleteFunc(classStudents(t, s, rostertest.ClassID(0)), func(id string) bool {
		return id == plpbot.RosterID(rostertest.StudentID(0)) || id == plpbot.RosterID(rostertest.StudentID(1)) // they have guardians
	})
	leaver, dropped := onIt[0], onIt[1]
	// An admin names a student of another class in chat.
	couns, _ := s.User(ctx, counselorID)
	named := plpbot.RosterID(rostertest.StudentID(school.Students - 1))
	if slices.Contains(onIt, named) {
		t.Fatalf("%s is already in class-0: pick another", named)
	}
	if _, err := s.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddStudents: []string{named}}); err != nil {
		t.Fatal(err)
	}

	// Bulk: the leaver is gone from users.csv and enrollments.csv.
	c.Advance(time.Hour)
	leaverSID := strings.TrimPrefix(leaver, plpbot.RosterID(""))
	var leaverRows []string
	for _, r := range files["enrollments.csv"][1:] {
		if r[5] == leaverSID {
			leaverRows = append(leaverRows, r[0])
		}
	}
	next := edit(files, "users.csv", without(leaverSID))
	next = edit(next, "roles.csv", without("role-"+leaverSID))
	next = edit(next, "enrollments.csv", without(leaverRows...))
	rep := mustImport(t, s, writeSchool(t, next))
	if got := rep.Counts[roster.KindCaseloads]; got != (roster.Count{Updated: 1}) {
		t.Errorf("caseloads after a student left: %+v, want 1 updated", got)
	}
	cl := caseloadOf(t, s, counselorID)
	if slices.Contains(cl.Added, leaver) || !slices.Contains(cl.Added, named) || !slices.Contains(cl.Added, dropped) {
		t.Errorf("after the bulk import: %q: want %s gone, %s (named in chat) and %s kept", cl.Added, leaver, named, dropped)
	}
	if log, _ := s.AuditLog(ctx, leaver, 0); !slices.ContainsFunc(log, func(e plpbot.AuditEntry) bool { return e.Action == "caseload_remove" }) {
		t.Errorf("the leaver's audit = %+v, want caseload_remove", log)
	}

	// Delta: one student's class-0 enrollment is deleted, a new student enrolls.
	c.Advance(time.Hour)
	droppedSID := strings.TrimPrefix(dropped, plpbot.RosterID(""))
	var droppedRow string
	for _, r := range files["enrollments.csv"][1:] {
		if r[3] == rostertest.ClassID(0) && r[5] == droppedSID {
			droppedRow = r[0]
		}
	}
	const at = "2026-09-02T10:00:00Z"
	users, roles := files["users.csv"], files["roles.csv"]
	newcomer := append([]string(nil), users[1]...)
	newcomer[0], newcomer[1], newcomer[2], newcomer[4], newcomer[6], newcomer[7] = "stu-new", "active", at, "stu-new", "New", "Kid"
	newcomer[13] = "" // agentSourcedIds: no guardian
	delta := rostertest.Files{
		"manifest.csv": {{"propertyName", "value"}, {"oneroster.version", "1.2"}, {"file.users", "delta"},
			{"file.roles", "delta"}, {"file.enrollments", "delta"}},
		"users.csv": {users[0], newcomer},
		"roles.csv": {roles[0], {"role-stu-new", "active", at, "stu-new", "primary", "student", "", "", "org-1", ""}},
		"enrollments.csv": {files["enrollments.csv"][0],
			{droppedRow, "tobedeleted", at, "", "", "", "", "", "", ""},
			{"enr-new", "active", at, rostertest.ClassID(0), "org-1", "stu-new", "student", "false", "", ""}},
	}
	rep = mustImport(t, s, writeSchool(t, delta))
	if got := rep.Counts[roster.KindCaseloads]; got != (roster.Count{Updated: 1}) {
		t.Errorf("caseloads after the delta: %+v, want 1 updated", got)
	}
	cl = caseloadOf(t, s, counselorID)
	if slices.Contains(cl.Added, dropped) || !slices.Contains(cl.Added, plpbot.RosterID("stu-new")) || !slices.Contains(cl.Added, named) {
		t.Errorf("after the delta: %q: want %s off, stu-new on, %s kept", cl.Added, dropped, named)
	}

	// Delta: the counselor's own enrollment is deleted: the caseload ends,
	// and keeps only the student the admin named.
	c.Advance(time.Hour)
	counselorRow := ""
	for _, r := range files["enrollments.csv"][1:] {
		if r[6] == "counselor" {
			counselorRow = r[0]
		}
	}
	end := rostertest.Files{
		"manifest.csv":    {{"propertyName", "value"}, {"oneroster.version", "1.2"}, {"file.enrollments", "delta"}},
		"enrollments.csv": {files["enrollments.csv"][0], {counselorRow, "tobedeleted", at, "", "", "", "", "", "", ""}},
	}
	rep = mustImport(t, s, writeSchool(t, end))
	if got := rep.Counts[roster.KindCaseloads]; got != (roster.Count{Ended: 1}) {
		t.Errorf("caseloads after the counselor's enrollment ended: %+v, want 1 ended", got)
	}
	if cl = caseloadOf(t, s, counselorID); !slices.Equal(cl.Added, []string{named}) {
		t.Errorf("the ended caseload holds %q, want only %s (named in chat)", cl.Added, named)
	}
	if rep = mustImport(t, s, writeSchool(t, end)); rep.Changes() != 0 {
		t.Errorf("the same delta again: %d changes", rep.Changes())
	}
}

// TestChatCaseloadNeverTouched: a counselor whose caseload an admin keeps
// in chat (no sourcedId) keeps it as it is when the roster later enrolls
// them in a class; the report says so, and nothing is written for it.
func TestChatCaseloadNeverTouched(t *testing.T) {
	s, c, w := newStore(t)
	ctx := context.Background()
	mustImport(t, s, writeSchool(t, rostertest.Small("1.2").Files()))
	couns, _ := s.User(ctx, counselorID)
	before, err := s.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddGrades: []string{"10"}})
	if err != nil {
		t.Fatal(err)
	}

	c.Advance(time.Hour)
	_, files := counselorSchool()
	path := writeSchool(t, files)
	rep := mustImport(t, s, path)
	if rep.KeptInChat != 1 || rep.Counts[roster.KindCaseloads] != (roster.Count{}) {
		t.Errorf("kept in chat %d, caseloads %+v: want 1 kept in chat and no change", rep.KeptInChat, rep.Counts[roster.KindCaseloads])
	}
	if want := "Kept in chat: 1 counselor's caseload is kept by an admin in chat, so the import left it as it is"; !strings.Contains(rep.String(), want) {
		t.Errorf("report:\n%s\nwant %q", rep, want)
	}
	after := caseloadOf(t, s, counselorID)
	if after.SourcedID != "" || len(after.Added) != 0 || !slices.Equal(after.Grades, []string{"10"}) || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("the chat caseload changed: %+v, was %+v", after, before)
	}
	w.n.Store(0)
	if rep = mustImport(t, s, path); rep.Changes() != 0 || w.n.Load() != 0 {
		t.Errorf("the same files again: %d changes, %d writes", rep.Changes(), w.n.Load())
	}
}

// TestCounselorEnrollmentProblems: a counselor's enrollment to a class the
// roster doesn't have, and a counselor enrollment of someone who isn't a
// counselor, refuse the import with nothing written.
func TestCounselorEnrollmentProblems(t *testing.T) {
	_, files := counselorSchool()
	for _, tt := range []struct {
		name string
		row  []string
		want string
	}{
		{"unknown class", []string{"enr-x", "", "", "c-77", "org-1", rostertest.StaffID(3), "counselor", "false", "", ""},
			`enrollments.csv:30: enrollment references unknown class "c-77"`},
		{"not a counselor", []string{"enr-x", "", "", rostertest.ClassID(1), "org-1", rostertest.StaffID(0), "ext:counselor", "false", "", ""},
			`enrollments.csv:30: user "staff-0" is enrolled as the class's counselor, but they are a teacher: give them the counselor role in roles.csv (OneRoster 1.2), or enroll them as a teacher`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _, w := newStore(t)
			bad := edit(files, "enrollments.csv", func(rows [][]string) [][]string { return append(rows, tt.row) })
			got := mustRefuse(t, s, writeSchool(t, bad))
			if !slices.Equal(got, []string{tt.want}) {
				t.Errorf("problems = %q\nwant %q", got, tt.want)
			}
			if n := w.n.Load(); n != 0 {
				t.Errorf("a refused import sent %d writes", n)
			}
		})
	}
}

// TestForgetLeavesNoCaseloadCopy: /plp forget takes a student off the
// roster state's caseloads too, and a forgotten counselor's caseload goes
// with them; if the SIS still lists them, the next import brings each back.
func TestForgetLeavesNoCaseloadCopy(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	_, files := counselorSchool()
	path := writeSchool(t, files)
	mustImport(t, s, path)
	student := classStudents(t, s, rostertest.ClassID(0))[0]
	forget := func(id string) *storage.RosterState {
		if _, err := s.Forget(ctx, id, storage.Eraser{ID: "admin", Name: "Admin"}); err != nil {
			t.Fatal(err)
		}
		st, err := s.RosterState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := forget(student); len(st.Caseloads) != 1 || slices.Contains(st.Caseloads[0].Added, student) {
		t.Errorf("the roster state's caseloads after the student was forgotten: %+v", st.Caseloads)
	}
	if st := forget(counselorID); len(st.Caseloads) != 0 {
		t.Errorf("the roster state keeps the forgotten counselor's caseload: %+v", st.Caseloads)
	}
	rep := mustImport(t, s, path)
	if got := rep.Counts[roster.KindCaseloads]; got != (roster.Count{Created: 1}) {
		t.Errorf("caseloads after forget and re-import: %+v, want it made again", got)
	}
	if cl := caseloadOf(t, s, counselorID); !slices.Contains(cl.Added, student) {
		t.Errorf("the caseload made again = %q, want %s (listed by the SIS again)", cl.Added, student)
	}
}
