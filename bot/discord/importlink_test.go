package discord

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/roster/rostertest"
)

// TestImportLinksPeopleByDiscordUsername: applying an import from Discord
// looks up the people not linked yet by their SIS "discord:" id (else their
// username) among the server's members, exactly and in any case, and links
// those found: one plan, which DMs now reach.
func TestImportLinksPeopleByDiscordUsername(t *testing.T) {
	h, store := realHandlerStore(t)
	f, _, _ := startAdapter(t, h)
	f.mu.Lock()
	f.members = []fakeMember{{ID: "d0", Username: "stu-0"}, {ID: "d1", Username: "STU-1"}, {ID: "d10", Username: "stu-10x"},
		{ID: "d9", Username: "staff-0", Bot: true}}
	f.mu.Unlock()
	data := schoolZipBytes(t, nil)
	att := map[string]any{"id": "a1", "filename": "lincoln.zip", "size": len(data), "url": f.attach("lincoln.zip", data)}
	m := dmWithFile(t, f, "m1", "t1", "/plp import", att, 1)
	if text := m.text(); !strings.Contains(text, "When you apply it, I'll look up the people not linked yet on Discord by username") {
		t.Errorf("the dry run:\n%s", text)
	}
	if n := len(f.callsTo("GET", "/members/search")); n != 0 {
		t.Errorf("the dry run searched %d times", n)
	}
	var apply string
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.Contains(c.CustomID, "import apply ") {
				apply = c.CustomID
			}
		}
	}
	in := buttonInteraction("press1", "t1", apply)
	in["member"] = member("t1", "Ms Lee")
	f.dispatch("INTERACTION_CREATE", in)
	got, kind := lastCallback(t, f, "press1")
	reply := got.text()
	if kind == 5 || kind == 6 {
		var em wireMessage
		f.waitCalls("PATCH", "/webhooks/app1/tok-press1/messages/@original", 1)[0].decode(t, &em)
		reply = em.text()
	}
	for _, want := range []string{"Linked 2 people to their chat accounts (2 on Discord by username).",
		"15 people aren't linked yet", "No Discord account has their username: Staff Member 0 (staff-0),"} {
		if !strings.Contains(reply, want) {
			t.Errorf("the answer lacks %q:\n%s", want, reply)
		}
	}
	if n := len(f.callsTo("GET", "/guilds/g1/members/search")); n != 17 {
		t.Errorf("%d searches, want one per person (17)", n)
	}
	for sid, account := range map[string]string{rostertest.StudentID(0): "d0", rostertest.StudentID(1): "d1"} {
		u, err := store.User(context.Background(), "discord:g1:"+account)
		if err != nil || u.ID != plpbot.RosterID(sid) || u.PlatformID != account || u.CantDM != "" {
			t.Errorf("discord:g1:%s is %+v, %v; want %s, reachable there", account, u, err, sid)
		}
	}
}

// TestFindUserInTheSchoolsServer: with no server given and none configured,
// FindUser looks in the one server the bot is in (plpbot import, which runs
// no gateway, asks Discord which).
func TestFindUserInTheSchoolsServer(t *testing.T) {
	h, _ := realHandlerStore(t)
	f := newFakeDiscord(t)
	a, _ := newTestAdapter(t, f, h, "")
	f.mu.Lock()
	f.members = []fakeMember{{ID: "d0", Username: "stu-0", Nick: "Sam"}}
	f.mu.Unlock()
	id, err := a.FindUser(context.Background(), "", "stu-0")
	if err != nil || id.Workspace != "g1" || id.UserID != "d0" {
		t.Fatalf("FindUser: %+v, %v; want d0 in g1", id, err)
	}
	f.mu.Lock()
	f.guilds = append(f.guilds, fakeGuild{ID: "g2", Name: "Another school"})
	f.mu.Unlock()
	_, err = a.FindUser(context.Background(), "", "stu-0")
	var ue *bot.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Hint, "discord.guild_id") {
		t.Errorf("in two servers: %v; want to be told to set discord.guild_id", err)
	}
}
