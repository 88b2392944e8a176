package handlers_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// schoolZip writes the small test school (changed by edit, if set) as a
// .zip and returns its path.
func schoolZip(t *testing.T, edit func(rostertest.Files)) string {
	t.Helper()
	f := rostertest.Small("1.2").Files()
	if edit != nil {
		edit(f)
	}
	p := filepath.Join(t.TempDir(), "lincoln-2026.zip")
	if err := f.WriteZip(p, false); err != nil {
		t.Fatal(err)
	}
	return p
}

// fileAttachment is an attachment that reads the file at p.
func fileAttachment(t *testing.T, p string) bot.Attachment {
	t.Helper()
	info, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return bot.Attachment{Name: filepath.Base(p), Size: info.Size(),
		Fetch: func(context.Context) (io.ReadCloser, error) { return os.Open(p) }}
}

// dmWith sends text with attachments to the bot as a DM from name.
func (e *env) dmWith(name, text string, atts ...bot.Attachment) ([]bot.Message, error) {
	e.t.Helper()
	return e.h.Handle(context.Background(), &bot.Request{Actor: id(name), Text: text, Place: bot.Place{Kind: bot.InDM}, Attachments: atts})
}

func (e *env) rosterPerson(sid string) (*plpbot.Person, error) {
	return e.store.User(context.Background(), plpbot.RosterID(sid))
}

func TestImportFromChatDryRunThenApply(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan") // the console's first user is its admin
	msgs, err := e.dmWith("admin", "/plp import", fileAttachment(t, schoolZip(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	out := plain(msgs)
	mustContain(t, out, "lincoln-2026.zip", "created", "students", "12", "Unmatched", "Nothing is imported until you confirm")
	if len(msgs) != 1 || len(msgs[0].Buttons) != 1 || msgs[0].Buttons[0].Label != "Apply this import" {
		t.Fatalf("want one message with an Apply button, got %+v", msgs)
	}
	if _, err := e.rosterPerson(rostertest.StudentID(0)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a dry run wrote the roster: User = %v", err)
	}
	press := msgs[0].Buttons[0].Command
	if !strings.HasPrefix(press, "import apply ") {
		t.Fatalf("button command = %q", press)
	}
	mustContain(t, e.ok("admin", press), "Imported:", "changes written")
	if _, err := e.rosterPerson(rostertest.StudentID(0)); err != nil {
		t.Fatalf("after apply: %v", err)
	}
	// Applied once: the kept copy is gone.
	mustContain(t, e.fails("admin", press, bot.ENotFound), "/plp import")
	entries, err := e.store.AuditLog(context.Background(), "roster", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != "import" || !strings.Contains(entries[0].Detail, "applied lincoln-2026.zip") {
		t.Errorf("audit = %+v; want the dry run and the apply, as import", entries)
	}
	// The same file again: nothing would change, nothing to apply.
	msgs, err = e.dmWith("admin", "import", fileAttachment(t, schoolZip(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Nothing would change")
	if len(msgs[0].Buttons) != 0 {
		t.Errorf("an unchanged roster offers %v", msgs[0].Buttons)
	}
}

func TestImportFromChatRefusesARosterWithProblems(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	bad := schoolZip(t, func(f rostertest.Files) {
		f["enrollments.csv"] = append(f["enrollments.csv"], []string{"enr-x", "", "", "c-77", "org-1", rostertest.StudentID(0), "student", "false", "2026-08-24", ""})
	})
	msgs, err := e.dmWith("admin", "/plp import", fileAttachment(t, bad))
	if err != nil {
		t.Fatal(err)
	}
	out := plain(msgs)
	mustContain(t, out, "enrollments.csv:", `"c-77"`, "imported nothing", "/plp import")
	if len(msgs[0].Buttons) != 0 {
		t.Errorf("a refused roster offers %v", msgs[0].Buttons)
	}
	if _, err := e.rosterPerson(rostertest.StudentID(0)); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a refused roster wrote people: %v", err)
	}
}

func TestImportFromChatIsForAdmins(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	fetched := false
	att := bot.Attachment{Name: "r.zip", Size: 10, Fetch: func(context.Context) (io.ReadCloser, error) {
		fetched = true
		return io.NopCloser(strings.NewReader("x")), nil
	}}
	_, err := e.dmWith("sam", "/plp import", att)
	if ue, ok := bot.AsUserError(err); !ok || ue.Code != bot.EForbidden {
		t.Fatalf("a student's import = %v; want forbidden", err)
	}
	if fetched {
		t.Error("a student's attachment was downloaded")
	}
	e.fails("sam", "import apply abc", bot.EForbidden)
}

func TestImportFromChatRefusesTooLargeFiles(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	fetched := false
	big := bot.Attachment{Name: "huge.zip", Size: 60 << 20, Fetch: func(context.Context) (io.ReadCloser, error) {
		fetched = true
		return nil, errors.New("should not download")
	}}
	_, err := e.dmWith("admin", "/plp import", big)
	ue, ok := bot.AsUserError(err)
	if !ok || !strings.Contains(ue.Message, "60 MB") || !strings.Contains(ue.Message, "50 MB") || fetched {
		t.Fatalf("a 60 MB attachment = %v (downloaded %v); want refused before download", err, fetched)
	}
	// A file that says it is small but isn't is cut off at the limit.
	liar := bot.Attachment{Name: "liar.zip", Size: 1000, Fetch: func(context.Context) (io.ReadCloser, error) {
		return io.NopCloser(io.LimitReader(zeros{}, bot.MaxAttachmentSize+10)), nil
	}}
	_, err = e.dmWith("admin", "/plp import", liar)
	if ue, ok := bot.AsUserError(err); !ok || !strings.Contains(ue.Message, "50 MB") {
		t.Fatalf("an attachment larger than it said = %v; want refused", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestImportWithoutAFileSaysHow(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	mustContain(t, e.fails("admin", "import", bot.EInvalid), "path of the .zip")
	slackAdmin := handlers.New(e.store, handlers.Options{Now: func() time.Time { return e.now }, Admins: map[bot.Platform][]string{bot.Slack: {"U9"}}})
	_, err := slackAdmin.Handle(context.Background(), &bot.Request{Actor: bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U9"},
		Text: "import", Slash: true, Place: bot.Place{Kind: bot.InDM}})
	if ue, ok := bot.AsUserError(err); !ok || !strings.Contains(ue.Hint, "attach the .zip") {
		t.Fatalf("import without a file on Slack = %v", err)
	}
	// A path is the console's: from Slack it reads nothing on the server.
	_, err = slackAdmin.Handle(context.Background(), &bot.Request{Actor: bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U9"},
		Text: "import " + schoolZip(t, nil), Slash: true, Place: bot.Place{Kind: bot.InDM}})
	if ue, ok := bot.AsUserError(err); !ok || !strings.Contains(ue.Hint, "attach the .zip") {
		t.Fatalf("a server path from Slack = %v; want the ask for an attachment", err)
	}
}

func TestConsoleImportsALocalZip(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	out := e.ok("admin", "import "+schoolZip(t, nil))
	mustContain(t, out, "lincoln-2026.zip", "Nothing is imported until you confirm")
	mustContain(t, e.fails("admin", "import "+t.TempDir(), bot.EInvalid), "plpbot import oneroster")
}

// BenchmarkChatImportBig is /plp import of the README's big school (2,000
// students, 12,000 enrollments) from an attachment: download, dry run and
// keeping the file, then the apply.
func BenchmarkChatImportBig(b *testing.B) {
	p := filepath.Join(b.TempDir(), "big.zip")
	if err := rostertest.Big("1.2").Files().WriteZip(p, false); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(p)
	for b.Loop() {
		b.StopTimer()
		t := &testing.T{}
		e := &env{t: t, now: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)}
		clock := func() time.Time { return e.now }
		e.store = storagetest.New(b, clock)
		e.h = handlers.New(e.store, handlers.Options{Now: clock})
		att := bot.Attachment{Name: "big.zip", Size: info.Size(), Fetch: func(context.Context) (io.ReadCloser, error) { return os.Open(p) }}
		if _, err := e.h.Handle(context.Background(), &bot.Request{Actor: id("admin"), Text: "plan", Slash: true}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		msgs, err := e.h.Handle(context.Background(), &bot.Request{Actor: id("admin"), Text: "import", Place: bot.Place{Kind: bot.InDM}, Attachments: []bot.Attachment{att}})
		if err != nil || len(msgs) == 0 || len(msgs[0].Buttons) == 0 {
			b.Fatalf("dry run: %v %v", err, msgs)
		}
		dry := time.Since(start)
		start = time.Now()
		if _, err := e.h.Handle(context.Background(), &bot.Request{Actor: id("admin"), Text: msgs[0].Buttons[0].Command, Slash: true}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(info.Size())/1e6, "zip-MB")
		b.ReportMetric(dry.Seconds(), "dryrun-s")
		b.ReportMetric(time.Since(start).Seconds(), "apply-s")
	}
}

// TestImportLinkOnTheConsole: the console can't look anyone up, so applying
// an import and /plp import link say how people get linked instead.
func TestImportLinkOnTheConsole(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	msgs, err := e.dmWith("admin", "/plp import", fileAttachment(t, schoolZip(t, nil)))
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, e.ok("admin", msgs[0].Buttons[0].Command), "Imported:",
		"Unmatched: 12 students and 5 members of staff aren't linked to a chat account yet. They're linked when they first use plpbot, or with `/plp link @user SOURCEDID`.")
	mustContain(t, e.ok("admin", "import link"),
		"Here I can't look anyone up by email or username: people are linked when they first use plpbot, or with `/plp link @user SOURCEDID`.")
	e.fails("sam", "import link", bot.EForbidden)
}
