package slack

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// applyImport sends the school's .zip in the admin's DM, presses Apply and
// returns the answer's text and its buttons' values. The dry run looks
// nobody up; it says who applying will.
func (e *e2e) applyImport(t *testing.T, zip []byte) (string, []string) {
	t.Helper()
	fileURL := e.fake.shareFile("lincoln.zip", zip)
	lookups := len(e.fake.callsTo("users.lookupByEmail"))
	dry := e.shareInDM(t, "EvImp", "UADMIN", "/plp import", map[string]any{"id": "F1", "name": "lincoln.zip", "size": len(zip), "url_private_download": fileURL})
	if !strings.Contains(dry, "When you apply it, I'll look up the people not linked yet on Slack by email and link those I find.") {
		t.Errorf("the dry run doesn't say who applying looks up:\n%s", dry)
	}
	if n := len(e.fake.callsTo("users.lookupByEmail")); n != lookups {
		t.Errorf("the dry run made %d lookups", n-lookups)
	}
	var apply string
	for _, v := range buttonValues(t, e.fake.callsTo("chat.postMessage")) {
		if strings.HasPrefix(v, "import apply ") {
			apply = v
		}
	}
	if apply == "" {
		t.Fatal("no Apply button")
	}
	before := len(e.fake.callsTo("response_url"))
	e.interaction(t, map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UADMIN", "team_id": "T1"},
		"channel": map[string]any{"id": "DUADMIN"}, "response_url": e.fake.responseURL("apply"),
		"actions": []map[string]any{{"type": "button", "action_id": "plp_0", "block_id": "b", "value": apply}},
	})
	e.wait()
	answer := e.fake.waitCalls(t, "response_url", before+1)[before:]
	return answer[0].allText(t), buttonValues(t, answer)
}

// knowEmails makes users.lookupByEmail find the accounts of the generated
// school's people: each roster sourcedId's email → the Slack user id.
func (f *fakeSlack) knowEmails(byID map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sid, user := range byID {
		f.emails[sid+"@lincoln.example"] = user
	}
}

// TestImportLinksPeopleBySlackEmail: applying an import from Slack looks up
// the people not linked yet by email and links those found, one plan each;
// an account with a plan of its own is a conflict, never merged; the rest
// are listed, with what to do. A second run looks up only the conflict.
func TestImportLinksPeopleBySlackEmail(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	// U2 used plpbot before the import and has a goal: their plan is theirs.
	if got := e.slash(t, "U2", "goal add Read three novels category:academic by:2027-05-30"); !strings.Contains(got, "Read three novels") {
		t.Fatalf("goal add answered:\n%s", got)
	}
	e.fake.knowEmails(map[string]string{rostertest.StudentID(0): "US0", rostertest.StudentID(1): "US1",
		rostertest.StaffID(0): "UT0", rostertest.StudentID(2): "U2"})

	got, buttons := e.applyImport(t, schoolZipBytes(t, nil))
	t.Logf("the answer:\n%s", got)
	for _, want := range []string{
		"Imported:",
		"Linked 3 people to their chat accounts (3 on Slack by email).",
		"1 person I couldn't link, because plpbot never merges two plans",
		"Student Number 2 (stu-2): their Slack account @Sam (U2) already has a plan of its own",
		"13 people aren't linked yet — they'll be linked when they first message me, or use `/plp link @user SOURCEDID`:",
		"• No Slack account has their email: Staff Member 1 (staff-1), Staff Member 2 (staff-2),",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the answer lacks %q:\n%s", want, got)
		}
	}
	if slices.Contains(buttons, "import link") {
		t.Errorf("a finished linking offers to keep linking: %v", buttons)
	}
	if n := len(e.fake.callsTo("users.lookupByEmail")); n != 17 {
		t.Errorf("%d lookups, want one per person (17)", n)
	}

	// Linked: the account acts on the roster person, who can now be DMed there.
	u, err := e.store.User(ctx, "slack:T1:US0")
	if err != nil || u.ID != plpbot.RosterID(rostertest.StudentID(0)) {
		t.Fatalf("slack:T1:US0 is %+v, %v; want the roster's stu-0", u, err)
	}
	if u.Platform != "slack" || u.PlatformID != "US0" || u.CantDM != "" || u.TimeZone != "America/New_York" {
		t.Errorf("the linked person's address is %s/%s/%s (cant_dm %q, tz %q)", u.Platform, u.Workspace, u.PlatformID, u.CantDM, u.TimeZone)
	}
	// The conflict: U2 keeps their own plan; stu-2 stays unlinked.
	if u, err := e.store.User(ctx, "slack:T1:U2"); err != nil || u.ID != "slack:T1:U2" || u.GoalSeq != 1 {
		t.Errorf("U2 after the import: %+v, %v; want their own plan, untouched", u, err)
	}
	if log, err := e.store.AuditLog(ctx, plpbot.RosterID(rostertest.StudentID(0)), 10); err != nil || !hasAction(log, "link") {
		t.Errorf("the link is not audited: %v, %v", log, err)
	}

	// Again: nobody linked, nobody just missed is looked up; the conflict is.
	before := len(e.fake.callsTo("users.lookupByEmail"))
	got = e.slash(t, "UADMIN", "import link")
	if n := len(e.fake.callsTo("users.lookupByEmail")) - before; n != 1 {
		t.Errorf("the second run made %d lookups, want 1 (the conflict)", n)
	}
	if !strings.Contains(got, "• No Slack account has their email (as of ") {
		t.Errorf("the second run answered:\n%s", got)
	}

	// A week later the misses are looked up again: one has joined Slack.
	e.fake.knowEmails(map[string]string{rostertest.StudentID(3): "US3"})
	later := storagetest.Replica(t, e.store, func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
	l, err := roster.New(later, nil).Link(ctx, []roster.Finder{{Platform: bot.Slack, Workspace: "T1", Users: e.Adapter}}, roster.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Linked != 1 || l.Platforms[0].Looked != 14 || len(l.Unmatched) != 13 {
		t.Errorf("a week later: linked %d after %d lookups, %d unmatched; want 1, 14, 13", l.Linked, l.Platforms[0].Looked, len(l.Unmatched))
	}
}

func hasAction(log []plpbot.AuditEntry, action string) bool {
	return slices.ContainsFunc(log, func(e plpbot.AuditEntry) bool { return e.Action == action })
}

// TestImportLinkingStopsInTimeAndGoesOn: lookups keep to Slack's Tier 3
// pace; a run that must answer stops when its time is up, says who it
// didn't reach, and the next run looks up only those.
func TestImportLinkingStopsInTimeAndGoesOn(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	e.limits.scale = 1 // Slack's real pace: a burst of 5, then one every 1.2 s
	if _, err := roster.New(e.store, nil).Import(ctx, writeZip(t, schoolZipBytes(t, nil)), roster.Options{}); err != nil {
		t.Fatal(err)
	}
	e.fake.knowEmails(map[string]string{rostertest.StaffID(0): "UT0"})
	slackOnly := []roster.Finder{{Platform: bot.Slack, Workspace: "T1", Users: e.Adapter}}

	start := time.Now()
	l, err := roster.New(e.store, nil).Link(ctx, slackOnly, roster.LinkOptions{Until: start.Add(500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the run took %s past its time", took)
	}
	if !l.OutOfTime || l.Platforms[0].Looked != 5 || l.Linked != 1 || l.Left != 12 || len(l.Unmatched) != 16 {
		t.Errorf("out of time %v, %d looked up, %d linked, %d left, %d unmatched; want true, 5, 1, 12, 16",
			l.OutOfTime, l.Platforms[0].Looked, l.Linked, l.Left, len(l.Unmatched))
	}
	notes := strings.Join(l.Notes(nil, "press Keep linking."), "\n")
	if !strings.HasSuffix(notes, "I didn't get to look up 12 of them: press Keep linking.") {
		t.Errorf("the notes end:\n%s", notes)
	}

	e.limits.mu.Lock()
	e.limits.scale, e.limits.methods = testPaceScale, map[string]*methodLimit{}
	e.limits.mu.Unlock()
	before := len(e.fake.callsTo("users.lookupByEmail"))
	l, err = roster.New(e.store, nil).Link(ctx, slackOnly, roster.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.callsTo("users.lookupByEmail")) - before; n != 12 || l.Left != 0 || l.OutOfTime {
		t.Errorf("the next run made %d lookups (left %d, out of time %v); want the 12 not reached", n, l.Left, l.OutOfTime)
	}
}

// TestImportLinkingWithoutTheEmailScope: an app installed without
// users:read.email looks nobody up past the first refusal, and says what
// to do; everyone waits for /plp import link.
func TestImportLinkingWithoutTheEmailScope(t *testing.T) {
	e := newE2E(t)
	e.fake.failWith("users.lookupByEmail", "missing_scope")
	got, buttons := e.applyImport(t, schoolZipBytes(t, nil))
	for _, want := range []string{
		"Slack: plpbot's Slack app isn't allowed to look people up by email yet (scope users:read.email). Ask your Slack admin to update the app",
		"17 people aren't linked yet",
		"• Not looked up on Slack yet: Staff Member 0 (staff-0), ",
		"I didn't get to look up 17 of them: press Keep linking, or type `/plp import link`, to go on.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the answer lacks %q:\n%s", want, got)
		}
	}
	if !slices.Contains(buttons, "import link") {
		t.Errorf("no Keep linking button: %v", buttons)
	}
	if n := len(e.fake.callsTo("users.lookupByEmail")); n != 1 {
		t.Errorf("%d lookups after Slack refused the first, want 1", n)
	}
}

// TestImportLinkingRefusesSharedEmails: two people the SIS gives one email
// are looked up for neither (a guess would hand one plan to another).
func TestImportLinkingRefusesSharedEmails(t *testing.T) {
	e := newE2E(t)
	e.fake.knowEmails(map[string]string{rostertest.StudentID(4): "US4"})
	zip := schoolZipBytes(t, func(f rostertest.Files) {
		users := f["users.csv"]
		email := slices.Index(users[0], "email")
		for _, row := range users[1:] {
			if row[0] == rostertest.StudentID(5) {
				row[email] = rostertest.StudentID(4) + "@lincoln.example"
			}
		}
	})
	got, _ := e.applyImport(t, zip)
	if !strings.Contains(got, "Student Number 4 (stu-4): the SIS gives Student Number 5 (stu-5) the same email: fix it there") ||
		!strings.Contains(got, "2 people I couldn't link") {
		t.Errorf("the answer:\n%s", got)
	}
	for _, c := range e.fake.callsTo("users.lookupByEmail") {
		if strings.HasPrefix(c.Form.Get("email"), rostertest.StudentID(4)+"@") {
			t.Errorf("a shared email was looked up")
		}
	}
}

// writeZip writes a .zip's bytes to a file and returns its path.
func writeZip(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "school.zip")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// BenchmarkLinkAtImport links the README's school of 2,000 students and
// 120 staff, 1,800 of whom have a Slack account, with Slack's pace lifted:
// plpbot's own cost of linking (reads, links, misses, audit), apart from
// Slack's ~50 lookups a minute. Then a second run, which looks nobody up.
//
//	go test ./bot/slack -run '^$' -bench LinkAtImport -benchtime 1x
func BenchmarkLinkAtImport(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	zip := filepath.Join(dir, "big.zip")
	if err := rostertest.Big("1.2").Files().WriteZip(zip, false); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		e := newE2E(b)
		e.limits.scale = 1e6
		if _, err := roster.New(e.store, nil).Import(ctx, zip, roster.Options{}); err != nil {
			b.Fatal(err)
		}
		known := map[string]string{}
		for i := range 1800 {
			known[rostertest.StudentID(i)] = "US" + strconv.Itoa(i)
		}
		e.fake.knowEmails(known)
		finders := []roster.Finder{{Platform: bot.Slack, Workspace: "T1", Users: e.Adapter}}
		b.StartTimer()
		start := time.Now()
		l, err := roster.New(e.store, nil).Link(ctx, finders, roster.LinkOptions{})
		first := time.Since(start)
		if err != nil || l.Linked != 1800 {
			b.Fatalf("linked %d, %v", l.Linked, err)
		}
		start = time.Now()
		if l, err = roster.New(e.store, nil).Link(ctx, finders, roster.LinkOptions{}); err != nil || l.Platforms[0].Looked != 0 {
			b.Fatalf("the second run looked up %d, %v", l.Platforms[0].Looked, err)
		}
		b.ReportMetric(first.Seconds(), "s/first-run")
		b.ReportMetric(time.Since(start).Seconds(), "s/second-run")
	}
}
