package plpbot_test

import (
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

// TestConferenceNextAt pins recurrence: same weekday and wall-clock time in
// the series' zone, across both daylight-saving changes, skipping missed
// occurrences.
func TestConferenceNextAt(t *testing.T) {
	ny := zone(t, "America/New_York")
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 30, 0, 0, ny) }
	for _, tt := range []struct {
		name  string
		c     plpbot.Conference
		after time.Time
		want  time.Time
	}{
		{"one-off", plpbot.Conference{At: at(3, 3, 10)}, at(3, 3, 11), time.Time{}},
		{"weekly, across spring-forward", plpbot.Conference{At: at(3, 3, 10), Every: "1w", Zone: "America/New_York"}, at(3, 3, 11), at(3, 10, 10)},
		{"fortnightly, across fall-back", plpbot.Conference{At: at(10, 27, 10), Every: "2w", Zone: "America/New_York"}, at(10, 27, 11), at(11, 10, 10)},
		{"missed weeks are skipped", plpbot.Conference{At: at(1, 6, 10), Every: "1w", Zone: "America/New_York"}, at(2, 4, 0), at(2, 10, 10)},
	} {
		if got := tt.c.NextAt(tt.after); !got.Equal(tt.want) {
			t.Errorf("%s: NextAt = %s, want %s", tt.name, got.In(ny), tt.want.In(ny))
		}
	}
}
