package plpbot

import (
	"strings"
	"testing"
)

func TestNormalizeGrade(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"9", "9"}, {"09", "9"}, {" 12 ", "12"}, {"kg", "KG"}, {"PK", "PK"}, {"00", "0"}, {"Ungraded", "UNGRADED"}, {"9th", "9"}, {"1st", "1"}, {"th", "TH"},
	} {
		got, err := NormalizeGrade(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeGrade(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", " ", "9th grade", "9-10", "$gt", "12345678901234567"} {
		if got, err := NormalizeGrade(bad); err == nil {
			t.Errorf("NormalizeGrade(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseNameRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want NameRange
		str  string
	}{
		{"A-L", NameRange{"a", "l"}, "A-L"},
		{"m - z", NameRange{"m", "z"}, "M-Z"},
		{"Ma-Mz", NameRange{"ma", "mz"}, "Ma-Mz"},
		{"K", NameRange{"k", "k"}, "K"},
		{"É-F", NameRange{"e", "f"}, "E-F"},
	} {
		got, err := ParseNameRange(tc.in)
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("ParseNameRange(%q) = %+v (%s), %v; want %+v (%s)", tc.in, got, got.String(), err, tc.want, tc.str)
		}
	}
	for _, bad := range []string{"", "-", "A-", "L-A", "A-L-Z", "1-9", "A to L", "abcdefghij-z"} {
		if got, err := ParseNameRange(bad); err == nil {
			t.Errorf("ParseNameRange(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestNameRangeContains(t *testing.T) {
	al, _ := ParseNameRange("A-L")
	mamz, _ := ParseNameRange("Ma-Mz")
	k, _ := ParseNameRange("K")
	for _, tc := range []struct {
		r    NameRange
		name string
		want bool
	}{
		{al, "Adams", true}, {al, "lee", true}, {al, "Lzzz", true}, {al, "Moore", false}, {al, "", false},
		{al, "Ávila", true}, {al, "Øst", false}, {al, "Łukasz", true},
		{mamz, "MacDonald", true}, {mamz, "Mzee", true}, {mamz, "Lee", false}, {mamz, "M", false},
		{k, "Kim", true}, {k, "kowalski", true}, {k, "Jones", false},
	} {
		if got := tc.r.Contains(tc.name); got != tc.want {
			t.Errorf("%s contains %q = %v, want %v", tc.r, tc.name, got, tc.want)
		}
	}
}

func TestLastName(t *testing.T) {
	for name, want := range map[string]string{
		"Sam Lee": "Lee", "Maria de la Cruz": "Cruz", "sam": "sam", "  Jo   Park  ": "Park", "": "",
	} {
		if got := (&Person{Name: name}).LastName(); got != want {
			t.Errorf("LastName(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCaseloadIncludes: the caseload rule, read against the student as they
// are now: by grade, by last name, by name; a removal wins over every rule;
// only students of the counselor's workspace.
func TestCaseloadIncludes(t *testing.T) {
	al, _ := ParseNameRange("A-L")
	cl := &Caseload{CounselorID: "slack:T1:UC", Platform: "slack", Workspace: "T1",
		Grades: []string{"9"}, LastNames: []NameRange{al}, Added: []string{"slack:T1:UNAMED"}, Removed: []string{"slack:T1:UOUT"}}
	student := func(id, name, grade string) *Person {
		return &Person{ID: "slack:T1:" + id, Platform: "slack", Workspace: "T1", Name: name, Grade: grade, Role: RoleStudent}
	}
	other := student("UX", "Sam Adams", "9")
	other.Workspace = "T2"
	teacher := student("UT", "Ms Adams", "9")
	teacher.Role = RoleTeacher
	for _, tc := range []struct {
		who  *Person
		want bool
	}{
		{student("U1", "Sam Moore", "9"), true},    // grade
		{student("U2", "Alex Lee", "10"), true},    // last name
		{student("U3", "Jo Young", "10"), false},   // neither
		{student("U4", "Jo Young", ""), false},     // no grade
		{student("UNAMED", "Pat Zed", "11"), true}, // by name
		{student("UOUT", "Ann Adams", "9"), false}, // removed by name wins
		{other, false},   // another workspace
		{teacher, false}, // not a student
	} {
		if got := cl.Includes(tc.who); got != tc.want {
			t.Errorf("Includes(%s, %q grade %q) = %v, want %v", tc.who.ID, tc.who.Name, tc.who.Grade, got, tc.want)
		}
	}
	// A student who changes grade moves caseload at once.
	moved := student("U5", "Kai Zane", "9")
	if !cl.Includes(moved) {
		t.Fatal("grade 9 student not included")
	}
	moved.Grade = "10"
	if cl.Includes(moved) {
		t.Error("a student moved to grade 10 is still on the grade 9 caseload")
	}
	var none *Caseload
	if none.Includes(moved) {
		t.Error("a nil caseload includes someone")
	}
	// A student the roster import brought (not linked to a chat account
	// yet) belongs to the school: the SIS's grades count ("09" is 9), and a
	// grade set in chat wins over them.
	imported := &Person{ID: RosterID("s-1"), Platform: PlatformRoster, Name: "Ana Zed", Role: RoleStudent,
		SIS: &PersonSIS{SourcedID: "s-1", Grades: []string{"09"}}}
	if !cl.Includes(imported) {
		t.Error("an imported grade 09 student isn't on the grade 9 caseload")
	}
	// Linked to a Discord account (the one they used last), they are still
	// the school's, for a counselor on Slack.
	imported.Platform, imported.Workspace = "discord", "g1"
	if !cl.Includes(imported) {
		t.Error("a roster student who last used Discord left the Slack counselor's caseload")
	}
	imported.Grade = "10"
	if cl.Includes(imported) {
		t.Error("a grade set in chat doesn't win over the SIS's")
	}
}

func TestGradeSpellings(t *testing.T) {
	for g, want := range map[string]string{"9": "9,09", "10": "10", "KG": "KG"} {
		if got := strings.Join(GradeSpellings(g), ","); got != want {
			t.Errorf("GradeSpellings(%q) = %s, want %s", g, got, want)
		}
	}
}
