// Package rostertest writes OneRoster CSV sets for tests and benchmarks: a
// generated school of any size, in 1.1 or 1.2, as a folder or a .zip.
package rostertest

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// School describes a generated school. Staff are, in order, the teachers
// (one per Teachers), then counselors (1.2; in 1.1 they are teachers), then
// administrators. Each class is taught by one primary teacher; students
// fill the remaining enrollments, spread over the classes.
type School struct {
	Version     string // "1.1" or "1.2"
	Students    int
	Teachers    int
	Counselors  int
	Admins      int
	Classes     int
	Enrollments int // all of them, the teachers' included
	// Guardians gives the first N students a parent each, linked both ways
	// by agentSourcedIds.
	Guardians int
	BOM       bool // start every file with a UTF-8 byte order mark

	// CounselorClasses enrolls each counselor (1.2) in that many classes
	// with the enrollment role "counselor", as a homeroom's counselor:
	// counselor k in classes k·N to k·N+N-1 (CounselorClass). Their
	// enrollments count in Enrollments.
	CounselorClasses int
}

// Big is the school of the README's figures: 2,000 students, 120 staff,
// 400 classes and 12,000 enrollments; in 1.2 each class has one of the 10
// counselors enrolled (400 of the enrollments), so every student is on a
// caseload.
func Big(version string) School {
	return School{Version: version, Students: 2000, Teachers: 100, Counselors: 10, Admins: 10, Classes: 400, Enrollments: 12000,
		CounselorClasses: 40}
}

// Small is a school small enough to read in a test's failure.
func Small(version string) School {
	return School{Version: version, Students: 12, Teachers: 3, Counselors: 1, Admins: 1, Classes: 4, Enrollments: 28, Guardians: 2}
}

// Files are the CSV files of a set, by name, as rows (the header first).
type Files map[string][][]string

// Files generates the school's files.
func (s School) Files() Files {
	f := Files{}
	v12 := s.Version == "1.2"
	f["manifest.csv"] = s.manifest()
	f["orgs.csv"] = [][]string{{"sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"},
		{"org-1", "", "", "Lincoln High School", "school", "LHS", ""}}
	f["academicSessions.csv"] = [][]string{
		{"sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"},
		{"term-1", "", "", "Fall 2026", "term", "2026-08-24", "2026-12-18", "", "2027"}}
	f["courses.csv"] = [][]string{{"sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"},
		{"course-1", "", "", "", "English 9", "ENG9", "09", "org-1", "", ""}}
	f["classes.csv"] = s.classes()
	f["users.csv"] = s.users(v12)
	if v12 {
		f["roles.csv"] = s.roles()
	}
	f["enrollments.csv"] = s.enrollments()
	return f
}

func (s School) manifest() [][]string {
	rows := [][]string{{"propertyName", "value"}, {"manifest.version", "1.0"}, {"oneroster.version", s.Version}}
	for _, f := range []string{"academicSessions", "categories", "classes", "classResources", "courses", "courseResources",
		"demographics", "enrollments", "lineItems", "orgs", "resources", "results", "users"} {
		mode := "bulk"
		switch f {
		case "categories", "classResources", "courseResources", "demographics", "lineItems", "resources", "results":
			mode = "absent"
		}
		rows = append(rows, []string{"file." + f, mode})
	}
	if s.Version == "1.2" {
		rows = append(rows, []string{"file.roles", "bulk"})
	}
	return append(rows, []string{"source.systemName", "rostertest"}, []string{"source.systemCode", "RT"})
}

// StudentID, StaffID, ClassID and GuardianID are the generated sourcedIds.
func StudentID(i int) string  { return "stu-" + strconv.Itoa(i) }
func StaffID(i int) string    { return "staff-" + strconv.Itoa(i) }
func ClassID(i int) string    { return "class-" + strconv.Itoa(i) }
func GuardianID(i int) string { return "parent-" + strconv.Itoa(i) }

func (s School) classes() [][]string {
	rows := [][]string{{"sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
		"classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"}}
	for c := 0; c < s.Classes; c++ {
		rows = append(rows, []string{ClassID(c), "", "", fmt.Sprintf("English 9 - Period %d", c), "09", "course-1",
			fmt.Sprintf("ENG9-%03d", c), "scheduled", "Room " + strconv.Itoa(100+c%50), "org-1", "term-1", "English", "", strconv.Itoa(1 + c%8)})
	}
	return rows
}

// staffRole is the OneRoster role of staff member i.
func (s School) staffRole(i int, v12 bool) string {
	switch {
	case i < s.Teachers:
		return "teacher"
	case i < s.Teachers+s.Counselors && v12:
		return "counselor"
	case i < s.Teachers+s.Counselors:
		return "teacher"
	case v12:
		return "principal"
	}
	return "administrator"
}

func (s School) users(v12 bool) [][]string {
	header := []string{"sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
		"userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password"}
	if v12 {
		header = []string{"sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
			"familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
			"userMasterIdentifier", "resourceSourcedIds", "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
			"primaryOrgSourcedId", "pronouns"}
	}
	rows := [][]string{header}
	add := func(id, role, given, family, email, agents, grades string) {
		if v12 {
			rows = append(rows, []string{id, "", "", "true", id, "{discord:" + id + "}", given, family, "", id, email, "", "",
				agents, grades, "", "", "", "", "", "", "org-1", ""})
			return
		}
		rows = append(rows, []string{id, "", "", "true", "org-1", role, id, "{discord:" + id + "}", given, family, "", id,
			email, "", "", agents, grades, ""})
	}
	for i := 0; i < s.Students; i++ {
		agents := ""
		if i < s.Guardians {
			agents = GuardianID(i)
		}
		add(StudentID(i), "student", "Student", fmt.Sprintf("Number %d", i), StudentID(i)+"@lincoln.example", agents, "09")
	}
	for i := 0; i < s.Teachers+s.Counselors+s.Admins; i++ {
		add(StaffID(i), s.staffRole(i, v12), "Staff", fmt.Sprintf("Member %d", i), StaffID(i)+"@lincoln.example", "", "")
	}
	for i := 0; i < s.Guardians; i++ {
		add(GuardianID(i), "parent", "Parent", fmt.Sprintf("Of %d", i), GuardianID(i)+"@home.example", StudentID(i), "")
	}
	return rows
}

func (s School) roles() [][]string {
	rows := [][]string{{"sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate", "endDate",
		"orgSourcedId", "userProfileSourcedId"}}
	add := func(user, role string) {
		rows = append(rows, []string{"role-" + user, "", "", user, "primary", role, "", "", "org-1", ""})
	}
	for i := 0; i < s.Students; i++ {
		add(StudentID(i), "student")
	}
	for i := 0; i < s.Teachers+s.Counselors+s.Admins; i++ {
		add(StaffID(i), s.staffRole(i, true))
	}
	for i := 0; i < s.Guardians; i++ {
		add(GuardianID(i), "parent")
	}
	return rows
}

// EnrollmentID is the sourcedId of the generated enrollment n.
func EnrollmentID(n int) string { return "enr-" + strconv.Itoa(n) }

// StudentClass is the class of student enrollment n (counting from the
// first student's): student n%Students takes classes spread over the school.
func (s School) StudentClass(n int) (student, class int) {
	student, j := n%s.Students, n/s.Students
	return student, (student*7 + j*61) % s.Classes
}

// CounselorClass is the class of counselor k's enrollment j: classes are
// dealt out to counselors in turn.
func (s School) CounselorClass(k, j int) int { return (k*s.CounselorClasses + j) % s.Classes }

func (s School) enrollments() [][]string {
	rows := [][]string{{"sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
		"role", "primary", "beginDate", "endDate"}}
	n := 0
	for c := 0; c < s.Classes && n < s.Enrollments; c++ {
		rows = append(rows, []string{EnrollmentID(n), "", "", ClassID(c), "org-1", StaffID(c % max(s.Teachers, 1)), "teacher", "true", "2026-08-24", ""})
		n++
	}
	for k := 0; k < s.Counselors && s.Version == "1.2"; k++ {
		for j := 0; j < s.CounselorClasses && n < s.Enrollments; j++ {
			rows = append(rows, []string{EnrollmentID(n), "", "", ClassID(s.CounselorClass(k, j)), "org-1", StaffID(s.Teachers + k),
				"counselor", "false", "2026-08-24", ""})
			n++
		}
	}
	for k := 0; n < s.Enrollments; k++ {
		st, c := s.StudentClass(k)
		rows = append(rows, []string{EnrollmentID(n), "", "", ClassID(c), "org-1", StudentID(st), "student", "false", "2026-08-24", ""})
		n++
	}
	return rows
}

// WriteDir writes the files into dir.
func (f Files) WriteDir(dir string, bom bool) error {
	for name, rows := range f {
		file, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := writeCSV(file, rows, bom); err != nil {
			file.Close()
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := file.Close(); err != nil {
			return err
		}
	}
	return nil
}

// WriteZip writes the files as a zip at path.
func (f Files) WriteZip(path string, bom bool) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(out)
	for name, rows := range f {
		w, err := zw.Create(name)
		if err != nil {
			out.Close()
			return err
		}
		if err := writeCSV(w, rows, bom); err != nil {
			out.Close()
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func writeCSV(w io.Writer, rows [][]string, bom bool) error {
	if bom {
		if _, err := io.WriteString(w, "\xef\xbb\xbf"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}
