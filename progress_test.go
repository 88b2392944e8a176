package plpbot_test

import (
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

var now = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

// TestClassProgressWeighsStudentsEqually pins the rule the roster and the
// channel summary once disagreed on: a mean of per-student means, not a
// mean over every goal.
func TestClassProgressWeighsStudentsEqually(t *testing.T) {
	rows := []plpbot.RosterRow{
		{Name: "Ana", ActiveGoals: 4, AvgProgress: 100}, // four goals at 100%
		{Name: "Ben", ActiveGoals: 1, AvgProgress: 0},   // one goal at 0%
		{Name: "Cy", ActiveGoals: 0, DoneGoals: 3},      // no active goals: not counted
	}
	got, ok := plpbot.ClassProgress(rows)
	if !ok || got != 50 {
		t.Errorf("ClassProgress = %d, %v; want 50 (mean of 100 and 0), true — a mean over goals would say 80", got, ok)
	}
	if _, ok := plpbot.ClassProgress([]plpbot.RosterRow{{Name: "Cy"}}); ok {
		t.Error("ClassProgress of a class without active goals reports a figure")
	}
}

func TestRosterRowOf(t *testing.T) {
	p := &plpbot.Person{ID: "u1", Name: "Ana"}
	last := now.Add(-50 * time.Hour)
	goals := []plpbot.Goal{
		{Number: 1, Status: plpbot.GoalActive, Progress: 40, LastCheckIn: now.Add(-90 * time.Hour)},
		{Number: 2, Status: plpbot.GoalActive, Progress: 61},
		{Number: 3, Status: plpbot.GoalDone, Progress: 100, LastCheckIn: last},
		{Number: 4, Status: plpbot.GoalPaused, Progress: 90},
	}
	r := plpbot.RosterRowOf(p, goals)
	if r.ActiveGoals != 2 || r.DoneGoals != 1 || r.AvgProgress != 50 || !r.LastCheckIn.Equal(last) {
		t.Errorf("RosterRowOf = %+v, want 2 active at 50%%, 1 done, last check-in %v", r, last)
	}
	if r := plpbot.RosterRowOf(p, nil); r.ActiveGoals != 0 || !r.LastCheckIn.IsZero() {
		t.Errorf("RosterRowOf without goals = %+v, want nothing counted and no check-in", r)
	}
}

// TestThisWeekAndQuietBoundaries pins "checked in this week" (the last
// seven days, wherever it is read) and "quiet" (14 days or more, >=).
func TestThisWeekAndQuietBoundaries(t *testing.T) {
	day := 24 * time.Hour
	for _, tt := range []struct {
		name            string
		last            time.Time
		thisWeek, quiet bool
	}{
		{"never", time.Time{}, false, false},
		{"an hour ago", now.Add(-time.Hour), true, false},
		{"just under 7 days", now.Add(-7*day + time.Second), true, false},
		{"exactly 7 days", now.Add(-7 * day), false, false},
		{"just under 14 days", now.Add(-14*day + time.Second), false, false},
		{"exactly 14 days is quiet", now.Add(-14 * day), false, true},
		{"a month", now.Add(-30 * day), false, true},
	} {
		if got := plpbot.CheckedInThisWeek(tt.last, now); got != tt.thisWeek {
			t.Errorf("%s: CheckedInThisWeek = %v, want %v", tt.name, got, tt.thisWeek)
		}
		if got := plpbot.Quiet(tt.last, now); got != tt.quiet {
			t.Errorf("%s: Quiet = %v, want %v", tt.name, got, tt.quiet)
		}
	}
}

func TestStatsOf(t *testing.T) {
	day := 24 * time.Hour
	rows := []plpbot.RosterRow{
		{Name: "Ana", ActiveGoals: 1, AvgProgress: 80, LastCheckIn: now.Add(-day)},
		{Name: "Ben", ActiveGoals: 1, AvgProgress: 20, LastCheckIn: now.Add(-20 * day)},
		{Name: "Cy", LastCheckIn: now.Add(-20 * day), AwayUntil: now.Add(3 * day), CantDM: "cannot_dm", Flagged: true},
		{Name: "Di"},
	}
	st := plpbot.StatsOf(rows, now)
	want := plpbot.ClassStats{Students: 4, CheckedIn: 1, Quiet: 1, Away: 1, CantDM: 1, Flagged: 1, WithGoals: 2, Progress: 50, HasProgress: true}
	if st != want {
		t.Errorf("StatsOf = %+v\nwant     %+v", st, want)
	}
}

func TestAway(t *testing.T) {
	p := &plpbot.Person{AwayUntil: now.Add(time.Hour)}
	if !p.Away(now) || p.Away(now.Add(time.Hour)) || p.Away(now.Add(2*time.Hour)) {
		t.Errorf("Away until %s: at now %v, at until %v, after %v; want true, false, false",
			p.AwayUntil, p.Away(now), p.Away(now.Add(time.Hour)), p.Away(now.Add(2*time.Hour)))
	}
	if (&plpbot.Person{}).Away(now) {
		t.Error("a person with no away date is away")
	}
}

func TestQuietSince(t *testing.T) {
	joined, checkIn, back := now.Add(-60*24*time.Hour), now.Add(-20*24*time.Hour), now.Add(-5*24*time.Hour)
	for _, tt := range []struct {
		name                string
		last, awayUntil, at time.Time
	}{
		{"never checked in: from joining", time.Time{}, time.Time{}, joined},
		{"from the latest check-in", checkIn, time.Time{}, checkIn},
		{"back from away restarts the clock", checkIn, back, back},
	} {
		if got := plpbot.QuietSince(tt.last, tt.awayUntil, joined); !got.Equal(tt.at) {
			t.Errorf("%s: QuietSince = %s, want %s", tt.name, got, tt.at)
		}
	}
}

func TestSummaryShowsFigures(t *testing.T) {
	for _, tt := range []struct {
		students, min int
		want          bool
	}{{1, 5, false}, {2, 5, false}, {4, 5, false}, {5, 5, true}, {30, 5, true}, {4, 0, false}, {5, 0, true}, {2, 2, true}} {
		if got := plpbot.SummaryShowsFigures(tt.students, tt.min); got != tt.want {
			t.Errorf("SummaryShowsFigures(%d, %d) = %v, want %v", tt.students, tt.min, got, tt.want)
		}
	}
}
