// Package slack connects plpbot to Slack: slash commands, direct messages,
// buttons, modals and the App Home, over Socket Mode or the HTTP Events API,
// rendered in Block Kit.
//
// Both transports feed the same code path: a slash command, event or
// interaction is acknowledged at once (Slack waits 3 seconds at most) and the
// work continues in a goroutine the Adapter owns, answering through the
// response_url or the Web API. Run waits for that work on shutdown.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/slack-go/slack"
)

// Transport modes.
const (
	ModeSocket = "socket" // Socket Mode: needs an app token, no public URL
	ModeHTTP   = "http"   // Events API: Slack posts to HTTPAddr
)

// Config is what the adapter needs to reach Slack.
type Config struct {
	// BotToken is the bot user OAuth token (xoxb-…); config key slack.bot_token.
	BotToken string
	// AppToken is the app-level token with connections:write (xapp-…), for
	// Socket Mode; config key slack.app_token.
	AppToken string
	// SigningSecret verifies requests in HTTP mode; config key slack.signing_secret.
	SigningSecret string
	// Mode is "socket" (the default) or "http"; config key slack.mode.
	Mode string
	// APIURL overrides Slack's Web API base URL (GovSlack, tests); config key
	// slack.api_url. Empty means https://slack.com/api/.
	APIURL string
	// HTTPAddr is the listen address in HTTP mode, such as ":8080"; config key http.addr.
	HTTPAddr string
	// SharedServer, in HTTP mode, means the caller serves HTTPHandler on its
	// own server (cmd/plpbot, beside /healthz and /metrics on http.addr): Run
	// then listens on nothing and only waits for ctx.
	SharedServer bool
	// Observer, if set, hears about 429s and reconnects, for metrics.
	Observer Observer
	// MessagesPerMinute is the workspace-wide pace of chat.postMessage; config
	// key slack.messages_per_minute. Zero means DefaultMessagesPerMinute.
	// Slack's limit is the app's in the workspace, shared by every replica.
	MessagesPerMinute int
	// DMChannels keeps the id of each person's DM conversation with the bot,
	// so that it is found once per person, not once per message; nil keeps
	// them in this process only.
	DMChannels DMChannelKeeper
}

// DMChannelKeeper remembers the bot's DM conversation with each person
// (plpbot keeps it on the person's record).
type DMChannelKeeper interface {
	// KeepDMChannel records that the bot's DM with who is channel.
	KeepDMChannel(ctx context.Context, who bot.Identity, channel string) error
}

// Validate reports the first missing or wrong setting, naming its config key.
func (c Config) Validate() error {
	if c.BotToken == "" {
		return errors.New("slack.bot_token is required (the xoxb-… Bot User OAuth Token)")
	}
	switch c.Mode {
	case "", ModeSocket:
		if c.AppToken == "" {
			return errors.New("slack.app_token is required in socket mode (an xapp-… token with connections:write)")
		}
	case ModeHTTP:
		if c.SigningSecret == "" {
			return errors.New("slack.signing_secret is required in http mode")
		}
		if c.HTTPAddr == "" {
			return errors.New("http.addr is required in slack http mode (such as :8080)")
		}
	default:
		return fmt.Errorf("slack.mode must be %q or %q, not %q", ModeSocket, ModeHTTP, c.Mode)
	}
	if c.MessagesPerMinute < 0 {
		return fmt.Errorf("slack.messages_per_minute must be a positive number of messages, not %d", c.MessagesPerMinute)
	}
	return nil
}

// Timing of background work.
const (
	// workTimeout bounds one request's background work.
	workTimeout = 2 * time.Minute
	// drainTimeout is how long Run waits for background work on shutdown
	// before cancelling it.
	drainTimeout = 10 * time.Second
	// modalWait is how long a modal submission waits for the handler, so a
	// quick answer that blames one field goes back into the modal.
	modalWait = 2 * time.Second
	// maxRetries bounds how often one Slack call is retried after 429s.
	maxRetries = 8
)

// Adapter is plpbot's Slack connection. It implements bot.Sender, and the
// optional bot.DMAdvisor and bot.Mentioner for the handlers.
type Adapter struct {
	cfg     Config
	api     *slack.Client
	limits  *limiter     // the api's HTTP client
	hc      *http.Client // for response_url posts
	grammar *grammar.Grammar
	handler bot.Handler
	log     *slog.Logger
	seen    *eventSet
	// events, if set, de-duplicates events across replicas (dedupe.go);
	// Run sweeps its expired marks every sweepEvery.
	events     EventLog
	sweepEvery time.Duration
	// peers, if set, share the workspace's limits between replicas
	// (peers.go); Run keeps this one's share.
	peers               Peers
	peerGroup, peerName string
	obs                 Observer

	// connected is whether Slack can reach us: Socket Mode is up, or the
	// HTTP endpoints are served.
	connected atomic.Bool
	// wasConnected is whether Socket Mode ever connected, so the next
	// connection counts as a reconnect.
	wasConnected atomic.Bool

	// dms are the DM conversations this process knows, by dmKey.
	dmMu sync.Mutex
	dms  map[string]string

	// bg is the parent context of background work; stopBG cancels it when
	// Run has waited long enough.
	bg     context.Context
	stopBG context.CancelFunc
	work   sync.WaitGroup

	modalWait time.Duration
	// chartWait is how long a reply's chart waits for its upload's turn
	// (maxChartWait; shorter in tests).
	chartWait time.Duration
}

// New builds an adapter. g is the command grammar (for modals), h answers
// requests. It does not connect: Run does.
func New(cfg Config, g *grammar.Grammar, h bot.Handler, log *slog.Logger, with ...Option) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("slack config: %w", err)
	}
	if g == nil || h == nil {
		return nil, errors.New("slack: grammar and handler are required")
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeSocket
	}
	log = log.With(slog.String("adapter", "slack"))
	hc := &http.Client{Timeout: 30 * time.Second, Transport: observeTransport(nil, cfg.Observer)}
	limits := newLimiter(hc, cfg.MessagesPerMinute, log)
	opts := []slack.Option{
		slack.OptionHTTPClient(limits),
		slack.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug)),
	}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	bg, stop := context.WithCancel(context.Background())
	a := &Adapter{
		cfg:       cfg,
		api:       slack.New(cfg.BotToken, opts...),
		limits:    limits,
		hc:        hc,
		grammar:   g,
		handler:   h,
		log:       log,
		seen:      newEventSet(eventTTL, maxEvents, time.Now),
		obs:       cfg.Observer,
		dms:       map[string]string{},
		bg:        bg,
		stopBG:    stop,
		modalWait: modalWait,
		chartWait: maxChartWait,
	}
	for _, o := range with {
		o(a)
	}
	return a, nil
}

// Run connects to Slack with the configured transport and serves until ctx
// is done. It then stops taking requests, waits up to drainTimeout for work
// in progress, and returns. It returns an error only if the transport fails
// for good (a bad token, a port in use).
func (a *Adapter) Run(ctx context.Context) error {
	// Expired event marks are swept while Run serves, and the sweeper stops
	// before Run returns.
	defer a.sweepEvents(ctx)()
	defer a.sharePace(ctx)()
	var err error
	if a.cfg.Mode == ModeHTTP {
		err = a.runHTTP(ctx)
	} else {
		err = a.runSocket(ctx)
	}
	a.drain()
	return err
}

// drain waits for background work, then cancels what is left.
func (a *Adapter) drain() {
	done := make(chan struct{})
	go func() {
		a.work.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(drainTimeout):
		a.log.Warn("slack: cancelling background work still running at shutdown")
	}
	a.stopBG()
	<-done
}

// wait blocks until no background work is running. Unlike drain it leaves
// the adapter usable.
func (a *Adapter) wait() { a.work.Wait() }

// spawn runs fn in the background with its own deadline, recovering panics.
func (a *Adapter) spawn(what string, fn func(ctx context.Context)) {
	a.work.Add(1)
	go func() {
		defer a.work.Done()
		defer func() {
			if r := recover(); r != nil {
				a.log.Error("slack: panic in background work", slog.String("work", what),
					slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			}
		}()
		ctx, cancel := context.WithTimeout(a.bg, workTimeout)
		defer cancel()
		fn(ctx)
	}()
}

// origin is where a request came from and so where its replies go.
type origin struct {
	actor       bot.Identity
	place       bot.Place
	channelID   string // the conversation of the request; "" for App Home and some modals
	dmChannel   string // the bot's DM with the actor, once known
	responseURL string // "" when Slack gave none
	responses   int    // response_url posts used; Slack allows 5
}

// maxResponseURLPosts is how often one response_url may be used.
const maxResponseURLPosts = 5

// placeOf says whether a Slack conversation is a DM (ids starting with D)
// or a channel.
func placeOf(team, channelID, channelName string) bot.Place {
	if channelID == "" || strings.HasPrefix(channelID, "D") {
		return bot.Place{Kind: bot.InDM}
	}
	return bot.Place{Kind: bot.InChannel, Channel: bot.Channel{
		Platform: bot.Slack, Workspace: team, ChannelID: channelID, Name: channelName,
	}}
}

// handle calls the handler, turning a panic into an error. Every request
// reaches the handler here, so here it learns which adapter carries it.
func (a *Adapter) handle(ctx context.Context, req *bot.Request) (msgs []bot.Message, err error) {
	req.Adapter = a
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panic: %v\n%s", r, debug.Stack())
		}
	}()
	return a.handler.Handle(ctx, req)
}

// answer turns a handler's result into the messages to deliver: an error
// becomes a private ErrorMessage, and errors that are not the person's
// doing are logged.
func (a *Adapter) answer(req *bot.Request, msgs []bot.Message, err error) []bot.Message {
	if err == nil {
		return msgs
	}
	if _, ok := bot.AsUserError(err); !ok {
		a.log.Error("slack: handler failed", slog.String("command", commandName(req)),
			slog.String("user", req.Actor.UserID), slog.Any("err", err))
	}
	return []bot.Message{bot.ErrorMessage(err)}
}

// run handles req and delivers the answer to o.
func (a *Adapter) run(ctx context.Context, o *origin, req *bot.Request) {
	msgs, err := a.handle(ctx, req)
	a.deliver(ctx, o, a.answer(req, msgs, err))
}

// commandName names a request for logs without its text (student text stays
// out of logs).
func commandName(req *bot.Request) string {
	switch {
	case req.Invocation != nil:
		return req.Invocation.Name()
	case req.Slash:
		if f := strings.Fields(req.Text); len(f) > 0 {
			return strings.ToLower(f[0])
		}
		return "(none)"
	default:
		return "(dm)"
	}
}

// lookup completes a person from users.info: name, time zone and locale.
func (a *Adapter) lookup(ctx context.Context, id bot.Identity) (bot.Identity, error) {
	var u *slack.User
	err := a.withRetry(ctx, "users.info", func() error {
		var err error
		u, err = a.api.GetUserInfoContext(ctx, id.UserID, slack.GetUserInfoOptionIncludeLocale(true))
		return err
	})
	if err != nil {
		return id, fmt.Errorf("slack users.info %s: %w", id.UserID, err)
	}
	id.Platform = bot.Slack
	if id.Workspace == "" {
		id.Workspace = u.TeamID
	}
	switch {
	case u.Profile.DisplayName != "":
		id.Name = u.Profile.DisplayName
	case u.RealName != "":
		id.Name = u.RealName
	case u.Name != "":
		id.Name = u.Name
	}
	if u.TZ != "" {
		id.TimeZone = u.TZ
	}
	if u.Locale != "" {
		id.Locale = u.Locale
	}
	if u.Profile.Email != "" {
		id.Email = u.Profile.Email
	}
	return id, nil
}

// slackText turns Slack's escaped message text back into what the person
// typed. Slack escapes &, < and > in typed text and writes its own entities
// (<@U123|sam>, <#C123|class>) with bare brackets, which stay for the parser.
func slackText(s string) string { return slackUnescaper.Replace(strings.TrimSpace(s)) }

var slackUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
