package plpbot_test

import (
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

func TestGoalOverdue(t *testing.T) {
	day := time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		goal   plpbot.Goal
		at     time.Time
		expect bool
	}{
		{"no target", plpbot.Goal{Status: plpbot.GoalActive}, day.Add(1000 * time.Hour), false},
		{"on the day", plpbot.Goal{Status: plpbot.GoalActive, TargetDate: day}, day.Add(23 * time.Hour), false},
		{"day after", plpbot.Goal{Status: plpbot.GoalActive, TargetDate: day}, day.Add(25 * time.Hour), true},
		{"done", plpbot.Goal{Status: plpbot.GoalDone, TargetDate: day}, day.Add(100 * time.Hour), false},
		{"paused", plpbot.Goal{Status: plpbot.GoalPaused, TargetDate: day}, day.Add(100 * time.Hour), false},
	} {
		if got := tc.goal.Overdue(tc.at); got != tc.expect {
			t.Errorf("%s: Overdue = %v, want %v", tc.name, got, tc.expect)
		}
	}
}
