package roster_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
)

// day is a date as terms keep it: midnight UTC.
func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// sessionsSchool is the small 1.2 school with more academic sessions:
// class-0 in the fall term, class-1 in a semester and its school year,
// class-2 in the semester, class-3 in last year's semester of the same
// title.
func sessionsSchool() rostertest.Files {
	files := edit(rostertest.Small("1.2").Files(), "academicSessions.csv", func(rows [][]string) [][]string {
		return append(rows,
			[]string{"year-2027", "", "", "2026-2027", "schoolYear", "2026-08-24", "2027-06-11", "", "2027"},
			[]string{"sem-1", "", "", "Semester 1", "semester", "2026-08-24", "2027-01-15", "year-2027", "2027"},
			[]string{"sem-1-old", "", "", "Semester 1", "semester", "2025-08-25", "2026-01-16", "", "2026"})
	})
	return edit(files, "classes.csv", func(rows [][]string) [][]string {
		rows[2][10], rows[3][10], rows[4][10] = "sem-1,year-2027", "sem-1", "sem-1-old"
		return rows
	})
}

// classTerm returns an imported class's term.
func classTerm(t *testing.T, s *storage.Store, classSID string) (*plpbot.Class, *plpbot.Term) {
	t.Helper()
	ctx := context.Background()
	c, err := s.Class(ctx, plpbot.RosterID(classSID))
	if err != nil {
		t.Fatal(err)
	}
	if c.TermID == "" {
		t.Fatalf("%s has no term", classSID)
	}
	term, err := s.Term(ctx, c.TermID)
	if err != nil {
		t.Fatalf("%s's term %s: %v", classSID, c.TermID, err)
	}
	return c, term
}

// TestTermsFromSessions: the sessions classes are taught in become terms
// in the school's workspace (name, first and last day as midnight UTC,
// sourcedId), each class in its own; a class naming several is in the one
// that ends last; sessions of one title get their school year. The same
// files again write nothing.
func TestTermsFromSessions(t *testing.T) {
	s, c, w := newStore(t)
	ctx := context.Background()
	path := writeSchool(t, sessionsSchool())
	rep := mustImport(t, s, path)
	if got := rep.Counts[roster.KindTerms]; got != (roster.Count{Created: 4}) {
		t.Errorf("terms: %+v, want 4 created", got)
	}
	_, fall := classTerm(t, s, rostertest.ClassID(0))
	want := plpbot.Term{ID: fall.ID, Name: "Fall 2026", NameLower: "fall 2026", Platform: plpbot.PlatformRoster, Workspace: "org-1",
		Starts: day("2026-08-24"), Ends: day("2026-12-18"), SourcedID: "term-1", CreatedBy: fall.CreatedBy, CreatedAt: t0}
	if *fall != want {
		t.Errorf("class-0's term = %+v\nwant %+v", *fall, want)
	}
	for class, wantName := range map[int]string{1: "2026-2027", 2: "Semester 1 · 2027", 3: "Semester 1 · 2026"} {
		if _, term := classTerm(t, s, rostertest.ClassID(class)); term.Name != wantName {
			t.Errorf("class-%d's term is %q, want %q", class, term.Name, wantName)
		}
	}
	terms, err := s.Terms(ctx, plpbot.PlatformRoster, "org-1")
	if err != nil || len(terms) != 4 || terms[0].SourcedID != "sem-1-old" {
		t.Errorf("the school's terms: %v %+v: want 4, earliest first", err, terms)
	}

	c.Advance(time.Hour)
	w.n.Store(0)
	if rep = mustImport(t, s, path); rep.Changes() != 0 || w.n.Load() != 0 {
		t.Errorf("the same files again: %d changes, %d writes (%+v)", rep.Changes(), w.n.Load(), rep.Counts)
	}
}

// TestTermsFollowSessions: a changed session updates its term (name and
// days); a deleted session leaves its term as it was, and the class that
// ended with it keeps its term — its history stays readable.
func TestTermsFollowSessions(t *testing.T) {
	s, c, _ := newStore(t)
	files := sessionsSchool()
	mustImport(t, s, writeSchool(t, files))
	_, old := classTerm(t, s, rostertest.ClassID(3))

	c.Advance(time.Hour)
	changed := edit(files, "academicSessions.csv", func(rows [][]string) [][]string {
		rows[1][3], rows[1][6] = "Fall Semester 2026", "2026-12-23"
		return rows
	})
	rep := mustImport(t, s, writeSchool(t, changed))
	if got := rep.Counts[roster.KindTerms]; got != (roster.Count{Updated: 1, Unchanged: 3}) {
		t.Errorf("terms: %+v, want 1 updated", got)
	}
	if got := rep.Counts[roster.KindClasses]; got.Updated != 0 {
		t.Errorf("classes: %+v: a term's new dates change no class", got)
	}
	if _, fall := classTerm(t, s, rostertest.ClassID(0)); fall.Name != "Fall Semester 2026" || !fall.Ends.Equal(day("2026-12-23")) {
		t.Errorf("the changed term = %+v", fall)
	}

	c.Advance(time.Hour)
	const at = "2026-09-02T10:00:00Z"
	sessions, classes := files["academicSessions.csv"], files["classes.csv"]
	deleted := rostertest.Files{
		"manifest.csv": {{"propertyName", "value"}, {"oneroster.version", "1.2"}, {"file.academicSessions", "delta"},
			{"file.classes", "delta"}},
		"academicSessions.csv": {sessions[0], {"sem-1-old", "tobedeleted", at, "", "", "", "", "", ""}},
		"classes.csv":          {classes[0], append([]string{rostertest.ClassID(3), "tobedeleted", at}, make([]string, len(classes[0])-3)...)},
	}
	rep = mustImport(t, s, writeSchool(t, deleted))
	if got := rep.Counts[roster.KindClasses]; got.Ended != 1 {
		t.Errorf("classes: %+v, want class-3 ended", got)
	}
	class3, kept := classTerm(t, s, rostertest.ClassID(3))
	if *kept != *old || class3.SIS.Ended.IsZero() {
		t.Errorf("after its session was deleted: term %+v (was %+v), class ended %v", *kept, *old, class3.SIS.Ended)
	}
	if rep = mustImport(t, s, writeSchool(t, deleted)); rep.Changes() != 0 {
		t.Errorf("the same delta again: %d changes (%+v)", rep.Changes(), rep.Counts)
	}
}

// TestSessionProblems: a session with a date that doesn't exist, or one
// too long to be a class's term, refuses the import with nothing written.
func TestSessionProblems(t *testing.T) {
	for _, tt := range []struct {
		name       string
		start, end string
		want       string
	}{
		{"bad date", "2026-02-30", "2026-12-18", `academicSessions.csv:2: startDate "2026-02-30" isn't a date: want YYYY-MM-DD, such as 2026-09-01`},
		{"two years", "2026-08-24", "2028-06-30",
			`academicSessions.csv:2: session "term-1" (Fall 2026) can't be a class's term: From 2026-08-24 to 2028-06-30 is more than a school year. Check the years.`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _, w := newStore(t)
			files := edit(rostertest.Small("1.2").Files(), "academicSessions.csv", func(rows [][]string) [][]string {
				rows[1][5], rows[1][6] = tt.start, tt.end
				return rows
			})
			got := mustRefuse(t, s, writeSchool(t, files))
			if !slices.Equal(got, []string{tt.want}) {
				t.Errorf("problems = %q\nwant %q", got, tt.want)
			}
			if n := w.n.Load(); n != 0 {
				t.Errorf("a refused import sent %d writes", n)
			}
		})
	}
}

// TestImportedTermArchivesClass: an imported class is archived from the
// end of its term's last day in its zone, as the scheduler reads it (every
// term by id, plpbot.ClassArchived).
func TestImportedTermArchivesClass(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	mustImport(t, s, writeSchool(t, rostertest.Small("1.2").Files()))
	classes, err := s.AllClasses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := s.TermsByID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	lastDay := time.Date(2026, 12, 18, 23, 59, 0, 0, ny)
	for i := range classes {
		c := &classes[i]
		term := terms[c.TermID]
		if term == nil {
			t.Fatalf("%s: term %q isn't among the terms the scheduler reads", c.Name, c.TermID)
		}
		if plpbot.ClassArchived(c, term, lastDay, ny) || !plpbot.ClassArchived(c, term, lastDay.Add(time.Minute), ny) {
			t.Errorf("%s: want it running on its term's last day and archived from midnight after", c.Name)
		}
	}
}
