package roster_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestImportSchool imports a small school in OneRoster 1.1 and 1.2 and
// reads back what each kind of record became.
func TestImportSchool(t *testing.T) {
	for _, version := range []string{"1.1", "1.2"} {
		t.Run(version, func(t *testing.T) {
			s, _, _ := newStore(t)
			ctx := context.Background()
			school := rostertest.Small(version)
			rep := mustImport(t, s, writeSchool(t, school.Files()))
			wantCounts := map[roster.Kind]roster.Count{
				roster.KindStudents: {Created: 12}, roster.KindStaff: {Created: 5}, roster.KindGuardians: {Created: 2},
				roster.KindClasses: {Created: 4}, roster.KindEnrollments: {Created: 28}, roster.KindTerms: {Created: 1},
				roster.KindCourses: {Created: 1}, roster.KindOrgs: {Created: 1},
			}
			for k, want := range wantCounts {
				if got := rep.Counts[k]; got != want {
					t.Errorf("%s: %+v, want %+v", k, got, want)
				}
			}
			if rep.Unmatched[roster.KindStudents] != 12 || rep.Unmatched[roster.KindStaff] != 5 {
				t.Errorf("unmatched = %v, want 12 students and 5 staff (no one is linked yet)", rep.Unmatched)
			}

			sam, err := s.User(ctx, plpbot.RosterID(rostertest.StudentID(0)))
			if err != nil {
				t.Fatal(err)
			}
			wantSIS := plpbot.PersonSIS{SourcedID: "stu-0", Email: "stu-0@lincoln.example", Username: "stu-0",
				IDs: []string{"discord:stu-0"}, Grades: []string{"09"},
				Guardians: []plpbot.Guardian{{SourcedID: "parent-0", Name: "Parent Of 0", Email: "parent-0@home.example", Relationship: "parent"}}}
			if sam.SIS == nil || !samePersonSIS(*sam.SIS, wantSIS) {
				t.Errorf("student's SIS record = %+v\nwant %+v", sam.SIS, wantSIS)
			}
			if sam.Name != "Student Number 0" || sam.Role != plpbot.RoleStudent || sam.Platform != plpbot.PlatformRoster ||
				sam.CantDM != plpbot.CantDMUnlinked {
				t.Errorf("student = %q %s %s cant_dm %q", sam.Name, sam.Role, sam.Platform, sam.CantDM)
			}
			wantRoles := map[int]plpbot.Role{0: plpbot.RoleTeacher, 3: plpbot.RoleCounselor, 4: plpbot.RoleAdmin}
			if version == "1.1" {
				wantRoles[3] = plpbot.RoleTeacher // 1.1 has no counselors
			}
			for i, want := range wantRoles {
				u, err := s.User(ctx, plpbot.RosterID(rostertest.StaffID(i)))
				if err != nil || u.Role != want || u.SIS.Guardians != nil {
					t.Errorf("staff %d: %v, role %s, want %s", i, err, u.Role, want)
				}
			}
			if _, err := s.User(ctx, plpbot.RosterID(rostertest.GuardianID(0))); err == nil {
				t.Error("a parent became a person plpbot could contact; want them kept on the student only")
			}

			c, err := s.Class(ctx, plpbot.RosterID(rostertest.ClassID(1)))
			if err != nil {
				t.Fatal(err)
			}
			if c.Name != "English 9 - Period 1" || c.Platform != plpbot.PlatformRoster || c.Workspace != "org-1" ||
				c.SIS.Code != "ENG9-001" || !slices.Equal(c.SIS.Terms, []string{"term-1"}) || c.SIS.Course != "course-1" {
				t.Errorf("class = %+v, SIS %+v", c, c.SIS)
			}
			teachers, _ := s.ClassMembers(ctx, c.ID, plpbot.MemberTeacher)
			students, _ := s.ClassMembers(ctx, c.ID, plpbot.MemberStudent)
			if !slices.Equal(teachers, []string{plpbot.RosterID(rostertest.StaffID(1))}) || len(students) != 6 {
				t.Errorf("class members: teachers %q, %d students", teachers, len(students))
			}
			st, err := s.RosterState(ctx)
			var e plpbot.Enrollment
			for _, x := range st.Enrollments {
				if x.SourcedID == "enr-1" {
					e = x
				}
			}
			if err != nil || !e.Primary || e.Role != plpbot.MemberTeacher || e.UserID != plpbot.RosterID("staff-1") {
				t.Errorf("teacher's enrollment = %+v (%v): want role teacher, primary kept", e, err)
			}
			log, _ := s.AuditLog(ctx, sam.ID, 0)
			if len(log) != 1 || log[0].Action != "class_add" || log[0].ActorName != "Roster import (OneRoster)" ||
				!strings.Contains(log[0].Detail, "English 9 - Period") {
				t.Errorf("the student's audit log = %+v: want the import's class_add", log)
			}
		})
	}
}

func samePersonSIS(a, b plpbot.PersonSIS) bool {
	return a.SourcedID == b.SourcedID && a.Email == b.Email && a.Username == b.Username && slices.Equal(a.IDs, b.IDs) &&
		slices.Equal(a.Grades, b.Grades) && slices.Equal(a.Guardians, b.Guardians) && a.Ended.Equal(b.Ended)
}

// TestImportTwiceWritesNothing: the same files again change nothing and
// send the database no write at all (counted with a command monitor).
func TestImportTwiceWritesNothing(t *testing.T) {
	for _, version := range []string{"1.1", "1.2"} {
		t.Run(version, func(t *testing.T) {
			s, c, w := newStore(t)
			path := writeSchool(t, rostertest.Small(version).Files())
			mustImport(t, s, path)
			if w.n.Load() == 0 {
				t.Fatal("the first import wrote nothing")
			}
			c.Advance(time.Hour)
			w.n.Store(0)
			rep := mustImport(t, s, path)
			if n := w.n.Load(); n != 0 {
				t.Errorf("the second import sent %d write commands, want none", n)
			}
			if rep.Changes() != 0 || rep.Counts[roster.KindEnrollments].Unchanged != 28 {
				t.Errorf("second import: %d changes, counts %+v", rep.Changes(), rep.Counts)
			}
			if !strings.Contains(rep.String(), "Nothing changed since the last import: nothing was written.") {
				t.Errorf("report:\n%s", rep)
			}
		})
	}
}

// TestBulkImportUpdatesAndEnds: a changed row updates; a row missing from a
// bulk file ends its record — a class is archived, its memberships end, a
// person is marked gone — and the student's plan stays.
func TestBulkImportUpdatesAndEnds(t *testing.T) {
	s, c, _ := newStore(t)
	ctx := context.Background()
	school := rostertest.Small("1.1")
	files := school.Files()
	mustImport(t, s, writeSchool(t, files))
	leaving := plpbot.RosterID(rostertest.StudentID(11))
	if _, err := s.AddGoal(ctx, plpbot.Goal{UserID: leaving, Title: "Read three novels"}); err != nil {
		t.Fatal(err)
	}
	c.Advance(24 * time.Hour)

	// Sam's family name changes; class-3 and its enrollments go; student 11 leaves.
	var class3 []string
	for _, r := range files["enrollments.csv"][1:] {
		if r[3] == rostertest.ClassID(3) || r[5] == rostertest.StudentID(11) {
			class3 = append(class3, r[0])
		}
	}
	next := edit(files, "users.csv", func(rows [][]string) [][]string {
		rows[1][9] = "Number Zero"
		return without(rostertest.StudentID(11))(rows)
	})
	next = edit(next, "classes.csv", without(rostertest.ClassID(3)))
	next = edit(next, "enrollments.csv", without(class3...))
	rep := mustImport(t, s, writeSchool(t, next))

	if got := rep.Counts[roster.KindStudents]; got != (roster.Count{Updated: 1, Ended: 1, Unchanged: 10}) {
		t.Errorf("students: %+v", got)
	}
	if got := rep.Counts[roster.KindClasses]; got != (roster.Count{Ended: 1, Unchanged: 3}) {
		t.Errorf("classes: %+v", got)
	}
	if got := rep.Counts[roster.KindEnrollments]; got.Ended != len(class3) || got.Created != 0 {
		t.Errorf("enrollments: %+v, want %d ended", got, len(class3))
	}
	sam, _ := s.User(ctx, plpbot.RosterID(rostertest.StudentID(0)))
	if sam.Name != "Student Number Zero" {
		t.Errorf("name = %q, want the SIS's new name", sam.Name)
	}
	gone, err := s.User(ctx, leaving)
	if err != nil || gone.SIS.Ended.IsZero() {
		t.Fatalf("the student who left: %v, %+v: want kept, marked ended", err, gone)
	}
	if goals, _ := s.Goals(ctx, leaving); len(goals) != 1 {
		t.Errorf("the student who left has %d goals, want their plan kept", len(goals))
	}
	if classes, _ := s.ClassesOf(ctx, leaving, ""); len(classes) != 0 {
		t.Errorf("the student who left is still in %d classes", len(classes))
	}
	archived, err := s.Class(ctx, plpbot.RosterID(rostertest.ClassID(3)))
	if err != nil || archived.SIS.Ended.IsZero() {
		t.Fatalf("class-3: %v %+v: want it kept, archived", err, archived)
	}
	if m, _ := s.ClassMembers(ctx, archived.ID, plpbot.MemberStudent); len(m) != 0 {
		t.Errorf("the archived class still has %d students", len(m))
	}
	if log, _ := s.AuditLog(ctx, leaving, 1); len(log) != 1 || log[0].Action != "class_remove" {
		t.Errorf("the leaver's audit = %+v, want class_remove", log)
	}

	// The same files again: nothing more ends, nothing is written.
	rep = mustImport(t, s, writeSchool(t, next))
	if rep.Changes() != 0 {
		t.Errorf("re-import after ending: %d changes: %+v", rep.Changes(), rep.Counts)
	}
}

// TestDeltaImport: a delta set changes only what it lists: a tobedeleted
// enrollment and class end, a new student arrives, the rest stays.
func TestDeltaImport(t *testing.T) {
	s, c, _ := newStore(t)
	ctx := context.Background()
	files := rostertest.Small("1.1").Files()
	mustImport(t, s, writeSchool(t, files))
	c.Advance(time.Hour)

	const at = "2026-09-02T10:00:00.000Z"
	delta := rostertest.Files{
		"manifest.csv": {{"propertyName", "value"}, {"oneroster.version", "1.1"}, {"file.users", "delta"},
			{"file.classes", "delta"}, {"file.enrollments", "delta"}, {"file.orgs", "absent"}},
		"users.csv": {files["users.csv"][0],
			{"stu-new", "active", at, "true", "org-1", "student", "newkid", "", "New", "Kid", "", "", "", "", "", "", "09", ""}},
		"classes.csv": {files["classes.csv"][0], append([]string{rostertest.ClassID(2), "tobedeleted", at}, files["classes.csv"][3][3:]...)},
		"enrollments.csv": {files["enrollments.csv"][0],
			{"enr-4", "tobedeleted", at, "", "", "", "", "", "", ""},
			{"enr-new", "active", at, rostertest.ClassID(0), "org-1", "stu-new", "student", "false", "", ""}},
	}
	rep := mustImport(t, s, writeSchool(t, delta))
	if got := rep.Counts[roster.KindStudents]; got != (roster.Count{Created: 1, Unchanged: 12}) {
		t.Errorf("students: %+v", got)
	}
	if got := rep.Counts[roster.KindClasses]; got != (roster.Count{Ended: 1, Unchanged: 3}) {
		t.Errorf("classes: %+v", got)
	}
	inClass2, _ := s.ClassMembers(ctx, plpbot.RosterID(rostertest.ClassID(2)), plpbot.MemberStudent)
	if len(inClass2) != 0 {
		t.Errorf("the deleted class keeps %d students", len(inClass2))
	}
	wantEnded := 1 // enr-4, then every enrollment of class-2
	for _, r := range files["enrollments.csv"][1:] {
		if r[3] == rostertest.ClassID(2) {
			wantEnded++
		}
	}
	if enr := rep.Counts[roster.KindEnrollments]; enr.Created != 1 || enr.Ended != wantEnded {
		t.Errorf("enrollments: %+v, want 1 created and %d ended (enr-4 and class-2's)", enr, wantEnded)
	}
	if m, _ := s.IsMember(ctx, plpbot.RosterID(rostertest.ClassID(0)), plpbot.RosterID("stu-new"), plpbot.MemberStudent); !m {
		t.Error("the new student isn't in class-0")
	}
	rep = mustImport(t, s, writeSchool(t, delta))
	if rep.Changes() != 0 {
		t.Errorf("the same delta again: %d changes: %+v", rep.Changes(), rep.Counts)
	}
}

// TestRefusedImportWritesNothing: with any problem, nothing is applied,
// even what the rest of the files would have brought.
func TestRefusedImportWritesNothing(t *testing.T) {
	s, _, w := newStore(t)
	ctx := context.Background()
	files := edit(rostertest.Small("1.1").Files(), "enrollments.csv", func(rows [][]string) [][]string {
		return append(rows, []string{"enr-x", "", "", "c-77", "org-1", rostertest.StudentID(1), "student", "false", "", ""})
	})
	got := mustRefuse(t, s, writeSchool(t, files))
	want := []string{`enrollments.csv:30: enrollment references unknown class "c-77"`}
	if !slices.Equal(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	if n := w.n.Load(); n != 0 {
		t.Errorf("a refused import sent %d writes", n)
	}
	st, err := s.RosterState(ctx)
	if err != nil || len(st.People)+len(st.Classes)+len(st.Enrollments)+len(st.Records) != 0 {
		t.Errorf("a refused import stored something: %v %+v", err, st)
	}
}

// TestPlanProblems: problems only the comparison finds refuse the import too.
func TestPlanProblems(t *testing.T) {
	s, _, _ := newStore(t)
	school := rostertest.Small("1.2")
	noRole := edit(school.Files(), "roles.csv", without("role-"+rostertest.StudentID(3)))
	got := mustRefuse(t, s, writeSchool(t, noRole))
	if want := `users.csv:5: user "stu-3" has no role: roles.csv gives none`; !slices.Contains(got, want) {
		t.Errorf("problems = %q, want %q", got, want)
	}
	twice := edit(school.Files(), "enrollments.csv", func(rows [][]string) [][]string {
		dup := append([]string(nil), rows[len(rows)-1]...)
		dup[0] = "enr-again"
		return append(rows, dup)
	})
	got = mustRefuse(t, s, writeSchool(t, twice))
	if len(got) != 1 || !strings.HasPrefix(got[0], `enrollments.csv:30: user "stu-11" is already in class`) {
		t.Errorf("problems = %q, want the second enrollment of one user in one class", got)
	}
}

// TestClassNamesUnique: classes of a school that share a title are told
// apart by their class code (or sourcedId), as class names are unique.
func TestClassNamesUnique(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	files := edit(rostertest.Small("1.1").Files(), "classes.csv", func(rows [][]string) [][]string {
		for _, r := range rows[1:] {
			r[3] = "Algebra I"
		}
		rows[4][6] = rows[3][6] // class-2 and class-3 share a code too
		return rows
	})
	mustImport(t, s, writeSchool(t, files))
	var names []string
	for i := range 4 {
		c, err := s.Class(ctx, plpbot.RosterID(rostertest.ClassID(i)))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, c.Name)
	}
	want := []string{"Algebra I · ENG9-000", "Algebra I · ENG9-001", "Algebra I · class-2", "Algebra I · class-3"}
	if !slices.Equal(names, want) {
		t.Errorf("names = %q, want %q", names, want)
	}
}

// TestDryRunWritesNothing: -dry-run reports what would change and writes
// nothing.
func TestDryRunWritesNothing(t *testing.T) {
	s, _, w := newStore(t)
	rep, err := roster.New(s, quiet).Import(context.Background(), writeSchool(t, rostertest.Small("1.2").Files()), roster.Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts[roster.KindStudents].Created != 12 || !strings.Contains(rep.String(), "Dry run: nothing was written.") {
		t.Errorf("report:\n%s", rep)
	}
	if n := w.n.Load(); n != 0 {
		t.Errorf("a dry run sent %d writes", n)
	}
}

// TestImportAfterFailedWrite: an import that wrote its records but failed
// before saving the roster state is redone by running it again: inserts
// that find their document update it, and the plan stays.
func TestImportAfterFailedWrite(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	path := writeSchool(t, rostertest.Small("1.2").Files())
	mustImport(t, s, path)
	sam := plpbot.RosterID(rostertest.StudentID(0))
	if _, err := s.SetProfileField(ctx, sam, "interests", "robots"); err != nil {
		t.Fatal(err)
	}
	if _, err := storagetest.Collection(t, s, "roster_state").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	rep := mustImport(t, s, path)
	if rep.Counts[roster.KindStudents].Created != 12 {
		t.Errorf("counts = %+v", rep.Counts)
	}
	u, err := s.User(ctx, sam)
	if err != nil || u.Profile.Interests != "robots" || u.Name != "Student Number 0" {
		t.Errorf("after the redo: %v, %+v: want the profile kept", err, u)
	}
	if rep := mustImport(t, s, path); rep.Changes() != 0 {
		t.Errorf("a third import changed %d", rep.Changes())
	}
}

// TestForgetLeavesNoRosterCopy: /plp forget erases a roster student from
// the roster state too; if the SIS still lists them, the next import brings
// them back as someone new, with an empty plan.
func TestForgetLeavesNoRosterCopy(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	path := writeSchool(t, rostertest.Small("1.1").Files())
	mustImport(t, s, path)
	sam := plpbot.RosterID(rostertest.StudentID(0))
	if _, err := s.Forget(ctx, sam, storage.Eraser{ID: "admin", Name: "Admin"}); err != nil {
		t.Fatal(err)
	}
	st, err := s.RosterState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range st.People {
		if p.ID == sam {
			t.Fatalf("the roster state still holds the forgotten student: %+v", p)
		}
	}
	for _, e := range st.Enrollments {
		if e.UserID == sam {
			t.Fatalf("the roster state still holds their membership %s", e.ID)
		}
	}
	rep := mustImport(t, s, path)
	if got := rep.Counts[roster.KindStudents]; got.Created != 1 || got.Unchanged != 11 {
		t.Errorf("students after forget and re-import: %+v", got)
	}
}

// TestManyProblemsReportedShort: a file with thousands of dangling
// references is reported with its first 50 and a count of the rest.
func TestManyProblemsReportedShort(t *testing.T) {
	s, _, _ := newStore(t)
	files := edit(rostertest.Small("1.1").Files(), "enrollments.csv", func(rows [][]string) [][]string {
		for i := range 200 {
			rows = append(rows, []string{fmt.Sprintf("enr-x%d", i), "", "", "c-77", "org-1", rostertest.StudentID(1), "student", "false", "", ""})
		}
		return rows
	})
	rep, _ := roster.New(s, quiet).Import(context.Background(), writeSchool(t, files), roster.Options{})
	out := rep.String()
	if n := strings.Count(out, "references unknown class"); n != 50 {
		t.Errorf("%d problem lines, want the first 50", n)
	}
	if !strings.Contains(out, "enrollments.csv: … and 150 more problems\n200 problems: nothing was imported.") {
		t.Errorf("report:\n%s", out)
	}
}

// TestRolesAndGuardians12: in 1.2 a person's role is their primary role
// with the most access; a guardian is found from either side's
// agentSourcedIds, and a delta changing only the guardian updates the
// student.
func TestRolesAndGuardians12(t *testing.T) {
	s, c, _ := newStore(t)
	ctx := context.Background()
	files := rostertest.Small("1.2").Files()
	files = edit(files, "users.csv", func(rows [][]string) [][]string {
		rows[2][13] = "" // stu-1 doesn't name parent-1; parent-1's row names stu-1
		return rows
	})
	files = edit(files, "roles.csv", func(rows [][]string) [][]string {
		return append(rows,
			[]string{"role-x1", "", "", "staff-0", "secondary", "counselor", "", "", "org-1", ""},
			[]string{"role-x2", "", "", "staff-1", "primary", "siteAdministrator", "", "", "org-1", ""},
			[]string{"role-x3", "", "", "parent-1", "secondary", "relative", "", "", "org-1", ""})
	})
	mustImport(t, s, writeSchool(t, files))
	for id, want := range map[string]plpbot.Role{"staff-0": plpbot.RoleTeacher, "staff-1": plpbot.RoleAdmin} {
		if u, err := s.User(ctx, plpbot.RosterID(id)); err != nil || u.Role != want {
			t.Errorf("%s: %v, role %v, want %s", id, err, u.Role, want)
		}
	}
	stu1 := plpbot.RosterID(rostertest.StudentID(1))
	u, err := s.User(ctx, stu1)
	want := []plpbot.Guardian{{SourcedID: "parent-1", Name: "Parent Of 1", Email: "parent-1@home.example", Relationship: "parent"}}
	if err != nil || !slices.Equal(u.SIS.Guardians, want) {
		t.Fatalf("stu-1's guardians = %+v (%v), want %+v", u.SIS.Guardians, err, want)
	}

	c.Advance(time.Hour)
	users := files["users.csv"]
	parent := append([]string(nil), users[len(users)-1]...)
	parent[1], parent[2], parent[10] = "active", "2026-09-02T09:00:00Z", "new@home.example"
	delta := rostertest.Files{
		"manifest.csv": {{"propertyName", "value"}, {"oneroster.version", "1.2"}, {"file.users", "delta"}},
		"users.csv":    {users[0], parent},
	}
	rep := mustImport(t, s, writeSchool(t, delta))
	if got := rep.Counts[roster.KindStudents]; got.Updated != 1 {
		t.Errorf("students: %+v, want stu-1 updated", got)
	}
	if u, _ := s.User(ctx, stu1); len(u.SIS.Guardians) != 1 || u.SIS.Guardians[0].Email != "new@home.example" {
		t.Errorf("after the delta, stu-1's guardians = %+v", u.SIS.Guardians)
	}
}
