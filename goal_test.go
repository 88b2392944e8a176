package plpbot_test

import (
	"errors"
	"strings"
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

func TestNextStep(t *testing.T) {
	g := plpbot.Goal{Steps: []plpbot.Step{{Text: "Outline", Done: true}, {Text: "Draft"}, {Text: "Edit"}}}
	if st, n := g.NextStep(); st == nil || st.Text != "Draft" || n != 2 {
		t.Errorf("NextStep = %+v, %d; want Draft, 2", st, n)
	}
	g.Steps[1].Done, g.Steps[2].Done = true, true
	if st, n := g.NextStep(); st != nil || n != 0 {
		t.Errorf("NextStep with every step done = %+v, %d; want nil, 0", st, n)
	}
	if st, n := (&plpbot.Goal{}).NextStep(); st != nil || n != 0 {
		t.Errorf("NextStep without steps = %+v, %d", st, n)
	}
}

func TestGoalValidate(t *testing.T) {
	long := strings.Repeat("a", plpbot.MaxTitleLen+1)
	for _, tt := range []struct {
		name  string
		goal  plpbot.Goal
		field string
	}{
		{"ok", plpbot.Goal{Title: "Read three novels", Category: "academic"}, ""},
		{"empty title", plpbot.Goal{Title: "  "}, "title"},
		{"title too long", plpbot.Goal{Title: long}, "title"},
		{"control character", plpbot.Goal{Title: "Read\x07"}, "title"},
		{"unknown category", plpbot.Goal{Title: "x", Category: "fun"}, "category"},
		{"progress over 100", plpbot.Goal{Title: "x", Progress: 101}, "percent"},
		{"operator text is just text", plpbot.Goal{Title: `{"$gt": ""}`}, ""},
	} {
		err := tt.goal.Validate()
		var de *plpbot.Error
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: Validate = %v, want nil", tt.name, err)
		case tt.field != "" && (!errors.As(err, &de) || de.Field != tt.field || de.Code != plpbot.EINVALID):
			t.Errorf("%s: Validate = %v, want EINVALID on %s", tt.name, err, tt.field)
		}
	}
}

func TestIsRepeatOf(t *testing.T) {
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	g := &plpbot.Goal{Title: "Read three novels", CreatedAt: now.Add(-time.Minute)}
	for _, tt := range []struct {
		name, title string
		latest      *plpbot.Goal
		at          time.Time
		want        bool
	}{
		{"double tap", "Read three novels", g, now, true},
		{"case and spaces aside", "  read  THREE novels ", g, now, true},
		{"another title", "Read four novels", g, now, false},
		{"much later", "Read three novels", g, now.Add(plpbot.RepeatWindow), false},
		{"no goals yet", "Read three novels", nil, now, false},
	} {
		if got := plpbot.IsRepeatOf(tt.latest, tt.title, tt.at); got != tt.want {
			t.Errorf("%s: IsRepeatOf = %v, want %v", tt.name, got, tt.want)
		}
	}
}
