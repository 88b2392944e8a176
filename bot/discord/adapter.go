// Package discord connects plpbot to Discord over the gateway: it registers
// one /plp application command generated from the grammar, turns
// interactions and direct messages into bot.Requests, renders bot.Messages
// as embeds, buttons and modals within Discord's limits, and implements
// bot.Sender for the scheduler.
//
// Goroutines: Run owns the gateway sessions, one per shard this replica
// holds (every shard, unless WithLeases shares them among replicas; see
// shards.go). discordgo reads each socket on its own goroutine and calls the
// adapter's event handlers each on a fresh goroutine; a handler runs until
// its reply is delivered or the context given to Run is done. discordgo
// reconnects and resumes by itself after a dropped connection; the adapter
// only logs it. REST calls (replies, DMs) go through one session that never
// opens a gateway, so the adapter is a bot.Sender on a standby replica too.
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
	"sync/atomic"
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
	// Shards is how many gateway shards the bot runs (discord.shards);
	// 0 means 1. Discord wants one per 1,000 to 2,500 servers.
	Shards int
	// Observer, if set, hears about 429s and gateway reconnects, for metrics.
	Observer Observer
}

// Validate reports the first missing or malformed setting, naming its key.
func (c Config) Validate() error {
	switch {
	case strings.TrimSpace(c.Token) == "":
		return errors.New("discord.token is empty: copy the bot token from the developer portal")
	case strings.TrimSpace(c.AppID) == "":
		return errors.New("discord.app_id is empty: copy the application id from the developer portal")
	case c.Shards < 0 || c.Shards > MaxShards:
		return fmt.Errorf("discord.shards is %d: want 1 (the default) to %d", c.Shards, MaxShards)
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
	// session makes every REST call; it never opens a gateway.
	session *discordgo.Session

	// deferAfter is deferAfter, shorter in tests.
	deferAfter time.Duration

	// Gateway shards (shards.go): how many there are and, when replicas
	// share them, the leases, this replica's name and the lease timing.
	shardCount int
	leases     Leases
	owner      string
	leaseTTL   time.Duration
	leaseRenew time.Duration
	// crashOnStop makes Run stop as a killed process would: sessions gone,
	// no lease released. Tests set it.
	crashOnStop bool
	// notBefore is, per shard, when a lease this replica may still own
	// has surely run out; only the goroutine running the shards uses it.
	notBefore map[int]time.Time

	mu sync.Mutex
	// dmChannels caches the DM channel of each user id.
	dmChannels map[string]string
	// runCtx is Run's context; event handlers use it.
	runCtx context.Context
	// held is the shards this replica holds, by shard id.
	held map[int]*shard

	obs Observer
	// up is whether each gateway session is connected (under mu);
	// wasConnected whether any ever was, so the next READY counts as a
	// reconnect.
	up           map[*discordgo.Session]bool
	wasConnected atomic.Bool
}

var _ bot.Sender = (*Adapter)(nil)

// New builds the adapter. It does not connect: Run does.
func New(cfg Config, g *grammar.Grammar, h bot.Handler, log *slog.Logger, opts ...Option) (*Adapter, error) {
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
	s.StateEnabled = false
	if cfg.APIURL != "" {
		base, _ := url.Parse(strings.TrimRight(cfg.APIURL, "/"))
		s.Client = &http.Client{Timeout: 20 * time.Second, Transport: &rewriteTransport{base: base, next: http.DefaultTransport}}
	}
	s.Client.Transport = observeTransport(s.Client.Transport, cfg.Observer)
	a := &Adapter{
		cfg:        cfg,
		grammar:    g,
		handler:    h,
		log:        log.With(slog.String("platform", "discord")),
		session:    s,
		deferAfter: deferAfter,
		shardCount: max(cfg.Shards, 1),
		owner:      replicaName(),
		leaseTTL:   DefaultLeaseTTL,
		leaseRenew: DefaultLeaseRenew,
		dmChannels: map[string]string{},
		runCtx:     context.Background(),
		held:       map[int]*shard{},
		notBefore:  map[int]time.Time{},
		obs:        cfg.Observer,
	}
	for _, o := range opts {
		o(a)
	}
	s.AddHandler(func(_ *discordgo.Session, rl *discordgo.RateLimit) {
		a.log.Warn("rate limited; waiting", slog.String("url", rl.URL), slog.Duration("retry_after", rl.RetryAfter))
	})
	return a, nil
}

// Run registers the /plp command, opens the gateway and serves until ctx is
// done, then closes the connection. With WithLeases it opens only the
// shards whose leases it holds, renewing them and taking over free ones
// until ctx is done, and then gives them up. It returns an error only if it
// could not start.
func (a *Adapter) Run(ctx context.Context) error {
	a.mu.Lock()
	a.runCtx = ctx
	a.mu.Unlock()
	if err := a.RegisterCommands(ctx); err != nil {
		return err
	}
	if a.leases == nil {
		if err := a.openAll(); err != nil {
			return err
		}
		a.log.Info("connected", slog.String("guild", a.cfg.GuildID), slog.Int("shards", a.shardCount))
		<-ctx.Done()
		a.closeAll()
		return nil
	}
	a.log.Info("sharing the gateway with other replicas", slog.String("replica", a.owner), slog.Int("shards", a.shardCount))
	a.keepShards(ctx)
	held := a.Shards()
	a.closeAll()
	if !a.crashOnStop {
		for _, i := range held {
			a.release(i)
		}
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
