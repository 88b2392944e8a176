package scheduler

import (
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNextAllowed(t *testing.T) {
	ny := zone(t, "America/New_York")
	at := func(m time.Month, day, h, min int) time.Time { return time.Date(2026, m, day, h, min, 0, 0, ny) }
	cal := calendar{quietFrom: 20 * 60, quietTo: 7 * 60, schoolDays: schoolWeek(nil), holidays: map[string]bool{"2026-11-26": true}}
	tests := []struct {
		name string
		t    time.Time
		want time.Time
	}{
		{"school-day afternoon is fine", at(11, 24, 14, 0), at(11, 24, 14, 0)},
		{"evening waits for the morning", at(11, 24, 21, 30), at(11, 25, 7, 0)},
		{"early morning waits until 07:00", at(11, 24, 5, 0), at(11, 24, 7, 0)},
		{"a holiday waits for the next school day", at(11, 25, 22, 0), at(11, 27, 7, 0)},
		{"Saturday waits for Monday", at(11, 28, 10, 0), at(11, 30, 7, 0)},
		{"Friday night waits for Monday", at(11, 27, 23, 0), at(11, 30, 7, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.nextAllowed(tt.t, ny); !got.Equal(tt.want) {
				t.Errorf("nextAllowed(%s) = %s, want %s", tt.t, got.In(ny), tt.want)
			}
		})
	}
	// A school that teaches on Saturdays: Friday night waits for Saturday
	// morning, Saturday night for Monday.
	sat := calendar{quietFrom: 20 * 60, quietTo: 7 * 60, holidays: map[string]bool{},
		schoolDays: schoolWeek([]time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday})}
	for _, tt := range []struct{ t, want time.Time }{
		{at(11, 27, 23, 0), at(11, 28, 7, 0)},
		{at(11, 28, 10, 0), at(11, 28, 10, 0)},
		{at(11, 28, 21, 0), at(11, 30, 7, 0)},
		{at(11, 29, 12, 0), at(11, 30, 7, 0)},
	} {
		if got := sat.nextAllowed(tt.t, ny); !got.Equal(tt.want) {
			t.Errorf("Saturday school: nextAllowed(%s) = %s, want %s", tt.t.In(ny), got.In(ny), tt.want)
		}
	}
}

// everyDay makes every day a school day, for tests about something else.
var everyDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

// TestParseQuietHours: quiet hours read as the config reads them
// (plpbot.ParseClockRange), so "8pm-7am" in plpbot.yaml means the same here.
func TestParseQuietHours(t *testing.T) {
	for _, tt := range []struct {
		in       string
		from, to int
	}{
		{"20:00-07:00", 20 * 60, 7 * 60}, {"8pm-7am", 20 * 60, 7 * 60}, {"8 PM - 7 AM", 20 * 60, 7 * 60},
		{"9:30pm to 6:45am", 21*60 + 30, 6*60 + 45}, {"", 0, 0}, {"off", 0, 0}, {"OFF", 0, 0},
	} {
		from, to, err := parseQuietHours(tt.in)
		if err != nil || from != tt.from || to != tt.to {
			t.Errorf("parseQuietHours(%q) = %d, %d, %v; want %d, %d", tt.in, from, to, err, tt.from, tt.to)
		}
	}
	for _, in := range []string{"8pm", "25:00-07:00", "8pm-13pm", "evening"} {
		if _, _, err := parseQuietHours(in); err == nil {
			t.Errorf("parseQuietHours(%q) = nil error", in)
		}
	}
	if err := (Options{QuietHours: "8pm-7am"}).Validate(); err != nil {
		t.Errorf("Options{QuietHours: 8pm-7am}.Validate() = %v", err)
	}
}
