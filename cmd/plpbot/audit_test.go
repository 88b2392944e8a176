package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
)

// seedAudit writes an audit log into the embedded database under dataDir:
// one read before November; an entry of feedback (as written before
// feedback was its own entry) whose detail holds a comma, quotes and a
// newline; feedback given since, which is its own entry; an entry about
// someone no longer known whose detail looks like a spreadsheet formula;
// and a roster of 1,200 entries (more than one batch of the export).
func seedAudit(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Options{DataDir: dataDir, Now: testClock})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(ctx)
	if _, _, err := store.EnsureUser(ctx, storage.Identity{Platform: "console", PlatformID: "sam"}, storage.UserHints{Name: "Sam O'Neil, Jr."}); err != nil {
		t.Fatal(err)
	}
	entries := []plpbot.AuditEntry{
		{ActorID: "console::ms-lee", ActorName: "ms-lee", Action: "view_plan", SubjectID: "console::sam", Detail: "since 2026-09-01",
			At: time.Date(2026, 10, 31, 23, 59, 0, 0, time.UTC)},
		{ActorID: "console::ms-lee", ActorName: "Lee, Ana", Action: "feedback", SubjectID: "console::sam", Detail: "goal 1, \"great\" start\nsecond line",
			At: time.Date(2026, 11, 2, 12, 30, 15, 0, time.UTC)},
		{ActorID: "console::admin", ActorName: "admin", Action: "forget", SubjectID: "console::gone", Detail: `=HYPERLINK("http://x")`,
			At: time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)},
	}
	for _, e := range entries {
		if err := store.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	// Feedback is the audit log's entry of itself: exported as one, without its text.
	if _, err := store.AddGoalAfter(ctx, plpbot.Goal{UserID: "console::sam", Title: "Read"}, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.AddFeedback(ctx, plpbot.Feedback{StudentID: "console::sam", StaffID: "console::ms-lee", StaffName: "ms-lee",
		GoalNumber: 2, Text: "FB-secret keep going", At: time.Date(2026, 11, 2, 13, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	roster := make([]plpbot.AuditEntry, 1200)
	for i := range roster {
		roster[i] = plpbot.AuditEntry{ActorID: "console::ms-lee", ActorName: "ms-lee", Action: "roster", SubjectID: "console::sam",
			Detail: "Period " + strconv.Itoa(i), At: time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC)}
	}
	if err := store.AuditMany(ctx, roster); err != nil {
		t.Fatal(err)
	}
}

// TestAuditExport: plpbot audit export writes the log as CSV that
// encoding/csv reads back field for field, oldest first, from -since on.
func TestAuditExport(t *testing.T) {
	dataDir := t.TempDir()
	cfgPath := writeConfig(t, dataDir) // schedule.timezone: UTC
	seedAudit(t, dataDir)

	out := filepath.Join(t.TempDir(), "audit.csv")
	var stdout, stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr, m.Env = strings.NewReader(""), &stdout, &stderr, nil
	if code := run(context.Background(), m, []string{"-config", cfgPath, "audit", "export", "-since", "2026-11-01", "-o", out}); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if got := stdout.String(); got != "Wrote 1203 audit entries to "+out+".\n" {
		t.Errorf("stdout = %q", got)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the export names students: mode %v, want 0600", info.Mode().Perm())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v\n%s", err, data)
	}
	want := [][]string{
		{"at", "actor_id", "actor_name", "action", "subject_id", "subject_name", "detail"},
		{"2026-11-02T12:30:15Z", "console::ms-lee", "Lee, Ana", "feedback", "console::sam", "Sam O'Neil, Jr.", "goal 1, \"great\" start\nsecond line"},
		{"2026-11-02T13:00:00Z", "console::ms-lee", "ms-lee", "feedback", "console::sam", "Sam O'Neil, Jr.", "goal 2"},
		{"2026-11-03T08:00:00Z", "console::admin", "admin", "forget", "console::gone", "", `'=HYPERLINK("http://x")`},
		{"2026-11-04T09:00:00Z", "console::ms-lee", "ms-lee", "roster", "console::sam", "Sam O'Neil, Jr.", "Period 0"},
	}
	if len(rows) != 1+1203 {
		t.Fatalf("%d rows, want a header and 1203 entries", len(rows))
	}
	if bytes.Contains(data, []byte("FB-secret")) {
		t.Errorf("the export holds the feedback's text:\n%.400s", data)
	}
	for i, w := range want {
		if !slices.Equal(rows[i], w) {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], w)
		}
	}
	if last := rows[len(rows)-1]; last[5] != "Sam O'Neil, Jr." || last[6] != "Period 1199" {
		t.Errorf("the last row (past the first batch) = %q", last)
	}
	if !bytes.Contains(data, []byte("\"goal 1, \"\"great\"\" start\nsecond line\"")) {
		t.Errorf("the detail is not quoted as RFC 4180 says:\n%.400s", data)
	}

	// Without -o and -since: the whole log, on standard output.
	stdout = lockedBuffer{}
	m = NewMain()
	m.Stdin, m.Stdout, m.Stderr, m.Env = strings.NewReader(""), &stdout, &stderr, nil
	if code := run(context.Background(), m, []string{"audit", "export", "-config", cfgPath}); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	rows, err = csv.NewReader(strings.NewReader(stdout.String())).ReadAll()
	if err != nil || len(rows) != 1+1204 || rows[1][0] != "2026-10-31T23:59:00Z" {
		t.Errorf("the whole log: %d rows, first %q, err %v", len(rows), rows[min(1, len(rows)-1)], err)
	}
}

// TestAuditExportArgs: mistakes on the command line get one clear line.
func TestAuditExportArgs(t *testing.T) {
	cfgPath := writeConfig(t, t.TempDir())
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no verb", []string{"audit"}, "plpbot audit: say what to do: plpbot audit export [-since YYYY-MM-DD] [-o FILE]"},
		{"misspelt verb", []string{"audit", "exprt"}, `plpbot audit: unknown command "exprt"; did you mean "export"? (plpbot audit export [-since YYYY-MM-DD] [-o FILE])`},
		{"bad date", []string{"-config", cfgPath, "audit", "export", "-since", "2026-02-30"}, `plpbot audit export: -since: want a real date as YYYY-MM-DD, got "2026-02-30"`},
		{"extra word", []string{"audit", "export", "now"}, `plpbot audit: unexpected argument "now" (see plpbot -h)`},
		{"-since elsewhere", []string{"-since", "2026-01-01", "console"}, "plpbot console: -since and -o are for plpbot audit export (see plpbot -h)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr lockedBuffer
			m := NewMain()
			m.Stdin, m.Stdout, m.Stderr, m.Env = strings.NewReader(""), &stdout, &stderr, nil
			if code := run(context.Background(), m, tt.args); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stderr.String() != tt.want+"\n" {
				t.Errorf("stderr:\n got %q\nwant %q", stderr.String(), tt.want+"\n")
			}
		})
	}
}

// BenchmarkWriteAuditCSV20000 exports a log of 20,000 entries about 2,000
// people from the embedded database, to io.Discard.
func BenchmarkWriteAuditCSV20000(b *testing.B) {
	ctx := context.Background()
	store, err := storage.Open(ctx, storage.Options{DataDir: b.TempDir(), Now: testClock})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close(ctx)
	entries := make([]plpbot.AuditEntry, 20000)
	for i := range entries {
		entries[i] = plpbot.AuditEntry{ActorID: "slack:T1:UT", ActorName: "Ms. Lee", Action: "roster",
			SubjectID: "slack:T1:U" + strconv.Itoa(i%2000), Detail: "Period 3, English"}
	}
	if err := store.AuditMany(ctx, entries); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if n, err := writeAuditCSV(ctx, store, io.Discard, time.Time{}); err != nil || n != len(entries) {
			b.Fatalf("wrote %d, %v", n, err)
		}
	}
}
