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
	cal := calendar{quietFrom: 20 * 60, quietTo: 7 * 60, holidays: map[string]bool{"2026-11-26": true}}
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
}
