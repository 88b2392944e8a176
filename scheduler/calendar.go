package scheduler

import (
	"fmt"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
)

// calendar knows when students may be messaged: not in quiet hours, only
// on school days, not on school holidays, all in the student's own zone.
type calendar struct {
	quietFrom, quietTo int             // minutes after midnight; equal = no quiet hours
	schoolDays         [7]bool         // by time.Weekday
	holidays           map[string]bool // "YYYY-MM-DD"
}

// schoolWeek marks days as school days; none given means
// plpbot.DefaultSchoolDays (Monday to Friday).
func schoolWeek(days []time.Weekday) [7]bool {
	if len(days) == 0 {
		days = plpbot.DefaultSchoolDays()
	}
	var w [7]bool
	for _, d := range days {
		if d >= time.Sunday && d <= time.Saturday {
			w[d] = true
		}
	}
	return w
}

// parseQuietHours reads quiet hours as the config does, with
// plpbot.ParseClockRange: "20:00-07:00" or "8pm-7am"; "" or "off" means
// none.
func parseQuietHours(s string) (from, to int, err error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "off") {
		return 0, 0, nil
	}
	from, to, err = plpbot.ParseClockRange(s)
	if err != nil {
		return 0, 0, fmt.Errorf("quiet hours %q: %w", s, err)
	}
	return from, to, nil
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

// dayOff reports whether students get no messages on t's local day: it
// is not a school day, or it is a holiday.
func (c *calendar) dayOff(t time.Time) bool {
	return !c.schoolDays[t.Weekday()] || c.holidays[t.Format(time.DateOnly)]
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
			return plpbot.WallTime(day.Year(), day.Month(), day.Day(), minute/60, minute%60, loc)
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
