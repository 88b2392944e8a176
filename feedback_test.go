package plpbot_test

import (
	"slices"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

// TestFeedbackOn: the feedback kept on goals, listed newest first across
// them (same time: the last given first), from since on, at most limit.
func TestFeedbackOn(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	fb := func(id string, h int) plpbot.Feedback {
		return plpbot.Feedback{ID: id, At: at.Add(time.Duration(h) * time.Hour)}
	}
	goals := []plpbot.Goal{
		{Number: 1, Feedback: []plpbot.Feedback{fb("a", 0), fb("c", 2)}},
		{Number: 2},
		{Number: 3, Feedback: []plpbot.Feedback{fb("b", 1), fb("d", 2)}},
	}
	for _, tt := range []struct {
		name  string
		since time.Time
		limit int
		want  []string
	}{
		{"all", time.Time{}, 0, []string{"d", "c", "b", "a"}},
		{"since", at.Add(time.Hour), 0, []string{"d", "c", "b"}},
		{"limit", time.Time{}, 2, []string{"d", "c"}},
		{"none since", at.Add(3 * time.Hour), 0, nil},
	} {
		var got []string
		for _, f := range plpbot.FeedbackOn(goals, tt.since, tt.limit) {
			got = append(got, f.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: FeedbackOn = %q, want %q", tt.name, got, tt.want)
		}
	}
}
