package plpbot

import (
	"slices"
	"strings"
	"time"
)

// DefaultSchoolDays are the days students are taught when the school says
// nothing else: Monday to Friday. Prompts and nudges reach students only on
// school days (and not on holidays), in their own time zone.
func DefaultSchoolDays() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
}

// ParseSchoolDays reads the days a school teaches as people write them
// (mon, Tuesday, SAT; each at most once, in any order) and returns them
// Monday first. It refuses an empty list: a school with no school days
// would never hear from plpbot.
func ParseSchoolDays(days []string) ([]time.Weekday, error) {
	if len(days) == 0 {
		return nil, fieldErrorf("school_days", "List at least one day, such as [mon, tue, wed, thu, fri].")
	}
	var out []time.Weekday
	for _, d := range days {
		n, ok := dayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return nil, fieldErrorf("school_days", "%q isn't a day of the week. Write mon, tue, wed, thu, fri, sat or sun.", d)
		}
		if slices.Contains(out, time.Weekday(n)) {
			return nil, fieldErrorf("school_days", "%s is listed twice.", time.Weekday(n))
		}
		out = append(out, time.Weekday(n))
	}
	slices.SortFunc(out, func(a, b time.Weekday) int { return (int(a)+6)%7 - (int(b)+6)%7 })
	return out, nil
}
