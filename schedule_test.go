package plpbot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// runs lists a schedule's runs in [from, to), stepping with Next as the
// planner does.
func runs(s *plpbot.Schedule, from, to time.Time) []string {
	var out []string
	for at := s.Next(from); !at.IsZero() && at.Before(to); at = s.Next(at) {
		out = append(out, at.In(s.Location()).Format("Jan 2 15:04 MST"))
	}
	return out
}

func TestScheduleNextAcrossDST(t *testing.T) {
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
		{"weekly Friday 14:00 keeps local time across spring-forward", "0 14 * * FRI", d(3, 1, 0), d(3, 21, 0),
			[]string{"Mar 6 14:00 EST", "Mar 13 14:00 EDT", "Mar 20 14:00 EDT"}},
		{"weekly Friday 14:00 keeps local time across fall-back", "0 14 * * FRI", d(10, 25, 0), d(11, 14, 0),
			[]string{"Oct 30 14:00 EDT", "Nov 6 14:00 EST", "Nov 13 14:00 EST"}},
		{"CRON_TZ overrides the class zone", "CRON_TZ=Europe/Paris 0 9 * * MON", d(3, 1, 0), d(3, 10, 0),
			[]string{"Mar 2 09:00 CET", "Mar 9 09:00 CET"}},
		{"day names spelled out", "0 8 * * Monday-Wednesday", d(3, 1, 0), d(3, 5, 0),
			[]string{"Mar 2 08:00 EST", "Mar 3 08:00 EST", "Mar 4 08:00 EST"}},
		{"steps and lists", "0,30 9 1-2 * *", d(3, 1, 0), d(3, 3, 0),
			[]string{"Mar 1 09:00 EST", "Mar 1 09:30 EST", "Mar 2 09:00 EST", "Mar 2 09:30 EST"}},
		{"day of month or weekday when both are set", "0 9 1 * FRI", d(4, 25, 0), d(5, 9, 0),
			[]string{"May 1 09:00 EDT", "May 8 09:00 EDT"}},
		{"@weekly is Sunday midnight", "@weekly", d(3, 1, 1), d(3, 16, 0),
			[]string{"Mar 8 00:00 EST", "Mar 15 00:00 EDT"}},
		{"7 is Sunday too", "0 10 * * 7", d(3, 1, 11), d(3, 9, 0),
			[]string{"Mar 8 10:00 EDT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := plpbot.ParseSchedule(tt.spec, ny)
			if err != nil {
				t.Fatal(err)
			}
			got := runs(s, tt.from, tt.to)
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("runs = %q\nwant   %q", got, tt.want)
			}
		})
	}
}

func TestParseScheduleRefuses(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"@every 1s", `I don't know "@every 1s"`},
		{"CRON_TZ=Mars/Olympus 0 14 * * FRI", `I don't know the time zone Mars/Olympus`},
		{"CRON_TZ=EST 0 14 * * FRI", "EST has no daylight saving. Did you mean America/New_York?"},
		{"CRON_TZ=Local 0 14 * * FRI", "I don't know the time zone Local"},
		{"CRON_TZ= 0 14 * * FRI", "A time zone is needed here"},
		{"CRON_TZ=Europe/Paris", "has 0 field(s), not 5"},
		{"0 14 * *", "has 4 field(s), not 5"},
		{"hello", "has 1 field(s), not 5"},
		{"0 14 * * FRIDY", `The weekday (5th field) can't be "FRIDY": use 0–6 or MON–SUN`},
		{"0 25 * * FRI", `The hour (2nd field) can't be "25"`},
		{"60 14 * * FRI", `The minute (1st field) can't be "60"`},
		{"0 14 * 13 *", `The month (4th field) can't be "13"`},
		{"0 14 5-1 * *", `the range "5-1" runs backwards`},
		{"*/0 14 * * *", "the step after / must be a whole number"},
	} {
		_, err := plpbot.ParseSchedule(tt.spec, time.UTC)
		if err == nil {
			t.Errorf("ParseSchedule(%q) = nil error", tt.spec)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.want) || !strings.Contains(msg, `"0 14 * * FRI" is Fridays at 14:00`) {
			t.Errorf("ParseSchedule(%q) error = %q, want it to contain %q and an example", tt.spec, msg, tt.want)
		}
		if plpbot.ErrorCode(err) != plpbot.EINVALID {
			t.Errorf("ParseSchedule(%q) code = %q, want EINVALID", tt.spec, plpbot.ErrorCode(err))
		}
	}
}

func TestScheduleNeverRuns(t *testing.T) {
	s, err := plpbot.ParseSchedule("0 0 30 2 *", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if next := s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !next.IsZero() {
		t.Errorf("Next of 30 February = %s, want zero", next)
	}
}

func TestDefaultSchedulesParse(t *testing.T) {
	for _, spec := range []string{plpbot.DefaultReflections, plpbot.DefaultSummaries} {
		if _, err := plpbot.ParseSchedule(spec, time.UTC); err != nil {
			t.Errorf("default %q: %v", spec, err)
		}
	}
}
