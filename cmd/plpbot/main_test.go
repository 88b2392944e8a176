package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects output written from the program's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testClock is Wednesday 2026-11-25 15:00 UTC: the conference in the
// session below is in the future.
func testClock() time.Time { return time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) }

// program is one run of plpbot as production starts it, with the console's
// stdin and stdout replaced by pipes.
type program struct {
	t      *testing.T
	m      *Main
	stdin  *io.PipeWriter
	stdout *lockedBuffer
	stderr *lockedBuffer
	code   chan int
}

// start runs plpbot with args, as main does.
func start(t *testing.T, args ...string) *program {
	t.Helper()
	pr, pw := io.Pipe()
	p := &program{t: t, stdin: pw, stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, code: make(chan int, 1)}
	p.m = NewMain()
	p.m.Stdin, p.m.Stdout, p.m.Stderr = pr, p.stdout, p.stderr
	p.m.Env = nil
	p.m.Now = testClock
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { p.code <- run(ctx, p.m, args) }()
	return p
}

// session types lines into the console, ends the input and waits for the
// program to exit; it returns what the console printed.
func (p *program) session(lines ...string) string {
	p.t.Helper()
	go func() {
		for _, l := range lines {
			if _, err := io.WriteString(p.stdin, l+"\n"); err != nil {
				return
			}
		}
		p.stdin.Close()
	}()
	select {
	case code := <-p.code:
		if code != 0 {
			p.t.Fatalf("exit code %d; stderr:\n%s", code, p.stderr.String())
		}
	case <-time.After(3 * time.Minute):
		p.t.Fatalf("plpbot did not exit; stdout so far:\n%s", p.stdout.String())
	}
	return p.stdout.String()
}

// writeConfig writes a config for the embedded database in a temporary
// folder and returns its path.
func writeConfig(t *testing.T, dataDir string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plpbot.yaml")
	// Port 0: tests running at once each get their own.
	cfg := "data_dir: " + dataDir + "\nschedule:\n  timezone: UTC\nhttp:\n  addr: 127.0.0.1:0\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// turns splits a transcript at the console's "You are now NAME." lines:
// turns[""] is what the first user saw, turns["sam"] what followed :as sam
// (a name used twice gets its turns joined).
func turns(out string) map[string]string {
	re := regexp.MustCompile(`(?m)^You are now (\S+)\.$`)
	m := map[string]string{}
	who, last := "", 0
	for _, loc := range re.FindAllStringSubmatchIndex(out, -1) {
		m[who] += out[last:loc[0]]
		who, last = out[loc[2]:loc[3]], loc[1]
	}
	m[who] += out[last:]
	return m
}

// TestConsoleSession plays a whole school in the console on the embedded
// database, then restarts and finds the plan still there.
func TestConsoleSession(t *testing.T) {
	dataDir := t.TempDir()
	cfgPath := writeConfig(t, dataDir)

	out := start(t, "-config", cfgPath, "console").session(
		"/plp role @ms-lee teacher",
		":as sam",
		"/plp goal add Read three novels category:academic by:2027-05-30 why:I want to enjoy reading again",
		"/plp goal add Run a 5k category:personal",
		"/plp checkin 1 40% finished the first book confidence:4",
		"/plp plan",
		":as ms-lee",
		":channel period-3",
		"/plp class create Period 3 English",
		"/plp class add @sam",
		"/plp roster",
		"/plp conference @sam 2027-01-12 10:30 reading goals",
		":as ava",
		"/plp student @sam",
		"/plp export @sam",
		":quit",
		"/plp plan",
	)
	t.Logf("transcript:\n%s", out)

	tt := turns(out)
	expect := func(who string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(tt[who], w) {
				t.Errorf("%s's turn lacks %q:\n%s", or(who, "admin"), w, tt[who])
			}
		}
	}
	refuse := func(who string, notWant ...string) {
		t.Helper()
		for _, w := range notWant {
			if strings.Contains(tt[who], w) {
				t.Errorf("%s's turn shows %q:\n%s", or(who, "admin"), w, tt[who])
			}
		}
	}

	// The first user is the admin and makes Ms. Lee a teacher; she is told by DM.
	expect("", "ms-lee is now a teacher", "→ DM to ms-lee:", "You're a teacher in plpbot")
	// Sam sets goals, checks in and sees the plan with progress.
	expect("sam", "Read three novels", "Run a 5k", "40%", "▰▰▰▰▱▱▱▱▱▱")
	refuse("sam", "Sorry — something went wrong")
	// Ms. Lee creates the class in #period-3, adds Sam, reads the roster and
	// schedules a conference, which Sam hears about by DM.
	expect("ms-lee", "Period 3 English", "sam", "→ DM to sam:", "2027")
	refuse("ms-lee", "Sorry — something went wrong", "That command is for staff")
	// Ava, another student, is refused Sam's plan and export.
	expect("ava", "That command is for staff")
	refuse("ava", "Read three novels", "Run a 5k", "plan-sam", "40%")
	// :quit ends the session: the line after it is not run.
	if n := strings.Count(out, "Plans are private") + strings.Count(tt["ava"], "That command is for staff"); n != 2 {
		t.Errorf("want exactly ava's two refusals after which the session quit, got %d", n)
	}

	// The plan survives a restart of the embedded database.
	again := start(t, "-config", cfgPath).session(":as sam", "/plp goal list")
	for _, w := range []string{"Read three novels", "Run a 5k"} {
		if !strings.Contains(again, w) {
			t.Errorf("after a restart, sam's goal list lacks %q:\n%s", w, again)
		}
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestSubcommands(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("schedule:\n  quiet_hours: 8pm\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		env        []string
		code       int
		stdout     string
		stderrLine string
	}{
		{name: "version", args: []string{"version"}, code: exitOK, stdout: "plpbot dev"},
		{name: "version ignores a bad config", args: []string{"-config", bad, "version"}, code: exitOK, stdout: "plpbot dev"},
		{name: "check-config OK", args: []string{"-config", good, "check-config"}, code: exitOK, stdout: "config OK\n"},
		{name: "check-config with the flag after", args: []string{"check-config", "-config", good}, code: exitOK, stdout: "config OK\n"},
		{name: "check-config bad", args: []string{"-config", bad, "check-config"}, code: exitUsage,
			stderrLine: `config: schedule.quiet_hours: want a start and an end such as 20:00-07:00 or 8pm-7am, got "8pm"`},
		{name: "run with a bad config", args: []string{"-config", bad}, code: exitUsage,
			stderrLine: `config: schedule.quiet_hours: want a start and an end such as 20:00-07:00 or 8pm-7am, got "8pm"`},
		{name: "bad env", args: []string{"-config", good, "check-config"}, env: []string{"PLPBOT_LOG_LEVEL=loud"}, code: exitUsage,
			stderrLine: `config: log.level (from PLPBOT_LOG_LEVEL): want debug, info, warn or error, got "loud"`},
		{name: "missing config file", args: []string{"-config", filepath.Join(dir, "nope.yaml"), "check-config"}, code: exitUsage,
			stderrLine: "config: -config: can't read " + filepath.Join(dir, "nope.yaml") + ": no such file or directory"},
		{name: "unknown command", args: []string{"consle"}, code: exitUsage,
			stderrLine: `plpbot: unknown command "consle"; did you mean "console"? (see plpbot -h)`},
		{name: "extra argument", args: []string{"version", "now"}, code: exitUsage,
			stderrLine: `plpbot version: unexpected argument "now" (see plpbot -h)`},
		{name: "help", args: []string{"-h"}, code: exitOK},
		{name: "unknown flag", args: []string{"-confg", good}, code: exitUsage},
		{name: "unknown flag after the command", args: []string{"console", "-v"}, code: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr lockedBuffer
			m := NewMain()
			m.Stdin, m.Stdout, m.Stderr, m.Env = strings.NewReader(""), &stdout, &stderr, tt.env
			code := run(context.Background(), m, tt.args)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if tt.stdout != "" && !strings.HasPrefix(stdout.String(), tt.stdout) {
				t.Errorf("stdout %q, want it to start with %q", stdout.String(), tt.stdout)
			}
			if tt.code == exitUsage && tt.stderrLine == "" && strings.Count(stderr.String(), "flag provided but not defined") != 1 {
				t.Errorf("want the flag error once, then the usage:\n%s", stderr.String())
			}
			if tt.stderrLine != "" && stderr.String() != tt.stderrLine+"\n" {
				t.Errorf("stderr:\n got %q\nwant %q", stderr.String(), tt.stderrLine+"\n")
			}
		})
	}
}

// TestSignalStops: cancelling the context (as SIGINT does) stops a running
// console and closes the database; the exit code is 0.
func TestSignalStops(t *testing.T) {
	cfgPath := writeConfig(t, t.TempDir())
	pr, pw := io.Pipe()
	defer pw.Close()
	var stdout, stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr, m.Env = pr, &stdout, &stderr, nil
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- run(ctx, m, []string{"-config", cfgPath}) }()
	if _, err := io.WriteString(pw, "/plp goal add Learn to juggle\n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(stdout.String(), "juggle") {
		if time.Now().After(deadline) {
			t.Fatalf("no reply; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("exit code %d after a signal; stderr:\n%s", c, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("plpbot did not stop after its context was cancelled")
	}
	if m.Console == nil || m.Slack != nil || m.Discord != nil {
		t.Errorf("with no credentials only the console should run: console %v slack %v discord %v", m.Console != nil, m.Slack != nil, m.Discord != nil)
	}
}

// TestAdvanceAndOutbox runs the scheduler through the console's ":advance"
// (a week of simulated time on the shared clock), then "plpbot outbox"
// reports what was sent.
func TestAdvanceAndOutbox(t *testing.T) {
	dataDir := t.TempDir()
	cfgPath := writeConfig(t, dataDir)
	out := start(t, "-config", cfgPath, "console").session(
		"/plp role @ms-lee teacher",
		":as sam",
		"/plp goal add Read three novels",
		":as ms-lee",
		"/plp class create Period 3",
		"/plp class add @sam",
		":advance 7d",
		":as sam",
		"I finished the first book",
		"/plp plan",
	)
	for _, want := range []string{"→ DM to sam:", "Reflection time", "→ #console:", "This week in Period 3", "answer to"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	// The reflection answered the prompt, a week after the clock started.
	if strings.Contains(turns(out)["sam"], "Last reflection: none yet") {
		t.Errorf("sam's reflection was not saved:\n%s", out)
	}

	var stdout, stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr, m.Env = strings.NewReader(""), &stdout, &stderr, nil
	m.Now = testClock
	if code := run(context.Background(), m, []string{"-config", cfgPath, "outbox"}); code != exitOK {
		t.Fatalf("outbox: exit %d; stderr:\n%s", code, stderr.String())
	}
	report := stdout.String()
	if !strings.Contains(report, "sent") || strings.Contains(report, "sent     0") {
		t.Errorf("outbox report shows nothing sent:\n%s", report)
	}
}

// TestConsoleClockPersists: the console's simulated clock survives the end
// of a session (its offset is kept in data_dir), so what happened in
// simulated time stays in the past next time; :now shows it and :now reset
// goes back to the real time.
func TestConsoleClockPersists(t *testing.T) {
	dataDir := t.TempDir()
	cfgPath := filepath.Join(t.TempDir(), "plpbot.yaml")
	cfg := "data_dir: " + dataDir + "\nschedule:\n  timezone: America/New_York\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	clockFile := filepath.Join(dataDir, consoleClockFile)
	contains := func(what, out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, out)
			}
		}
	}

	// The real clock is Wed 25 Nov 2026, 10:00 in New York. Sam's conference
	// on Monday is ahead; after a simulated week it is behind.
	first := start(t, "-config", cfgPath, "console").session(
		":now",
		"/plp role @ms-lee teacher",
		":as ms-lee",
		"/plp class create Advisory",
		"/plp class add @sam",
		"/plp conference @sam 2026-11-30 10:00",
		":advance 7d",
		":now",
	)
	contains("the first session", first,
		"Now: Wed 25 Nov 2026, 10:00 EST (the real time). :advance 1d moves it.",
		"Mon 30 Nov 2026, 10:00 EST",
		"Moved forward 7d: it's now Wed 2 Dec 2026, 10:00 EST.",
		"Now: Wed 2 Dec 2026, 10:00 EST (7 days ahead of the real clock). :advance 1d moves it; :now reset goes back to the real time.")
	if data, err := os.ReadFile(clockFile); err != nil || !strings.Contains(string(data), "\n168h0m0s\n") {
		t.Errorf("%s after :advance 7d: %q, %v; want the offset 168h0m0s", clockFile, data, err)
	}

	// Next session, same data_dir: the clock starts where it was left, so
	// the conference that happened is not "coming up".
	second := start(t, "-config", cfgPath, "console").session(":now", ":as sam", "/plp conference list", ":advance 1d")
	contains("the second session", second,
		"Now: Wed 2 Dec 2026, 10:00 EST (7 days ahead of the real clock).",
		"Moved forward 1d: it's now Thu 3 Dec 2026, 10:00 EST.")
	if sam := turns(second)["sam"]; strings.Contains(sam, "30 Nov") {
		t.Errorf("in the second session, sam's past conference is listed as coming up:\n%s", sam)
	}

	// :now reset goes back to the real time, for this session and the next.
	third := start(t, "-config", cfgPath, "console").session(":now reset", ":now", ":now reset", ":now later")
	contains("the third session", third,
		"Back to the real time: Wed 25 Nov 2026, 10:00 EST.",
		"Now: Wed 25 Nov 2026, 10:00 EST (the real time).",
		"The clock already shows the real time: Wed 25 Nov 2026, 10:00 EST.",
		"“later” isn't something :now does. :now shows the time; :now reset goes back to the real time.")
	if _, err := os.Stat(clockFile); !os.IsNotExist(err) {
		t.Errorf("after :now reset, %s: %v; want it gone", clockFile, err)
	}
	fourth := start(t, "-config", cfgPath, "console").session(":now")
	contains("the fourth session", fourth, "Now: Wed 25 Nov 2026, 10:00 EST (the real time).")
}

// TestConsoleClockIgnoredOffConsole: only the console runs on a simulated
// clock; Slack (and Discord) start on the real time whatever data_dir keeps.
func TestConsoleClockIgnoredOffConsole(t *testing.T) {
	dataDir := t.TempDir()
	cfgPath := writeConfig(t, dataDir)
	if err := os.WriteFile(filepath.Join(dataDir, consoleClockFile), []byte("168h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr, m.Now = strings.NewReader(""), &stdout, &stderr, testClock
	m.Env = []string{"PLPBOT_SLACK_BOT_TOKEN=xoxb-test", "PLPBOT_SLACK_MODE=http",
		"PLPBOT_SLACK_SIGNING_SECRET=secret", "PLPBOT_HTTP_ADDR=127.0.0.1:0"}
	if err := m.ParseFlags([]string{"-config", cfgPath}); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatalf("run on Slack: %v; stderr:\n%s", err, stderr.String())
	}
	defer m.Close()
	if m.Slack == nil || m.Console != nil {
		t.Fatalf("want Slack alone: slack %v, console %v", m.Slack != nil, m.Console != nil)
	}
	if got := m.clock.Now(); !got.Equal(testClock()) {
		t.Errorf("on Slack the clock is %s, want the real time %s", got, testClock())
	}
}
