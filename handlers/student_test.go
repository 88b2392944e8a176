package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// user loads a console user by name from the store.
func (e *env) user(name string) *plpbot.Person {
	e.t.Helper()
	u, err := e.store.User(context.Background(), storage.Identity{Platform: "console", PlatformID: strings.ToLower(name)}.UserID())
	if err != nil {
		e.t.Fatalf("load user %s: %v", name, err)
	}
	return u
}

func TestHelp(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	first := e.ok("newbie", "help")
	mustContain(t, first, "Welcome to plpbot, newbie!", "/plp checkin", "/plp goal add")
	again := e.ok("newbie", "help")
	mustNotContain(t, again, "Welcome")

	tests := []struct {
		who       string
		line      string
		want, not []string
	}{
		{"sam", "help", []string{"/plp plan", "/plp reflect"}, []string{"/plp roster", "/plp role", "/plp flag"}},
		{"ms-lee", "help", []string{"/plp roster", "/plp student @sam"}, []string{"/plp role", "/plp forget"}},
		{"ms-lee", "help all", []string{"/plp roster", "/plp flag"}, []string{"/plp role", "/plp forget"}},
		{"admin", "help", []string{"/plp roster", "/plp role", "/plp forget"}, nil},
		{"admin", "help all", []string{"/plp roster", "/plp flag", "/plp role", "/plp forget"}, nil},
		{"sam", "help checkin", []string{"/plp checkin N PCT%"}, nil},
		{"sam", "help export", []string{"/plp export"}, []string{"@sam"}},
	}
	for _, tt := range tests {
		t.Run(tt.who+" "+tt.line, func(t *testing.T) {
			out := e.ok(tt.who, tt.line)
			mustContain(t, out, tt.want...)
			mustNotContain(t, out, tt.not...)
		})
	}
	e.fails("sam", "help roster", bot.EForbidden)
	mustContain(t, e.fails("sam", "help chekin", bot.ENotFound), "checkin")
}

func TestPlanEmptyGuides(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	msgs, err := e.run("sam", "plan")
	if err != nil {
		t.Fatal(err)
	}
	out := plain(msgs)
	mustContain(t, out, "Your plan is empty", "/plp goal add Read three novels by:")
	if len(msgs[0].Buttons) == 0 || msgs[0].Buttons[0].Label != "Add a goal" || msgs[0].Buttons[0].Form == nil {
		t.Errorf("want an Add a goal button with a form, got %+v", msgs[0].Buttons)
	}
	// Staff calling plan see their own plan, not a student's.
	mustContain(t, e.ok("ms-lee", "plan"), "Your plan, ms-lee", "Your plan is empty", "/plp roster")
}

func TestPlanWhole(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "profile set interests robotics, <!channel> drawing")
	e.ok("sam", "goal add Read three novels by:2027-05-30 why:I want to enjoy reading again")
	e.ok("sam", "step add 1 Finish Beloved")
	e.ok("sam", "goal add Run a 5k category:personal")
	e.ok("sam", "goal pause 2")
	// Two weeks of check-ins: last week and this week.
	e.now = e.now.AddDate(0, 0, -7)
	e.ok("sam", "checkin 1 20%")
	e.now = e.now.AddDate(0, 0, 7)
	e.ok("sam", "checkin 1 40% halfway through")
	e.ok("sam", "reflect I learned that reading before bed works")
	e.ok("ms-lee", "conference @sam 2026-12-02 10:30 goals check")

	msgs, err := e.run("sam", "plan")
	if err != nil {
		t.Fatal(err)
	}
	out := plain(msgs)
	mustContain(t, out,
		"Your plan, sam",
		"Interests: robotics, <!channel> drawing",
		"1. Read three novels ▰▰▰▰▱▱▱▱▱▱ 40%",
		"Next step: Finish Beloved",
		"by Sun 30 May 2027",
		"Streak: 2-week check-in streak",
		"Next conference: Wed 2 Dec 2026, 10:30 UTC with ms-lee",
		"Last reflection: Wed 25 Nov 2026",
		"1 goal paused",
	)
	mustNotContain(t, out, "Run a 5k ▰")
	m := msgs[0]
	if len(m.Buttons) != 2 || m.Buttons[0].Label != "Check in" || m.Buttons[1].Label != "Add a goal" {
		t.Fatalf("want Check in and Add a goal buttons, got %+v", m.Buttons)
	}
	if f := m.Buttons[0].Form; f == nil || f.Fixed["n"] != "1" {
		t.Errorf("with one active goal the check-in form should fix n=1, got %+v", f)
	}
	if m.Visibility != bot.Private {
		t.Errorf("a plan must be a private reply")
	}
	if !strings.Contains(m.Blocks[0].(bot.Text).Text, bot.User("robotics, <!channel> drawing")) {
		t.Errorf("profile text must be wrapped in bot.User: %q", m.Blocks[0])
	}
}

func TestProfile(t *testing.T) {
	e := newEnv(t)
	out := e.ok("sam", "profile")
	mustContain(t, out, "Interests: —", "Class shout-outs: off", "Time zone: UTC", "/plp profile set interests")

	tests := []struct {
		line string
		want []string
	}{
		{"profile set interests robotics, drawing", []string{"Saved your interests.", "Interests: robotics, drawing"}},
		{`profile set strengths {"$gt":""} @everyone`, []string{`Strengths: {"$gt":""} @everyone`}},
		{"profile set learn by doing", []string{"How I learn best: by doing"}},
		{"profile set shoutouts on", []string{"Class shout-outs are on", "Class shout-outs: on"}},
		{"profile set shoutouts OFF", []string{"Class shout-outs: off"}},
		{"profile set timezone America/New_York", []string{"Time zone set to America/New_York", "It's 10:00 there now"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) { mustContain(t, e.ok("sam", tt.line), tt.want...) })
	}
	mustContain(t, e.fails("sam", "profile set shoutouts maybe", bot.EInvalid), "on or off", "maybe")
	mustContain(t, e.fails("sam", "profile set timezone Mars/Olympus", bot.EInvalid), "Mars/Olympus", "America/New_York")
	e.fails("sam", "profile set timezone Local", bot.EInvalid)
	u := e.user("sam")
	if u.TimeZone != "America/New_York" || u.Shoutouts || u.Profile.Strengths != `{"$gt":""} @everyone` {
		t.Errorf("stored profile wrong: tz=%q shoutouts=%v strengths=%q", u.TimeZone, u.Shoutouts, u.Profile.Strengths)
	}
}

// TestProfileTimeZone: a time zone is an IANA name; an abbreviation is
// refused with the exact command for the zone it most likely means, and
// the zone stays as it was.
func TestProfileTimeZone(t *testing.T) {
	e := newEnv(t)
	mustContain(t, e.ok("sam", "profile set timezone america/chicago"), "Time zone set to America/Chicago")
	tests := []struct{ zone, want string }{
		{"EST", "EST has no daylight saving. Did you mean `/plp profile set timezone America/New_York`?"},
		{"PDT", "PDT is summer time only. Did you mean `/plp profile set timezone America/Los_Angeles`?"},
		{"MST", "MST has no daylight saving. Did you mean `/plp profile set timezone America/Denver`? In Arizona, which keeps standard time all year, use America/Phoenix."},
		{"gmt", "gmt has no daylight saving. Did you mean `/plp profile set timezone Europe/London`?"},
		{"IST", "Did you mean `/plp profile set timezone Asia/Kolkata`? In Ireland, use Europe/Dublin"},
		{"UTC-5", "UTC-5 is a fixed offset with no daylight saving"},
		{"Mars/Olympus", "I don't know the time zone Mars/Olympus"},
		{"Local", "I don't know the time zone Local"},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			mustContain(t, e.fails("sam", "profile set timezone "+tt.zone, bot.EInvalid), tt.want)
		})
	}
	if u := e.user("sam"); u.TimeZone != "America/Chicago" {
		t.Errorf("time zone = %q after refusals, want America/Chicago", u.TimeZone)
	}
}

func TestAway(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("other-teacher", "plan")
	e.ok("admin", "role @other-teacher teacher")

	mustContain(t, e.fails("sam", "away until 2026-11-25", bot.EInvalid), "isn't in the future")
	e.fails("sam", "away until 2026-11-01", bot.EInvalid)
	mustContain(t, e.fails("sam", "away until 2028-01-01", bot.EInvalid), "more than a year")
	if e.user("sam").Away(e.now) {
		t.Fatal("a refused away was stored")
	}
	e.ok("sam", "goal add Read three novels")
	out := e.ok("sam", "away until 2026-12-01 family trip")
	mustContain(t, out, "pause prompts until Tue 1 Dec 2026; streaks are frozen", "/plp away off")
	if u := e.user("sam"); !u.Away(e.now) || u.AwayNote != "family trip" {
		t.Fatalf("away not stored: %+v", u)
	}
	mustContain(t, e.ok("sam", "plan"), "You're away until")
	mustContain(t, e.ok("sam", "away off"), "Welcome back")
	if e.user("sam").Away(e.now) {
		t.Fatal("away off didn't clear away")
	}
	mustContain(t, e.ok("sam", "away off"), "not marked away")

	// Staff: only for students they teach.
	mustContain(t, e.fails("sam", "away @ms-lee until 2026-12-01", bot.EForbidden), "Only teachers")
	e.fails("other-teacher", "away @sam until 2026-12-01", bot.EForbidden)
	if e.user("sam").Away(e.now) {
		t.Fatal("a refused staff away was stored")
	}
	out = e.ok("ms-lee", "away @sam until 2026-12-01")
	mustContain(t, out, "sam is marked away until Tue 1 Dec 2026", "[DM to sam] ms-lee marked you away")
	if !e.user("sam").Away(e.now) {
		t.Fatal("staff away not stored")
	}
	if !audited(t, e, e.user("sam").ID, "away", e.user("ms-lee").ID) {
		t.Fatal("staff away not audited")
	}
	mustContain(t, e.ok("ms-lee", "away off @sam"), "sam is back", "[DM to sam] Welcome back!")
}

func TestAwayFreezesStreak(t *testing.T) {
	e := newEnv(t)
	e.ok("sam", "goal add Read three novels")
	start := e.now
	// Checked in three weeks ago, then away for two weeks, back now.
	e.now = start.AddDate(0, 0, -21)
	e.ok("sam", "checkin 1 10%")
	e.now = start.AddDate(0, 0, -14)
	e.ok("sam", "away until 2026-11-23")
	e.now = start
	mustContain(t, e.ok("sam", "plan"), "1-week check-in streak")

	e2 := newEnv(t)
	e2.ok("sam", "goal add Read three novels")
	e2.now = start.AddDate(0, 0, -21)
	e2.ok("sam", "checkin 1 10%")
	e2.now = start
	mustContain(t, e2.ok("sam", "plan"), "No streak yet")
}
