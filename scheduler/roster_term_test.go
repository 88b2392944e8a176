package scheduler_test

import (
	"log/slog"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
)

// TestImportedTermArchivesClass: a class the roster import brings is in
// the term made of its academic session, and is archived when that term
// ends like a term added in chat: its linked student gets the Friday
// prompt on the term's last day and none the Friday after.
func TestImportedTermArchivesClass(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York", QuietHours: "off", SchoolDays: everyDay})
	files := rostertest.Small("1.2").Files()
	sessions := files["academicSessions.csv"]
	sessions[1][3], sessions[1][5], sessions[1][6] = "Winter 2026", "2026-01-05", "2026-03-06" // ends Friday 6 March
	dir := t.TempDir()
	if err := files.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	if rep, err := roster.New(e.store, slog.New(slog.DiscardHandler)).Import(e.ctx, dir, roster.Options{}); err != nil {
		t.Fatalf("import: %v\n%s", err, rep)
	}
	if _, err := e.store.Link(e.ctx, storage.Identity{Platform: "console", PlatformID: "stu-0"}, plpbot.RosterID("stu-0"), "test"); err != nil {
		t.Fatal(err)
	}

	e.advanceTo(at(3, 14, 12, 0))
	prompts := e.fake.DMs("Reflection time")
	if len(prompts) == 0 {
		t.Fatal("no prompt at all: the imported class never ran")
	}
	end := at(3, 7, 0, 0) // midnight after the term's last day
	for _, p := range prompts {
		if !p.At.Before(end) {
			t.Errorf("a prompt went to %s %s, after the imported class's term ended", p.To, p.At.In(ny))
		}
	}
}
