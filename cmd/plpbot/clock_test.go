package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestClockFile: the console clock's file is read back as written; a file
// that can't be read leaves the clock on the real time.
func TestClockFile(t *testing.T) {
	real := func() time.Time { return testClock() }
	tests := []struct {
		name string
		data string
		want time.Duration
		bad  bool
	}{
		{name: "as saved", data: "# a comment\n\n168h0m0s\n", want: 168 * time.Hour},
		{name: "by hand", data: "90m", want: 90 * time.Minute},
		{name: "zero", data: "0s\n", want: 0},
		{name: "not a duration", data: "a week\n", bad: true},
		{name: "negative", data: "-1h\n", bad: true},
		{name: "empty", data: "# nothing\n", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), consoleClockFile)
			if err := os.WriteFile(file, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			c := newSimClock(real)
			err := c.Restore(file)
			if (err != nil) != tt.bad {
				t.Fatalf("Restore: %v, want error %v", err, tt.bad)
			}
			if c.Ahead() != tt.want {
				t.Errorf("Ahead = %s, want %s", c.Ahead(), tt.want)
			}
		})
	}

	// Saved, then restored by the next session.
	file := filepath.Join(t.TempDir(), "new-folder", consoleClockFile)
	c := newSimClock(real)
	if err := c.Restore(file); err != nil || c.Ahead() != 0 {
		t.Fatalf("Restore of no file: %v, ahead %s", err, c.Ahead())
	}
	c.Set(real().Add(36 * time.Hour))
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	next := newSimClock(real)
	if err := next.Restore(file); err != nil || !next.Now().Equal(real().Add(36*time.Hour)) {
		t.Errorf("next session: %v, now %s", err, next.Now())
	}
}
