package slack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// slashIn runs /plp text as user in channel and returns the answers' text.
func (e *e2e) slashIn(t *testing.T, user, channel, text string) string {
	t.Helper()
	before := len(e.fake.callsTo("response_url"))
	e.command(t, map[string]string{"user_id": user, "user_name": strings.ToLower(user), "channel_id": channel, "text": text})
	e.wait()
	var out strings.Builder
	for _, c := range e.fake.callsTo("response_url")[before:] {
		out.WriteString(c.allText(t))
	}
	return out.String()
}

func slackUID(id string) string {
	return storage.Identity{Platform: string(bot.Slack), Workspace: "T1", PlatformID: id}.UserID()
}

// TestEndToEndClassSync: /plp class sync in a class's linked channel enrolls
// every member who isn't staff or a bot, reading conversations.members page
// by page (a 429 is waited out), and says who was added; a second sync adds
// nobody; a channel too big to be a class is refused before any profile is
// read.
func TestEndToEndClassSync(t *testing.T) {
	e := newE2E(t)
	ctx := context.Background()
	e.slash(t, "UADMIN", "role <@UT1> teacher")
	if got := e.slash(t, "UT1", "class create Period 3"); !strings.Contains(got, "Class summaries will go to") {
		t.Fatalf("class create in C1 didn't link it:\n%s", got)
	}
	e.fake.mu.Lock()
	e.fake.members["C1"] = []string{"UT1", "UM1", "UBOT", "UM2", "UADMIN", "UM3"}
	e.fake.bots["UBOT"] = true
	e.fake.mu.Unlock()
	e.fake.rateLimit("conversations.members", 1)

	got := e.slash(t, "UT1", "class sync")
	for _, want := range []string{"Class synced", "Added to *Period 3*: Member 1, Member 2 and Member 3", "Staff aren't added as students"} {
		if !strings.Contains(got, want) {
			t.Errorf("class sync answered without %q:\n%s", want, got)
		}
	}
	if pages := e.fake.callsTo("conversations.members"); len(pages) != 4 { // one 429, then three pages of two
		t.Errorf("conversations.members calls = %d, want 4", len(pages))
	}
	cl, err := e.store.ClassByName(ctx, "slack", "T1", "Period 3")
	if err != nil {
		t.Fatal(err)
	}
	students, _ := e.store.ClassMembers(ctx, cl.ID, plpbot.MemberStudent)
	slices.Sort(students)
	if want := []string{slackUID("UM1"), slackUID("UM2"), slackUID("UM3")}; !slices.Equal(students, want) {
		t.Errorf("students after sync = %v, want %v", students, want)
	}
	log, _ := e.store.AuditLog(ctx, slackUID("UM2"), 0)
	if len(log) != 1 || log[0].Action != "class_add" || log[0].Detail != "Period 3 (class sync)" {
		t.Errorf("the sync isn't audited per student: %+v", log)
	}
	// Each new student got a welcome DM (posted to their user id).
	welcomed := map[string]bool{}
	for _, c := range e.fake.callsTo("chat.postMessage") {
		ch := c.Form.Get("channel")
		if ch == "" {
			ch, _ = c.JSON["channel"].(string)
		}
		if strings.HasPrefix(ch, "UM") {
			welcomed[ch] = true
		}
	}
	if len(welcomed) < 3 {
		t.Errorf("welcome DMs sent to %d new students, want 3", len(welcomed))
	}

	if got := e.slash(t, "UT1", "class sync"); !strings.Contains(got, "Nobody new") {
		t.Errorf("a second sync:\n%s", got)
	}

	// A channel the size of a school is refused before users.info.
	big := make([]string, bot.MaxSyncMembers+1)
	for i := range big {
		big[i] = fmt.Sprintf("UM%d", 100+i)
	}
	e.fake.mu.Lock()
	e.fake.members["C2"] = big
	e.fake.mu.Unlock()
	e.slashIn(t, "UT1", "C2", "class create Everyone")
	infos := len(e.fake.callsTo("users.info"))
	if got := e.slashIn(t, "UT1", "C2", "class sync"); !strings.Contains(got, "501 people, more than a class (up to 500)") {
		t.Errorf("a huge channel:\n%s", got)
	}
	if n := len(e.fake.callsTo("users.info")) - infos; n != 0 {
		t.Errorf("%d profiles read for a channel that was refused", n)
	}
	// A private channel plpbot isn't in says how to fix it.
	e.slashIn(t, "UT1", "C3", "class create Secret")
	if got := e.slashIn(t, "UT1", "C3", "class sync"); !strings.Contains(got, "/invite @plpbot") {
		t.Errorf("an unreadable channel:\n%s", got)
	}
}

// TestEndToEndClassAddByEmail: on Slack a pasted list of emails is read
// with users.lookupByEmail; an email nobody has is named, not guessed; a
// missing scope says which and how to fix it.
func TestEndToEndClassAddByEmail(t *testing.T) {
	e := newE2E(t)
	e.slash(t, "UADMIN", "role <@UT1> teacher")
	e.slash(t, "UT1", "class create Period 3")
	e.fake.mu.Lock()
	e.fake.emails["jo@school.org"] = "UM7"
	e.fake.emails["kit@school.org"] = "UM8"
	e.fake.mu.Unlock()
	got := e.slash(t, "UT1", "class add jo@school.org, <mailto:kit@school.org|kit@school.org> nobody@school.org")
	for _, want := range []string{"Added to *Period 3*: Member 7 and Member 8", "couldn't find anyone by the email nobody@school.org"} {
		if !strings.Contains(got, want) {
			t.Errorf("class add by email answered without %q:\n%s", want, got)
		}
	}
	if got := e.slash(t, "UT1", "class add sam"); !strings.Contains(got, "by the email sam") {
		t.Errorf("a username on Slack:\n%s", got)
	}
	e.fake.failWith("users.lookupByEmail", "missing_scope")
	if got := e.slash(t, "UT1", "class add al@school.org"); !strings.Contains(got, "users:read.email") {
		t.Errorf("a missing scope:\n%s", got)
	}
}

// TestEachUserReadsTheMemberList: users.list is read 200 people a page to
// its end, each person once with their email, leaving out bots, apps,
// deactivated accounts and Slackbot; a refusal or a list without emails
// (no users:read.email) is a *bot.UserError saying what to do, never an
// empty workspace.
func TestEachUserReadsTheMemberList(t *testing.T) {
	ctx := context.Background()
	ta := newTestAdapter(t, nil)
	known, emailOf := map[string]string{}, map[string]string{}
	for i := range 450 {
		id := fmt.Sprintf("UP%03d", i)
		known[fmt.Sprintf("p-%d", i)], emailOf[id] = id, fmt.Sprintf("p-%d@lincoln.example", i)
	}
	ta.fake.knowEmails(known)
	ta.fake.mu.Lock()
	ta.fake.others["UB1"] = otherUser{email: "bot@lincoln.example", bot: true}
	ta.fake.others["UB2"] = otherUser{email: "app@lincoln.example", app: true}
	ta.fake.others["UB3"] = otherUser{email: "gone@lincoln.example", deactivated: true}
	ta.fake.others["USLACKBOT"] = otherUser{}
	ta.fake.mu.Unlock()

	var pages, people int
	seen := map[string]bool{}
	err := ta.EachUser(ctx, "T1", func(page []bot.Listed) error {
		pages++
		for _, u := range page {
			people++
			seen[u.UserID] = true
			if want := emailOf[u.UserID]; u.Handle != want {
				t.Errorf("%s listed with %q, want %q", u.UserID, u.Handle, want)
			}
			if u.Workspace != "T1" || u.Platform != bot.Slack || u.TimeZone == "" {
				t.Errorf("%s listed as %+v", u.UserID, u.Identity)
			}
		}
		return nil
	})
	calls := ta.fake.callsTo("users.list")
	if err != nil || pages != 3 || people != 450 || len(seen) != 450 || len(calls) != 3 {
		t.Errorf("EachUser: %v after %d pages (%d calls), %d people (%d distinct); want nil, 3, 450", err, pages, len(calls), people, len(seen))
	}
	for _, c := range calls {
		if c.Form.Get("limit") != "200" {
			t.Errorf("users.list limit %q, want 200", c.Form.Get("limit"))
		}
	}

	// A 429 is waited out for as long as Retry-After says, then the list goes on.
	ta.fake.rateLimit("users.list", 1)
	start, people := time.Now(), 0
	err = ta.EachUser(ctx, "T1", func(page []bot.Listed) error { people += len(page); return nil })
	if took := time.Since(start); err != nil || people != 450 || took < time.Second || ta.fake.tooMany("users.list") != 1 {
		t.Errorf("after a 429: %v, %d people in %s (%d 429s); want nil, 450, at least Retry-After's 1 s", err, people, took, ta.fake.tooMany("users.list"))
	}

	var ue *bot.UserError
	ta.fake.mu.Lock()
	ta.fake.hideEmails = true
	ta.fake.mu.Unlock()
	err = ta.EachUser(ctx, "T1", func([]bot.Listed) error { t.Error("a page without emails was passed on"); return nil })
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "users:read.email") {
		t.Errorf("without emails: %v", err)
	}
	ta.fake.failWith("users.list", "missing_scope")
	err = ta.EachUser(ctx, "T1", func([]bot.Listed) error { return nil })
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "users:read") {
		t.Errorf("missing scope: %v", err)
	}
}
