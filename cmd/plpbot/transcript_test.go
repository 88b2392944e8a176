package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden transcripts in testdata/")

// TestFirstTwoWeeksTranscript plays two weeks at a new school in the
// console (testdata/first-two-weeks.script) and compares what people saw
// with testdata/first-two-weeks.golden, which is reviewed for voice. After
// an intended change, regenerate it with
//
//	go test ./cmd/plpbot -run Transcript -update
//
// and read the diff as a student and a teacher would.
func TestFirstTwoWeeksTranscript(t *testing.T) {
	root := filepath.Join("..", "..", "testdata")
	script, err := os.ReadFile(filepath.Join(root, "first-two-weeks.script"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(script), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	dataDir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "plpbot.yaml")
	if err := os.WriteFile(cfg, []byte("data_dir: "+dataDir+"\nschedule:\n  timezone: America/New_York\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got := start(t, "-config", cfg, "console").session(lines...)
	got = strings.ReplaceAll(got, dataDir, "$DATA_DIR") // where the console saves charts
	golden := filepath.Join(root, "first-two-weeks.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			g, w := at(gl, i), at(wl, i)
			if g != w {
				t.Fatalf("transcript differs from %s at line %d:\n got: %q\nwant: %q\n(regenerate with -update after an intended change)", golden, i+1, g, w)
			}
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<end>"
}
