package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/console"
	"github.com/plpbot/plpbot/bot/grammar"
)

// recorder is a scripted handler: it records every request and answers
// with reply(req).
type recorder struct {
	mu    sync.Mutex
	reqs  []bot.Request
	reply func(req *bot.Request) ([]bot.Message, error)
}

func (r *recorder) Handle(_ context.Context, req *bot.Request) ([]bot.Message, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, *req)
	r.mu.Unlock()
	if r.reply == nil {
		return []bot.Message{{Blocks: []bot.Block{bot.Text{Text: "ok: " + bot.User(req.Text)}}}}, nil
	}
	return r.reply(req)
}

func (r *recorder) requests() []bot.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Request(nil), r.reqs...)
}

// lockedBuffer is an io.Writer safe for the console's writers and the
// test's reader.
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

// run pipes script into a console over h and returns what it printed.
func run(t *testing.T, script string, h bot.Handler, opts console.Options) string {
	t.Helper()
	var out lockedBuffer
	c := console.New(strings.NewReader(script), &out, h, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}

func TestRequests(t *testing.T) {
	rec := &recorder{}
	run(t, strings.Join([]string{
		"/plp goal list",
		"I finished chapter 3 today",
		"",
		"  /PLP   checkin 1 40%  ",
		":as Sam",
		"/plp plan",
		":channel #period-3",
		"/plp class create Period 3",
		":as @Ms-Lee",
		"hello",
		"/plp",
	}, "\n"), rec, console.Options{})

	inChannel := func(name string) bot.Place {
		return bot.Place{Kind: bot.InChannel, Channel: bot.Channel{Platform: bot.Console, ChannelID: strings.ToLower(name), Name: name}}
	}
	admin := bot.Identity{Platform: bot.Console, UserID: "admin", Name: "admin"}
	sam := bot.Identity{Platform: bot.Console, UserID: "sam", Name: "Sam"}
	lee := bot.Identity{Platform: bot.Console, UserID: "ms-lee", Name: "Ms-Lee"}
	want := []bot.Request{
		{Actor: admin, Text: "goal list", Slash: true, Place: inChannel("console")},
		{Actor: admin, Text: "I finished chapter 3 today", Place: bot.Place{Kind: bot.InDM}},
		{Actor: admin, Text: "checkin 1 40%", Slash: true, Place: inChannel("console")},
		{Actor: sam, Text: "plan", Slash: true, Place: inChannel("console")},
		{Actor: sam, Text: "class create Period 3", Slash: true, Place: inChannel("period-3")},
		{Actor: lee, Text: "hello", Place: bot.Place{Kind: bot.InDM}},
		{Actor: lee, Text: "", Slash: true, Place: inChannel("period-3")},
	}
	got := rec.requests()
	if len(got) != len(want) {
		t.Fatalf("got %d requests, want %d: %+v", len(got), len(want), got)
	}
	ids := map[string]bool{}
	for i := range want {
		g := got[i]
		if g.ID == "" || ids[g.ID] {
			t.Errorf("request %d: id %q is empty or repeated", i, g.ID)
		}
		ids[g.ID] = true
		g.ID = ""
		// The name typed after :as names a person only when they are new:
		// the request carries none, and Lookup gives it on first sight.
		if g.Lookup == nil {
			t.Fatalf("request %d has no Lookup", i)
		}
		if full, err := g.Lookup(context.Background(), g.Actor); err != nil || full != want[i].Actor {
			t.Errorf("request %d: Lookup(actor) = %+v, %v; want %+v", i, full, err, want[i].Actor)
		}
		if g.Actor.Name != "" {
			t.Errorf("request %d: actor %+v carries a name, which would rename an existing person", i, g.Actor)
		}
		g.Actor.Name = want[i].Actor.Name
		if g.Actor != want[i].Actor || g.Text != want[i].Text || g.Slash != want[i].Slash || g.Place != want[i].Place || g.Invocation != nil {
			t.Errorf("request %d:\n got %+v\nwant %+v", i, g, want[i])
		}
		if _, ok := g.Adapter.(*console.Console); !ok {
			t.Errorf("request %d: Adapter = %T, want the console", i, g.Adapter)
		}
	}
}

func TestConsoleCommands(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		opts    console.Options
		want    []string
		notWant []string
	}{
		{name: "help", script: ":help", want: []string{":as NAME", ":advance 7d", ":now reset", ":quit", "/plp help", "You are admin, in #console."}},
		{name: "now without a simulated clock", script: ":now\n:now reset", opts: console.Options{Zone: time.UTC},
			want: []string{"(the real time). :advance 1d moves it.", "The clock already shows the real time:"}},
		{name: "now misspelt", script: ":noww", want: []string{"Did you mean :now?"}},
		{name: "as", script: ":as sam", want: []string{"You are now sam."}},
		{name: "as without a name", script: ":as", want: []string{"Which person? Such as :as sam."}},
		{name: "as with a bad name", script: ":as <!channel>", want: []string{"can't be a person name"}},
		{name: "as with a long name", script: ":as " + strings.Repeat("a", 81), want: []string{"too long"}},
		{name: "channel shows the current one", script: ":channel", want: []string{"Slash commands are made in #console."}},
		{name: "channel", script: ":channel period-3", want: []string{"Slash commands now go to #period-3."}},
		{name: "first user", script: ":help", opts: console.Options{FirstUser: "Principal"}, want: []string{"You are Principal"}},
		{name: "unknown with suggestion", script: ":advnce 1d", want: []string{"I don't know :“advnce”. Did you mean :advance?"}},
		{name: "unknown", script: ":zzz", want: []string{"I don't know :“zzz”.", ":help"}, notWant: []string{"Did you mean"}},
		{name: "advance without a scheduler", script: ":advance 7d", want: []string{"The scheduler isn't running"}},
		{name: "other slash command", script: "/help me", want: []string{"“/help” isn't a command here", "/plp help"}},
		{name: "quit stops reading", script: ":quit\n/plp plan", notWant: []string{"ok:"}},
		{name: "exit stops reading", script: ":exit\n/plp plan", notWant: []string{"ok:"}},
		{name: "no prompt when piped", script: "/plp plan", want: []string{"ok: plan\n\n"}, notWant: []string{"admin>", "\x1b["}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := run(t, tt.script, &recorder{}, tt.opts)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestAdvance(t *testing.T) {
	var got []time.Duration
	opts := console.Options{Advance: func(_ context.Context, d time.Duration) error {
		got = append(got, d)
		if d == time.Hour {
			return errors.New("boom")
		}
		return nil
	}}
	out := run(t, ":advance 7d\n:advance 2w\n:advance 90m\n:advance 1h\n:advance soon\n:advance 0d", &recorder{}, opts)
	want := []time.Duration{7 * 24 * time.Hour, 14 * 24 * time.Hour, 90 * time.Minute, time.Hour}
	if len(got) != len(want) {
		t.Fatalf("Advance got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Advance call %d = %v, want %v", i, got[i], want[i])
		}
	}
	for _, w := range []string{"Moved forward 7d.", "Moved forward 2w.", "couldn't move forward", "“soon” isn't a length of time", "“0d” isn't"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"2W", 14 * 24 * time.Hour, true},
		{"24h", 24 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"", 0, false},
		{"d", 0, false},
		{"-1d", 0, false},
		{"0h", 0, false},
		{"400d", 0, false},
		{"9999999999999999d", 0, false},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		got, ok := console.ParseDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRender(t *testing.T) {
	msg := bot.Message{
		Title: "Your plan, " + bot.User("sam"),
		Blocks: []bot.Block{
			bot.Text{Text: "You're " + bot.Bold("on a roll") + " — " + bot.Italic("3 weeks") + " in a row."},
			bot.Fields{Fields: []bot.Field{{Label: "Interests", Value: bot.User("robotics\ndrawing")}, {Label: "Next conference", Value: "Tue 12 Jan, 10:30"}}},
			bot.Progress{Label: "1. Read three novels", Percent: 40},
			bot.Progress{Label: "2. Overdone", Percent: 140},
			bot.List{Items: []string{bot.User("Finish Beloved"), "Start " + bot.User("*Dune*")}},
			bot.Divider{},
			bot.Context{Text: "Last check-in 2 days ago"},
		},
		Buttons: []bot.Button{
			{Label: "Mark step done", Command: "step done 1.2"},
			{Label: "Check in", Command: "checkin 1", Form: &bot.Form{Command: "checkin", Fixed: map[string]string{"n": "1"}, Fields: []bot.FormField{{Name: "percent"}}}},
		},
		File: &bot.File{Name: "plan-sam.md", ContentType: "text/markdown", Data: []byte("# Sam's plan\n\n- Read three novels\n")},
	}
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) { return []bot.Message{msg}, nil }}
	out := run(t, "/plp plan", rec, console.Options{})
	want := strings.Join([]string{
		"*Your plan, sam*",
		"You're *on a roll* — _3 weeks_ in a row.",
		"Interests: robotics",
		"           drawing",
		"Next conference: Tue 12 Jan, 10:30",
		"1. Read three novels  ▰▰▰▰▱▱▱▱▱▱ 40%",
		"2. Overdone  ▰▰▰▰▰▰▰▰▰▰ 100%",
		"• Finish Beloved",
		"• Start *Dune*",
		strings.Repeat("─", 40),
		"  Last check-in 2 days ago",
		"[Mark step done → /plp step done 1.2]",
		"[Check in → /plp checkin 1 …]",
		"📎 plan-sam.md",
		strings.Repeat("─", 40),
		"# Sam's plan",
		"",
		"- Read three novels",
		strings.Repeat("─", 40),
		"",
		"",
	}, "\n")
	if out != want {
		t.Errorf("render:\n got:\n%s\nwant:\n%s", out, want)
	}
}

func TestRenderInteractive(t *testing.T) {
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{Title: "Hi", Blocks: []bot.Block{bot.Text{Text: bot.Bold("x") + bot.User("\x1b[31mred\x07")}, bot.Context{Text: "c"}}}}, nil
	}}
	out := run(t, "/plp plan", rec, console.Options{Interactive: true})
	for _, w := range []string{"plpbot console — you are admin", "admin> ", "\x1b[1mHi\x1b[22m", "\x1b[1mx\x1b[22m[31mred", "\x1b[2m  c\x1b[22m"} {
		if !strings.Contains(out, w) {
			t.Errorf("interactive output lacks %q:\n%q", w, out)
		}
	}
	if strings.Contains(out, "\x1b[31m") || strings.Contains(out, "\x07") {
		t.Errorf("user text kept its control characters:\n%q", out)
	}
	if strings.Count(out, "admin> ") != 2 {
		t.Errorf("want a prompt before each line and at the end:\n%q", out)
	}
}

func TestFormButtonWithGrammar(t *testing.T) {
	g := &grammar.Grammar{Commands: []*grammar.Command{{Name: "checkin", Args: []grammar.Arg{
		{Name: "n", Kind: grammar.ArgNumber, Required: true},
		{Name: "percent", Kind: grammar.ArgPercent, Required: true},
		{Name: "confidence", Kind: grammar.ArgRange, Keyed: true, Min: 1, Max: 5},
	}}}}
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{Buttons: []bot.Button{{Label: "Go", Form: &bot.Form{Command: "checkin",
			Fixed: map[string]string{"confidence": "3", "n": "2"}}}}}}, nil
	}}
	out := run(t, "/plp x", rec, console.Options{Grammar: g})
	if want := "[Go → /plp checkin 2 confidence:3]\n\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestBinaryFile(t *testing.T) {
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{File: &bot.File{Name: "x.png", ContentType: "image/png", Data: []byte{1, 2, 3}}}}, nil
	}}
	out := run(t, "/plp export", rec, console.Options{})
	if want := "📎 x.png (3 bytes, not shown)\n\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestRecipients(t *testing.T) {
	sam := bot.Identity{Platform: bot.Console, UserID: "sam", Name: "sam"}
	rec := &recorder{reply: func(req *bot.Request) ([]bot.Message, error) {
		return []bot.Message{
			{Visibility: bot.Public, Blocks: []bot.Block{bot.Text{Text: "public " + req.Text}}},
			{To: &sam, Blocks: []bot.Block{bot.Text{Text: "Ms. Lee left feedback"}}},
			{Blocks: []bot.Block{bot.Text{Text: "private"}}},
		}, nil
	}}
	out := run(t, "/plp feedback\nhi", rec, console.Options{})
	want := strings.Join([]string{
		"→ #console:", "public feedback", "",
		"→ DM to sam:", "Ms. Lee left feedback", "",
		"private", "",
		// In a DM a public reply is just the reply.
		"public hi", "",
		"→ DM to sam:", "Ms. Lee left feedback", "",
		"private", "", "",
	}, "\n")
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestErrors(t *testing.T) {
	var logs bytes.Buffer
	rec := &recorder{reply: func(req *bot.Request) ([]bot.Message, error) {
		switch req.Text {
		case "user":
			return nil, &bot.UserError{Code: bot.EInvalid, Message: "That date doesn't exist: " + bot.User("2027-02-30"), Usage: "/plp goal add TITLE", Hint: "Example: `/plp goal add Read`"}
		case "internal":
			return nil, errors.New("mongo: connection refused")
		default:
			panic("handler bug")
		}
	}}
	out := run(t, "/plp user\n/plp internal\n/plp panic\n/plp user", rec, console.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, w := range []string{
		"That date doesn't exist: 2027-02-30\nUsage: /plp goal add TITLE\n  Example: `/plp goal add Read`\n",
		"Sorry — something went wrong on my side",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if strings.Count(out, "Sorry") != 2 || strings.Count(out, "That date doesn't exist") != 2 {
		t.Errorf("want two apologies and two user errors (the session goes on after a panic):\n%s", out)
	}
	if strings.Contains(out, "connection refused") || strings.Contains(out, "handler bug") {
		t.Errorf("internal causes leaked to the person:\n%s", out)
	}
	l := logs.String()
	if !strings.Contains(l, "connection refused") || !strings.Contains(l, "handler bug") || strings.Contains(l, "2027-02-30") {
		t.Errorf("want internal errors logged and user errors not:\n%s", l)
	}
}

func TestSender(t *testing.T) {
	var out lockedBuffer
	c := console.New(strings.NewReader(""), &out, &recorder{}, console.Options{})
	ctx := context.Background()
	msg := bot.Message{Title: "Time to reflect", Buttons: []bot.Button{{Label: "Reflect", Command: "reflect"}}}
	if err := c.SendDM(ctx, bot.Identity{Platform: bot.Console, UserID: "sam", Name: "Sam"}, msg); err != nil {
		t.Fatal(err)
	}
	if err := c.Post(ctx, bot.Channel{Platform: bot.Console, ChannelID: "period-3"}, bot.Message{Blocks: []bot.Block{bot.Progress{Label: "Class", Percent: 60}}}); err != nil {
		t.Fatal(err)
	}
	want := "→ DM to Sam:\n*Time to reflect*\n[Reflect → /plp reflect]\n\n→ #period-3:\nClass  ▰▰▰▰▰▰▱▱▱▱ 60%\n\n"
	if got := out.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	// Another platform's people and channels are not the console's to
	// reach, which is no refusal of theirs: a plain error, nothing printed.
	before := out.String()
	err := c.SendDM(ctx, bot.Identity{Platform: bot.Slack, UserID: "U1"}, msg)
	var ue *bot.UndeliverableError
	if err == nil || errors.As(err, &ue) {
		t.Errorf("SendDM to a Slack user: got %v, want a plain error", err)
	}
	if err := c.Post(ctx, bot.Channel{Platform: bot.Discord, ChannelID: "1"}, msg); err == nil || errors.As(err, &ue) {
		t.Errorf("Post to a Discord channel: got %v, want a plain error", err)
	}
	if got := out.String(); got != before {
		t.Errorf("printed for another platform: %q", got[len(before):])
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.SendDM(cancelled, bot.Identity{Platform: bot.Console, UserID: "sam"}, msg); !errors.Is(err, context.Canceled) {
		t.Errorf("SendDM with a cancelled context: got %v", err)
	}
}

// TestSenderWhileRunning: a DM from another goroutine while the console
// waits for input is printed whole, between prompts.
func TestSenderWhileRunning(t *testing.T) {
	pr, pw := io.Pipe()
	var out lockedBuffer
	c := console.New(pr, &out, &recorder{}, console.Options{Interactive: true})
	done := make(chan error, 1)
	ctx := context.Background()
	go func() { done <- c.Run(ctx) }()
	waitFor(t, &out, "admin> ")
	if err := c.SendDM(ctx, bot.Identity{Platform: bot.Console, UserID: "sam", Name: "sam"}, bot.Message{Blocks: []bot.Block{bot.Text{Text: "Reminder"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(pw, ":quit\n"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if want := "admin> \n\x1b[36m→ DM to sam:\x1b[39m\nReminder\n\n\x1b[1;32madmin> \x1b[0m"; !strings.Contains(stripPromptColour(got), stripPromptColour(want)) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}

// stripPromptColour drops the prompt's colour codes so the test reads simply.
func stripPromptColour(s string) string {
	return strings.NewReplacer("\x1b[1;32m", "", "\x1b[0m", "").Replace(s)
}

func TestRunEndsWithContext(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	c := console.New(pr, io.Discard, &recorder{}, console.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

func TestWriteError(t *testing.T) {
	c := console.New(strings.NewReader("/plp plan\n/plp plan\n"), failWriter{}, &recorder{}, console.Options{})
	if err := c.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "write output") {
		t.Errorf("Run with a broken output: got %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func waitFor(t *testing.T, out *lockedBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stripPromptColour(out.String()), s) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %q in %q", s, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
