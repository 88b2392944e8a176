package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogsKeepStudentText runs plpbot at log.level debug, as production
// starts it, while a student writes a goal, a check-in note and two
// reflections (a command and a plain DM), each carrying a unique marker:
// the log holds none of them unless log.student_text is true.
func TestLogsKeepStudentText(t *testing.T) {
	markers := []string{"GOAL-5c1e", "NOTE-9a7b", "REFLECT-3f2d", "DMREFLECT-77c4"}
	lines := []string{
		":as sam",
		"/plp goal add Read more GOAL-5c1e",
		"/plp checkin 1 20% NOTE-9a7b",
		"/plp reflect I worried about the test REFLECT-3f2d",
		"today I asked for help in math DMREFLECT-77c4",
	}
	for _, studentText := range []bool{false, true} {
		name := "student_text off"
		if studentText {
			name = "student_text on"
		}
		t.Run(name, func(t *testing.T) {
			cfg := "data_dir: " + t.TempDir() + "\nschedule:\n  timezone: UTC\nlog:\n  level: debug\n"
			if studentText {
				cfg += "  student_text: true\n"
			}
			path := filepath.Join(t.TempDir(), "plpbot.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			p := start(t, "-config", path, "console")
			out := p.session(lines...)
			logs := p.stderr.String()
			if !strings.Contains(logs, "level=DEBUG") {
				t.Fatalf("no debug logs were captured:\n%s", logs)
			}
			if !strings.Contains(out, "Goal 1 added") || !strings.Contains(out, "is at 20%") ||
				strings.Count(out, "I saved it to your plan") != 2 {
				t.Fatalf("the student's goal, check-in and reflections were not all saved:\n%s", out)
			}
			// With student_text on, the database's debug log shows each
			// marker: proof that every one reached the database.
			for _, m := range markers {
				if in := strings.Contains(logs, m); in != studentText {
					t.Errorf("%s in the debug log = %v with log.student_text %v; log:\n%s", m, in, studentText, logs)
				}
			}
		})
	}
}
