package plpbot_test

import (
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

func TestWeeklyStreak(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 25 Nov 2026, 15:00 UTC; weeks start on Mondays.
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	weeksAgo := func(n int) time.Time { return now.AddDate(0, 0, -7*n) }
	away := func(from, until time.Time) plpbot.AwayPeriod { return plpbot.AwayPeriod{From: from, Until: until} }
	tests := []struct {
		name     string
		loc      *time.Location
		checkIns []time.Time
		away     []plpbot.AwayPeriod
		want     int
	}{
		{"none", time.UTC, nil, nil, 0},
		{"this week only", time.UTC, []time.Time{now}, nil, 1},
		{"last week only: this week isn't over", time.UTC, []time.Time{weeksAgo(1)}, nil, 1},
		{"three weeks running", time.UTC, []time.Time{now, weeksAgo(1), weeksAgo(2)}, nil, 3},
		{"several a week count once", time.UTC, []time.Time{now, now.Add(-time.Hour), weeksAgo(1), weeksAgo(1).Add(time.Hour)}, nil, 2},
		{"a gap breaks it", time.UTC, []time.Time{now, weeksAgo(1), weeksAgo(3), weeksAgo(4)}, nil, 2},
		{"two weeks ago only", time.UTC, []time.Time{weeksAgo(2)}, nil, 0},
		{"an away week freezes the gap", time.UTC, []time.Time{now, weeksAgo(1), weeksAgo(3)},
			[]plpbot.AwayPeriod{away(weeksAgo(2), weeksAgo(2).Add(48*time.Hour))}, 3},
		{"away now freezes back to the last check-in", time.UTC, []time.Time{weeksAgo(3), weeksAgo(4)},
			[]plpbot.AwayPeriod{away(weeksAgo(2), now.AddDate(0, 0, 10))}, 2},
		{"away long ago doesn't bridge a recent gap", time.UTC, []time.Time{now, weeksAgo(2)},
			[]plpbot.AwayPeriod{away(weeksAgo(10), weeksAgo(9))}, 1},
		{"check-in in an away week counts", time.UTC, []time.Time{now, weeksAgo(1)},
			[]plpbot.AwayPeriod{away(weeksAgo(1).Add(-time.Hour), weeksAgo(1).Add(time.Hour))}, 2},
		// Sunday 22 Nov 23:30 in New York is Monday 04:30 UTC: the student's
		// own week decides.
		{"weeks in the student's zone", ny, []time.Time{time.Date(2026, 11, 23, 4, 30, 0, 0, time.UTC), day(2026, 11, 10)}, nil, 2},
		{"same instants in UTC leave a gap", time.UTC, []time.Time{time.Date(2026, 11, 23, 4, 30, 0, 0, time.UTC), day(2026, 11, 10)}, nil, 1},
		// Weeks across the end of daylight saving (1 Nov 2026 in New York).
		{"across a DST change", ny, []time.Time{day(2026, 11, 24), day(2026, 11, 17), day(2026, 11, 10), day(2026, 11, 3), day(2026, 10, 27)}, nil, 5},
		{"future check-ins are ignored", time.UTC, []time.Time{now.AddDate(0, 0, 14)}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plpbot.WeeklyStreak(now, tt.loc, tt.checkIns, tt.away); got != tt.want {
				t.Errorf("WeeklyStreak = %d, want %d", got, tt.want)
			}
		})
	}
}
