package discord

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Gateway shards across replicas. Discord sends every dispatch of a shard
// to every gateway session open on it, so two processes with one token
// would each store every goal and answer every DM, and the second callback
// of each interaction is refused (40060). With Leases, a replica opens a
// shard's session only while it holds that shard's lease, renews the lease
// while the session is open, and closes the session as soon as it loses
// the lease or can no longer be sure of it. A standby tries every renewal
// interval and takes a shard over once its holder's lease has run out.

// Leases is how replicas that share a bot token agree which of them holds
// each gateway shard: a named lease held by one owner until it expires,
// renewed by its holder. *storage.Store implements it in MongoDB.
type Leases interface {
	// AcquireLease makes owner the holder of name until now+ttl if nobody
	// else holds it at now, or renews it if owner does, and reports whether
	// owner holds it.
	AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease gives name up at once if owner holds it.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// Lease timing. A holder that stops renewing (a crash, kill -9) is replaced
// within DefaultLeaseTTL + DefaultLeaseRenew = 25 s of its last renewal; a
// holder cut off from the database keeps its session for
// DefaultLeaseTTL - DefaultLeaseRenew = 15 s and then lets go, before its
// lease can pass to anyone else.
const (
	// DefaultLeaseTTL is how long a shard's lease lasts from its last renewal.
	DefaultLeaseTTL = 20 * time.Second
	// DefaultLeaseRenew is how often the holder renews its leases and a
	// standby tries to take a free one.
	DefaultLeaseRenew = 5 * time.Second
)

// MaxShards bounds discord.shards; Discord asks for one shard per 1,000
// to 2,500 servers.
const MaxShards = 1024

// Option adjusts an Adapter built by New.
type Option func(*Adapter)

// WithLeases makes the adapter one of several replicas sharing the bot
// token: it holds gateway shard i only while it holds the lease
// "discord-shard-<i>-of-<n>" in leases as owner (empty: a name unique to
// this process). Without it the adapter is the only process and holds
// every shard.
func WithLeases(leases Leases, owner string) Option {
	return func(a *Adapter) {
		a.leases = leases
		if owner != "" {
			a.owner = owner
		}
	}
}

// WithLeaseTiming sets how long a shard's lease lasts and how often it is
// renewed (and a free shard tried); renew must be well under ttl. The
// defaults are DefaultLeaseTTL and DefaultLeaseRenew; tests shorten them.
func WithLeaseTiming(ttl, renew time.Duration) Option {
	return func(a *Adapter) {
		if ttl > 0 && renew > 0 && renew < ttl {
			a.leaseTTL, a.leaseRenew = ttl, renew
		}
	}
}

// shard is a gateway shard this replica holds: its session, and the timer
// that closes the session before the lease could pass to another replica
// if renewals keep failing.
type shard struct {
	id      int
	session *discordgo.Session
	expire  *time.Timer
}

// leaseName is the lease of shard i of n.
func leaseName(i, n int) string { return fmt.Sprintf("discord-shard-%d-of-%d", i, n) }

// replicaName names this process among replicas: host, pid and a random
// suffix, so a restarted process on the same host is someone new.
func replicaName() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Shards lists the gateway shards this replica holds, in order: every
// shard for a single process once connected, none for a standby.
func (a *Adapter) Shards() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]int, 0, len(a.held))
	for id := range a.held {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// holds reports whether s is the session of a shard this replica holds:
// events from any other session (one being closed, or one discordgo
// reconnected after it was closed) are not handled.
func (a *Adapter) holds(s *discordgo.Session) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, sh := range a.held {
		if sh.session == s {
			return true
		}
	}
	return false
}

// sessions returns the gateway sessions of the shards held.
func (a *Adapter) sessions() []*discordgo.Session {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]*discordgo.Session, 0, len(a.held))
	for _, sh := range a.held {
		out = append(out, sh.session)
	}
	return out
}

// openAll opens every shard, for a process that is the only one.
func (a *Adapter) openAll() error {
	for i := range a.shardCount {
		if err := a.openShard(i); err != nil {
			a.closeAll()
			return err
		}
	}
	return nil
}

// keepShards renews the leases of the shards held and takes free ones
// until ctx is done.
func (a *Adapter) keepShards(ctx context.Context) {
	t := time.NewTicker(a.leaseRenew)
	defer t.Stop()
	for {
		a.tendShards(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// tendShards is one round: renew each lease held (closing the session of
// one that is lost), then take at most one free shard, so this replica
// identifies at most once a round as Discord's identify limit asks.
func (a *Adapter) tendShards(ctx context.Context) {
	for i := range a.shardCount {
		if a.isHeld(i) {
			a.renewShard(ctx, i)
		}
	}
	for i := range a.shardCount {
		if a.isHeld(i) || time.Now().Before(a.notBefore[i]) {
			continue
		}
		start := time.Now()
		won, err := a.acquire(ctx, i, start)
		if err != nil {
			if ctx.Err() == nil {
				a.log.Warn("can't reach the shard leases", slog.Int("shard", i), slog.Any("err", err))
			}
			return
		}
		if !won {
			continue
		}
		if err := a.openShard(i); err != nil {
			a.log.Error("opening a gateway shard; leaving it to another replica", slog.Int("shard", i), slog.Any("err", err))
			a.release(i)
			return
		}
		a.armExpiry(i, start)
		return
	}
}

// renewShard renews shard i's lease. A lease found taken closes the
// session at once; a renewal that fails leaves the expiry timer to close
// it before the lease runs out.
func (a *Adapter) renewShard(ctx context.Context, i int) {
	start := time.Now()
	won, err := a.acquire(ctx, i, start)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			a.log.Warn("can't renew the lease on a gateway shard; keeping it until the lease runs out",
				slog.Int("shard", i), slog.Any("err", err))
		}
	case !won:
		a.log.Error("lost the lease on a gateway shard to another replica; closing its session", slog.Int("shard", i))
		a.closeShard(i)
	default:
		a.armExpiry(i, start)
	}
}

// acquire takes or renews shard i's lease as of now, giving up after half
// the lease's life so a hung database can't hold the rounds up for long. A
// slow answer is no risk: the lease it grants lasts from now, and so does
// the expiry timer armed from it.
//
// Any attempt may have left this replica the owner until now+ttl, so it
// takes the shard up again (after closing its session) only once that
// time has passed: then the lease can only be won through a takeover,
// which the store decides with a unique claim. A bare renewal never opens
// a session, so a renewal racing another replica's takeover at the very
// moment of expiry can't leave both connected.
func (a *Adapter) acquire(ctx context.Context, i int, now time.Time) (bool, error) {
	actx, cancel := context.WithTimeout(ctx, a.leaseTTL/2)
	defer cancel()
	won, err := a.leases.AcquireLease(actx, leaseName(i, a.shardCount), a.owner, now, a.leaseTTL)
	if won || err != nil { // a plain "no" changed nothing
		a.notBefore[i] = now.Add(a.leaseTTL)
	}
	return won, err
}

// armExpiry (re)sets shard i's timer: the lease taken at start lasts until
// start+ttl, so the session closes one renewal interval before that,
// unless a renewal comes first. The margin covers clock skew between
// replicas and the time closing takes.
func (a *Adapter) armExpiry(i int, start time.Time) {
	wait := time.Until(start.Add(a.leaseTTL - a.leaseRenew))
	a.mu.Lock()
	defer a.mu.Unlock()
	sh := a.held[i]
	if sh == nil {
		return
	}
	if sh.expire != nil {
		sh.expire.Stop()
	}
	sh.expire = time.AfterFunc(wait, func() {
		a.mu.Lock()
		current := a.held[i] == sh
		a.mu.Unlock()
		if current {
			a.log.Error("the lease on a gateway shard could not be renewed in time; closing its session", slog.Int("shard", i))
			a.closeShardOf(sh)
		}
	})
}

// release gives shard i's lease up, so a standby can take it at once.
func (a *Adapter) release(i int) {
	ctx, cancel := context.WithTimeout(context.Background(), a.leaseRenew)
	defer cancel()
	if err := a.leases.ReleaseLease(ctx, leaseName(i, a.shardCount), a.owner); err != nil {
		a.log.Warn("releasing a gateway shard's lease", slog.Int("shard", i), slog.Any("err", err))
	}
}

func (a *Adapter) isHeld(i int) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.held[i] != nil
}

// openShard opens a fresh gateway session for shard i. The shard counts
// as held from before the session opens, so no event it brings is dropped.
func (a *Adapter) openShard(i int) error {
	s := a.newGateway(i)
	sh := &shard{id: i, session: s}
	a.mu.Lock()
	a.held[i] = sh
	a.mu.Unlock()
	if err := s.Open(); err != nil {
		a.mu.Lock()
		delete(a.held, i)
		a.mu.Unlock()
		return fmt.Errorf("discord: open gateway shard %d of %d: %w", i, a.shardCount, err)
	}
	a.log.Info("gateway shard connected", slog.Int("shard", i), slog.Int("shards", a.shardCount))
	return nil
}

// closeShard closes the session of shard i, if held.
func (a *Adapter) closeShard(i int) {
	a.mu.Lock()
	sh := a.held[i]
	a.mu.Unlock()
	if sh != nil {
		a.closeShardOf(sh)
	}
}

// closeShardOf stops handling sh's events at once, then closes its session.
func (a *Adapter) closeShardOf(sh *shard) {
	a.mu.Lock()
	if a.held[sh.id] != sh {
		a.mu.Unlock()
		return
	}
	delete(a.held, sh.id)
	if sh.expire != nil {
		sh.expire.Stop()
	}
	a.mu.Unlock()
	if err := sh.session.Close(); err != nil {
		a.log.Warn("closing a gateway shard", slog.Int("shard", sh.id), slog.Any("err", err))
	}
}

// closeAll closes every shard held, together (each close takes a second).
func (a *Adapter) closeAll() {
	a.mu.Lock()
	var all []*shard
	for _, sh := range a.held {
		all = append(all, sh)
	}
	a.mu.Unlock()
	var wg sync.WaitGroup
	for _, sh := range all {
		wg.Go(func() { a.closeShardOf(sh) })
	}
	wg.Wait()
}

// newGateway builds the gateway session of shard i: the adapter's token,
// intents and transport, its own state, and the adapter's event handlers,
// which ignore the session once it is no longer held.
func (a *Adapter) newGateway(i int) *discordgo.Session {
	s, _ := discordgo.New(a.session.Token) // cannot fail: New only parses options
	s.Client = a.session.Client
	s.Identify.Intents = gatewayIntents
	s.Identify.Compress = false
	if a.shardCount > 1 {
		s.ShardID, s.ShardCount = i, a.shardCount
	}
	s.StateEnabled = true
	st := s.State
	st.TrackMembers, st.TrackPresences, st.TrackVoice, st.TrackEmojis = false, false, false, false
	st.TrackRoles, st.TrackThreads, st.TrackStickers = false, false, false
	s.ShouldReconnectOnError = true
	s.ShouldReconnectVoiceOnSessionError = false
	log := a.log.With(slog.Int("shard", i))
	a.watchConnection(s)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if a.holds(s) {
			a.onInteraction(s, ic)
		}
	})
	s.AddHandler(func(s *discordgo.Session, m *discordgo.MessageCreate) {
		if a.holds(s) {
			a.onMessage(s, m)
		}
	})
	s.AddHandler(func(s *discordgo.Session, _ *discordgo.Connect) {
		if !a.holds(s) {
			// discordgo reconnected a session after it was closed.
			log.Warn("closing a gateway session this replica no longer holds")
			_ = s.Close()
		}
	})
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		log.Info("gateway ready", slog.String("user", r.User.ID), slog.Int("guilds", len(r.Guilds)))
	})
	s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { log.Info("gateway resumed") })
	s.AddHandler(func(s *discordgo.Session, _ *discordgo.Disconnect) {
		if a.holds(s) {
			log.Warn("gateway disconnected; discordgo reconnects by itself")
		}
	})
	return s
}

// gatewayIntents is least privilege: guild events (for server and channel
// names) and DMs. Message content of DMs with the bot needs no privileged
// intent.
const gatewayIntents = discordgo.IntentsGuilds | discordgo.IntentsDirectMessages
