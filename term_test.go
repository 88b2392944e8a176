package plpbot

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestTermOver: a term is over at midnight after its last day, in the
// class's zone; its classes are archived from then.
func TestTermOver(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	term := &Term{Name: "Fall 2026", Starts: day("2026-08-24"), Ends: day("2026-12-18")}
	if err := term.Validate(); err != nil {
		t.Fatal(err)
	}
	lastEvening := time.Date(2026, 12, 18, 23, 59, 0, 0, ny)
	nextMorning := time.Date(2026, 12, 19, 0, 0, 0, 0, ny)
	c := &Class{Name: "Math"}
	if term.Over(lastEvening, ny) || ClassArchived(c, term, lastEvening, ny) {
		t.Error("the term is over on its last evening")
	}
	if !term.Over(nextMorning, ny) || !ClassArchived(c, term, nextMorning, ny) {
		t.Error("the term is not over the morning after its last day")
	}
	// 03:00 UTC on the 19th is still the 18th in New York.
	if term.Over(time.Date(2026, 12, 19, 3, 0, 0, 0, time.UTC), ny) {
		t.Error("the term ended by UTC, not in the class's zone")
	}
	if ClassArchived(c, nil, nextMorning, ny) {
		t.Error("a class without a term is archived")
	}
	// A class the SIS ended is archived from then, term or not.
	ended := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	sis := &Class{Name: "Art", SIS: &ClassSIS{SourcedID: "c-1", Ended: ended}}
	if ClassArchived(sis, term, ended.Add(-time.Minute), ny) || !ClassArchived(sis, term, ended, ny) || !ClassArchived(sis, nil, ended, ny) {
		t.Error("a class the SIS ended isn't archived from then")
	}
	if got := ClassArchivedFrom(sis, term, ny); !got.Equal(ended) {
		t.Errorf("ClassArchivedFrom = %s, want the SIS's end %s", got, ended)
	}
}

func TestTermValidate(t *testing.T) {
	for _, tc := range []struct {
		name       string
		from, to   string
		wantsError bool
	}{
		{"S1", "2026-08-24", "2027-01-22", false},
		{"One day", "2026-08-24", "2026-08-24", false},
		{"", "2026-08-24", "2027-01-22", true},
		{"Backwards", "2027-01-22", "2026-08-24", true},
		{"Typo", "2026-08-24", "2062-01-22", true},
	} {
		err := (&Term{Name: tc.name, Starts: day(tc.from), Ends: day(tc.to)}).Validate()
		if (err != nil) != tc.wantsError {
			t.Errorf("%q %s..%s: Validate() = %v", tc.name, tc.from, tc.to, err)
		}
	}
}

func TestParseSchoolDays(t *testing.T) {
	got, err := ParseSchoolDays([]string{"sat", "Monday", "TUE", "wed", "thu", "fri"})
	want := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	if err != nil || len(got) != len(want) {
		t.Fatalf("ParseSchoolDays = %v, %v", got, err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ParseSchoolDays = %v, want %v", got, want)
		}
	}
	for _, bad := range [][]string{nil, {"mon", "mon"}, {"funday"}} {
		if _, err := ParseSchoolDays(bad); err == nil {
			t.Errorf("ParseSchoolDays(%q) accepted", bad)
		}
	}
}
