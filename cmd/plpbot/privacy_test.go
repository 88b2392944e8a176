package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runAt runs plpbot with args at now, without a console, and returns its
// output and exit code.
func runAt(t *testing.T, now time.Time, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr, m.Env = strings.NewReader(""), &out, &errOut, nil
	m.Now = func() time.Time { return now }
	code = run(context.Background(), m, args)
	return out.String(), errOut.String(), code
}

// copyDir copies the files of dir (the embedded database) to a new folder:
// a backup.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

// TestRetentionAndErasures: kit joins and never joins a class; a year and a
// month later `plpbot retention -dry-run` lists kit only, `plpbot
// retention` purges kit, and a backup taken before brings kit back until
// the exported erasure log is applied to it.
func TestRetentionAndErasures(t *testing.T) {
	dataDir := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "plpbot.yaml")
	cfg := "data_dir: " + dataDir + "\nschedule: {timezone: UTC}\nprivacy: {retention_days: 365}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, "-config", cfgPath, "console").session(
		"/plp role @ms-lee teacher",
		":as sam", "/plp goal add Read three novels",
		":as kit", "/plp reflect I might join a class later",
		":as ms-lee", "/plp class create Period 3", "/plp class add @sam",
	)
	backup := copyDir(t, dataDir)
	later := testClock().Add(400 * 24 * time.Hour)

	out, errOut, code := runAt(t, later, "-config", cfgPath, "retention", "-dry-run")
	if code != exitOK {
		t.Fatalf("retention -dry-run: exit %d: %s", code, errOut)
	}
	mustHave(t, out, "privacy.retention_days is 365", "student    kit (console::kit)", "1 person would be purged")
	for _, kept := range []string{"sam", "ms-lee", "admin"} {
		if strings.Contains(out, " "+kept+" (") {
			t.Errorf("retention -dry-run lists %s:\n%s", kept, out)
		}
	}
	out, _, code = runAt(t, later, "-config", cfgPath, "retention")
	if code != exitOK || !strings.Contains(out, "Purged 1 person") {
		t.Fatalf("retention: exit %d:\n%s", code, out)
	}
	out, _, _ = runAt(t, later, "-config", cfgPath, "retention", "-dry-run")
	mustHave(t, out, "Nobody would be purged.")

	out, _, code = runAt(t, later, "-config", cfgPath, "erasures")
	if code != exitOK {
		t.Fatalf("erasures: exit %d", code)
	}
	mustHave(t, out, "by the retention policy", "1 erasure record in the log")
	if strings.Contains(out, "kit") {
		t.Errorf("the erasure log names kit:\n%s", out)
	}
	logFile := filepath.Join(t.TempDir(), "erasures.json")
	out, _, code = runAt(t, later, "-config", cfgPath, "erasures", "-export", logFile)
	if code != exitOK {
		t.Fatalf("erasures -export: exit %d", code)
	}
	mustHave(t, out, "Wrote 1 erasure record and their key")
	if fi, err := os.Stat(logFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("exported log: %v %v, want mode 0600", fi, err)
	}

	// Restore the backup: kit is back until the log is applied.
	restored := filepath.Join(t.TempDir(), "restored.yaml")
	if err := os.WriteFile(restored, []byte("data_dir: "+backup+"\nschedule: {timezone: UTC}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runAt(t, later, "-config", restored, "erasures", "-apply", logFile)
	if code != exitOK {
		t.Fatalf("erasures -apply: exit %d: %s", code, errOut)
	}
	mustHave(t, out, "Applied 1 erasure record: 1 person the database held again was forgotten again")
	out, _, _ = runAt(t, later, "-config", restored, "erasures", "-apply", logFile)
	mustHave(t, out, "0 people the database held again were forgotten again")
}

func mustHave(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("output lacks %q:\n%s", w, s)
		}
	}
}

func TestPrivacySubcommandErrors(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "plpbot.yaml")
	if err := os.WriteFile(cfgPath, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"retention off", []string{"retention"}, "config: privacy.retention_days: is 0 (never): set how many days"},
		{"dry-run elsewhere", []string{"console", "-dry-run"}, "plpbot console: -dry-run is for plpbot retention"},
		{"export elsewhere", []string{"outbox", "-export", "x"}, "plpbot outbox: -export and -apply are for plpbot erasures"},
		{"export and apply", []string{"erasures", "-export", "x", "-apply", "y"}, "plpbot erasures: -export or -apply, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runAt(t, testClock(), append([]string{"-config", cfgPath}, tt.args...)...)
			if code != exitUsage || !strings.HasPrefix(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, exitUsage, tt.want)
			}
		})
	}
}
