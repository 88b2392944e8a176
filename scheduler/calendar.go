package scheduler

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// wallSchedule is a cron schedule read on the wall clock of a zone.
//
// robfig/cron evaluates schedules on real instants, so a run that falls in a
// spring-forward gap never happens and one in the repeated fall-back hour is
// unspecified. wallSchedule instead steps through wall-clock times (a
// zone's local time written as if it were UTC, where every day has 24 hours)
// and maps each run to a real instant only at the end: a run in the gap
// happens once, shifted forward by the gap, and one in the repeated hour
// happens once, at its first occurrence.
type wallSchedule struct {
	spec cron.Schedule // evaluated in UTC, standing for wall-clock time
	loc  *time.Location
}

// parseSchedule reads a 5-field cron spec or descriptor (@weekly), optionally
// after CRON_TZ=Area/City, which overrides zone.
func parseSchedule(spec string, zone *time.Location) (ws wallSchedule, err error) {
	spec = strings.TrimSpace(spec)
	loc := zone
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, p); ok {
			name, tail, _ := strings.Cut(rest, " ")
			l, lerr := time.LoadLocation(name)
			if lerr != nil {
				return ws, fmt.Errorf("cron %q: time zone: %w", spec, lerr)
			}
			loc, spec = l, strings.TrimSpace(tail)
			break
		}
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cron %q: %v", spec, p)
		}
	}()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return ws, fmt.Errorf("cron %q: %w", spec, err)
	}
	ss, ok := s.(*cron.SpecSchedule)
	if !ok {
		return ws, fmt.Errorf("cron %q: @every is not allowed", spec)
	}
	ss.Location = time.UTC
	return wallSchedule{spec: ss, loc: loc}, nil
}

// wall returns t's wall-clock time in loc, written as UTC.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// instant returns the instant of wall-clock time w in loc. A time in a
// spring-forward gap moves forward by the gap; a repeated time is its first
// occurrence.
func instant(w time.Time, loc *time.Location) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
	if lw := wall(t, loc); lw.Before(w) {
		// In a gap Go may answer with the time before it: move forward.
		return t.Add(w.Sub(lw))
	}
	// Go may pick the second of two repeated times: prefer the earlier one.
	if e := t.Add(-time.Hour); wall(e, loc).Equal(w) {
		return e
	}
	return t
}

// nextWall returns the first wall-clock run after wall-clock time w.
func (s wallSchedule) nextWall(w time.Time) time.Time { return s.spec.Next(w) }

// calendar knows when students may be messaged: not in quiet hours, not on
// weekends, not on school holidays, all in the student's own zone.
type calendar struct {
	quietFrom, quietTo int // minutes after midnight; equal = no quiet hours
	weekends           bool
	holidays           map[string]bool // "YYYY-MM-DD"
}

// parseQuietHours reads "20:00-07:00"; "" or "off" means none.
func parseQuietHours(s string) (from, to int, err error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM", s)
	}
	pa, err := time.Parse("15:04", strings.TrimSpace(a))
	if err != nil {
		return 0, 0, fmt.Errorf("quiet hours %q: %w", s, err)
	}
	pb, err := time.Parse("15:04", strings.TrimSpace(b))
	if err != nil {
		return 0, 0, fmt.Errorf("quiet hours %q: %w", s, err)
	}
	return pa.Hour()*60 + pa.Minute(), pb.Hour()*60 + pb.Minute(), nil
}

func (c *calendar) quiet(minute int) bool {
	switch {
	case c.quietFrom == c.quietTo:
		return false
	case c.quietFrom < c.quietTo:
		return minute >= c.quietFrom && minute < c.quietTo
	default:
		return minute >= c.quietFrom || minute < c.quietTo
	}
}

// dayOff reports whether students get no messages on t's local day.
func (c *calendar) dayOff(t time.Time) bool {
	if !c.weekends && (t.Weekday() == time.Saturday || t.Weekday() == time.Sunday) {
		return true
	}
	return c.holidays[t.Format(time.DateOnly)]
}

// holiday reports whether t's local day is a school holiday.
func (c *calendar) holiday(t time.Time, loc *time.Location) bool {
	return c.holidays[t.In(loc).Format(time.DateOnly)]
}

// nextAllowed returns the first time at or after t when a student in loc may
// get a DM: outside quiet hours, on a school day.
func (c *calendar) nextAllowed(t time.Time, loc *time.Location) time.Time {
	for i := 0; i < 60; i++ {
		l := t.In(loc)
		m := l.Hour()*60 + l.Minute()
		at := func(day time.Time, minute int) time.Time {
			return instant(time.Date(day.Year(), day.Month(), day.Day(), minute/60, minute%60, 0, 0, time.UTC), loc)
		}
		morning := 0 // when quiet hours span midnight, the day starts when they end
		if c.quietFrom > c.quietTo {
			morning = c.quietTo
		}
		switch {
		case c.dayOff(l):
			t = at(l.AddDate(0, 0, 1), morning)
		case c.quiet(m):
			if c.quietFrom > c.quietTo && m >= c.quietFrom {
				t = at(l.AddDate(0, 0, 1), c.quietTo)
			} else {
				t = at(l, c.quietTo)
			}
		default:
			return t
		}
	}
	return t
}
