package oneroster_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/roster/oneroster"
)

// manifest11 is a 1.1 manifest with users, classes and enrollments in the
// given mode and everything else absent.
func manifest(version, mode string, files ...string) string {
	var b strings.Builder
	b.WriteString("propertyName,value\nmanifest.version,1.0\noneroster.version," + version + "\n")
	for _, f := range files {
		b.WriteString("file." + f + "," + mode + "\n")
	}
	return b.String()
}

const (
	classesHeader     = "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n"
	users11Header     = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n"
	enrollmentsHeader = "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n"
)

// writeSet writes files (name → content) into a new folder and returns it.
func writeSet(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// read opens and reads the set at path; a set that can't be opened is
// returned as its one problem.
func read(t *testing.T, path string) (*oneroster.Set, []string) {
	t.Helper()
	src, err := oneroster.Open(path)
	if err != nil {
		return nil, []string{err.Error()}
	}
	defer src.Close()
	set, ps := oneroster.Read(context.Background(), src)
	return set, lines(ps)
}

func lines(ps []oneroster.Problem) []string {
	out := make([]string, len(ps))
	for i := range ps {
		out[i] = ps[i].String()
	}
	return out
}

// small is a valid 1.1 bulk set of one class, one teacher, one student.
func small() map[string]string {
	return map[string]string{
		"manifest.csv": manifest("1.1", "bulk", "classes", "users", "enrollments"),
		"classes.csv":  classesHeader + "c-1,,,Algebra I,09,co-1,ALG1,scheduled,,sch-1,t-1,,,\n",
		"users.csv": users11Header +
			"u-t,,,true,sch-1,teacher,lee,,Ana,Lee,,,lee@school.example,,,,,\n" +
			"u-s,,,true,sch-1,student,sam,{discord:sam},Sam,O'Neil,,,,,,,09,\n",
		"enrollments.csv": enrollmentsHeader +
			"e-1,,,c-1,sch-1,u-t,teacher,true,,\n" +
			"e-2,,,c-1,sch-1,u-s,student,false,2026-08-24,\n",
	}
}

func TestReadSmallSet(t *testing.T) {
	set, ps := read(t, writeSet(t, small()))
	if len(ps) > 0 {
		t.Fatalf("problems: %q", ps)
	}
	if set.Manifest.Version != oneroster.V11 || set.Manifest.Mode("users") != oneroster.Bulk || set.Manifest.Mode("orgs") != oneroster.Absent {
		t.Errorf("manifest = %+v", set.Manifest)
	}
	if len(set.Classes) != 1 || len(set.Users) != 2 || len(set.Enrollments) != 2 {
		t.Fatalf("read %d classes, %d users, %d enrollments", len(set.Classes), len(set.Users), len(set.Enrollments))
	}
	u := set.Users[1]
	if u.SourcedID != "u-s" || u.Role != "student" || u.FamilyName != "O'Neil" || !slices.Equal(u.IDs, []string{"{discord:sam}"}) || u.Line != 3 {
		t.Errorf("student = %+v", u)
	}
	if e := set.Enrollments[0]; !e.Primary || e.Role != "teacher" || e.Line != 2 {
		t.Errorf("teacher's enrollment = %+v", e)
	}
	if probs := oneroster.Check(set, none{}); len(probs) > 0 {
		t.Errorf("check: %q", lines(probs))
	}
}

// TestReadBOMAndQuoting: a byte order mark before the header, and RFC 4180
// quoting — commas, doubled quotes and a line break inside quotes, a list
// in one quoted field.
func TestReadBOMAndQuoting(t *testing.T) {
	files := small()
	files["users.csv"] = "\xef\xbb\xbf" + users11Header +
		"u-t,,,true,sch-1,teacher,lee,,Ana,Lee,,,lee@school.example,,,,,\r\n" +
		"u-s,,,true,\"sch-1,sch-2\",student,sam,\"{discord:sam},{slack:U1}\",\"Sam \"\"Sammy\"\"\",\"O'Neil, Jr.\nthe second\",,,,,,,\"09,10\",\r\n"
	files["manifest.csv"] = "\xef\xbb\xbf" + files["manifest.csv"]
	set, ps := read(t, writeSet(t, files))
	if len(ps) > 0 {
		t.Fatalf("problems: %q", ps)
	}
	u := set.Users[1]
	if u.GivenName != `Sam "Sammy"` || u.FamilyName != "O'Neil, Jr.\nthe second" {
		t.Errorf("names = %q %q", u.GivenName, u.FamilyName)
	}
	if !slices.Equal(u.Orgs, []string{"sch-1", "sch-2"}) || !slices.Equal(u.IDs, []string{"{discord:sam}", "{slack:U1}"}) ||
		!slices.Equal(u.Grades, []string{"09", "10"}) {
		t.Errorf("lists = %q %q %q", u.Orgs, u.IDs, u.Grades)
	}
	if set.Users[0].SourcedID != "u-t" {
		t.Errorf("the BOM is part of the first column: %q", set.Users[0].SourcedID)
	}
}

// TestReadProblems: each mistake a file can have, reported at its line,
// so the school knows what to fix.
func TestReadProblems(t *testing.T) {
	tests := []struct {
		name string
		edit func(files map[string]string)
		want string
	}{
		{"missing required column", func(f map[string]string) {
			f["users.csv"] = strings.Replace(f["users.csv"], "givenName,", "firstName,", 1)
		}, `users.csv:1: no "givenName" column: OneRoster 1.1 requires it`},
		{"bad dateLastModified", func(f map[string]string) {
			f["users.csv"] += "u-x,active,2026-13-01,true,sch-1,student,x,,X,Y,,,,,,,,\n"
		}, `users.csv:4: dateLastModified "2026-13-01" isn't a date and time: want one such as 2026-09-01T08:00:00Z`},
		{"bad date", func(f map[string]string) {
			f["enrollments.csv"] += "e-3,,,c-1,sch-1,u-s,student,false,2026-02-30,\n"
		}, `enrollments.csv:4: beginDate "2026-02-30" isn't a date: want YYYY-MM-DD, such as 2026-09-01`},
		{"empty required value", func(f map[string]string) {
			f["users.csv"] += "u-x,,,true,sch-1,student,x,,,Y,,,,,,,,\n"
		}, `users.csv:4: givenName is empty: OneRoster requires it`},
		{"unknown role", func(f map[string]string) {
			f["users.csv"] += "u-x,,,true,sch-1,wizard,x,,X,Y,,,,,,,,\n"
		}, `users.csv:4: role is "wizard": want one of administrator, aide, guardian, parent, proctor, relative, student, teacher`},
		{"a counselor's enrollment in 1.1", func(f map[string]string) {
			f["enrollments.csv"] += "e-3,,,c-1,sch-1,u-t,counselor,false,,\n"
		}, `enrollments.csv:4: role is "counselor": want one of administrator, proctor, student, teacher`},
		{"duplicate sourcedId", func(f map[string]string) {
			f["users.csv"] += "u-s,,,true,sch-1,student,x,,X,Y,,,,,,,,\n"
		}, `users.csv:4: sourcedId "u-s" is already on line 3`},
		{"wrong number of fields", func(f map[string]string) {
			f["classes.csv"] += "c-2,,,Art, Room 2,09,co-1,ART,scheduled,,sch-1,t-1,,,\n"
		}, `classes.csv:3: 15 fields, but the header has 14: is a comma missing, or a field with a comma not in quotes?`},
		{"bare quote", func(f map[string]string) {
			f["classes.csv"] += "c-2,,,Art \"2\",09,co-1,ART,scheduled,,sch-1,t-1,,,\n"
		}, `classes.csv:3: a stray quote: a field with a quote in it must be wholly in quotes, its quotes doubled ("Sam ""Sammy"" Lee")`},
		{"not UTF-8", func(f map[string]string) {
			f["classes.csv"] += "c-2,,,Caf\xe9,09,co-1,ART,scheduled,,sch-1,t-1,,,\n"
		}, `classes.csv:3: not UTF-8 text: save the file as UTF-8`},
		{"delta without status", func(f map[string]string) {
			f["manifest.csv"] = manifest("1.1", "delta", "classes", "users", "enrollments")
		}, `classes.csv:2: status is empty: a delta file gives each row's status, active or tobedeleted`},
		{"delta without the status column", func(f map[string]string) {
			f["manifest.csv"] = manifest("1.1", "delta", "classes", "users", "enrollments")
			f["classes.csv"] = strings.Replace(f["classes.csv"], "sourcedId,status,", "sourcedId,", 1)
		}, `classes.csv:1: no "status" column: OneRoster 1.1 requires it`},
		{"unknown status", func(f map[string]string) {
			f["users.csv"] += "u-x,inactive,,true,sch-1,student,x,,X,Y,,,,,,,,\n"
		}, `users.csv:4: status is "inactive": want active or tobedeleted`},
		{"manifest names a missing file", func(f map[string]string) {
			delete(f, "classes.csv")
		}, `manifest.csv:4: file.classes is bulk, but classes.csv isn't in `},
		{"file the manifest doesn't name", func(f map[string]string) {
			f["manifest.csv"] = manifest("1.1", "bulk", "users", "enrollments")
		}, "manifest.csv: classes.csv is in the set but the manifest doesn't say how: add a row `file.classes,bulk` (the whole roster) or `file.classes,delta` (changes only)"},
		{"unknown version", func(f map[string]string) {
			f["manifest.csv"] = strings.Replace(f["manifest.csv"], "oneroster.version,1.1", "oneroster.version,1.0", 1)
		}, `manifest.csv:3: oneroster.version is "1.0": plpbot reads OneRoster 1.1 and 1.2`},
		{"no manifest", func(f map[string]string) {
			delete(f, "manifest.csv")
		}, `no manifest.csv in it: is this the OneRoster CSV export`},
		{"no rows", func(f map[string]string) {
			f["users.csv"] = users11Header
		}, "users.csv: a header and no rows: OneRoster files must have rows (if there is nothing to send, mark it `file.users,absent` in the manifest)"},
		{"empty file", func(f map[string]string) {
			f["users.csv"] = ""
		}, `users.csv: the file is empty: a OneRoster file starts with its header row`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := small()
			tt.edit(files)
			_, ps := read(t, writeSet(t, files))
			if !slices.ContainsFunc(ps, func(p string) bool { return strings.Contains(p, tt.want) }) {
				t.Errorf("problems = %q\nwant one with %q", ps, tt.want)
			}
		})
	}
}

// none knows nothing: a first import.
type none struct{}

func (none) Has(string, string) bool { return false }
func (none) Any(string) bool         { return false }

// stored knows some records of earlier imports.
type stored map[string][]string

func (s stored) Has(file, id string) bool { return slices.Contains(s[file], id) }
func (s stored) Any(file string) bool     { return len(s[file]) > 0 }

// TestCheckReferences: a reference to a record the set doesn't have (or
// deletes) is a problem at the line that makes it; a delta may refer to
// what an earlier import stored, a bulk file may not.
func TestCheckReferences(t *testing.T) {
	files := small()
	files["enrollments.csv"] += "e-3,,,c-77,sch-1,u-s,student,false,,\n"
	set, ps := read(t, writeSet(t, files))
	if len(ps) > 0 {
		t.Fatalf("read: %q", ps)
	}
	got := lines(oneroster.Check(set, stored{"classes": {"c-77"}}))
	want := []string{`enrollments.csv:4: enrollment references unknown class "c-77"`}
	if !slices.Equal(got, want) {
		t.Errorf("bulk classes: problems = %q, want %q (a bulk file is the whole truth)", got, want)
	}

	delta := small()
	delta["manifest.csv"] = manifest("1.1", "delta", "classes", "users", "enrollments")
	delta["classes.csv"] = classesHeader + "c-1,tobedeleted,2026-09-01T08:00:00Z,Algebra I,09,co-1,ALG1,scheduled,,sch-1,t-1,,,\n"
	delta["users.csv"] = users11Header + "u-n,active,2026-09-01T08:00:00.000Z,true,sch-1,student,n,,New,Kid,,,,,,p-9,,\n"
	delta["enrollments.csv"] = enrollmentsHeader +
		"e-5,active,2026-09-01,c-2,sch-1,u-s,student,false,,\n" +
		"e-6,active,2026-09-01,c-1,sch-1,u-n,student,false,,\n" +
		"e-7,tobedeleted,2026-09-01,c-404,sch-1,u-404,student,false,,\n"
	set, ps = read(t, writeSet(t, delta))
	if len(ps) > 0 {
		t.Fatalf("read delta: %q", ps)
	}
	got = lines(oneroster.Check(set, stored{"classes": {"c-2"}, "users": {"u-s"}}))
	want = []string{
		`users.csv:2: user references unknown user "p-9"`,
		`enrollments.csv:3: enrollment references class "c-1", which classes.csv marks tobedeleted`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("delta: problems =\n%q\nwant\n%q", got, want)
	}
}

// TestReadCounselorEnrollment12: 1.2 sets may enroll a counselor in a class
// with the role counselor (or the extension ext:counselor), as exports do
// for a homeroom's counselor; 1.1 has no counselors (TestReadProblems).
func TestReadCounselorEnrollment12(t *testing.T) {
	files := small()
	files["manifest.csv"] = manifest("1.2", "bulk", "classes", "users", "roles", "enrollments")
	files["users.csv"] = "sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName\n" +
		"u-t,,,true,lee,Ana,Lee\nu-s,,,true,sam,Sam,Lee\nu-c,,,true,rivera,Mx,Rivera\n"
	files["roles.csv"] = "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n" +
		"r-t,,,u-t,primary,teacher,,,sch-1,\nr-s,,,u-s,primary,student,,,sch-1,\nr-c,,,u-c,primary,counselor,,,sch-1,\n"
	files["enrollments.csv"] += "e-3,,,c-1,sch-1,u-c,counselor,false,,\ne-4,,,c-1,sch-1,u-c,ext:counselor,false,,\n"
	set, ps := read(t, writeSet(t, files))
	if len(ps) > 0 {
		t.Fatalf("problems: %q", ps)
	}
	if got := []string{set.Enrollments[2].Role, set.Enrollments[3].Role}; !slices.Equal(got, oneroster.CounselorEnrollmentRoles) {
		t.Errorf("counselor enrollment roles = %q", got)
	}
}
