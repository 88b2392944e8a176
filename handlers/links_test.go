package handlers_test

import (
	"context"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
)

// importSmall imports the small test school (student i has the username
// "stu-i", the email "stu-i@lincoln.example" and the id "discord:stu-i")
// and returns the report.
func (e *env) importSmall() *roster.Report {
	e.t.Helper()
	dir := e.t.TempDir()
	if err := rostertest.Small("1.1").Files().WriteDir(dir, false); err != nil {
		e.t.Fatal(err)
	}
	rep, err := roster.New(e.store, nil).Import(context.Background(), dir, roster.Options{})
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	return rep
}

// as runs line as the identity who in a DM.
func (e *env) as(who bot.Identity, line string) string {
	e.t.Helper()
	msgs, err := e.h.Handle(context.Background(), &bot.Request{Actor: who, Text: line, Slash: true, Place: bot.Place{Kind: bot.InDM}})
	if err != nil {
		e.t.Fatalf("%s: /plp %s: %v", who.UserID, line, err)
	}
	return plain(msgs)
}

func TestSlackAndDiscordAccountsShareOneRosterPlan(t *testing.T) {
	e := newEnv(t)
	before := e.importSmall().Unmatched[roster.KindStudents]
	sid := rostertest.StudentID(0)
	slack := bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1", Name: "sam", Email: "STU-0@lincoln.example"}
	discord := bot.Identity{Platform: bot.Discord, Workspace: "G1", UserID: "9001", Name: "Sam!", Username: sid}

	e.as(slack, "goal add Read three novels")
	mustContain(t, e.as(discord, "plan"), "Read three novels")

	p, err := e.store.User(context.Background(), plpbot.RosterID(sid))
	if err != nil {
		t.Fatal(err)
	}
	if p.Platform != string(bot.Discord) || p.PlatformID != "9001" || p.CantDM != "" {
		t.Errorf("address after Discord use = %s:%s (cant DM %q), want discord:9001, reachable", p.Platform, p.PlatformID, p.CantDM)
	}
	for _, acct := range []string{"slack:T1:U1", "discord:G1:9001"} {
		if u, err := e.store.User(context.Background(), acct); err != nil || u.ID != p.ID {
			t.Errorf("User(%s) = %v, %v; want the roster person %s", acct, u, err, p.ID)
		}
	}
	e.as(slack, "plan")
	if p, _ = e.store.User(context.Background(), p.ID); p.Platform != string(bot.Slack) {
		t.Errorf("address after Slack use = %s, want slack (the platform last used)", p.Platform)
	}
	if after := e.importSmall().Unmatched[roster.KindStudents]; after != before-1 {
		t.Errorf("unmatched students after linking one = %d, want %d", after, before-1)
	}
}

func TestConsoleNewcomerLinkedByUsernameOnFirstUse(t *testing.T) {
	e := newEnv(t)
	e.ok("Boss", "help") // the console's first user is its admin
	e.importSmall()
	sid := rostertest.StudentID(1)
	e.ok(sid, "goal add Learn to juggle")
	p, err := e.store.User(context.Background(), plpbot.RosterID(sid))
	if err != nil {
		t.Fatal(err)
	}
	if gs, err := e.store.Goals(context.Background(), p.ID); err != nil || len(gs) != 1 || p.Platform != string(bot.Console) {
		t.Errorf("roster person after first use: goals %d (%v), platform %s; want 1 goal, console", len(gs), err, p.Platform)
	}
	mustContain(t, e.ok("Boss", "audit @"+sid), "link")
}

func TestStaffLinkAndConflict(t *testing.T) {
	e := newEnv(t)
	e.ok("Boss", "help")
	e.importSmall()
	// Sammy used plpbot but matches no one: linked by staff.
	e.ok("Sammy", "help")
	out := e.ok("Boss", "link @sammy "+rostertest.StudentID(2))
	mustContain(t, out, "Linked @Sammy", "/plp plan @Sammy")
	e.ok("Sammy", "goal add Run a 5k")
	gs, err := e.store.Goals(context.Background(), plpbot.RosterID(rostertest.StudentID(2)))
	if err != nil || len(gs) != 1 {
		t.Fatalf("roster person after link: goals %+v, %v; want Sammy's goal on it", gs, err)
	}
	// Alex already has a plan: reported, not merged.
	e.ok("Alex", "goal add Paint a mural")
	msg := e.fails("Boss", "link @alex "+rostertest.StudentID(3), bot.EConflict)
	mustContain(t, msg, "already has a plan", "never merges")
	mustContain(t, e.ok("Alex", "plan"), "Paint a mural")
	// Unknown ids and non-admins are refused.
	e.fails("Boss", "link @alex nobody-here", bot.ENotFound)
	e.fails("Sammy", "link @alex "+rostertest.StudentID(3), bot.EForbidden)
}
