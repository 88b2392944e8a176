package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/roster/rostertest"
)

// runImport runs plpbot with args and returns its exit code and output.
func runImport(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr, m.Env = strings.NewReader(""), &stdout, &stderr, nil
	m.Now = testClock
	code := run(context.Background(), m, args)
	return code, stdout.String(), stderr.String()
}

// TestImportOneRoster runs plpbot import oneroster as an admin would: a
// dry run, the import from a .zip, the same again, and a set with a
// problem, refused with exit status 2.
func TestImportOneRoster(t *testing.T) {
	cfg := writeConfig(t, t.TempDir())
	zipPath := filepath.Join(t.TempDir(), "lincoln.zip")
	files := rostertest.Small("1.2").Files()
	if err := files.WriteZip(zipPath, true); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runImport(t, "-config", cfg, "import", "oneroster", zipPath, "-dry-run")
	if code != exitOK || !strings.Contains(out, "Dry run: nothing was written.") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runImport(t, "-config", cfg, "import", "oneroster", zipPath)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"OneRoster 1.2 roster from " + zipPath,
		"students           12        0        0          0",
		"enrollments        28        0        0          0",
		"Unmatched: 12 students and 5 members of staff aren't linked to a chat account yet",
		"No Slack or Discord credentials are in the config, so I looked nobody up by email or username: " +
			"people are linked when they first message plpbot, or with `/plp link @user SOURCEDID`.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runImport(t, "-config", cfg, "import", "oneroster", zipPath)
	if code != exitOK || !strings.Contains(out, "Nothing changed since the last import: nothing was written.") {
		t.Errorf("the same files again: exit %d\n%s", code, out)
	}

	dir := t.TempDir()
	files["enrollments.csv"] = append(files["enrollments.csv"], []string{"enr-x", "", "", "c-77", "org-1", "stu-1", "student", "false", "", ""})
	if err := files.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runImport(t, "-config", cfg, "import", "oneroster", dir)
	want := "enrollments.csv:30: enrollment references unknown class \"c-77\"\n1 problem: nothing was imported."
	if code != exitUsage || !strings.HasPrefix(out, want) || errOut != "" {
		t.Errorf("a bad set: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUsage, out, errOut)
	}
}

// TestImportArgs: mistakes on the command line get one clear line.
func TestImportArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "plpbot import: say what to import: plpbot import oneroster PATH [-dry-run]"},
		{[]string{"import", "onerostr", "x.zip"}, `plpbot import: unknown format "onerostr"; did you mean "oneroster"?`},
		{[]string{"import", "oneroster"}, "plpbot import oneroster: give the folder or .zip the SIS exported"},
		{[]string{"import", "oneroster", "a.zip", "b.zip"}, `plpbot import: unexpected argument "b.zip"`},
		{[]string{"outbox", "-dry-run"}, "plpbot outbox: -dry-run is for plpbot retention and plpbot import"},
	}
	for _, tt := range tests {
		code, _, errOut := runImport(t, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("plpbot %s: exit %d, stderr %q; want %q", strings.Join(tt.args, " "), code, errOut, tt.want)
		}
	}
	cfg := writeConfig(t, t.TempDir())
	code, out, _ := runImport(t, "-config", cfg, "import", "oneroster", filepath.Join(t.TempDir(), "missing.zip"))
	if code != exitUsage || !strings.Contains(out, "missing.zip: no such file or folder: give the folder or .zip the SIS exported") {
		t.Errorf("a missing file: exit %d\n%s", code, out)
	}
}
