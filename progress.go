package plpbot

import (
	"slices"
	"strings"
	"time"
)

// Week is the span "this week" means wherever plpbot counts participation:
// the last seven days, whatever day it is read on, so /plp roster on a
// Tuesday and the class summary on a Friday count the same way.
const Week = 7 * 24 * time.Hour

// QuietAfter is how long without a check-in makes a student who had been
// checking in "quiet", worth a teacher's look.
const QuietAfter = 14 * 24 * time.Hour

// CheckedInThisWeek reports whether a check-in at last falls in the Week
// before now.
func CheckedInThisWeek(last, now time.Time) bool {
	return !last.IsZero() && now.Sub(last) < Week
}

// Quiet reports whether a student whose latest check-in was at last has
// gone quiet at now: they checked in before and not for QuietAfter or more.
// A student who never checked in isn't quiet: they haven't started.
func Quiet(last, now time.Time) bool {
	return !last.IsZero() && now.Sub(last) >= QuietAfter
}

// RosterRow is one student's standing at a glance, read from their record
// and their goals: enough to see who needs attention, never their
// reflections or notes.
type RosterRow struct {
	UserID      string
	Name        string
	ActiveGoals int
	DoneGoals   int
	AvgProgress int // mean progress of active goals, 0..100
	LastCheckIn time.Time
	AwayUntil   time.Time
	CantDM      string
	Flagged     bool // has an intervention flag (staff-only)
	Shoutouts   bool
}

// RosterRowOf summarises student p from their goals (only status, progress
// and last_checkin are read): active goals count with their mean progress,
// done goals are counted, paused and dropped ones neither; their latest
// check-in is LastCheckInOf(goals).
func RosterRowOf(p *Person, goals []Goal) RosterRow {
	r := RosterRow{UserID: p.ID, Name: p.Name, AwayUntil: p.AwayUntil, CantDM: p.CantDM,
		Shoutouts: p.Shoutouts, LastCheckIn: LastCheckInOf(goals), Flagged: p.Flagged}
	sum := 0
	for _, g := range goals {
		switch g.Status {
		case GoalActive:
			r.ActiveGoals++
			sum += g.Progress
		case GoalDone:
			r.DoneGoals++
		}
	}
	if r.ActiveGoals > 0 {
		r.AvgProgress = sum / r.ActiveGoals
	}
	return r
}

// SortRoster orders rows by name, case-insensitively, then by id.
func SortRoster(rows []RosterRow) {
	slices.SortFunc(rows, func(a, b RosterRow) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
}

// ClassStats are a class's figures for a roster header or a channel summary.
type ClassStats struct {
	Students    int
	CheckedIn   int // checked in this Week
	Quiet       int // see Quiet; away students are not counted
	Away        int
	CantDM      int
	Flagged     int
	WithGoals   int  // students with at least one active goal
	Progress    int  // class progress, 0..100; see ClassProgress
	HasProgress bool // false when no student has an active goal
}

// ClassProgress is a class's progress: the mean over students with active
// goals of each student's mean progress, so every student weighs the same
// whether they set one goal or ten. ok is false when no student has an
// active goal.
func ClassProgress(rows []RosterRow) (pct int, ok bool) {
	sum, n := 0, 0
	for i := range rows {
		if rows[i].ActiveGoals > 0 {
			sum += rows[i].AvgProgress
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / n, true
}

// StatsOf computes a class's figures at now.
func StatsOf(rows []RosterRow, now time.Time) ClassStats {
	st := ClassStats{Students: len(rows)}
	for i := range rows {
		r := &rows[i]
		away := IsAway(r.AwayUntil, now)
		switch {
		case away:
			st.Away++
		case Quiet(r.LastCheckIn, now):
			st.Quiet++
		}
		if CheckedInThisWeek(r.LastCheckIn, now) {
			st.CheckedIn++
		}
		if r.CantDM != "" {
			st.CantDM++
		}
		if r.Flagged {
			st.Flagged++
		}
		if r.ActiveGoals > 0 {
			st.WithGoals++
		}
	}
	st.Progress, st.HasProgress = ClassProgress(rows)
	return st
}

// QuietSince is when a student's current quiet spell began: their latest
// check-in, or the end of their latest absence if later, or when they
// joined if they never checked in. A nudge counts from here, so coming
// back from a trip restarts the clock.
func QuietSince(lastCheckIn, awayUntil, joined time.Time) time.Time {
	t := lastCheckIn
	if t.IsZero() {
		t = joined
	}
	if awayUntil.After(t) {
		t = awayUntil
	}
	return t
}

// DefaultMinClassSize is the smallest class whose channel summary shows a
// progress figure or a participation count.
const DefaultMinClassSize = 5

// SummaryShowsFigures reports whether a channel summary of a class of
// students may show class progress and how many checked in. The rule: a
// class smaller than minSize shows neither, because in a class of one the
// figure is that student's, and in a class of two each can work out the
// other's. Shout-outs stay opt-in whatever the size.
func SummaryShowsFigures(students, minSize int) bool {
	if minSize < 1 {
		minSize = DefaultMinClassSize
	}
	return students >= minSize
}
