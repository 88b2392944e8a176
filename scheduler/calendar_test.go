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

// runs lists a schedule's run instants in [from, to), as wallSchedule steps
// through them (the planner's loop).
func runs(t *testing.T, ws wallSchedule, from, to time.Time) []string {
	t.Helper()
	var out []string
	last := wall(from, ws.loc)
	for i := 0; i < 1000; i++ {
		n := ws.nextWall(last)
		at := instant(n, ws.loc)
		if !at.Before(to) {
			break
		}
		out = append(out, at.In(ws.loc).Format("Jan 2 15:04 MST"))
		last = n
	}
	return out
}

func TestWallScheduleDST(t *testing.T) {
	ny := zone(t, "America/New_York")
	d := func(m time.Month, day, h int) time.Time { return time.Date(2026, m, day, h, 0, 0, 0, ny) }
	tests := []struct {
		name     string
		spec     string
		from, to time.Time
		want     []string
	}{
		{"daily run in the spring-forward gap happens once, an hour late", "30 2 * * *", d(3, 7, 0), d(3, 10, 0),
			[]string{"Mar 7 02:30 EST", "Mar 8 03:30 EDT", "Mar 9 02:30 EDT"}},
		{"daily run in the repeated fall-back hour happens once", "30 1 * * *", d(10, 31, 0), d(11, 3, 0),
			[]string{"Oct 31 01:30 EDT", "Nov 1 01:30 EDT", "Nov 2 01:30 EST"}},
		{"hourly across fall-back is not doubled", "30 * * * *", d(11, 1, 0), time.Date(2026, 11, 1, 4, 0, 0, 0, ny),
			[]string{"Nov 1 00:30 EDT", "Nov 1 01:30 EDT", "Nov 1 02:30 EST", "Nov 1 03:30 EST"}},
		{"weekly Friday 14:00 keeps local time across the change", "0 14 * * FRI", d(3, 1, 0), d(3, 21, 0),
			[]string{"Mar 6 14:00 EST", "Mar 13 14:00 EDT", "Mar 20 14:00 EDT"}},
		{"CRON_TZ overrides the class zone", "CRON_TZ=Europe/Paris 0 9 * * MON", d(3, 1, 0), d(3, 10, 0),
			[]string{"Mar 2 09:00 CET", "Mar 9 09:00 CET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := parseSchedule(tt.spec, ny)
			if err != nil {
				t.Fatal(err)
			}
			got := runs(t, ws, tt.from, tt.to)
			if len(got) != len(tt.want) {
				t.Fatalf("runs = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("run %d = %s, want %s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseScheduleRefuses(t *testing.T) {
	for _, spec := range []string{"@every 1s", "CRON_TZ=Mars/Olympus 0 14 * * FRI", "CRON_TZ=Europe/Paris", "0 14 * *", "hello"} {
		if _, err := parseSchedule(spec, time.UTC); err == nil {
			t.Errorf("parseSchedule(%q) = nil error", spec)
		}
	}
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
