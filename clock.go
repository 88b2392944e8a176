package plpbot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// clockRE is a time of day as people type it: an hour, optional minutes
// after ":", "." or "h", and an optional am/pm (a.m., p. m.).
var clockRE = regexp.MustCompile(`^(\d{1,2})(?:[:.h](\d{2}))?\s*(?:([ap])\.?\s?m\.?)?$`)

// clockWords are the times of day people write as words.
var clockWords = map[string]int{
	"noon": 12 * 60, "midday": 12 * 60, "12 noon": 12 * 60,
	"midnight": 0, "12 midnight": 0,
}

// clockExample ends every error about a time: the two forms that always work.
const clockExample = "Try 15:00 or 3pm."

// ParseClock reads a time of day as people type it and returns the hour
// (0–23) and minute. The rule: the 24-hour clock (15:00, 9:05, 15.30), the
// 12-hour clock with am or pm (3pm, 3 PM, 3:30pm, 3.30pm, 10 a.m.), noon and
// midnight are read; 12am is midnight and 12pm noon. Nothing is guessed: a
// bare hour such as 3 (morning or afternoon?), 24:00, 13pm, 3:75 and words
// such as "half past three" are refused. Errors are *Error (EINVALID, field
// "time") whose message ends with an example that works.
func ParseClock(s string) (hour, minute int, err error) {
	v := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	if m, ok := clockWords[v]; ok {
		return m / 60, m % 60, nil
	}
	m := clockRE.FindStringSubmatch(v)
	if m == nil {
		return 0, 0, clockError(s, "")
	}
	hour, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		minute, _ = strconv.Atoi(m[2])
	}
	switch {
	case minute > 59:
		return 0, 0, clockError(s, "minutes run from 00 to 59")
	case m[3] != "": // 3pm, 10:30 a.m.
		if hour < 1 || hour > 12 {
			return 0, 0, clockError(s, "with am or pm, the hour runs from 1 to 12")
		}
		hour %= 12
		if m[3] == "p" {
			hour += 12
		}
	case hour > 23:
		return 0, 0, clockError(s, "hours run from 0 to 23")
	case m[2] == "" && hour >= 1 && hour <= 12:
		return 0, 0, &Error{Code: EINVALID, Field: "time",
			Message: fmt.Sprintf("Is %s in the morning or the afternoon? %s", Clip(strings.TrimSpace(s), 40), clockExample)}
	case m[2] == "":
		return 0, 0, clockError(s, fmt.Sprintf("write the minutes too, such as %d:00", hour))
	}
	return hour, minute, nil
}

// clockError is the error about a time that can't be read; why, if set,
// says what was wrong with it.
func clockError(s, why string) *Error {
	msg := "I couldn't read that time: " + Clip(strings.TrimSpace(s), 40)
	if why != "" {
		msg += " (" + why + ")"
	}
	return &Error{Code: EINVALID, Field: "time", Message: msg + ". " + clockExample}
}

// FormatClock writes minutes after midnight as HH:MM.
func FormatClock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60%24, minutes%60)
}

// ParseClockRange reads a span of the day such as quiet hours, "20:00-07:00"
// or "8pm-7am" (also with "to" or a dash –), each end read by ParseClock,
// and returns both ends as minutes after midnight. A span whose start is
// after its end wraps past midnight; equal ends make an empty span.
func ParseClockRange(s string) (from, to int, err error) {
	a, b, ok := cutClockRange(s)
	if !ok {
		return 0, 0, &Error{Code: EINVALID, Field: "time",
			Message: fmt.Sprintf("I couldn't read %s as a start and an end. Write it as 20:00-07:00 or 8pm-7am.", Clip(strings.TrimSpace(s), 40))}
	}
	for _, end := range []struct {
		text string
		into *int
	}{{a, &from}, {b, &to}} {
		h, m, err := ParseClock(end.text)
		if err != nil {
			return 0, 0, err
		}
		*end.into = h*60 + m
	}
	return from, to, nil
}

// cutClockRange splits "A-B", "A – B" or "A to B" at its one separator.
func cutClockRange(s string) (a, b string, ok bool) {
	v := strings.TrimSpace(s)
	if i := strings.Index(strings.ToLower(v), " to "); i >= 0 {
		return v[:i], v[i+4:], true
	}
	for _, sep := range []string{"-", "–", "—"} {
		if strings.Count(v, sep) == 1 {
			a, b, _ = strings.Cut(v, sep)
			return a, b, strings.TrimSpace(a) != "" && strings.TrimSpace(b) != ""
		}
	}
	return "", "", false
}
