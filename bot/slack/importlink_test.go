package slack

import (
	"context"
	"fmt"
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
	if u, err := e.store.User(ctx, "slack:T1:U2"); err != nil || u.ID != "slack:T1:U2" {
		t.Errorf("U2 after the import: %+v, %v; want their own plan, untouched", u, err)
	}
	if gs, err := e.store.Goals(ctx, "slack:T1:U2"); err != nil || len(gs) != 1 {
		t.Errorf("U2's goals after the import: %d, %v; want their one goal, untouched", len(gs), err)
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

// schoolOf is a generated school's .zip, of students and staff.
func schoolOf(t testing.TB, students, staff int) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "school.zip")
	school := rostertest.School{Version: "1.2", Students: students, Teachers: staff, Classes: staff, Enrollments: students + staff}
	if err := school.Files().WriteZip(p, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// crowd puts n members in the workspace who aren't on the roster (parents,
// alumni, another school's staff), with user ids UC0000…, listed before
// the roster's US… and UT….
func (f *fakeSlack) crowd(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range n {
		f.others[fmt.Sprintf("UC%04d", i)] = otherUser{email: fmt.Sprintf("member-%d@example.org", i)}
	}
}

// TestImportLinksASchoolFromSlacksMemberList: from chat, at Slack's real
// pace, a school of 300 whose people are mostly on Slack is linked in one
// press, in seconds: the member list is read once (users.list, 200 a
// page) and nobody is looked up. Emails match whatever their case; bots,
// apps and deactivated accounts are never linked; an account with a plan
// of its own is a conflict, as with lookups; the people not on the list
// are misses, remembered, so the next run reads and looks up nothing.
func TestImportLinksASchoolFromSlacksMemberList(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	if got := e.slash(t, "U2", "goal add Read three novels category:academic by:2027-05-30"); !strings.Contains(got, "Read three novels") {
		t.Fatalf("goal add answered:\n%s", got)
	}
	e.limits.mu.Lock()
	e.limits.scale, e.limits.methods = 1, map[string]*methodLimit{} // Slack's real pace
	e.limits.mu.Unlock()
	e.fake.enforceTiers(publishedTiers())
	// 280 students and 20 staff; on Slack: 270 students (one with an
	// upper-case email, one the account U2 with a plan), 15 staff, 50
	// people not on the roster, and a bot, an app and a deactivated account
	// each with a roster person's email.
	known := map[string]string{}
	for i := range 270 {
		known[rostertest.StudentID(i)] = "US" + strconv.Itoa(i)
	}
	known[rostertest.StudentID(2)] = "U2"
	for i := range 15 {
		known[rostertest.StaffID(i)] = "UT" + strconv.Itoa(i)
	}
	e.fake.knowEmails(known)
	e.fake.crowd(50)
	e.fake.mu.Lock()
	delete(e.fake.emails, rostertest.StudentID(7)+"@lincoln.example")
	e.fake.emails["STU-7@Lincoln.Example"] = "US7"
	e.fake.others["UB1"] = otherUser{email: rostertest.StudentID(270) + "@lincoln.example", bot: true}
	e.fake.others["UB2"] = otherUser{email: rostertest.StudentID(271) + "@lincoln.example", app: true}
	e.fake.others["UB3"] = otherUser{email: rostertest.StudentID(272) + "@lincoln.example", deactivated: true}
	e.fake.mu.Unlock()

	start := time.Now()
	got, buttons := e.applyImport(t, schoolOf(t, 280, 20))
	took := time.Since(start)
	t.Logf("applied and linked in %s:\n%s", took.Round(time.Millisecond), got)
	for _, want := range []string{
		"Linked 284 people to their chat accounts (284 on Slack by email).",
		"1 person I couldn't link, because plpbot never merges two plans",
		"Student Number 2 (stu-2): their Slack account @Sam (U2) already has a plan of its own",
		"15 people aren't linked yet",
		"• No Slack account has their email: Staff Member 15 (staff-15), ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the answer lacks %q:\n%s", want, got)
		}
	}
	if slices.Contains(buttons, "import link") {
		t.Errorf("a finished linking offers to keep linking: %v", buttons)
	}
	// 288 workspace members + 50 others + 3 = 338: two pages of 200.
	lists := e.fake.callsTo("users.list")
	if len(lists) != 2 || lists[0].Form.Get("limit") != "200" {
		t.Errorf("%d users.list calls (limit %q), want 2 of 200", len(lists), lists[0].Form.Get("limit"))
	}
	if n := len(e.fake.callsTo("users.lookupByEmail")); n != 0 {
		t.Errorf("%d lookups by email, want none", n)
	}
	if n := e.fake.tooMany(""); n != 0 {
		t.Errorf("Slack answered 429 %d times", n)
	}
	if took > time.Minute { // one at a time, at Tier 3: 6 minutes
		t.Errorf("the import took %s", took)
	}
	for account, sid := range map[string]string{"slack:T1:US7": rostertest.StudentID(7), "slack:T1:UT0": rostertest.StaffID(0)} {
		if u, err := e.store.User(ctx, account); err != nil || u.ID != plpbot.RosterID(sid) {
			t.Errorf("%s is %+v, %v; want roster:%s", account, u, err, sid)
		}
	}
	for _, bot := range []string{"UB1", "UB2", "UB3"} {
		if u, err := e.store.User(ctx, "slack:T1:"+bot); err == nil {
			t.Errorf("%s, not a person, was linked to %s", bot, u.ID)
		}
	}
	if log, err := e.store.AuditLog(ctx, plpbot.RosterID(rostertest.StudentID(0)), 10); err != nil || !hasAction(log, "link") {
		t.Errorf("the link is not audited: %v, %v", log, err)
	}

	// Again: only the conflict is due, below the list's threshold: one lookup.
	got = e.slash(t, "UADMIN", "import link")
	if n, m := len(e.fake.callsTo("users.list")), len(e.fake.callsTo("users.lookupByEmail")); n != 2 || m != 1 {
		t.Errorf("the second run made %d list reads and %d lookups in all, want 2 and 1:\n%s", n, m, got)
	}
	if !strings.Contains(got, "• No Slack account has their email (as of ") {
		t.Errorf("the second run answered:\n%s", got)
	}
}

// TestImportLinkingFromTheListWithoutTheEmailScope: a member list without
// emails (no users:read.email scope) is not a workspace of nobody: the
// import says what to do and remembers no misses, so once the scope is
// granted the next run links everyone.
func TestImportLinkingFromTheListWithoutTheEmailScope(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	known := map[string]string{}
	for i := range 30 {
		known[rostertest.StudentID(i)] = "US" + strconv.Itoa(i)
	}
	e.fake.knowEmails(known)
	e.fake.mu.Lock()
	e.fake.hideEmails = true
	e.fake.mu.Unlock()
	if _, err := roster.New(e.store, nil).Import(ctx, writeZip(t, schoolOf(t, 30, 2)), roster.Options{}); err != nil {
		t.Fatal(err)
	}
	got := e.slash(t, "UADMIN", "import link")
	for _, want := range []string{
		"Slack: plpbot's Slack app isn't allowed to look people up by email yet (scope users:read.email). Ask your Slack admin",
		"32 people aren't linked yet",
		"I didn't get to look up 32 of them: press Keep linking",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the answer lacks %q:\n%s", want, got)
		}
	}
	if n := len(e.fake.callsTo("users.lookupByEmail")); n != 0 {
		t.Errorf("%d lookups by email", n)
	}

	e.fake.mu.Lock()
	e.fake.hideEmails = false
	e.fake.mu.Unlock()
	l, err := roster.New(e.store, nil).Link(ctx, []roster.Finder{{Platform: bot.Slack, Workspace: "T1", Users: e.Adapter}}, roster.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Linked != 30 || !l.Platforms[0].Listed || l.Platforms[0].Looked != 32 || len(l.Unmatched) != 2 || l.Left != 0 {
		t.Errorf("with the scope: linked %d, listed %v, %d looked up, %d unmatched, %d left; want 30, true, 32, 2, 0",
			l.Linked, l.Platforms[0].Listed, l.Platforms[0].Looked, len(l.Unmatched), l.Left)
	}
}

// TestImportLinkingFromTheListStopsInTimeAndGoesOn: at Slack's real pace
// (a burst of 3 pages, then one every 3 s), a run that must answer within
// a second links whom the pages it read hold, remembers no misses (the
// list was cut short), and the next run goes on.
func TestImportLinkingFromTheListStopsInTimeAndGoesOn(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	e.limits.scale = 1
	if _, err := roster.New(e.store, nil).Import(ctx, writeZip(t, schoolOf(t, 40, 10)), roster.Options{}); err != nil {
		t.Fatal(err)
	}
	known := map[string]string{}
	for i := range 40 {
		known[rostertest.StudentID(i)] = "US" + strconv.Itoa(i)
	}
	e.fake.knowEmails(known)
	e.fake.crowd(590) // pages 1–3: 590 of them, then 10 students; page 4: 30 students
	slackOnly := []roster.Finder{{Platform: bot.Slack, Workspace: "T1", Users: e.Adapter}}

	start := time.Now()
	l, err := roster.New(e.store, nil).Link(ctx, slackOnly, roster.LinkOptions{Until: start.Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the run took %s past its time", took)
	}
	if !l.OutOfTime || l.Linked != 10 || l.Left != 40 || len(l.Unmatched) != 40 || len(e.fake.callsTo("users.list")) != 3 {
		t.Errorf("out of time %v, %d linked, %d left, %d unmatched after %d pages; want true, 10, 40, 40, 3",
			l.OutOfTime, l.Linked, l.Left, len(l.Unmatched), len(e.fake.callsTo("users.list")))
	}
	if !strings.Contains(strings.Join(l.Notes(nil, "press Keep linking."), "\n"), "• Not looked up on Slack yet: Staff Member 0 (staff-0), ") {
		t.Errorf("the notes:\n%s", strings.Join(l.Notes(nil, "press Keep linking."), "\n"))
	}

	e.limits.mu.Lock()
	e.limits.scale, e.limits.methods = testPaceScale, map[string]*methodLimit{}
	e.limits.mu.Unlock()
	l, err = roster.New(e.store, nil).Link(ctx, slackOnly, roster.LinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Linked != 30 || l.Left != 0 || l.OutOfTime || len(l.Unmatched) != 10 || l.Platforms[0].Looked != 40 {
		t.Errorf("the next run: %d linked, %d left, out of time %v, %d unmatched, %d looked up; want 30, 0, false, 10, 40",
			l.Linked, l.Left, l.OutOfTime, len(l.Unmatched), l.Platforms[0].Looked)
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
// 120 staff, 1,800 of whom have a Slack account, then runs again (which
// looks nobody up):
//
//	go test ./bot/slack -run '^$' -bench LinkAtImport -benchtime 1x
//
// member-list/slack-pace is at Slack's real pace, the fake enforcing its
// published tiers: the member list is read once (users.list, Tier 2, 200
// a page) and people matched locally; the figure a school sees.
// one-at-a-time/pace-lifted looks each person up by email
// (users.lookupByEmail) with Slack's pace lifted: plpbot's own cost of
// linking (reads, links, misses, audit), apart from Slack's 50 lookups a
// minute, which make the first run about 42 minutes longer.
func BenchmarkLinkAtImport(b *testing.B) {
	dir := b.TempDir()
	zip := filepath.Join(dir, "big.zip")
	if err := rostertest.Big("1.2").Files().WriteZip(zip, false); err != nil {
		b.Fatal(err)
	}
	b.Run("member-list/slack-pace", func(b *testing.B) {
		for b.Loop() {
			linkSchool(b, zip, true)
		}
	})
	b.Run("one-at-a-time/pace-lifted", func(b *testing.B) {
		for b.Loop() {
			linkSchool(b, zip, false)
		}
	})
}

// lookupsOnly is the adapter as a bot.UserFinder alone: people are looked
// up one at a time, as before the member list.
type lookupsOnly struct{ bot.UserFinder }

// linkSchool imports the school at zip, links it twice and reports both
// runs' times and the Slack calls of the first.
func linkSchool(b *testing.B, zip string, list bool) {
	b.StopTimer()
	ctx := context.Background()
	e := newE2E(b)
	var users bot.UserFinder = lookupsOnly{e.Adapter}
	e.limits.scale = 1e6
	if list {
		users = e.Adapter
		e.limits.scale = 1
		e.fake.enforceTiers(publishedTiers())
	}
	if _, err := roster.New(e.store, nil).Import(ctx, zip, roster.Options{}); err != nil {
		b.Fatal(err)
	}
	known := map[string]string{}
	for i := range 1800 {
		known[rostertest.StudentID(i)] = "US" + strconv.Itoa(i)
	}
	e.fake.knowEmails(known)
	finders := []roster.Finder{{Platform: bot.Slack, Workspace: "T1", Users: users}}
	b.StartTimer()
	start := time.Now()
	l, err := roster.New(e.store, nil).Link(ctx, finders, roster.LinkOptions{})
	first := time.Since(start)
	if err != nil || l.Linked != 1800 {
		b.Fatalf("linked %d, %v", l.Linked, err)
	}
	lists, lookups := len(e.fake.callsTo("users.list")), len(e.fake.callsTo("users.lookupByEmail"))
	start = time.Now()
	if l, err = roster.New(e.store, nil).Link(ctx, finders, roster.LinkOptions{}); err != nil || l.Platforms[0].Looked != 0 {
		b.Fatalf("the second run looked up %d, %v", l.Platforms[0].Looked, err)
	}
	b.ReportMetric(first.Seconds(), "s/first-run")
	b.ReportMetric(time.Since(start).Seconds(), "s/second-run")
	b.ReportMetric(float64(lists), "users.list/first-run")
	b.ReportMetric(float64(lookups), "lookups/first-run")
	if n := e.fake.tooMany(""); n != 0 {
		b.Errorf("Slack answered 429 %d times", n)
	}
}
