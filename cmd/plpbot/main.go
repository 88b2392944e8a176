// Command plpbot runs the Personalized Learning Plan bot: on Slack and/or
// Discord when their credentials are configured, else as a console on this
// terminal, over MongoDB or an embedded database.
//
// Usage:
//
//	plpbot [-config FILE] [run|console|version|check-config|outbox|retention [-dry-run]|erasures [-export FILE|-apply FILE]]
//	plpbot [-config FILE] audit export [-since YYYY-MM-DD] [-o FILE]
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	"github.com/plpbot/plpbot/metrics"
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
	cmdAudit       = "audit"
	cmdRetention   = "retention"
	cmdErasures    = "erasures"
	cmdImport      = "import"
)

// subcommands returns every subcommand's name.
func subcommands() []string {
	return []string{cmdRun, cmdConsole, cmdVersion, cmdCheckConfig, cmdOutbox, cmdAudit, cmdRetention, cmdErasures, cmdImport}
}

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2 // bad flags, bad config or a refused import
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
		if !errors.Is(err, errRejected) {
			fmt.Fprintln(m.Stderr, "plpbot:", err)
		}
		return exitCode(err)
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
	// AuditSince and AuditOut are audit export's -since (midnight in the
	// school's zone; zero: the whole log) and -o (empty: Stdout).
	AuditSince time.Time
	AuditOut   string
	// DryRun, ExportPath and ApplyPath are the flags of the retention and
	// erasures subcommands.
	DryRun     bool
	ExportPath string
	ApplyPath  string
	// ImportPath is import oneroster's folder or .zip (-dry-run as above).
	ImportPath string

	// Built by Run.
	Logger    *slog.Logger
	Store     *storage.Store
	Handlers  *handlers.Handlers
	Console   *console.Console
	Slack     *slack.Adapter
	Discord   *discord.Adapter
	Scheduler *scheduler.Scheduler
	// Metrics holds the process's Prometheus registry, served at /metrics.
	Metrics *metrics.Metrics

	// http serves /healthz, /readyz, /metrics (and Slack's HTTP mode) on
	// http.addr, at httpAddr (a string; tests read it while Run runs);
	// httpDone is closed when it has stopped.
	http     *http.Server
	httpLn   net.Listener
	httpAddr atomic.Value
	httpDone chan struct{}

	// dash is the browser dashboard, served under /dash/ on http.addr.
	dash dashboard

	// replica names this process among replicas on one database: the
	// planner lease, the Discord shards, Slack's shared limits.
	replica string

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
	var since string
	fs.StringVar(&since, "since", "", "audit export: only entries from this `date` on (YYYY-MM-DD, schedule.timezone)")
	fs.StringVar(&m.AuditOut, "o", "", "audit export: write the CSV to this `file` (default: standard output)")
	fs.BoolVar(&m.DryRun, "dry-run", false, "retention: list who would be purged, purge nobody; import: check the files and report what would change, writing nothing")
	fs.StringVar(&m.ExportPath, "export", "", "erasures: write the erasure log and its key to `file`")
	fs.StringVar(&m.ApplyPath, "apply", "", "erasures: after restoring a backup, forget again everyone in the log `file`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: plpbot [-config FILE] [command]

Commands:
  run           run on Slack and/or Discord if configured, else the console (default)
  console       run the console on this terminal, whatever else is configured
  check-config  validate the config and print "config OK" or the one bad key
  outbox        show the scheduled-message outbox: counts by status and the last failures
  audit export  write the audit log (who read or changed whose records) as CSV
                [-since YYYY-MM-DD] [-o FILE]
  retention     purge now who privacy.retention_days would purge tonight (-dry-run: only list them)
  erasures      show the erasure log; -export FILE to keep it with backups, -apply FILE after a restore
  import oneroster PATH
                import the school's roster from a OneRoster CSV export (a folder
                or .zip): people, classes, terms, class lists [-dry-run]
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
		extra := fs.Args()
		if m.Command == cmdAudit {
			if err := auditVerb(extra); err != nil {
				return err
			}
			if err := parse(extra[1:]); err != nil {
				return err
			}
			extra = fs.Args()
		}
		if m.Command == cmdImport {
			path, rest, err := importArgs(extra)
			if err != nil {
				return err
			}
			m.ImportPath = path
			if err := parse(rest); err != nil {
				return err
			}
			extra = fs.Args()
		}
		if len(extra) > 0 {
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
	if m.Command != cmdAudit && (since != "" || m.AuditOut != "") {
		return fmt.Errorf("plpbot %s: -since and -o are for plpbot audit export (see plpbot -h)", m.Command)
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
	if since != "" {
		d, err := time.ParseInLocation(time.DateOnly, since, cfg.ScheduleSettings().TimeZone)
		if err != nil {
			return fmt.Errorf("plpbot audit export: -since: want a real date as YYYY-MM-DD, got %q", since)
		}
		m.AuditSince = d
	}
	if m.Command == cmdRetention && cfg.Retention() == 0 {
		return cfg.bad("privacy.retention_days", "is 0 (never): set how many days your school keeps the records of people in no class, such as 365, to use plpbot retention")
	}
	return nil
}

// auditVerb checks the word after "plpbot audit": export is the one there is.
func auditVerb(args []string) error {
	const usage = "plpbot audit export [-since YYYY-MM-DD] [-o FILE]"
	switch {
	case len(args) == 0:
		return errors.New("plpbot audit: say what to do: " + usage)
	case args[0] != "export":
		msg := fmt.Sprintf("plpbot audit: unknown command %q", args[0])
		if s := grammar.Nearest(args[0], []string{"export"}); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return errors.New(msg + " (" + usage + ")")
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
		return m.answer(versionString() + "\n")
	case cmdCheckConfig:
		return m.answer("config OK\n")
	}
	useConsole := m.Command == cmdConsole || (!m.Config.SlackEnabled() && !m.Config.DiscordEnabled())
	m.Logger = newLogger(m.Stderr, m.Config.Log, useConsole)
	m.clock = newSimClock(m.Now)
	m.replica = replicaName()
	if useConsole {
		m.restoreClock()
	}

	if err := m.openStore(ctx); err != nil {
		return err
	}
	switch m.Command {
	case cmdRetention, cmdErasures:
		err := m.runPrivacy(ctx)
		m.finish(nil)
		return err
	}
	if m.Command == cmdAudit {
		if err := m.exportAudit(ctx); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		m.finish(nil)
		return nil
	}
	if m.Command == cmdImport {
		m.finish(m.importRoster(ctx))
		return nil
	}
	if m.Command != cmdOutbox {
		// Listen before the handlers are built: /plp dashboard's links
		// carry the port actually bound.
		if err := m.listenHTTP(useConsole); err != nil {
			return err
		}
	}
	m.Handlers = m.newHandlers()
	m.Metrics = m.newMetrics()
	inputs, senders, err := m.newInputs(useConsole)
	if err != nil {
		return err
	}
	m.Scheduler = m.newScheduler(senders)
	if m.Command == cmdOutbox {
		return m.printOutbox(ctx)
	}
	if err := m.newDashboard(senders); err != nil {
		return err
	}
	m.startHTTP()
	m.startScheduler(ctx)
	m.startInputs(ctx, inputs)
	m.Logger.Info("plpbot running", slog.String("version", version), slog.Any("inputs", names(inputs)),
		slog.Bool("embedded_database", m.Store.Embedded()))
	return nil
}

// answer writes s to Stdout and finishes the program: the one-shot
// subcommands (version, check-config, outbox) end once they have answered.
func (m *Main) answer(s string) error {
	fmt.Fprint(m.Stdout, s)
	m.finish(nil)
	return nil
}

// openStore opens the configured database (the embedded one when no URI
// is set) on the shared clock and keeps it in m.Store.
func (m *Main) openStore(ctx context.Context) error {
	cfg := &m.Config
	store, err := storage.Open(ctx, storage.Options{
		URI:         cfg.MongoDB.URI,
		Database:    cfg.MongoDB.Database,
		DataDir:     cfg.DataDir,
		Logger:      m.Logger.With(slog.String("component", "storage")),
		Debug:       strings.EqualFold(cfg.Log.Level, "debug"),
		StudentText: cfg.Log.StudentText,
		Now:         m.clock.Now,
		FerretDBDir: cfg.MongoDB.FerretDBDir,
		Timeouts: storage.Timeouts{Heartbeat: mongoDuration(cfg.MongoDB.Heartbeat),
			ServerSelection: mongoDuration(cfg.MongoDB.ServerSelectionTimeout)},
	})
	if err != nil {
		return fmt.Errorf("open the database: %w", err)
	}
	m.Store = store
	return nil
}

// restoreClock puts the console's simulated clock where its last session
// left it (consoleClockFile in data_dir). Only the console reads it: Slack
// and Discord always run on the real clock.
func (m *Main) restoreClock() {
	if err := m.clock.Restore(filepath.Join(m.Config.DataDir, consoleClockFile)); err != nil {
		m.Logger.Warn("the console clock starts at the real time", slog.Any("error", err))
	}
}

// advanceConsole runs the scheduler over the next d of simulated time for
// the console's ":advance", then keeps the clock's new offset for the next
// session.
func (m *Main) advanceConsole(ctx context.Context, d time.Duration) error {
	before := m.clock.Ahead()
	err := m.Scheduler.Advance(ctx, d)
	if err == nil {
		// Real time passed while the scheduler worked: keep the offset at
		// exactly what was asked, so ":advance 7d" is 7 days ahead.
		m.clock.KeepAhead(before + d)
	}
	if serr := m.clock.Save(); serr != nil {
		m.Logger.Error("the next console session will start at the real time", slog.Any("error", serr))
	}
	return err
}

// newHandlers builds the handlers that answer every command and compose
// what the scheduler sends, over m.Store on the shared clock.
func (m *Main) newHandlers() *handlers.Handlers {
	cfg := &m.Config
	sched := cfg.ScheduleSettings()
	return handlers.New(m.Store, handlers.Options{
		Now: m.clock.Now,
		Admins: map[bot.Platform][]string{
			bot.Slack:   cfg.Admins.Slack,
			bot.Discord: cfg.Admins.Discord,
			// The console needs none: its first user becomes the admin.
		},
		DefaultTimeZone:        cfg.Schedule.TimeZone,
		CommandTimeout:         mongoDuration(cfg.MongoDB.CommandTimeout),
		Holidays:               sched.Holidays,
		Reflections:            sched.Reflections,
		Summaries:              sched.Summaries,
		MinClassSize:           cfg.MinClassSize(),
		EnrolBy:                cfg.EnrolBy(),
		NotesVisibleToStudents: cfg.NotesVisibleToStudents(),
		DashboardURL:           m.dash.url,
		Finders:                m.userFinders,
		Logger:                 m.Logger.With(slog.String("component", "handlers")),
	})
}

// userFinders are the adapters built so far that can find people, for
// linking people at import (handlers.Options.Finders).
func (m *Main) userFinders() map[bot.Platform]bot.UserFinder {
	out := map[bot.Platform]bot.UserFinder{}
	if m.Slack != nil {
		out[bot.Slack] = m.Slack
	}
	if m.Discord != nil {
		out[bot.Discord] = m.Discord
	}
	return out
}

// newInputs builds the inputs people reach the bot through: the console
// alone, or whichever of Slack and Discord are configured. It returns them
// with the Sender the scheduler reaches people through; none runs yet.
func (m *Main) newInputs(useConsole bool) ([]input, senderRouter, error) {
	g := handlers.Grammar()
	senders := senderRouter{}
	if useConsole {
		m.Console = console.New(m.Stdin, m.Stdout, m.commands(), console.Options{
			Interactive: isTerminal(m.Stdin) && isTerminal(m.Stdout),
			Grammar:     g,
			Logger:      m.Logger,
			// Charts are saved beside the database, private to whoever runs it.
			ChartDir: filepath.Join(m.Config.DataDir, "charts"),
			// ":advance 7d" runs the scheduler over simulated time; the
			// scheduler is built before any input runs.
			Advance: m.advanceConsole,
			Clock:   m.clock,
			Zone:    m.Config.ScheduleSettings().TimeZone,
		})
		senders[bot.Console] = m.Console
		return []input{{"console", m.Console.Run}}, senders, nil
	}
	var inputs []input
	if m.Config.SlackEnabled() {
		a, err := m.newSlack(g)
		if err != nil {
			return nil, nil, err
		}
		m.Slack = a
		senders[bot.Slack] = a
		inputs = append(inputs, input{"slack", a.Run})
	}
	if m.Config.DiscordEnabled() {
		a, err := m.newDiscord(g)
		if err != nil {
			return nil, nil, err
		}
		m.Discord = a
		senders[bot.Discord] = a
		inputs = append(inputs, input{"discord", a.Run})
	}
	return inputs, senders, nil
}

// commands is the handler the adapters call: the handlers, counted and
// timed for /metrics.
func (m *Main) commands() bot.Handler { return m.Metrics.Commands(m.Handlers) }

// newSlack builds the Slack adapter from the configuration.
func (m *Main) newSlack(g *grammar.Grammar) (*slack.Adapter, error) {
	cfg := &m.Config
	a, err := slack.New(slack.Config{
		BotToken:      cfg.Slack.BotToken,
		AppToken:      cfg.Slack.AppToken,
		SigningSecret: cfg.Slack.SigningSecret,
		Mode:          cfg.Slack.Mode,
		APIURL:        cfg.Slack.APIURL,
		HTTPAddr:      cfg.HTTP.Addr,
		// http.addr carries Slack's endpoints beside /healthz and /metrics.
		SharedServer: true,
		Observer:     m.Metrics.Platform(bot.Slack),
		// The workspace's whole limit: replicas divide it (WithPeers).
		MessagesPerMinute: cfg.SlackMessagesPerMinute(),
		DMChannels:        dmChannels{m.Store},
	}, g, m.commands(), m.Logger,
		slack.WithEventLog(m.Store),                  // a retry reaching another replica is dropped there
		slack.WithPeers(m.Store, "slack", m.replica)) // replicas count each other and divide the workspace's limits
	if err != nil {
		return nil, fmt.Errorf("start slack: %w", err)
	}
	return a, nil
}

// newDiscord builds the Discord adapter from the configuration.
func (m *Main) newDiscord(g *grammar.Grammar) (*discord.Adapter, error) {
	cfg := &m.Config
	// Replicas on one database share the gateway: each shard is held by
	// one of them at a time, through a lease in the database.
	a, err := discord.New(discord.Config{
		Token:    cfg.Discord.Token,
		AppID:    cfg.Discord.AppID,
		GuildID:  cfg.Discord.GuildID,
		APIURL:   cfg.Discord.APIURL,
		Shards:   cfg.DiscordShards(),
		Observer: m.Metrics.Platform(bot.Discord),
	}, g, m.commands(), m.Logger, discord.WithLeases(m.Store, m.replica))
	if err != nil {
		return nil, fmt.Errorf("start discord: %w", err)
	}
	return a, nil
}

// printOutbox is the outbox subcommand: it prints the outbox report and
// finishes the program without starting the scheduler or any input.
func (m *Main) printOutbox(ctx context.Context) error {
	report, err := m.Scheduler.OutboxReport(ctx)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return m.answer(report)
}

// startScheduler runs the scheduler in the background. It runs on its own
// context, not ctx's cancellation: it must outlive the inputs, so Close can
// stop it after them and before the database.
func (m *Main) startScheduler(ctx context.Context) {
	schedCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	m.stopScheduler = stop
	m.scheduler.Add(1)
	go func() {
		defer m.scheduler.Done()
		if err := m.Scheduler.Run(schedCtx); err != nil && schedCtx.Err() == nil {
			m.Logger.Error("scheduler stopped", slog.Any("error", err))
		}
	}()
}

// startInputs runs each input in the background until ctx is done or Close
// stops them. The first to end, with or without an error, finishes the
// program (closes Done).
func (m *Main) startInputs(ctx context.Context, inputs []input) {
	inCtx, stop := context.WithCancel(ctx)
	m.stopInputs = stop
	for _, in := range inputs {
		m.inputs.Add(1)
		go func() {
			defer m.inputs.Done()
			err := in.run(inCtx)
			if err != nil && inCtx.Err() == nil {
				m.Logger.Error("input stopped", slog.String("input", in.name), slog.Any("error", err))
				m.finish(fmt.Errorf("%s: %w", in.name, err))
				return
			}
			m.Logger.Debug("input stopped", slog.String("input", in.name))
			m.finish(nil)
		}()
	}
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

// Close shuts down in order: the HTTP server and the inputs first (no new
// requests; work in progress finishes), then the scheduler, then the
// database. It is safe
// to call more than once.
func (m *Main) Close() error {
	m.closeOnce.Do(func() {
		// Slack's HTTP mode comes in through the server: stop it first.
		m.stopHTTP()
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
		SchoolDays:          set.SchoolDays,
		Holidays:            cfg.Schedule.Holidays,
		NudgeAfter:          set.NudgeAfter,
		Retention:           cfg.Retention(),
		Observer:            m.Metrics,
		ReplicaID:           m.replica,
		Workers:             set.Workers,
		RatePerSecond:       set.SendRate,
		SendLease:           set.SendLease,
		Now:                 m.clock.Now,
		SetNow:              m.clock.Set,
		Logger:              m.Logger.With(slog.String("component", "scheduler")),
	})
}

// replicaName is a name for this process unique among replicas: host, pid
// and a random suffix (a container's pid is often 1).
func replicaName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}
