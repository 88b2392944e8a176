package plpbot

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ZoneGuess is the time zone a name that is not one most likely means,
// such as America/New_York for EST.
type ZoneGuess struct {
	// Zone is the IANA name to suggest.
	Zone string
	// Why says why the name won't do, as the end of a sentence that starts
	// with the name: "has no daylight saving".
	Why string
	// Note names another zone the name may mean, as a sentence, or is "".
	Note string
}

// Why a name that isn't an IANA zone won't do.
const (
	whyStandard = "has no daylight saving"
	whySummer   = "is summer time only"
	whyShort    = "is an abbreviation, not a time zone name"
)

// zoneGuesses maps common abbreviations (upper case) to the zone they most
// likely mean at a school.
var zoneGuesses = map[string]ZoneGuess{
	"EST": {"America/New_York", whyStandard, ""}, "EDT": {"America/New_York", whySummer, ""},
	"ET": {"America/New_York", whyShort, ""}, "EST5EDT": {"America/New_York", whyShort, ""},
	"CST": {"America/Chicago", whyStandard, ""}, "CDT": {"America/Chicago", whySummer, ""},
	"CT": {"America/Chicago", whyShort, ""}, "CST6CDT": {"America/Chicago", whyShort, ""},
	"MST": {"America/Denver", whyStandard, "In Arizona, which keeps standard time all year, use America/Phoenix."},
	"MDT": {"America/Denver", whySummer, ""}, "MT": {"America/Denver", whyShort, ""}, "MST7MDT": {"America/Denver", whyShort, ""},
	"PST": {"America/Los_Angeles", whyStandard, ""}, "PDT": {"America/Los_Angeles", whySummer, ""},
	"PT": {"America/Los_Angeles", whyShort, ""}, "PST8PDT": {"America/Los_Angeles", whyShort, ""},
	"AKST": {"America/Anchorage", whyStandard, ""}, "AKDT": {"America/Anchorage", whySummer, ""},
	"HST": {"Pacific/Honolulu", whyShort, ""}, "HAST": {"Pacific/Honolulu", whyShort, ""},
	"AST": {"America/Halifax", whyStandard, "In Puerto Rico, use America/Puerto_Rico."}, "ADT": {"America/Halifax", whySummer, ""},
	"NST": {"America/St_Johns", whyStandard, ""}, "NDT": {"America/St_Johns", whySummer, ""},
	"GMT": {"Europe/London", whyStandard, "For UTC all year, use UTC."}, "BST": {"Europe/London", whySummer, ""},
	"WET": {"Europe/Lisbon", whyShort, ""}, "WEST": {"Europe/Lisbon", whySummer, ""},
	"CET":  {"Europe/Paris", whyShort, "Your own city's zone works too, such as Europe/Berlin."},
	"CEST": {"Europe/Paris", whySummer, "Your own city's zone works too, such as Europe/Berlin."},
	"MET":  {"Europe/Paris", whyShort, ""},
	"EET":  {"Europe/Athens", whyShort, ""}, "EEST": {"Europe/Athens", whySummer, ""},
	"MSK": {"Europe/Moscow", whyShort, ""},
	"IST": {"Asia/Kolkata", whyShort, "In Ireland, use Europe/Dublin; in Israel, Asia/Jerusalem."},
	"PKT": {"Asia/Karachi", whyShort, ""}, "SGT": {"Asia/Singapore", whyShort, ""},
	"HKT": {"Asia/Hong_Kong", whyShort, ""}, "JST": {"Asia/Tokyo", whyShort, ""}, "KST": {"Asia/Seoul", whyShort, ""},
	"AEST": {"Australia/Sydney", whyStandard, "In Queensland, which keeps standard time all year, use Australia/Brisbane."},
	"AEDT": {"Australia/Sydney", whySummer, ""},
	"ACST": {"Australia/Adelaide", whyStandard, "In the Northern Territory, use Australia/Darwin."},
	"ACDT": {"Australia/Adelaide", whySummer, ""}, "AWST": {"Australia/Perth", whyShort, ""},
	"NZST": {"Pacific/Auckland", whyStandard, ""}, "NZDT": {"Pacific/Auckland", whySummer, ""},
	"SAST": {"Africa/Johannesburg", whyShort, ""}, "WAT": {"Africa/Lagos", whyShort, ""}, "EAT": {"Africa/Nairobi", whyShort, ""},
	"EASTERN": {"America/New_York", whyShort, ""}, "CENTRAL": {"America/Chicago", whyShort, ""},
	"MOUNTAIN": {"America/Denver", whyShort, ""}, "PACIFIC": {"America/Los_Angeles", whyShort, ""},
}

// GuessZone returns the zone a common abbreviation such as EST, PST, CET or
// IST most likely means, and why the abbreviation itself won't do.
func GuessZone(name string) (ZoneGuess, bool) {
	g, ok := zoneGuesses[strings.ToUpper(strings.TrimSpace(name))]
	return g, ok
}

// offsetRE is a fixed offset such as UTC-5, GMT+01:00 or -05:00.
var offsetRE = regexp.MustCompile(`(?i)^(?:utc|gmt|etc/gmt)?\s*[+-]\s*\d{1,2}(?::?\d{2})?$`)

// ParseZone returns the time zone a person named. The rule: a zone is an
// IANA name, Area/City such as America/New_York (or UTC), because only such
// a name carries the place's daylight-saving rules. Abbreviations (EST,
// PST, CET, IST …) are refused with the zone they most likely mean (see
// GuessZone), as are fixed offsets (UTC-5, Etc/GMT+5) and "Local", the
// server's zone. Capitals and spaces are forgiven: "america/new york" is
// America/New_York. Errors are *Error (EINVALID, field "timezone").
func ParseZone(name string) (*time.Location, error) {
	n := strings.TrimSpace(name)
	if g, ok := GuessZone(n); ok {
		msg := n + " " + g.Why + ". Did you mean " + g.Zone + "?"
		if g.Note != "" {
			msg += " " + g.Note
		}
		return nil, zoneError(msg)
	}
	switch {
	case n == "":
		return nil, zoneError("A time zone is needed here, such as America/New_York.")
	case strings.EqualFold(n, "UTC") || strings.EqualFold(n, "Etc/UTC"):
		return time.UTC, nil
	case offsetRE.MatchString(n):
		return nil, zoneError(Clip(n, 40) + " is a fixed offset with no daylight saving. Use your place's Area/City zone, such as America/New_York or Europe/London.")
	case strings.Contains(n, "/") && !strings.HasPrefix(strings.ToLower(n), "etc/"):
		for _, c := range zoneSpellings(n) {
			if loc, err := time.LoadLocation(c); err == nil {
				return loc, nil
			}
		}
	}
	return nil, zoneError("I don't know the time zone " + Clip(n, 40) + ". Use an Area/City name such as America/New_York or Europe/London.")
}

// zoneSpellings lists the ways of writing n to try: as typed, with spaces
// as underscores, and with each word capitalised.
func zoneSpellings(n string) []string {
	under := strings.Join(strings.Fields(n), "_")
	capital := []rune(strings.ToLower(under))
	for i := range capital {
		if i == 0 || capital[i-1] == '/' || capital[i-1] == '_' {
			capital[i] = unicode.ToUpper(capital[i])
		}
	}
	return []string{n, under, string(capital)}
}

func zoneError(msg string) *Error {
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "")
	}
	return &Error{Code: EINVALID, Field: "timezone", Message: msg}
}
