package discord

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

// dmWithFile sends a DM from user with one attachment and returns the
// bot's answers in that DM (the n-th and later messages to its channel).
func dmWithFile(t *testing.T, f *fakeDiscord, id, user, text string, att map[string]any, n int) wireMessage {
	t.Helper()
	msg := dmMessage(id, user, text)
	msg["attachments"] = []map[string]any{att}
	f.dispatch("MESSAGE_CREATE", msg)
	cs := f.waitCalls("POST", "/channels/dm-"+user+"/messages", n)
	var m wireMessage
	cs[n-1].decode(t, &m)
	return m
}

func TestDiscordImportFromAnAttachment(t *testing.T) {
	h, store := realHandlerStore(t)
	f, a, _ := startAdapter(t, h)
	data := schoolZipBytes(t, nil)
	att := map[string]any{"id": "a1", "filename": "lincoln.zip", "size": len(data), "url": f.attach("lincoln.zip", data)}
	m := dmWithFile(t, f, "m1", "t1", "/plp import", att, 1)
	text := m.text()
	for _, want := range []string{"lincoln.zip", "students", "Nothing is imported until you confirm"} {
		if !strings.Contains(text, want) {
			t.Fatalf("the dry run lacks %q:\n%s", want, text)
		}
	}
	var apply string
	for _, row := range m.Components {
		for _, c := range row.Components {
			if strings.Contains(c.CustomID, "import apply ") && c.Label == "Apply this import" {
				apply = c.CustomID
			}
		}
	}
	if apply == "" {
		t.Fatalf("no Apply button in %+v", m.Components)
	}
	if _, err := store.User(context.Background(), plpbot.RosterID(rostertest.StudentID(0))); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the dry run wrote: %v", err)
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
	if !strings.Contains(reply, "Imported:") {
		t.Fatalf("apply answered %q", reply)
	}
	if _, err := store.User(context.Background(), plpbot.RosterID(rostertest.StudentID(0))); err != nil {
		t.Fatalf("after apply: %v", err)
	}

	// Refusals: a roster with a problem, a file too large, a student, a URL off the CDN.
	bad := schoolZipBytes(t, func(f rostertest.Files) {
		f["enrollments.csv"] = append(f["enrollments.csv"], []string{"enr-x", "", "", "c-77", "org-1", rostertest.StudentID(0), "student", "false", "2026-08-24", ""})
	})
	badURL := f.attach("bad.zip", bad)
	m = dmWithFile(t, f, "m2", "t1", "/plp import", map[string]any{"id": "a2", "filename": "bad.zip", "size": len(bad), "url": badURL}, 2)
	if text := m.text(); !strings.Contains(text, "enrollments.csv:") || !strings.Contains(text, "imported nothing") || len(m.Components) != 0 {
		t.Errorf("a roster with a problem answered %q (%d button rows)", text, len(m.Components))
	}
	downloads := len(f.callsTo("GET", "/attachments/"))
	m = dmWithFile(t, f, "m3", "t1", "/plp import", map[string]any{"id": "a3", "filename": "huge.zip", "size": 60 << 20, "url": badURL}, 3)
	if text := m.text(); !strings.Contains(text, "50 MB") || len(f.callsTo("GET", "/attachments/")) != downloads {
		t.Errorf("a 60 MB file answered %q", text)
	}
	m = dmWithFile(t, f, "m4", "u1", "/plp import", map[string]any{"id": "a4", "filename": "bad.zip", "size": len(bad), "url": badURL}, 1)
	if text := m.text(); !strings.Contains(text, "for admins") || len(f.callsTo("GET", "/attachments/")) != downloads {
		t.Errorf("a student's import answered %q", text)
	}
	for raw, want := range map[string]bool{"https://cdn.discordapp.com/attachments/1/2/r.zip": true, "http://cdn.discordapp.com/x": false,
		"https://cdn.discordapp.com.evil.example/x": false, "https://evil.example/attachments/r.zip": false} {
		u, _ := url.Parse(raw)
		if got := a.cdnAllowed(u); got != want {
			t.Errorf("cdnAllowed(%s) = %v, want %v", raw, got, want)
		}
	}
	m = dmWithFile(t, f, "m5", "t1", "/plp import", map[string]any{"id": "a5", "filename": "x.zip", "size": 10, "url": "https://evil.example/x.zip"}, 4)
	if text := m.text(); !strings.Contains(text, "couldn't download") {
		t.Errorf("a file off the CDN answered %q", text)
	}
}
