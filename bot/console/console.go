// Package console is plpbot's local adapter: a REPL on stdin/stdout where
// one person plays every user in turn. It is the default when no Slack or
// Discord credentials are configured, so a newcomer can try the whole bot
// in a terminal, and it works the same when its input is a pipe or a file
// (no prompt, no colours), which makes whole sessions scriptable.
//
// Lines starting with "/plp" are slash commands made in the current
// channel; ":" starts a console command (:as, :channel, :advance, :now,
// :help, :quit); anything else is a direct message to the bot.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// Defaults for Options.
const (
	// DefaultUser is who is typing before the first :as. Wire it into the
	// handlers' admins so the first console user can grant roles.
	DefaultUser = "admin"
	// DefaultChannel is where slash commands are made before a :channel.
	DefaultChannel = "console"
	// MaxNameLen bounds user and channel names typed after :as and :channel.
	MaxNameLen = 80
	// maxLineLen bounds one input line; a pasted essay longer than this is
	// refused by the grammar anyway (plpbot.MaxTextLen), with a friendlier message.
	maxLineLen = 64 * 1024
)

// Options configure a Console.
type Options struct {
	// Interactive shows a prompt, a welcome line and ANSI styling. Set it
	// only when both input and output are a terminal.
	Interactive bool
	// Advance, if set, runs the scheduler over the next d of simulated time
	// (":advance 7d"). Nil means no scheduler is running.
	Advance func(ctx context.Context, d time.Duration) error
	// Clock, if set, is the simulated clock ":now" shows and ":now reset"
	// takes back to the real time; nil shows the real time.
	Clock Clock
	// Zone is the time zone ":now" shows the time in; default UTC.
	Zone *time.Location
	// FirstUser is the acting user before the first :as; default DefaultUser.
	FirstUser string
	// Channel is where slash commands are made before a :channel; default
	// DefaultChannel.
	Channel string
	// Grammar, if set, orders the arguments of a form button's command hint
	// as the grammar does; without it they are shown in name order.
	Grammar *grammar.Grammar
	// ChartDir is where charts are saved as PNG files (their paths are
	// printed); default DefaultChartDir.
	ChartDir string
	// Logger receives internal errors; default: discard.
	Logger *slog.Logger
}

// Clock is a console session's simulated clock, which ":advance" moves.
type Clock interface {
	// Now returns the simulated time.
	Now() time.Time
	// Ahead returns how far it runs ahead of the real clock.
	Ahead() time.Duration
	// Reset takes it back to the real time.
	Reset() error
}

// Console reads lines from in, hands them to a bot.Handler as the acting
// user and prints the replies to out. It also implements bot.Sender, so the
// scheduler's DMs and channel posts appear in the same transcript.
//
// Run owns the reading; SendDM and Post may be called from any goroutine:
// every write to out goes through one mutex, so messages never interleave.
type Console struct {
	in      io.Reader
	out     io.Writer
	handler bot.Handler
	opts    Options
	log     *slog.Logger
	style   style

	mu      sync.Mutex // guards out, actor, channel, seq and prompted
	actor   bot.Identity
	channel bot.Channel
	seq     int
	// prompted is true while a prompt is on screen, waiting for a line, so
	// a message arriving meanwhile starts on a fresh line and re-prompts.
	prompted bool
}

var _ bot.Sender = (*Console)(nil)

// New returns a console that reads in, writes out and asks h.
func New(in io.Reader, out io.Writer, h bot.Handler, opts Options) *Console {
	if opts.FirstUser == "" {
		opts.FirstUser = DefaultUser
	}
	if opts.Channel == "" {
		opts.Channel = DefaultChannel
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Console{
		in:      in,
		out:     out,
		handler: h,
		opts:    opts,
		log:     log.With(slog.String("adapter", "console")),
		style:   newStyle(opts.Interactive),
	}
	c.actor = identity(opts.FirstUser)
	c.channel = channel(opts.Channel)
	return c
}

// Actor returns the person currently typing.
func (c *Console) Actor() bot.Identity {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.actor
}

// Run reads and answers lines until the input ends, a ":quit" line, or ctx
// is done; none of these is an error. It returns an error only when the
// input or output fails.
//
// A read from a terminal cannot be interrupted, so the reading happens in
// a goroutine of its own; when ctx ends first, that goroutine stays blocked
// until the next line or the end of the input, and then exits.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 0, 4096), maxLineLen)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-stop:
				return
			}
		}
		readErr <- sc.Err()
	}()

	if c.opts.Interactive {
		c.welcome()
	}
	for {
		c.prompt()
		select {
		case <-ctx.Done():
			c.endPrompt()
			return nil
		case err := <-readErr:
			c.endPrompt()
			if errors.Is(err, bufio.ErrTooLong) {
				return fmt.Errorf("console: a line is longer than %d bytes", maxLineLen)
			}
			if err != nil {
				return fmt.Errorf("console: read input: %w", err)
			}
			return nil
		case line := <-lines:
			c.mu.Lock()
			c.prompted = false
			c.mu.Unlock()
			quit, err := c.Do(ctx, line)
			if err != nil {
				return err
			}
			if quit {
				return nil
			}
		}
	}
}

// Do handles one input line as if it were typed, and reports whether it
// asked to quit. The error is an output failure only; everything a person
// got wrong is answered in the transcript.
func (c *Console) Do(ctx context.Context, line string) (quit bool, err error) {
	line = strings.TrimSpace(strings.TrimPrefix(line, "\ufeff"))
	switch {
	case line == "":
		return false, nil
	case strings.HasPrefix(line, ":"):
		return c.consoleCommand(ctx, line)
	case isPlp(line):
		return false, c.ask(ctx, grammar.StripPrefix(line), true)
	case strings.HasPrefix(line, "/"):
		word, _, _ := strings.Cut(line, " ")
		return false, c.note("%s isn't a command here. Commands start with /plp — try /plp help.", literal(word))
	default:
		return false, c.ask(ctx, line, false)
	}
}

// isPlp reports whether line is a /plp slash command.
func isPlp(line string) bool {
	if len(line) < 4 || !strings.EqualFold(line[:4], "/plp") {
		return false
	}
	r, _ := utf8.DecodeRuneInString(line[4:])
	return len(line) == 4 || unicode.IsSpace(r)
}

// ask sends one request to the handler as the acting user and prints what
// comes back.
func (c *Console) ask(ctx context.Context, text string, slash bool) error {
	c.mu.Lock()
	c.seq++
	req := &bot.Request{
		ID:    "console-" + strconv.Itoa(c.seq),
		Actor: nameless(c.actor),
		// The name typed after :as is the person's name only when they are
		// new: the handlers ask Lookup for people they meet first.
		Lookup: firstSight(c.actor),
		Text:   text,
		Slash:  slash,
		Place:  bot.Place{Kind: bot.InDM},
		// The console has no optional capabilities yet, but handlers see
		// every adapter the same way.
		Adapter: c,
	}
	if slash {
		req.Place = bot.Place{Kind: bot.InChannel, Channel: c.channel}
	}
	c.mu.Unlock()

	msgs, err := c.handle(ctx, req)
	if err != nil {
		if _, ok := bot.AsUserError(err); !ok {
			c.log.Error("handle request", slog.String("request", req.ID), slog.Bool("slash", slash), slog.Any("error", err))
		}
		msgs = append(msgs, bot.ErrorMessage(err))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range msgs {
		var err error
		switch {
		case m.To != nil:
			err = c.writeLabelled(dmLabel(*m.To), m)
		case m.Visibility == bot.Public && slash:
			err = c.writeLabelled("#"+req.Place.Channel.Name, m)
		default:
			err = c.write(c.render(m) + "\n\n")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// handle calls the handler and turns a panic into an internal error, so a
// bug in one command never ends the session.
func (c *Console) handle(ctx context.Context, req *bot.Request) (msgs []bot.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			msgs, err = nil, fmt.Errorf("console: handler panicked: %v", r)
		}
	}()
	return c.handler.Handle(ctx, req)
}

// SendDM prints msg as a direct message to a console user. A person on
// another platform is not the console's to reach: that is a plain error, not
// a *bot.UndeliverableError, because they did not refuse anything.
func (c *Console) SendDM(ctx context.Context, to bot.Identity, msg bot.Message) error {
	if to.Platform != "" && to.Platform != bot.Console {
		return fmt.Errorf("console: cannot reach %s user %q", to.Platform, to.UserID)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.breakPrompt()
	if err := c.writeLabelled(dmLabel(to), msg); err != nil {
		return err
	}
	c.rePrompt()
	return nil
}

// Post prints msg as a post in a console channel; a channel on another
// platform is a plain error, like a person there.
func (c *Console) Post(ctx context.Context, to bot.Channel, msg bot.Message) error {
	if to.Platform != "" && to.Platform != bot.Console {
		return fmt.Errorf("console: cannot reach %s channel %q", to.Platform, to.ChannelID)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	name := to.Name
	if name == "" {
		name = to.ChannelID
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.breakPrompt()
	if err := c.writeLabelled("#"+name, msg); err != nil {
		return err
	}
	c.rePrompt()
	return nil
}

func dmLabel(to bot.Identity) string {
	name := to.Name
	if name == "" {
		name = to.UserID
	}
	return "DM to " + name
}

// writeLabelled prints "→ label:" and the message under it. c.mu is held.
// Every message ends with a blank line, so a transcript reads as turns.
func (c *Console) writeLabelled(label string, m bot.Message) error {
	return c.write(c.style.label("→ "+sanitize(label)+":") + "\n" + c.render(m) + "\n\n")
}

// note prints a console line (not a bot message).
func (c *Console) note(format string, args ...any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.write(c.style.dim(fmt.Sprintf(format, args...)) + "\n")
}

// write writes s to out. c.mu is held.
func (c *Console) write(s string) error {
	if _, err := io.WriteString(c.out, s); err != nil {
		return fmt.Errorf("console: write output: %w", err)
	}
	return nil
}

// prompt shows "name> " when interactive.
func (c *Console) prompt() {
	if !c.opts.Interactive {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.prompted {
		_ = c.write(c.promptText())
		c.prompted = true
	}
}

func (c *Console) promptText() string {
	return c.style.prompt(c.actor.Name + "> ")
}

// endPrompt moves past a prompt left on screen at exit.
func (c *Console) endPrompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.breakPrompt()
}

// breakPrompt starts a fresh line if a prompt is showing. c.mu is held.
func (c *Console) breakPrompt() {
	if c.prompted {
		_ = c.write("\n")
	}
}

// rePrompt shows the prompt again after an interruption. c.mu is held.
func (c *Console) rePrompt() {
	if c.prompted {
		_ = c.write(c.promptText())
	}
}

func (c *Console) welcome() {
	_ = c.note("plpbot console — you are %s. Type /plp help to see what you can do, :help for console commands, :quit to leave.", c.actor.Name)
}

// identity is the console user called name.
func identity(name string) bot.Identity {
	return bot.Identity{Platform: bot.Console, UserID: strings.ToLower(name), Name: name}
}

// nameless is who a request comes from: the console user without the name
// typed after :as. A name on a request updates the stored one (platforms
// send the person's current display name), and ":as Ana" must act as the
// existing ana, not rename her.
func nameless(id bot.Identity) bot.Identity {
	id.Name = ""
	return id
}

// firstSight is the request's Lookup: the handlers ask it about a person
// they are creating, and the actor's name is the one typed after :as. Anyone
// else is named by their user id, as a console mention names them.
func firstSight(actor bot.Identity) func(context.Context, bot.Identity) (bot.Identity, error) {
	return func(_ context.Context, id bot.Identity) (bot.Identity, error) {
		if id.Platform == actor.Platform && id.UserID == actor.UserID {
			return actor, nil
		}
		id.Name = id.UserID
		return id, nil
	}
}

func channel(name string) bot.Channel {
	return bot.Channel{Platform: bot.Console, ChannelID: strings.ToLower(name), Name: name}
}
