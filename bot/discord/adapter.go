// Package discord connects plpbot to Discord over the gateway: it registers
// one /plp application command generated from the grammar, turns
// interactions and direct messages into bot.Requests, renders bot.Messages
// as embeds, buttons and modals within Discord's limits, and implements
// bot.Sender for the scheduler.
//
// Goroutines: Run owns the gateway session. discordgo reads the socket on
// its own goroutine and calls the adapter's event handlers each on a fresh
// goroutine; a handler runs until its reply is delivered or the context
// given to Run is done. discordgo reconnects and resumes by itself after a
// dropped connection; the adapter only logs it.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// Config is what the adapter needs to know; the keys are discord.token,
// discord.app_id, discord.guild_id and discord.api_url.
type Config struct {
	// Token is the bot token from the developer portal (without "Bot ").
	Token string
	// AppID is the application id: commands are registered under it.
	AppID string
	// GuildID, if set, registers the command in that server only, which
	// takes effect at once; otherwise it is registered globally.
	GuildID string
	// APIURL, if set, replaces https://discord.com/api/v9 for every REST
	// call, including gateway discovery (tests point it at a fake).
	APIURL string
}

// Validate reports the first missing or malformed setting, naming its key.
func (c Config) Validate() error {
	switch {
	case strings.TrimSpace(c.Token) == "":
		return errors.New("discord.token is empty: copy the bot token from the developer portal")
	case strings.TrimSpace(c.AppID) == "":
		return errors.New("discord.app_id is empty: copy the application id from the developer portal")
	}
	if c.APIURL != "" {
		u, err := url.Parse(c.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("discord.api_url %q is not an http(s) URL", c.APIURL)
		}
	}
	return nil
}

// InvitePermissions are the permissions plpbot asks for when invited:
// Send Messages, Embed Links, Attach Files, Read Message History and Use
// Application Commands (2147600384).
const InvitePermissions int64 = discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks |
	discordgo.PermissionAttachFiles | discordgo.PermissionReadMessageHistory | discordgo.PermissionUseApplicationCommands

// InviteURL is the OAuth2 link that adds the bot to a server with the
// scopes "bot applications.commands" and InvitePermissions.
func InviteURL(appID string) string {
	v := url.Values{}
	v.Set("client_id", appID)
	v.Set("scope", "bot applications.commands")
	v.Set("permissions", strconv.FormatInt(InvitePermissions, 10))
	return "https://discord.com/oauth2/authorize?" + v.Encode()
}

// deferAfter is how long an interaction waits for the handler before it
// defers: well inside Discord's 3 seconds, leaving room for the network.
const deferAfter = 1500 * time.Millisecond

// Adapter is plpbot on Discord. Create it with New, start it with Run; it is
// a bot.Sender as soon as it is created (REST needs no gateway). It offers
// the handlers the optional bot.DMAdvisor and bot.Mentioner.
type Adapter struct {
	cfg     Config
	grammar *grammar.Grammar
	handler bot.Handler
	log     *slog.Logger
	session *discordgo.Session

	// deferAfter is deferAfter, shorter in tests.
	deferAfter time.Duration

	mu sync.Mutex
	// dmChannels caches the DM channel of each user id.
	dmChannels map[string]string
	// runCtx is Run's context; event handlers use it.
	runCtx context.Context
}

var _ bot.Sender = (*Adapter)(nil)

// New builds the adapter. It does not connect: Run does.
func New(cfg Config, g *grammar.Grammar, h bot.Handler, log *slog.Logger) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if g == nil || h == nil {
		return nil, errors.New("discord: grammar and handler are required")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, err := discordgo.New("Bot " + strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "))
	if err != nil {
		return nil, fmt.Errorf("discord: new session: %w", err)
	}
	// Least privilege: guild events (for server names) and DMs. Message
	// content of DMs with the bot needs no privileged intent.
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsDirectMessages
	s.Identify.Compress = false
	s.StateEnabled = true
	s.State.TrackMembers = false
	s.State.TrackPresences = false
	s.State.TrackVoice = false
	s.State.TrackEmojis = false
	s.State.TrackRoles = false
	s.State.TrackThreads = false
	s.State.TrackStickers = false
	s.ShouldReconnectOnError = true
	s.ShouldReconnectVoiceOnSessionError = false
	if cfg.APIURL != "" {
		base, _ := url.Parse(strings.TrimRight(cfg.APIURL, "/"))
		s.Client = &http.Client{Timeout: 20 * time.Second, Transport: &rewriteTransport{base: base, next: http.DefaultTransport}}
	}
	s.Client.Transport = newGlobalLimit(s.Client.Transport)
	a := &Adapter{
		cfg:        cfg,
		grammar:    g,
		handler:    h,
		log:        log.With(slog.String("platform", "discord")),
		session:    s,
		deferAfter: deferAfter,
		dmChannels: map[string]string{},
		runCtx:     context.Background(),
	}
	s.AddHandler(a.onInteraction)
	s.AddHandler(a.onMessage)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		a.log.Info("gateway ready", slog.String("user", r.User.ID), slog.Int("guilds", len(r.Guilds)))
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { a.log.Info("gateway resumed") })
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
		a.log.Warn("gateway disconnected; discordgo reconnects by itself")
	})
	s.AddHandler(func(_ *discordgo.Session, rl *discordgo.RateLimit) {
		a.log.Warn("rate limited; waiting", slog.String("url", rl.URL), slog.Duration("retry_after", rl.RetryAfter))
	})
	return a, nil
}

// Run registers the /plp command, opens the gateway and serves until ctx is
// done, then closes the connection. It returns an error only if it could
// not start.
func (a *Adapter) Run(ctx context.Context) error {
	a.mu.Lock()
	a.runCtx = ctx
	a.mu.Unlock()
	if err := a.RegisterCommands(ctx); err != nil {
		return err
	}
	if err := a.session.Open(); err != nil {
		return fmt.Errorf("discord: open gateway: %w", err)
	}
	a.log.Info("connected", slog.String("guild", a.cfg.GuildID))
	<-ctx.Done()
	if err := a.session.Close(); err != nil {
		a.log.Warn("closing gateway", slog.Any("err", err))
	}
	return nil
}

// RegisterCommands overwrites the application's commands with /plp, in the
// configured guild or globally. Overwriting is idempotent.
func (a *Adapter) RegisterCommands(ctx context.Context) error {
	cmd := BuildCommand(a.grammar)
	if errs := ValidateCommand(cmd); len(errs) > 0 {
		return fmt.Errorf("discord: /plp breaks Discord's limits: %w", errors.Join(errs...))
	}
	_, err := a.session.ApplicationCommandBulkOverwrite(a.cfg.AppID, a.cfg.GuildID,
		[]*discordgo.ApplicationCommand{cmd}, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: register /%s (guild %q): %w", RootCommand, a.cfg.GuildID, err)
	}
	return nil
}

func (a *Adapter) ctx() context.Context {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.runCtx
}

// rewriteTransport sends requests meant for Discord's API to base instead:
// discordgo's Endpoint* strings are fixed at init, so the transport is the
// one place to redirect them.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == "discord.com" || strings.HasSuffix(req.URL.Host, ".discord.com") {
		r := req.Clone(req.Context())
		u := *req.URL
		u.Scheme, u.Host = t.base.Scheme, t.base.Host
		rest := strings.TrimPrefix(u.Path, "/api/v"+discordgo.APIVersion)
		u.Path = strings.TrimRight(t.base.Path, "/") + rest
		u.RawPath = ""
		r.URL, r.Host = &u, t.base.Host
		return t.next.RoundTrip(r)
	}
	return t.next.RoundTrip(req)
}
