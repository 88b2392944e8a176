package plpbot_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
)

func asError(err error, e **plpbot.Error) bool { return errors.As(err, e) }

// TestParseZone: IANA names (Area/City) are the only zones; capitals and
// spaces are forgiven.
func TestParseZone(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"America/New_York", "America/New_York"},
		{" Europe/London ", "Europe/London"},
		{"america/new_york", "America/New_York"},
		{"America/New York", "America/New_York"},
		{"AMERICA/LOS_ANGELES", "America/Los_Angeles"},
		{"America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"},
		{"America/Phoenix", "America/Phoenix"},
		{"UTC", "UTC"},
		{"utc", "UTC"},
		{"Etc/UTC", "UTC"},
	} {
		loc, err := plpbot.ParseZone(tt.in)
		if err != nil || loc.String() != tt.want {
			t.Errorf("ParseZone(%q) = %v, %v; want %s", tt.in, loc, err, tt.want)
		}
	}
}

// TestParseZoneRefuses: abbreviations are refused with the zone they most
// likely mean; anything else with an example.
func TestParseZoneRefuses(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"EST", "EST has no daylight saving. Did you mean America/New_York?"},
		{"est", "est has no daylight saving. Did you mean America/New_York?"},
		{"EDT", "EDT is summer time only. Did you mean America/New_York?"},
		{"ET", "ET is an abbreviation, not a time zone name. Did you mean America/New_York?"},
		{"CST", "Did you mean America/Chicago?"},
		{"CDT", "Did you mean America/Chicago?"},
		{"CT", "Did you mean America/Chicago?"},
		{"MST", "MST has no daylight saving. Did you mean America/Denver? In Arizona, which keeps standard time all year, use America/Phoenix."},
		{"PST", "Did you mean America/Los_Angeles?"},
		{"PDT", "Did you mean America/Los_Angeles?"},
		{"PT", "Did you mean America/Los_Angeles?"},
		{"AKST", "Did you mean America/Anchorage?"},
		{"HST", "Did you mean Pacific/Honolulu?"},
		{"GMT", "GMT has no daylight saving. Did you mean Europe/London? For UTC all year, use UTC."},
		{"BST", "Did you mean Europe/London?"},
		{"CET", "Did you mean Europe/Paris?"},
		{"CEST", "Did you mean Europe/Paris?"},
		{"IST", "Did you mean Asia/Kolkata? In Ireland, use Europe/Dublin"},
		{"AEST", "Did you mean Australia/Sydney?"},
		{"EST5EDT", "Did you mean America/New_York?"},
		{"Eastern", "Did you mean America/New_York?"},
		{"UTC-5", "UTC-5 is a fixed offset with no daylight saving"},
		{"-05:00", "is a fixed offset"},
		{"GMT+1", "is a fixed offset"},
		{"Etc/GMT+5", "Etc/GMT+5 is a fixed offset"},
		{"Local", "I don't know the time zone Local. Use an Area/City name such as America/New_York"},
		{"Mars/Olympus", "I don't know the time zone Mars/Olympus"},
		{"New York", "I don't know the time zone New York"},
		{"../../etc/passwd", "I don't know the time zone"},
		{"", "A time zone is needed here"},
	} {
		loc, err := plpbot.ParseZone(tt.in)
		var e *plpbot.Error
		if err == nil || !asError(err, &e) || e.Code != plpbot.EINVALID || e.Field != "timezone" || !strings.Contains(e.Message, tt.want) {
			t.Errorf("ParseZone(%q) = %v, %v; want EINVALID on timezone containing %q", tt.in, loc, err, tt.want)
		}
	}
}

func TestGuessZone(t *testing.T) {
	g, ok := plpbot.GuessZone(" pdt ")
	if !ok || g.Zone != "America/Los_Angeles" || g.Why != "is summer time only" {
		t.Errorf("GuessZone(pdt) = %+v, %v", g, ok)
	}
	if _, ok := plpbot.GuessZone("America/New_York"); ok {
		t.Error("GuessZone(America/New_York) should have no guess")
	}
	// Every guess is a zone ParseZone accepts.
	for _, abbr := range []string{"EST", "CST", "MST", "PST", "AKST", "HST", "AST", "NST", "GMT", "WET", "CET", "MET", "EET", "MSK",
		"IST", "PKT", "SGT", "HKT", "JST", "KST", "AEST", "ACST", "AWST", "NZST", "SAST", "WAT", "EAT"} {
		g, ok := plpbot.GuessZone(abbr)
		if !ok {
			t.Errorf("no guess for %s", abbr)
			continue
		}
		if _, err := plpbot.ParseZone(g.Zone); err != nil {
			t.Errorf("guess for %s, %s: %v", abbr, g.Zone, err)
		}
	}
}
