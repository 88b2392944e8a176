package slack

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
)

// schoolZipBytes is the small test school as a .zip's bytes.
func schoolZipBytes(t *testing.T, edit func(rostertest.Files)) []byte {
	t.Helper()
	f := rostertest.Small("1.2").Files()
	if edit != nil {
		edit(f)
	}
	p := filepath.Join(t.TempDir(), "school.zip")
	if err := f.WriteZip(p, false); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shareInDM sends a DM from user with one shared file, as Slack's
// file_share message event, and returns the text of what the bot posted.
func (e *e2e) shareInDM(t *testing.T, evID, user, text string, file map[string]any) string {
	t.Helper()
	before := len(e.fake.callsTo("chat.postMessage"))
	e.event(t, evID, map[string]any{"type": "message", "subtype": "file_share", "channel": "D" + user, "channel_type": "im",
		"user": user, "text": text, "ts": "1700000000.000500", "files": []map[string]any{file}}, nil)
	e.wait()
	var out strings.Builder
	for _, c := range e.fake.callsTo("chat.postMessage")[before:] {
		out.WriteString(c.allText(t))
		out.WriteString(c.param("text"))
	}
	return out.String()
}

// buttonValues are the values of the buttons of every message posted.
func buttonValues(t *testing.T, calls []apiCall) []string {
	var out []string
	for _, c := range calls {
		for _, b := range c.blocks(t) {
			els, _ := b["elements"].([]any)
			for _, el := range els {
				if m, ok := el.(map[string]any); ok && m["type"] == "button" {
					out = append(out, m["value"].(string))
				}
			}
		}
	}
	return out
}

func TestSlackImportFromAFileShare(t *testing.T) {
	e := newE2E(t)
	fileURL := e.fake.shareFile("lincoln.zip", schoolZipBytes(t, nil))
	file := map[string]any{"id": "F1", "name": "lincoln.zip", "size": 4000, "url_private_download": fileURL}
	got := e.shareInDM(t, "EvImp1", "UADMIN", "/plp import", file)
	for _, want := range []string{"lincoln.zip", "students", "enrollments", "Nothing is imported until you confirm", "Apply this import"} {
		if !strings.Contains(got, want) {
			t.Fatalf("the dry run lacks %q:\n%s", want, got)
		}
	}
	if _, err := e.store.User(context.Background(), plpbot.RosterID(rostertest.StudentID(0))); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the dry run wrote: %v", err)
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
	e.interaction(t, map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T1"}, "user": map[string]any{"id": "UADMIN", "team_id": "T1"},
		"channel": map[string]any{"id": "DUADMIN"}, "response_url": e.fake.responseURL("apply"),
		"actions": []map[string]any{{"type": "button", "action_id": "plp_0", "block_id": "b", "value": apply}},
	})
	e.wait()
	answer := e.fake.waitCalls(t, "response_url", 1)
	if txt := answer[len(answer)-1].allText(t); !strings.Contains(txt, "Imported:") {
		t.Fatalf("apply answered:\n%s", txt)
	}
	if _, err := e.store.User(context.Background(), plpbot.RosterID(rostertest.StudentID(0))); err != nil {
		t.Fatalf("after apply: %v", err)
	}
}

func TestSlackImportRefusals(t *testing.T) {
	e := newE2E(t)
	bad := schoolZipBytes(t, func(f rostertest.Files) {
		f["enrollments.csv"] = append(f["enrollments.csv"], []string{"enr-x", "", "", "c-77", "org-1", rostertest.StudentID(0), "student", "false", "2026-08-24", ""})
	})
	fileURL := e.fake.shareFile("bad.zip", bad)
	got := e.shareInDM(t, "EvBad", "UADMIN", "/plp import", map[string]any{"id": "F2", "name": "bad.zip", "size": len(bad), "url_private_download": fileURL})
	if !strings.Contains(got, "enrollments.csv:") || !strings.Contains(got, "c-77") || !strings.Contains(got, "imported nothing") {
		t.Errorf("a roster with a problem answered:\n%s", got)
	}

	downloads := len(e.fake.callsTo("file"))
	got = e.shareInDM(t, "EvBig", "UADMIN", "/plp import", map[string]any{"id": "F3", "name": "huge.zip", "size": 60 << 20, "url_private_download": fileURL})
	if !strings.Contains(got, "50 MB") || len(e.fake.callsTo("file")) != downloads {
		t.Errorf("a 60 MB file: answered %q, downloads %d → %d; want refused without downloading", got, downloads, len(e.fake.callsTo("file")))
	}

	got = e.shareInDM(t, "EvStu", "U1", "/plp import", map[string]any{"id": "F4", "name": "bad.zip", "size": len(bad), "url_private_download": fileURL})
	if !strings.Contains(got, "for admins") || len(e.fake.callsTo("file")) != downloads {
		t.Errorf("a student's import answered %q", got)
	}

	// A file shared without words is not read.
	if got := e.shareInDM(t, "EvPhoto", "UADMIN", "", map[string]any{"id": "F6", "name": "photo.png", "size": 100, "url_private_download": fileURL}); got != "" {
		t.Errorf("a file shared without words answered %q", got)
	}

	// A URL off Slack's file host is never fetched (the bot token stays home).
	got = e.shareInDM(t, "EvOff", "UADMIN", "/plp import", map[string]any{"id": "F5", "name": "x.zip", "size": 100, "url_private_download": "https://evil.example/files/x.zip"})
	if !strings.Contains(got, "couldn't download") || strings.Contains(got, "students") {
		t.Errorf("a file off Slack's host answered %q", got)
	}
	for _, c := range []string{"https://files.slack.com/x", "https://FILES.slack.com/x"} {
		if u := mustURL(t, c); !e.fileHostAllowed(u) {
			t.Errorf("%s refused", c)
		}
	}
	for _, c := range []string{"http://files.slack.com/x", "https://files.slack.com.evil.example/x", "https://evil.example/x"} {
		if u := mustURL(t, c); e.fileHostAllowed(u) {
			t.Errorf("%s allowed", c)
		}
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
