package plpbot

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Caseload is the students a counselor serves. A student is on it when
// they are a student of the counselor's school — their workspace, or a
// person the roster import brought (RosterID), whichever chat account they
// use — and
//   - an admin added them by name, or
//   - a rule picks them: one of their grades (Person.GradeLevels) is one of
//     Grades, or their last name (Person.LastName) falls in one of LastNames,
//
// unless an admin removed them by name, which wins over every rule. Rules
// are read against the student as they are at the moment of use, so a
// student who changes grade or name moves caseload at once. A counselor
// sees the students on their caseload exactly as a teacher sees a class
// (plpbot.Ties.Counsels); only people whose role is counselor have one.
type Caseload struct {
	// CounselorID is the counselor's Person.ID.
	CounselorID string `bson:"_id"`
	// Platform and Workspace are the counselor's: rules pick students of
	// that workspace only.
	Platform  string `bson:"platform"`
	Workspace string `bson:"workspace"`
	// Grades are grade levels as NormalizeGrade writes them.
	Grades []string `bson:"grades,omitempty"`
	// LastNames are ranges of last names, such as A-L.
	LastNames []NameRange `bson:"last,omitempty"`
	// Added and Removed are students named by an admin (Person.ID).
	Added   []string `bson:"added,omitempty"`
	Removed []string `bson:"removed,omitempty"`
	// SourcedID is the counselor's OneRoster sourcedId when the roster
	// import keeps this caseload; "" when admins keep it in chat.
	SourcedID string    `bson:"sourced_id,omitempty"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// Includes reports whether student is on the caseload now: the rule
// stated on Caseload. A nil caseload includes no one.
func (c *Caseload) Includes(student *Person) bool {
	sameSchool := c != nil && (IsRosterID(student.ID) ||
		student.Platform == c.Platform && student.Workspace == c.Workspace)
	switch {
	case !sameSchool, student.Role != RoleStudent, slices.Contains(c.Removed, student.ID):
		return false
	case slices.Contains(c.Added, student.ID):
		return true
	case slices.ContainsFunc(student.GradeLevels(), func(g string) bool { return slices.Contains(c.Grades, g) }):
		return true
	}
	last := student.LastName()
	for _, r := range c.LastNames {
		if r.Contains(last) {
			return true
		}
	}
	return false
}

// HasRules reports whether the caseload picks students by grade or last name.
func (c *Caseload) HasRules() bool { return len(c.Grades)+len(c.LastNames) > 0 }

// Empty reports whether the caseload can include no one.
func (c *Caseload) Empty() bool { return !c.HasRules() && len(c.Added) == 0 }

// LastName is the last word of the person's display name, which is how
// caseloads by last name read it: "Sam Lee" is "Lee", "Maria de la Cruz"
// is "Cruz", and a one-word name ("sam") is its own last name. Platforms
// give display names only, so this is a convention the school should know.
func (p *Person) LastName() string {
	f := strings.Fields(p.Name)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// GradeLevels are the person's grade levels as NormalizeGrade writes them:
// the one an admin set in chat (Grade), which wins, else those the SIS
// lists (SIS.Grades, such as "09").
func (p *Person) GradeLevels() []string {
	if p.Grade != "" {
		return []string{p.Grade}
	}
	if p.SIS == nil {
		return nil
	}
	out := make([]string, 0, len(p.SIS.Grades))
	for _, g := range p.SIS.Grades {
		if n, err := NormalizeGrade(g); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// GradeSpellings are the ways a student information system may write the
// normalised grade g: "9" is also "09" (OneRoster's two-digit codes), so a
// query on stored SIS grades finds it.
func GradeSpellings(g string) []string {
	if len(g) == 1 && isDigits(g) {
		return []string{g, "0" + g}
	}
	return []string{g}
}

// MaxGradeLen bounds a grade level as typed ("9", "KG", "PS", "Ungraded").
const MaxGradeLen = 16

// NormalizeGrade reads a grade level as people and student information
// systems write it and returns its one spelling: numbers without leading
// zeros or ordinal ending ("09", "9th" → "9"), anything else in upper case ("kg" → "KG", OneRoster's
// "PK", "KG", "13"…). It refuses blanks, spaces and anything but letters
// and digits.
func NormalizeGrade(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > MaxGradeLen ||
		strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		return "", fieldErrorf("grade", "%q isn't a grade I can read. Use a grade level such as 9 or KG.", s)
	}
	lower := strings.ToLower(s)
	for _, suffix := range []string{"st", "nd", "rd", "th"} { // "9th" is 9
		if n, ok := strings.CutSuffix(lower, suffix); ok && n != "" && isDigits(n) {
			s = n
		}
	}
	if isDigits(s) {
		if t := strings.TrimLeft(s, "0"); t != "" {
			return t, nil
		}
		return "0", nil
	}
	return strings.ToUpper(s), nil
}

func isDigits(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// NameRange is a range of names by their first letters, both ends
// included and stored in lower case: A-L holds every name from "a…" to
// "l…"; Ma-Mz holds "Mac…" but not "Lee". Accented Latin letters count as
// their base letter (Ávila is under A).
type NameRange struct {
	From string `bson:"from"`
	To   string `bson:"to"`
}

// MaxNameRangeLen bounds each end of a NameRange, in letters.
const MaxNameRangeLen = 8

// ParseNameRange reads a range such as "A-L", "m-z" or "Ma-Mz" (one letter
// stands for itself: "K" is K-K).
func ParseNameRange(s string) (NameRange, error) {
	bad := func() (NameRange, error) {
		return NameRange{}, fieldErrorf("last", "%q isn't a range of last names. Write first letters with a dash, such as A-L or M-Z.", s)
	}
	from, to, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		to = from
	}
	from, to = foldName(strings.TrimSpace(from)), foldName(strings.TrimSpace(to))
	for _, end := range []string{from, to} {
		if end == "" || utf8.RuneCountInString(end) > MaxNameRangeLen || strings.ContainsFunc(end, func(r rune) bool { return !unicode.IsLetter(r) }) {
			return bad()
		}
	}
	if from > to {
		return NameRange{}, fieldErrorf("last", "%q runs backwards. Write the earlier letter first, such as %s-%s.", s,
			strings.ToUpper(to), strings.ToUpper(from))
	}
	return NameRange{From: from, To: to}, nil
}

// Contains reports whether name falls in the range: its first letters
// (as many as each end has) are at or after From and at or before To.
func (r NameRange) Contains(name string) bool {
	n := []rune(foldName(name))
	if len(n) == 0 {
		return false
	}
	head := func(k int) string { return string(n[:min(k, len(n))]) }
	return head(utf8.RuneCountInString(r.From)) >= r.From && head(utf8.RuneCountInString(r.To)) <= r.To
}

// String writes the range as people type it: "A-L", "Ma-Mz", "K".
func (r NameRange) String() string {
	title := func(s string) string {
		if s == "" {
			return s
		}
		first, size := utf8.DecodeRuneInString(s)
		return string(unicode.ToUpper(first)) + s[size:]
	}
	if r.From == r.To {
		return title(r.From)
	}
	return title(r.From) + "-" + title(r.To)
}

// foldName lower-cases s and replaces accented Latin letters by their base
// letter, so names sort as people file them.
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		r = unicode.ToLower(r)
		if b, ok := latinBase[r]; ok {
			return b
		}
		return r
	}, s)
}

// latinBase maps the accented lower-case Latin letters of Latin-1 and
// Latin Extended-A that names commonly carry to their base letter.
var latinBase = func() map[rune]rune {
	m := map[rune]rune{}
	for base, accented := range map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ďđ", 'e': "èéêëēĕėęě", 'g': "ĝğġģ", 'h': "ĥħ",
		'i': "ìíîïĩīĭįı", 'j': "ĵ", 'k': "ķ", 'l': "ĺļľŀł", 'n': "ñńņňŉ", 'o': "òóôõöøōŏő",
		'r': "ŕŗř", 's': "śŝşšß", 't': "ţťŧ", 'u': "ùúûüũūŭůűų", 'w': "ŵ", 'y': "ýÿŷ", 'z': "źżž",
	} {
		for _, r := range accented {
			m[r] = base
		}
	}
	return m
}()
