package plpbot

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Default schedules of a class that sets none: reflection prompts on Friday
// afternoons, the class summary an hour later.
const (
	DefaultReflections = "0 14 * * FRI"
	DefaultSummaries   = "0 15 * * FRI"
)

// scheduleHelp explains the five fields; every schedule error ends with it.
const scheduleHelp = `A schedule is five fields in quotes: minute hour day-of-month month weekday. ` +
	`"0 14 * * FRI" is Fridays at 14:00; "30 8 * * MON-FRI" is school days at 08:30.`

// Schedule is a cron schedule read on the wall clock of a time zone: the
// five standard fields (minute hour day-of-month month weekday) or a
// descriptor (@hourly, @daily, @weekly, @monthly, @yearly), optionally
// after CRON_TZ=Area/City. Parse it once with ParseSchedule; it is safe for
// concurrent use.
//
// The daylight-saving rule: runs are found on the zone's wall clock, so a
// run in the spring-forward gap happens once, moved forward by the gap, and
// a run in the repeated fall-back hour happens once, at its first
// occurrence. Weekdays and months may be numbers or names (FRI, Friday);
// when both day-of-month and weekday are restricted, a day matching either
// runs, as in every cron.
type Schedule struct {
	spec                      string
	loc                       *time.Location
	minute, hour, dom, month  uint64
	dow                       uint64
	domStar, dowStar, daysAny bool
}

// ParseSchedule reads spec in zone (which CRON_TZ= in spec overrides). Its
// errors are *Error with a message a person can act on.
func ParseSchedule(spec string, zone *time.Location) (*Schedule, error) {
	s := &Schedule{spec: strings.TrimSpace(spec), loc: zone}
	if s.loc == nil {
		s.loc = time.UTC
	}
	body := strings.Trim(s.spec, `"'“”`)
	for _, p := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(body, p); ok {
			name, tail, _ := strings.Cut(rest, " ")
			loc, err := ParseZone(name)
			if err != nil {
				return nil, scheduleErrorf("%s", errorMessage(err))
			}
			s.loc, body = loc, strings.TrimSpace(tail)
			break
		}
	}
	if d, ok := descriptors[strings.ToLower(body)]; ok {
		body = d
	} else if strings.HasPrefix(body, "@") {
		return nil, scheduleErrorf("I don't know %q.", body)
	}
	fields := strings.Fields(body)
	if len(fields) != 5 {
		return nil, scheduleErrorf("%q has %d field(s), not 5.", body, len(fields))
	}
	var err error
	for i, f := range scheduleFields {
		var set uint64
		if set, err = f.parse(fields[i]); err != nil {
			return nil, err
		}
		*f.into(s) = set
	}
	s.domStar = strings.HasPrefix(fields[2], "*") || fields[2] == "?"
	s.dowStar = strings.HasPrefix(fields[4], "*") || fields[4] == "?"
	s.daysAny = s.domStar || s.dowStar
	return s, nil
}

// MustParseSchedule is ParseSchedule for specs known to be valid, such as
// the defaults; it panics on an error.
func MustParseSchedule(spec string, zone *time.Location) *Schedule {
	s, err := ParseSchedule(spec, zone)
	if err != nil {
		panic(err)
	}
	return s
}

// Spec returns the schedule as it was written.
func (s *Schedule) Spec() string { return s.spec }

// Location returns the zone the schedule is read in.
func (s *Schedule) Location() *time.Location { return s.loc }

// Next returns the first run strictly after after, or the zero time when
// the schedule never runs (such as "0 0 30 2 *").
func (s *Schedule) Next(after time.Time) time.Time {
	w := wallOf(after, s.loc)
	for range 10 {
		w = s.nextWall(w)
		if w.IsZero() {
			return time.Time{}
		}
		// A wall time in the repeated hour maps to its first occurrence,
		// which may lie before after: that run has happened; keep looking.
		if t := instantOf(w, s.loc); t.After(after) {
			return t
		}
	}
	return time.Time{}
}

// NextN returns the next n runs after after.
func (s *Schedule) NextN(after time.Time, n int) []time.Time {
	out := make([]time.Time, 0, n)
	for t := after; len(out) < n; {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// nextWall returns the first matching wall-clock minute after w (a wall
// time written as UTC, where every day has 24 hours), within five years.
func (s *Schedule) nextWall(w time.Time) time.Time {
	t := w.Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		switch {
		case !has(s.month, int(t.Month())):
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
		case !has(s.hour, t.Hour()):
			t = t.Truncate(time.Hour).Add(time.Hour)
		case !has(s.minute, t.Minute()):
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}

func (s *Schedule) dayMatches(t time.Time) bool {
	dom, dow := has(s.dom, t.Day()), has(s.dow, int(t.Weekday()))
	if s.daysAny {
		return dom && dow
	}
	return dom || dow
}

// wallOf returns t's wall-clock time in loc, written as UTC.
func wallOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// instantOf returns the instant of wall-clock time w in loc. A time in a
// spring-forward gap moves forward by the gap; a repeated time is its first
// occurrence.
func instantOf(w time.Time, loc *time.Location) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
	if lw := wallOf(t, loc); lw.Before(w) {
		return t.Add(w.Sub(lw)) // in a gap Go may answer with the time before it
	}
	if e := t.Add(-time.Hour); wallOf(e, loc).Equal(w) {
		return e // Go may pick the second of two repeated times
	}
	return t
}

// WallTime returns the instant of a wall-clock date and time in loc, by the
// same daylight-saving rule as Schedule: a time in the spring-forward gap
// moves forward by the gap, a repeated time is its first occurrence.
func WallTime(year int, month time.Month, day, hour, minute int, loc *time.Location) time.Time {
	return instantOf(time.Date(year, month, day, hour, minute, 0, 0, time.UTC), loc)
}

var descriptors = map[string]string{
	"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
	"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

// scheduleField describes one of the five fields.
type scheduleField struct {
	name     string
	min, max int
	names    map[string]int
	into     func(*Schedule) *uint64
	hint     string
}

var (
	monthNames = names([]string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"}, 1)
	dayNames = names([]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}, 0)
)

// names maps full names and their three-letter forms to numbers from first.
func names(full []string, first int) map[string]int {
	m := make(map[string]int, 2*len(full))
	for i, n := range full {
		m[n], m[n[:3]] = first+i, first+i
	}
	if first == 0 { // weekdays: also the common four-letter forms
		m["tues"], m["thur"], m["thurs"] = 2, 4, 4
	}
	return m
}

var scheduleFields = []scheduleField{
	{"minute (1st field)", 0, 59, nil, func(s *Schedule) *uint64 { return &s.minute }, "0–59"},
	{"hour (2nd field)", 0, 23, nil, func(s *Schedule) *uint64 { return &s.hour }, "0–23, on a 24-hour clock"},
	{"day of the month (3rd field)", 1, 31, nil, func(s *Schedule) *uint64 { return &s.dom }, "1–31 or *"},
	{"month (4th field)", 1, 12, monthNames, func(s *Schedule) *uint64 { return &s.month }, "1–12 or JAN–DEC"},
	{"weekday (5th field)", 0, 7, dayNames, func(s *Schedule) *uint64 { return &s.dow }, "0–6 or MON–SUN"},
}

// parse reads one field: *, ?, a value, a range a-b, lists of them, each
// with an optional /step.
func (f scheduleField) parse(text string) (uint64, error) {
	var set uint64
	for _, part := range strings.Split(text, ",") {
		bits, err := f.parsePart(part)
		if err != nil {
			return 0, err
		}
		set |= bits
	}
	if f.max == 7 && has(set, 7) { // 7 is Sunday too
		set = set&^(1<<7) | 1
	}
	return set, nil
}

func (f scheduleField) parsePart(part string) (uint64, error) {
	rng, stepText, hasStep := strings.Cut(part, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		if err != nil || n < 1 {
			return 0, scheduleErrorf("In the %s, the step after / must be a whole number, not %q.", f.name, stepText)
		}
		step = n
	}
	lo, hi := f.min, f.max
	switch {
	case rng == "*" || rng == "?":
	default:
		a, b, isRange := strings.Cut(rng, "-")
		var err error
		if lo, err = f.value(a); err != nil {
			return 0, err
		}
		hi = lo
		if isRange {
			if hi, err = f.value(b); err != nil {
				return 0, err
			}
			if hi < lo {
				return 0, scheduleErrorf("In the %s, the range %q runs backwards.", f.name, rng)
			}
		} else if hasStep {
			hi = f.max
		}
	}
	var set uint64
	for v := lo; v <= hi; v += step {
		set |= 1 << uint(v)
	}
	return set, nil
}

func (f scheduleField) value(text string) (int, error) {
	if n, ok := f.names[strings.ToLower(text)]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < f.min || n > f.max {
		return 0, scheduleErrorf("The %s can't be %q: use %s.", f.name, text, f.hint)
	}
	return n, nil
}

func has(set uint64, v int) bool { return v >= 0 && v < 64 && set&(1<<uint(v)) != 0 }

// RunsPerHour is how many minutes of an hour the schedule may run at: more
// than one is probably a mistake for a weekly prompt.
func (s *Schedule) RunsPerHour() int { return bits.OnesCount64(s.minute) }

// errorMessage is the message of the *Error in err, or err's text.
func errorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func scheduleErrorf(format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: "when", Message: fmt.Sprintf(format, args...) + " " + scheduleHelp}
}
