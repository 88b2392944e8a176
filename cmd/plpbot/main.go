// Command plpbot runs the Personalized Learning Plan bot: on Slack and/or
// Discord when their credentials are configured, else as a console on this
// terminal, over MongoDB or an embedded database.
//
// Usage:
//
//	plpbot [-config FILE] [run|console|version|check-config|outbox|retention [-dry-run]|erasures [-export FILE|-apply FILE]]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // schedule.timezone works on machines without a zone database

	"golang.org/x/term"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/console"
	"github.com/plpbot/plpbot/bot/discord"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/bot/slack"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// Subcommands.
const (
	cmdRun         = "run"
	cmdConsole     = "console"
	cmdVersion     = "version"
	cmdCheckConfig = "check-config"
	cmdOutbox      = "outbox"
	cmdRetention   = "retention"
	cmdErasures    = "erasures"
)

// subcommands returns every subcommand's name.
func subcommands() []string {
	return []string{cmdRun, cmdConsole, cmdVersion, cmdCheckConfig, cmdOutbox, cmdRetention, cmdErasures}
}

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2 // bad flags or bad config
)

// shutdownTimeout bounds closing the database.
const shutdownTimeout = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, NewMain(), os.Args[1:]))
}

// run is main without the process: it parses args, runs m until ctx is
// done or the inputs end, and returns the exit code.
func run(ctx context.Context, m *Main, args []string) int {
	if err := m.ParseFlags(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		if !errors.As(err, new(usageError)) {
			fmt.Fprintln(m.Stderr, err)
		}
		return exitUsage
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(m.Stderr, "plpbot:", err)
		_ = m.Close()
		return exitFailed
	}
	select {
	case <-ctx.Done():
	case <-m.Done():
	}
	closeErr := m.Close()
	if err := m.Err(); err != nil {
		fmt.Fprintln(m.Stderr, "plpbot:", err)
		return exitFailed
	}
	if closeErr != nil {
		fmt.Fprintln(m.Stderr, "plpbot:", closeErr)
		return exitFailed
	}
	return exitOK
}

// Main is the whole program, wired. Tests build it with NewMain, replace
// its inputs and outputs, and call ParseFlags, Run, Done and Close exactly
// as main does.
type Main struct {
	// Stdin, Stdout and Stderr default to the process's. The console reads
	// and prints on Stdin and Stdout; logs go to Stderr.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Env is the environment, as os.Environ returns it, for PLPBOT_* overrides.
	Env []string
	// Now is the clock of every piece; default time.Now.
	Now func() time.Time

	// Command is the subcommand ParseFlags found; ConfigPath and Config
	// what it loaded.
	Command    string
	ConfigPath string
	Config     Config
	// DryRun, ExportPath and ApplyPath are the flags of the retention and
	// erasures subcommands.
	DryRun     bool
	ExportPath string
	ApplyPath  string

	// Built by Run.
	Logger    *slog.Logger
	Store     *storage.Store
	Handlers  *handlers.Handlers
	Console   *console.Console
	Slack     *slack.Adapter
	Discord   *discord.Adapter
	Scheduler *scheduler.Scheduler

	clock         *simClock
	stopScheduler context.CancelFunc
	scheduler     sync.WaitGroup

	stopInputs context.CancelFunc
	inputs     sync.WaitGroup
	done       chan struct{}
	doneOnce   sync.Once
	closeOnce  sync.Once
	closeErr   error
	errMu      sync.Mutex
	err        error
}

// NewMain returns a Main on the process's standard streams and environment.
func NewMain() *Main {
	return &Main{
		Stdin:   os.Stdin,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Env:     os.Environ(),
		Now:     time.Now,
		Command: cmdRun,
		done:    make(chan struct{}),
	}
}

// ParseFlags reads the command line: flags may come before or after the
// subcommand. Unless the subcommand is version, it loads and validates the
// configuration; a bad value is a *ConfigError naming the key.
func (m *Main) ParseFlags(args []string) error {
	fs := flag.NewFlagSet("plpbot", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&m.ConfigPath, "config", "", "the YAML config `file` (default: ./"+DefaultConfigFile+" if present, else built-in defaults)")
	fs.BoolVar(&m.DryRun, "dry-run", false, "retention: list who would be purged, purge nobody")
	fs.StringVar(&m.ExportPath, "export", "", "erasures: write the erasure log and its key to `file`")
	fs.StringVar(&m.ApplyPath, "apply", "", "erasures: after restoring a backup, forget again everyone in the log `file`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: plpbot [-config FILE] [command]

Commands:
  run           run on Slack and/or Discord if configured, else the console (default)
  console       run the console on this terminal, whatever else is configured
  check-config  validate the config and print "config OK" or the one bad key
  outbox        show the scheduled-message outbox: counts by status and the last failures
  retention     purge now who privacy.retention_days would purge tonight (-dry-run: only list them)
  erasures      show the erasure log; -export FILE to keep it with backups, -apply FILE after a restore
  version       print the version

Flags:
`)
		fs.PrintDefaults()
	}
	parse := func(args []string) error {
		err := fs.Parse(args)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			return usageError{err}
		}
		return err
	}
	if err := parse(args); err != nil {
		return err
	}
	if rest := fs.Args(); len(rest) > 0 {
		m.Command = rest[0]
		if err := parse(rest[1:]); err != nil {
			return err
		}
		if extra := fs.Args(); len(extra) > 0 {
			return fmt.Errorf("plpbot %s: unexpected argument %q (see plpbot -h)", m.Command, extra[0])
		}
	}
	if !isSubcommand(m.Command) {
		msg := fmt.Sprintf("plpbot: unknown command %q", m.Command)
		if s := grammar.Nearest(m.Command, subcommands()); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return errors.New(msg + " (see plpbot -h)")
	}
	if err := m.checkPrivacyFlags(); err != nil {
		return err
	}
	if m.Command == cmdVersion {
		return nil
	}
	cfg, err := ReadConfig(m.ConfigPath, m.Env)
	if err != nil {
		return err
	}
	m.Config = cfg
	if m.Command == cmdRetention && cfg.Retention() == 0 {
		return cfg.bad("privacy.retention_days", "is 0 (never): set how many days your school keeps the records of people in no class, such as 365, to use plpbot retention")
	}
	return nil
}

func isSubcommand(s string) bool { return slices.Contains(subcommands(), s) }

// usageError is a command-line mistake the flag package has already
// reported, with the usage, on Stderr.
type usageError struct{ error }

// Run starts the program and returns once it is serving: the database is
// open and every input is running in the background. Done is closed when
// the first input ends (the console reaching the end of its input or
// :quit, or an adapter failing); Close then shuts everything down.
func (m *Main) Run(ctx context.Context) error {
	switch m.Command {
	case cmdVersion:
		fmt.Fprintln(m.Stdout, versionString())
		m.finish(nil)
		return nil
	case cmdCheckConfig:
		fmt.Fprintln(m.Stdout, "config OK")
		m.finish(nil)
		return nil
	}
	cfg := &m.Config
	useConsole := m.Command == cmdConsole || (!cfg.SlackEnabled() && !cfg.DiscordEnabled())
	m.Logger = newLogger(m.Stderr, cfg.Log, useConsole)
	log := m.Logger

	m.clock = newSimClock(m.Now)
	now := m.clock.Now
	store, err := storage.Open(ctx, storage.Options{
		URI:      cfg.MongoDB.URI,
		Database: cfg.MongoDB.Database,
		DataDir:  cfg.DataDir,
		Logger:   log.With(slog.String("component", "storage")),
		Debug:    strings.EqualFold(cfg.Log.Level, "debug"),
		Now:      now,
	})
	if err != nil {
		return fmt.Errorf("open the database: %w", err)
	}
	m.Store = store
	switch m.Command {
	case cmdRetention, cmdErasures:
		err := m.runPrivacy(ctx)
		m.finish(nil)
		return err
	}

	g := handlers.Grammar()
	sched := cfg.ScheduleSettings()
	m.Handlers = handlers.New(store, handlers.Options{
		Now: now,
		Admins: map[bot.Platform][]string{
			bot.Slack:   cfg.Admins.Slack,
			bot.Discord: cfg.Admins.Discord,
			// The console needs none: its first user becomes the admin.
		},
		DefaultTimeZone: cfg.Schedule.TimeZone,
		Holidays:        sched.Holidays,
		Reflections:     sched.Reflections,
		Summaries:       sched.Summaries,
		Logger:          log.With(slog.String("component", "handlers")),
	})

	// The inputs, each with the Sender the scheduler reaches people through.
	senders := senderRouter{}
	var inputs []input
	if useConsole {
		m.Console = console.New(m.Stdin, m.Stdout, m.Handlers, console.Options{
			Interactive: isTerminal(m.Stdin) && isTerminal(m.Stdout),
			Grammar:     g,
			Logger:      log,
			// ":advance 7d" runs the scheduler over simulated time; the
			// scheduler is built below, before any input runs.
			Advance: func(ctx context.Context, d time.Duration) error { return m.Scheduler.Advance(ctx, d) },
		})
		senders[bot.Console] = m.Console
		inputs = append(inputs, input{"console", m.Console.Run})
	} else {
		if cfg.SlackEnabled() {
			a, err := slack.New(slack.Config{
				BotToken:      cfg.Slack.BotToken,
				AppToken:      cfg.Slack.AppToken,
				SigningSecret: cfg.Slack.SigningSecret,
				Mode:          cfg.Slack.Mode,
				APIURL:        cfg.Slack.APIURL,
				HTTPAddr:      cfg.HTTP.Addr,
			}, g, m.Handlers, log)
			if err != nil {
				return fmt.Errorf("start slack: %w", err)
			}
			m.Slack = a
			senders[bot.Slack] = a
			inputs = append(inputs, input{"slack", a.Run})
		}
		if cfg.DiscordEnabled() {
			a, err := discord.New(discord.Config{
				Token:   cfg.Discord.Token,
				AppID:   cfg.Discord.AppID,
				GuildID: cfg.Discord.GuildID,
				APIURL:  cfg.Discord.APIURL,
			}, g, m.Handlers, log)
			if err != nil {
				return fmt.Errorf("start discord: %w", err)
			}
			m.Discord = a
			senders[bot.Discord] = a
			inputs = append(inputs, input{"discord", a.Run})
		}
	}

	m.Scheduler = m.newScheduler(senders)
	if m.Command == cmdOutbox {
		report, err := m.Scheduler.OutboxReport(ctx)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		fmt.Fprint(m.Stdout, report)
		m.finish(nil)
		return nil
	}
	// The scheduler runs on its own context: it must outlive the inputs,
	// so Close can stop it after them and before the database.
	schedCtx, stopScheduler := context.WithCancel(context.WithoutCancel(ctx))
	m.stopScheduler = stopScheduler
	m.scheduler.Add(1)
	go func() {
		defer m.scheduler.Done()
		if err := m.Scheduler.Run(schedCtx); err != nil && schedCtx.Err() == nil {
			log.Error("scheduler stopped", slog.Any("error", err))
		}
	}()

	inCtx, stop := context.WithCancel(ctx)
	m.stopInputs = stop
	for _, in := range inputs {
		m.inputs.Add(1)
		go func() {
			defer m.inputs.Done()
			err := in.run(inCtx)
			if err != nil && inCtx.Err() == nil {
				log.Error("input stopped", slog.String("input", in.name), slog.Any("error", err))
				m.finish(fmt.Errorf("%s: %w", in.name, err))
				return
			}
			log.Debug("input stopped", slog.String("input", in.name))
			m.finish(nil)
		}()
	}
	log.Info("plpbot running", slog.String("version", version), slog.Any("inputs", names(inputs)),
		slog.Bool("embedded_database", store.Embedded()))
	return nil
}

// input is something people reach the bot through.
type input struct {
	name string
	run  func(context.Context) error
}

func names(ins []input) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = in.name
	}
	return out
}

// finish records the first input's end and closes Done.
func (m *Main) finish(err error) {
	m.errMu.Lock()
	if m.err == nil {
		m.err = err
	}
	m.errMu.Unlock()
	m.doneOnce.Do(func() { close(m.done) })
}

// Done is closed when the first input ends.
func (m *Main) Done() <-chan struct{} { return m.done }

// Err returns the error that ended an input, if one failed.
func (m *Main) Err() error {
	m.errMu.Lock()
	defer m.errMu.Unlock()
	return m.err
}

// Close shuts down in order: the inputs first (no new requests; work in
// progress finishes), then the scheduler, then the database. It is safe
// to call more than once.
func (m *Main) Close() error {
	m.closeOnce.Do(func() {
		if m.stopInputs != nil {
			m.stopInputs()
		}
		m.inputs.Wait()
		if m.stopScheduler != nil {
			m.stopScheduler()
			m.scheduler.Wait()
		}
		if m.Store != nil {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
			defer cancel()
			if err := m.Store.Close(ctx); err != nil {
				m.closeErr = fmt.Errorf("close the database: %w", err)
			}
		}
		if m.Logger != nil {
			m.Logger.Info("plpbot stopped")
		}
	})
	return m.closeErr
}

// newLogger logs to w. With no level configured, the console logs only
// warnings and errors: its transcript shares the terminal.
func newLogger(w io.Writer, c LogConfig, console bool) *slog.Logger {
	level := slog.LevelInfo
	switch strings.ToLower(c.Level) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	case "":
		if console {
			level = slog.LevelWarn
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(c.Format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// isTerminal reports whether f is an *os.File on a terminal.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

func versionString() string {
	s := "plpbot " + version
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, kv := range info.Settings {
			if kv.Key == "vcs.revision" && len(kv.Value) >= 12 {
				s += " (" + kv.Value[:12] + ")"
			}
		}
	}
	return s + " " + runtime.Version()
}

// newScheduler builds the scheduler from the configuration, on the shared
// clock, sending through the adapters that run.
func (m *Main) newScheduler(senders senderRouter) *scheduler.Scheduler {
	cfg := &m.Config
	set := cfg.ScheduleSettings()
	return scheduler.New(m.Store, m.Handlers, senders, scheduler.Options{
		TimeZone:            cfg.Schedule.TimeZone,
		Reflections:         set.Reflections,
		Summaries:           set.Summaries,
		ConferenceReminders: set.ConferenceReminders,
		FollowupAfter:       set.FollowupAfter,
		QuietHours:          cfg.Schedule.QuietHours,
		Holidays:            cfg.Schedule.Holidays,
		NudgeAfter:          set.NudgeAfter,
		Retention:           cfg.Retention(),
		Now:                 m.clock.Now,
		SetNow:              m.clock.Set,
		Logger:              m.Logger.With(slog.String("component", "scheduler")),
	})
}
