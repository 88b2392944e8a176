package roster

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/oneroster"
)

// Kind is a kind of record the report counts.
type Kind string

// Kinds of records, in the order the report lists them.
const (
	KindStudents    Kind = "students"
	KindStaff       Kind = "staff"
	KindGuardians   Kind = "guardians"
	KindClasses     Kind = "classes"
	KindEnrollments Kind = "enrollments"
	KindCaseloads   Kind = "caseloads"
	KindTerms       Kind = "terms"
	KindCourses     Kind = "courses"
	KindOrgs        Kind = "schools"
)

// Kinds lists the kinds in report order.
var Kinds = []Kind{KindStudents, KindStaff, KindGuardians, KindClasses, KindEnrollments, KindCaseloads, KindTerms, KindCourses, KindOrgs}

// Count is what an import did (or would do) to the records of one kind.
// Ended records are archived, never deleted; Unchanged counts the active
// records the import left as they were.
type Count struct {
	Created, Updated, Ended, Unchanged int
}

// Report is what an import found and did.
type Report struct {
	Source   string
	Manifest oneroster.Manifest
	DryRun   bool
	// Counts per kind (a kind the import didn't touch is absent).
	Counts map[Kind]Count
	// Unmatched counts the people (KindStudents, KindStaff) on the roster
	// who are not linked to a chat account yet.
	Unmatched map[Kind]int
	// Ignored counts rows plpbot doesn't keep: enrollments of proctors and
	// administrators, of guardians, of people with an extension role.
	Ignored int
	// KeptInChat counts the counselors the roster would give a caseload to
	// whose caseload an admin keeps in chat: the import leaves those alone.
	KeptInChat int
	// Problems are what is wrong with the set; with any, nothing was written.
	Problems []oneroster.Problem
	// Writes is how many documents the import wrote (0 on a dry run).
	Writes int
	// Links is what linking people to chat accounts did after the import
	// (see Importer.Link and Report.Linked); nil when it didn't run.
	Links *Linking
}

// fill copies a plan's outcome into the report; linked are the people
// linked to a chat account (storage.LinkedPeople).
func (r *Report) fill(p *plan, linked map[string]bool) {
	r.Problems = append(r.Problems, p.problems...)
	r.Ignored = p.ignored
	r.KeptInChat = p.keptInChat
	r.Counts = map[Kind]Count{}
	for k, c := range p.counts {
		r.Counts[k] = *c
	}
	r.Unmatched = map[Kind]int{}
	for _, d := range p.people {
		if d.SIS.Ended.IsZero() && plpbot.IsRosterID(d.ID) && !linked[d.ID] {
			k := KindStaff
			if d.Role == plpbot.RoleStudent {
				k = KindStudents
			}
			r.Unmatched[k]++
		}
	}
}

// Changes is how many records the import creates, updates or ends.
func (r *Report) Changes() int {
	n := 0
	for _, c := range r.Counts {
		n += c.Created + c.Updated + c.Ended
	}
	return n
}

// String is the report as people read it: the problems, or a table of
// what changed per kind, who is not linked yet, and what happened.
func (r *Report) String() string {
	var b strings.Builder
	if len(r.Problems) > 0 {
		shown, more := map[string]int{}, map[string]int{}
		for _, p := range r.Problems {
			if shown[p.File] == oneroster.MaxProblemsPerFile {
				more[p.File]++
				continue
			}
			shown[p.File]++
			b.WriteString(p.String() + "\n")
		}
		for _, f := range sortedKeys(more) {
			fmt.Fprintf(&b, "%s: … and %s\n", f, plural(more[f], "more problem"))
		}
		fmt.Fprintf(&b, "%s: nothing was imported. Fix %s in the SIS export and run the import again (add -dry-run to check without importing).\n",
			plural(len(r.Problems), "problem"), map[bool]string{true: "it", false: "them"}[len(r.Problems) == 1])
		return b.String()
	}
	b.WriteString(r.Heading() + "\n\n" + r.Table() + "\n")
	s, t := r.Unmatched[KindStudents], r.Unmatched[KindStaff]
	if s+t > 0 && (r.Links == nil || r.Links.Skipped != "") {
		fmt.Fprintf(&b, "Unmatched: %s and %s aren't linked to a chat account yet, so plpbot can't DM them; they keep their place in their classes until they are.\n",
			plural(s, "student"), plural(t, "member")+" of staff")
	}
	if note := r.KeptInChatNote(); note != "" {
		b.WriteString(note + "\n")
	}
	if r.Links != nil && r.Links.Skipped != "" && s+t > 0 {
		b.WriteString(r.Links.Skipped + "\n")
	}
	if r.Ignored > 0 {
		fmt.Fprintf(&b, "Ignored: %s plpbot doesn't keep (proctors, administrators, guardians, extension roles).\n", plural(r.Ignored, "enrollment"))
	}
	switch {
	case r.DryRun:
		b.WriteString("Dry run: nothing was written. Run it again without -dry-run to import.\n")
	case r.Changes() == 0:
		b.WriteString("Nothing changed since the last import: nothing was written.\n")
	default:
		fmt.Fprintf(&b, "Imported: %s written.\n", plural(r.Changes(), "change"))
	}
	if r.Links != nil && r.Links.Skipped == "" {
		for _, n := range r.Links.Notes(nil, "run the import again, and it goes on where this one stopped.") {
			b.WriteString(n + "\n")
		}
	}
	return b.String()
}

// KeptInChatNote says which caseloads the import left alone because an
// admin keeps them in chat ("" when none).
func (r *Report) KeptInChatNote() string {
	switch n := r.KeptInChat; {
	case n == 1:
		return "Kept in chat: 1 counselor's caseload is kept by an admin in chat, so the import left it as it is (`/plp caseload @counselor` shows it)."
	case n > 1:
		return fmt.Sprintf("Kept in chat: %s counselors' caseloads are kept by an admin in chat, so the import left them as they are (`/plp caseload @counselor` shows one).", num(n))
	}
	return ""
}

// Table is the table of what changed per kind: created, updated, ended
// and unchanged, one line a kind, under a header line.
func (r *Report) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-12s %8s %8s %8s %10s\n", "", "created", "updated", "ended", "unchanged")
	for _, k := range Kinds {
		if c, ok := r.Counts[k]; ok && c != (Count{}) {
			fmt.Fprintf(&b, "%-12s %8s %8s %8s %10s\n", k, num(c.Created), num(c.Updated), num(c.Ended), num(c.Unchanged))
		}
	}
	return b.String()
}

// Heading names the set, its version and how each file came.
func (r *Report) Heading() string {
	byMode := map[oneroster.Mode][]string{}
	for _, f := range oneroster.Files {
		if m := r.Manifest.Mode(f); m != oneroster.Absent {
			byMode[m] = append(byMode[m], f)
		}
	}
	parts := []string{}
	for _, m := range []oneroster.Mode{oneroster.Bulk, oneroster.Delta} {
		if fs := byMode[m]; len(fs) > 0 {
			parts = append(parts, string(m)+": "+strings.Join(fs, ", "))
		}
	}
	return fmt.Sprintf("OneRoster %s roster from %s (%s).", r.Manifest.Version, r.Source, strings.Join(parts, "; "))
}

// Thousands writes n as the import's reports do, with thousands separators:
// 12,000.
func Thousands(n int) string { return num(n) }

// num writes n with thousands separators: 12,000.
func num(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return num(n) + " " + word + "s"
}
