package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/renameio/v2"
)

// consoleClockFile is the file in data_dir that keeps how far the console's
// simulated clock runs ahead of the real one, so a session picks up where
// the last one left it: dates written in simulated time stay in the past.
// Only the console reads it; Slack and Discord always run on the real clock.
const consoleClockFile = "console-clock"

// simClock is the clock every piece shares. It follows base until the
// console's ":advance" moves it forward; from then on it keeps that offset,
// so the handlers, the store and the scheduler all see the same simulated
// time.
type simClock struct {
	base func() time.Time
	mu   sync.Mutex
	skew time.Duration
	// file, if set, is where Save keeps the offset (the console's only).
	file string
}

func newSimClock(base func() time.Time) *simClock { return &simClock{base: base} }

// Now returns the simulated time.
func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base().Add(c.skew)
}

// Set moves the clock to t (never backwards).
func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := t.Sub(c.base()); d > c.skew {
		c.skew = d
	}
}

// KeepAhead makes the clock run at least d ahead of the real one.
func (c *simClock) KeepAhead(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skew = max(c.skew, d)
}

// Ahead returns how far the clock runs ahead of the real one.
func (c *simClock) Ahead() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.skew
}

// Reset takes the clock back to the real time and forgets the kept offset.
func (c *simClock) Reset() error {
	c.mu.Lock()
	c.skew = 0
	file := c.file
	c.mu.Unlock()
	if file == "" {
		return nil
	}
	if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("reset the console clock: %w", err)
	}
	return nil
}

// Restore keeps the offset in file from now on and starts from the offset
// kept there; a missing file means the real time. A file that can't be read
// is an error, and the clock stays on the real time.
func (c *simClock) Restore(file string) error {
	c.mu.Lock()
	c.file = file
	c.mu.Unlock()
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the console clock: %w", err)
	}
	d, err := parseOffset(data)
	if err != nil {
		return fmt.Errorf("read the console clock %s: %w", file, err)
	}
	c.mu.Lock()
	c.skew = d
	c.mu.Unlock()
	return nil
}

// Save writes the offset to the clock's file, atomically: a crash leaves
// the old offset or the new one, never half a file.
func (c *simClock) Save() error {
	c.mu.Lock()
	file, d := c.file, c.skew
	c.mu.Unlock()
	if file == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("save the console clock: %w", err)
	}
	data := "# How far the plpbot console's clock runs ahead of the real one.\n" +
		"# :advance moves it forward; :now reset (or deleting this file) goes back to the real time.\n" +
		d.String() + "\n"
	if err := renameio.WriteFile(file, []byte(data), 0o600); err != nil {
		return fmt.Errorf("save the console clock: %w", err)
	}
	return nil
}

// parseOffset reads the first line of data that is not blank or a comment:
// a Go duration, zero or more.
func parseOffset(data []byte) (time.Duration, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		d, err := time.ParseDuration(line)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("want a duration such as 168h, got %q", line)
		}
		return d, nil
	}
	return 0, errors.New("no offset in it")
}
