package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// discordFake is the part of Discord's REST API that plpbot import calls
// to link people: the bot's servers and Search Guild Members. members are
// the server's, username → user id.
type discordFake struct {
	srv *httptest.Server

	mu       sync.Mutex
	members  map[string]string
	searches int
}

func newDiscordFake(t *testing.T, members map[string]string) *discordFake {
	t.Helper()
	f := &discordFake{members: members}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/@me/guilds", func(w http.ResponseWriter, r *http.Request) {
		writeDiscordJSON(w, []map[string]any{{"id": "100000000000000001", "name": "Lincoln High"}})
	})
	mux.HandleFunc("GET /guilds/{guild}/members/search", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.searches++
		out := []map[string]any{}
		q := strings.ToLower(r.URL.Query().Get("query"))
		for name, id := range f.members {
			if strings.HasPrefix(strings.ToLower(name), q) {
				out = append(out, map[string]any{"user": map[string]any{"id": id, "username": name, "global_name": name}, "roles": []string{}})
			}
		}
		writeDiscordJSON(w, out)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("discord fake: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func writeDiscordJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// TestImportLinksOnSlackAndDiscord runs plpbot import oneroster with both
// platforms configured: the dry run looks nobody up; the import looks up
// each person not linked yet on Slack by email and on Discord by username
// and links what it finds, a person found on both to one plan; the report
// lists the rest; the next import looks up nobody it has just looked up.
func TestImportLinksOnSlackAndDiscord(t *testing.T) {
	slack := newSlackFake(t)
	slack.emails[rostertest.StudentID(0)+"@lincoln.example"] = "US0"
	slack.emails[rostertest.StaffID(0)+"@lincoln.example"] = "UT0"
	discord := newDiscordFake(t, map[string]string{rostertest.StudentID(0): "200000000000000000", rostertest.StudentID(1): "200000000000000001"})
	dataDir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "plpbot.yaml")
	yaml := "data_dir: " + dataDir + "\nschedule:\n  timezone: UTC\n" +
		"slack:\n  bot_token: xoxb-1\n  app_token: xapp-1\n  api_url: " + slack.apiURL() + "\n" +
		"discord:\n  token: tok\n  app_id: \"100000000000000009\"\n  api_url: " + discord.srv.URL + "\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "lincoln.zip")
	// Six people: Slack's burst of five lookups, then one at its Tier 3 pace.
	school := rostertest.School{Version: "1.2", Students: 4, Teachers: 1, Admins: 1, Classes: 1, Enrollments: 5}
	if err := school.Files().WriteZip(zipPath, false); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runImport(t, "-config", cfg, "import", "oneroster", zipPath, "-dry-run")
	if code != exitOK || !strings.Contains(out, "Dry run: I looked nobody up. The import looks up the people not linked yet on Slack by email and on Discord by username.") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	if n := slack.count("users.lookupByEmail") + discord.searches; n != 0 {
		t.Errorf("the dry run made %d lookups", n)
	}

	code, out, errOut = runImport(t, "-config", cfg, "import", "oneroster", zipPath)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"Linked 3 people to their chat accounts (2 on Slack by email, 2 on Discord by username).",
		"3 people aren't linked yet — they'll be linked when they first message me, or use `/plp link @user SOURCEDID`:",
		"• No Slack account has their email; no Discord account has their username: Staff Member 1 (staff-1),",
		"Imported: 15 changes written.\nLinked 3 people",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "Linking people to their chat accounts: looking up 6 on Slack by email (Slack answers about 50 a minute, so under a minute) and 6 on Discord by username.") {
		t.Errorf("no progress on stderr:\n%s", errOut)
	}
	if n, m := slack.count("users.lookupByEmail"), discord.searches; n != 6 || m != 6 {
		t.Errorf("%d Slack and %d Discord lookups, want 6 each", n, m)
	}

	code, out, _ = runImport(t, "-config", cfg, "import", "oneroster", zipPath)
	if code != exitOK || slack.count("users.lookupByEmail") != 6 || discord.searches != 6 ||
		!strings.Contains(out, "Nothing changed since the last import") || !strings.Contains(out, "3 people aren't linked yet") {
		t.Errorf("the same import again: exit %d, %d + %d lookups in all\n%s", code, slack.count("users.lookupByEmail"), discord.searches, out)
	}

	// One plan: stu-0's Slack and Discord accounts both open roster:stu-0.
	store := storagetest.OpenIn(t, dataDir, nil)
	for _, account := range []string{"slack:T1:US0", "discord:100000000000000001:200000000000000000"} {
		u, err := store.User(context.Background(), account)
		if err != nil || u.ID != plpbot.RosterID(rostertest.StudentID(0)) {
			t.Errorf("%s is %+v, %v; want roster:stu-0", account, u, err)
		}
	}
}

// TestImportLinksFromSlacksMemberList runs plpbot import oneroster for a
// school of 42 with Slack configured: more than a few people to look up,
// so Slack's member list is read once (users.list) and nobody is looked
// up by email; stderr says so. The next import reads nothing.
func TestImportLinksFromSlacksMemberList(t *testing.T) {
	slack := newSlackFake(t)
	for i := range 35 {
		slack.emails[rostertest.StudentID(i)+"@lincoln.example"] = fmt.Sprintf("US%02d", i)
	}
	dataDir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "plpbot.yaml")
	yaml := "data_dir: " + dataDir + "\nschedule:\n  timezone: UTC\n" +
		"slack:\n  bot_token: xoxb-1\n  app_token: xapp-1\n  api_url: " + slack.apiURL() + "\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "lincoln.zip")
	school := rostertest.School{Version: "1.2", Students: 40, Teachers: 1, Admins: 1, Classes: 1, Enrollments: 41}
	if err := school.Files().WriteZip(zipPath, false); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runImport(t, "-config", cfg, "import", "oneroster", zipPath)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "Linked 35 people to their chat accounts (35 on Slack by email).") ||
		!strings.Contains(out, "7 people aren't linked yet") {
		t.Errorf("the report:\n%s", out)
	}
	if !strings.Contains(errOut, "looking up 42 on Slack by email, against Slack's member list (read once, 200 people a call: about a minute for every 4,000 people in the workspace)") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if n, m := slack.count("users.list"), slack.count("users.lookupByEmail"); n != 1 || m != 0 {
		t.Errorf("%d users.list and %d users.lookupByEmail calls, want 1 and 0", n, m)
	}

	code, out, _ = runImport(t, "-config", cfg, "import", "oneroster", zipPath)
	if n, m := slack.count("users.list"), slack.count("users.lookupByEmail"); code != exitOK || n != 1 || m != 0 {
		t.Errorf("the same import again: exit %d, %d users.list and %d lookups in all\n%s", code, n, m, out)
	}
}
