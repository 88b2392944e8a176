package plpbot_test

import (
	"slices"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

func TestNeedsAttention(t *testing.T) {
	day := 24 * time.Hour
	active := func(n int, last time.Time) plpbot.Goal {
		return plpbot.Goal{Number: n, Status: plpbot.GoalActive, LastCheckIn: last}
	}
	for _, tt := range []struct {
		name   string
		person plpbot.Person
		goals  []plpbot.Goal
		latest *plpbot.CheckIn
		want   []string
	}{
		{"all well", plpbot.Person{}, []plpbot.Goal{active(1, now.Add(-day))}, nil, nil},
		{"never checked in", plpbot.Person{}, []plpbot.Goal{active(1, time.Time{})}, nil, []string{"No check-ins yet"}},
		{"no goals, no check-ins: nothing to chase", plpbot.Person{}, nil, nil, nil},
		{"quiet at exactly 14 days", plpbot.Person{}, []plpbot.Goal{active(1, now.Add(-14*day))}, nil, []string{"No check-in for 14+ days"}},
		{"13 days is fine", plpbot.Person{}, []plpbot.Goal{active(1, now.Add(-13*day))}, nil, nil},
		{"away is not quiet", plpbot.Person{AwayUntil: now.Add(day)}, []plpbot.Goal{active(1, now.Add(-20*day))}, nil, []string{"Away"}},
		{"overdue goal", plpbot.Person{}, []plpbot.Goal{{Number: 2, Status: plpbot.GoalActive, LastCheckIn: now, TargetDate: now.Add(-3 * day)}}, nil,
			[]string{"Goal 2 is past its date"}},
		{"low confidence", plpbot.Person{}, []plpbot.Goal{active(1, now)}, &plpbot.CheckIn{GoalNumber: 1, Confidence: 2, At: now}, []string{"Feeling unsure about goal 1"}},
		{"confidence 3 is fine", plpbot.Person{}, []plpbot.Goal{active(1, now)}, &plpbot.CheckIn{GoalNumber: 1, Confidence: 3, At: now}, nil},
		{"can't DM", plpbot.Person{CantDM: "cannot_dm"}, []plpbot.Goal{active(1, now)}, nil, []string{"Can't get DMs, so misses reminders"}},
	} {
		var got []string
		for _, a := range plpbot.NeedsAttention(&tt.person, tt.goals, tt.latest, now) {
			got = append(got, a.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: NeedsAttention = %q, want %q", tt.name, got, tt.want)
		}
	}
}
