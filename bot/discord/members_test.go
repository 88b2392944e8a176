package discord

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

func discordUID(id string) string {
	return storage.Identity{Platform: string(bot.Discord), Workspace: "g1", PlatformID: id}.UserID()
}

// TestEndToEndClassSyncRole: on Discord, /plp class sync role:@Role enrolls
// the server's members with that role — read page by page from List Guild
// Members, bots and staff left out — and says who was added. Without a
// role it asks for one; with the Server Members intent off it says how to
// switch it on.
func TestEndToEndClassSyncRole(t *testing.T) {
	h, store := realHandlerStore(t)
	f, _, _ := startAdapter(t, h)
	ctx := context.Background()
	if got := e2eSlash(t, f, "s1", "t1", []string{"class", "create"}, []map[string]any{opt("name", 3, "Period 3")}, nil); !strings.Contains(got, "Period 3") {
		t.Fatalf("class create: %q", got)
	}
	const role = "555"
	var members []fakeMember
	for i := range 1100 { // more than one page of 1,000
		members = append(members, fakeMember{ID: fmt.Sprintf("%06d", 100000+i), Username: fmt.Sprintf("user%d", i)})
	}
	for _, i := range []int{3, 500, 1050} { // students with the role, on both pages
		members[i].Roles = []string{role}
		members[i].Nick = fmt.Sprintf("Student %d", i)
	}
	members[7].Roles, members[7].Bot = []string{role}, true // a bot with the role
	members = append(members, fakeMember{ID: "t1", Username: "mslee", Roles: []string{role}})
	f.mu.Lock()
	f.members = members
	f.mu.Unlock()

	got := e2eSlash(t, f, "s2", "t1", []string{"class", "sync"}, []map[string]any{opt("role", 8, role)}, nil)
	for _, want := range []string{"Class synced", "Student 3, Student 500 and Student 1050"} {
		if !strings.Contains(got, want) {
			t.Errorf("class sync answered without %q:\n%s", want, got)
		}
	}
	if pages := f.callsTo("GET", "/guilds/g1/members"); len(pages) != 2 {
		t.Errorf("List Guild Members pages = %d, want 2", len(pages))
	}
	cl, err := store.ClassByName(ctx, "discord", "g1", "Period 3")
	if err != nil {
		t.Fatal(err)
	}
	students, _ := store.ClassMembers(ctx, cl.ID, plpbot.MemberStudent)
	slices.Sort(students)
	if want := []string{discordUID("100003"), discordUID("100500"), discordUID("101050")}; !slices.Equal(students, want) {
		t.Errorf("students = %v, want %v", students, want)
	}

	if got := e2eSlash(t, f, "s3", "t1", []string{"class", "sync"}, nil, nil); !strings.Contains(got, "name it") {
		t.Errorf("sync without a role on Discord:\n%s", got)
	}

	// Usernames pasted into class add are found by Search Guild Members.
	got = e2eSlash(t, f, "s4", "t1", []string{"class", "add"}, []map[string]any{opt("list", 3, "user20, @USER21 nobody")}, nil)
	for _, want := range []string{"user20 and user21", "couldn't find anyone by the username nobody"} {
		if !strings.Contains(got, want) {
			t.Errorf("class add by username answered without %q:\n%s", want, got)
		}
	}

	f.mu.Lock()
	f.noMembersIntent = true
	f.mu.Unlock()
	got = e2eSlash(t, f, "s5", "t1", []string{"class", "sync"}, []map[string]any{opt("role", 8, role)}, nil)
	if !strings.Contains(got, "Server Members intent is off") || !strings.Contains(got, "Server Members Intent") {
		t.Errorf("with the intent off:\n%s", got)
	}
}
