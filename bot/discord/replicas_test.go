package discord

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// leaseTiming is the lease time and renewal interval of the replicas in
// these tests: short (a holder that stops renewing is replaced within
// 3.3 s), or plpbot's own with PLPBOT_TEST_DISCORD_LEASES=default (25 s),
// to measure a takeover as it happens in production.
func leaseTiming() (ttl, renew time.Duration) {
	if os.Getenv("PLPBOT_TEST_DISCORD_LEASES") == "default" {
		return DefaultLeaseTTL, DefaultLeaseRenew
	}
	return 3 * time.Second, 300 * time.Millisecond
}

// replica is one plpbot process's worth of Discord: its own database
// client, handler and adapter, sharing the fake Discord and the database
// with the other replicas.
type replica struct {
	name   string
	a      *Adapter
	logs   *logSink
	cancel context.CancelFunc
	done   chan error
}

// startReplica runs an adapter for h against f until stop or the end of
// the test. leases nil plays a process without them.
func startReplica(t *testing.T, f *fakeDiscord, name string, h bot.Handler, leases Leases, cfg Config, opts ...Option) *replica {
	t.Helper()
	logs := &logSink{}
	cfg.Token, cfg.AppID, cfg.APIURL = "test-token", "app1", f.apiURL()
	if leases != nil {
		opts = append([]Option{WithLeases(leases, name), WithLeaseTiming(leaseTiming())}, opts...)
	}
	a, err := New(cfg, testGrammar(), h, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{name: name, a: a, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- a.Run(ctx) }()
	t.Cleanup(func() {
		r.stop(t)
		if t.Failed() {
			t.Logf("%s's log:\n%s", name, logs.String())
		}
	})
	return r
}

// stop ends the replica as SIGTERM would (or as kill -9 would, if kill was
// called first) and waits for Run.
func (r *replica) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	if err := <-r.done; err != nil {
		t.Errorf("%s: Run: %v", r.name, err)
	}
}

// kill stops the replica as kill -9 would: its gateway sessions end and its
// leases are not renewed, nor released.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	r.a.crashOnStop = true
	r.stop(t)
}

// waitUntil polls cond until it holds or within passes.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// holders returns the names of the replicas holding each shard.
func holders(rs ...*replica) map[int][]string {
	out := map[int][]string{}
	for _, r := range rs {
		for _, s := range r.a.Shards() {
			out[s] = append(out[s], r.name)
		}
	}
	return out
}

// realReplicaHandler is plpbot's handlers on store, as one replica builds them.
func realReplicaHandler(store *storage.Store) *handlers.Handlers {
	return handlers.New(store, handlers.Options{
		Admins:          map[bot.Platform][]string{bot.Discord: {"t1"}},
		DefaultTimeZone: "UTC",
		Logger:          slog.New(slog.DiscardHandler),
	})
}

// discordUser is the stored user id of Discord user id in guild g1.
func discordUser(id string) string {
	return storage.Identity{Platform: string(bot.Discord), Workspace: "g1", PlatformID: id}.UserID()
}

// TestTwoReplicasOneVoice: two processes with the same token on one
// database. Without leases both open a gateway session and Discord sends
// each of them every interaction and DM (the fake does too): every goal is
// stored twice and the second callback is refused with 40060. With the
// shard lease only one holds the gateway, and every interaction and DM is
// handled once.
func TestTwoReplicasOneVoice(t *testing.T) {
	_, testRenew := leaseTiming()
	ctx := context.Background()
	goalAdd := func(f *fakeDiscord, id string, n int) {
		f.dispatch("INTERACTION_CREATE", slashInteraction(id, "u1", []string{"goal", "add"},
			[]map[string]any{opt("title", 3, fmt.Sprintf("Read novel %d", n))}, nil))
	}

	t.Run("without leases each replica answers", func(t *testing.T) {
		f := newFakeDiscord(t)
		store := storagetest.New(t, nil)
		startReplica(t, f, "a", realReplicaHandler(store), nil, Config{GuildID: "g1"})
		startReplica(t, f, "b", realReplicaHandler(storagetest.Replica(t, store, nil)), nil, Config{GuildID: "g1"})
		waitUntil(t, 10*time.Second, "both replicas connected", func() bool { return f.onShard(0, 1) == 2 })
		goalAdd(f, "dup1", 1)
		// Each replica handles it and answers: two callbacks, the second
		// refused. (Both store the goal, unless the embedded database
		// refuses one of the two concurrent writes with SQLITE_BUSY.)
		f.waitCalls("POST", "/interactions/dup1/", 2)
		time.Sleep(200 * time.Millisecond)
		goals, err := store.Goals(ctx, discordUser("u1"))
		t.Logf("goals stored for one interaction: %d (%v)", len(goals), err)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.refused != 1 {
			t.Errorf("the fake refused %d callbacks, want the second one (40060)", f.refused)
		}
	})

	t.Run("with the shard lease one replica answers", func(t *testing.T) {
		f := newFakeDiscord(t)
		store := storagetest.New(t, nil)
		store2 := storagetest.Replica(t, store, nil)
		a := startReplica(t, f, "a", realReplicaHandler(store), store, Config{GuildID: "g1"})
		b := startReplica(t, f, "b", realReplicaHandler(store2), store2, Config{GuildID: "g1"})
		waitUntil(t, 10*time.Second, "one replica connected", func() bool { return f.onShard(0, 1) == 1 })
		time.Sleep(3 * testRenew) // the standby polls meanwhile
		if h := holders(a, b); len(h[0]) != 1 || f.onShard(0, 1) != 1 {
			t.Fatalf("shard 0 is held by %v with %d sessions open, want one", h[0], f.onShard(0, 1))
		}

		// One student, one command after another, as they would type them.
		const goals, dms = 10, 3
		for i := range goals {
			id := fmt.Sprintf("one%d", i)
			goalAdd(f, id, i)
			if _, kind := lastCallback(t, f, id); kind == 5 {
				f.waitCalls("PATCH", "/webhooks/app1/tok-"+id+"/messages/@original", 1)
			}
		}
		for i := range dms {
			f.dispatch("MESSAGE_CREATE", dmMessage(fmt.Sprintf("dm%d", i), "u1", fmt.Sprintf("Today I learned thing %d", i)))
			f.waitCalls("POST", "/channels/dm-u1/messages", i+1)
		}
		a.stop(t)
		b.stop(t) // every reply delivered: nothing is left in flight

		for i := range goals {
			if n := len(f.callsTo("POST", fmt.Sprintf("/interactions/one%d/", i))); n != 1 {
				t.Errorf("interaction one%d got %d callbacks, want 1", i, n)
			}
		}
		if n := len(f.callsTo("POST", "/channels/dm-u1/messages")); n != dms {
			t.Errorf("%d DM answers for %d DMs", n, dms)
		}
		stored, err := store.Goals(ctx, discordUser("u1"))
		if err != nil || len(stored) != goals {
			t.Errorf("%d goals stored for %d interactions (%v)", len(stored), goals, err)
		}
		refl, err := store.Reflections(ctx, discordUser("u1"), time.Time{}, 100)
		if err != nil || len(refl) != dms {
			t.Errorf("%d reflections stored for %d DMs (%v)", len(refl), dms, err)
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.refused != 0 || f.mostOnAShard != 1 {
			t.Errorf("refused callbacks %d, most sessions on shard 0 at once %d; want 0 and 1", f.refused, f.mostOnAShard)
		}
	})
}

// TestStandbyTakesOverFromAKilledHolder: the holder dies as with kill -9
// (its sessions end, its lease is neither renewed nor released); the
// standby takes the shard within the lease time, and answers from then on.
func TestStandbyTakesOverFromAKilledHolder(t *testing.T) {
	testTTL, testRenew := leaseTiming()
	f := newFakeDiscord(t)
	store := storagetest.New(t, nil)
	store2 := storagetest.Replica(t, store, nil)
	ha, hb := &scripted{}, &scripted{}
	a := startReplica(t, f, "a", ha, store, Config{GuildID: "g1"})
	waitUntil(t, 10*time.Second, "a holds shard 0", func() bool { return slices.Equal(a.a.Shards(), []int{0}) })
	b := startReplica(t, f, "b", hb, store2, Config{GuildID: "g1"})
	time.Sleep(3 * testRenew)
	if got := b.a.Shards(); len(got) != 0 {
		t.Fatalf("the standby holds %v while a is alive", got)
	}
	f.dispatch("INTERACTION_CREATE", slashInteraction("before", "u1", []string{"plan"}, nil, nil))
	lastCallback(t, f, "before")

	died := time.Now()
	a.kill(t) // returns once its sessions are closed, about a second later
	waitUntil(t, testTTL+testRenew, "b takes shard 0 over", func() bool {
		return slices.Equal(b.a.Shards(), []int{0}) && f.onShard(0, 1) == 1
	})
	took := time.Since(died)
	t.Logf("the standby took over %v after the holder died (lease %v, renewed every %v)", took, testTTL, testRenew)
	if took > testTTL+2*testRenew {
		t.Errorf("took over %v after the holder died; the lease is %v, tried every %v", took, testTTL, testRenew)
	}
	if took < testTTL-2*testRenew {
		t.Errorf("took over after %v: before the dead holder's lease (%v) ran out", took, testTTL)
	}

	f.dispatch("INTERACTION_CREATE", slashInteraction("after", "u1", []string{"plan"}, nil, nil))
	lastCallback(t, f, "after")
	if na, nb := len(ha.requests()), len(hb.requests()); na != 1 || nb != 1 {
		t.Errorf("a handled %d, b handled %d; want one each", na, nb)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mostOnAShard != 1 || f.refused != 0 {
		t.Errorf("most sessions on shard 0 at once %d, refused %d; want 1 and 0", f.mostOnAShard, f.refused)
	}
}

// TestHolderThatCantRenewLetsGo: the holder loses its database. It can't
// renew, so it closes its gateway session before its lease runs out, and
// only then does the standby take the shard: never two sessions at once.
// A replica stopped normally releases its lease, and the standby takes
// over at its next try.
func TestHolderThatCantRenewLetsGo(t *testing.T) {
	testTTL, testRenew := leaseTiming()
	f := newFakeDiscord(t)
	store := storagetest.New(t, nil)
	storeA := storagetest.Replica(t, store, nil)
	storeB := storagetest.Replica(t, store, nil)
	a := startReplica(t, f, "a", &scripted{}, storeA, Config{GuildID: "g1"})
	waitUntil(t, 10*time.Second, "a holds shard 0", func() bool { return slices.Equal(a.a.Shards(), []int{0}) })
	b := startReplica(t, f, "b", &scripted{}, storeB, Config{GuildID: "g1"})
	c := startReplica(t, f, "c", &scripted{}, store, Config{GuildID: "g1"})

	if err := storeA.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	cut := time.Now()
	waitUntil(t, testTTL, "a lets shard 0 go", func() bool { return len(a.a.Shards()) == 0 })
	let := time.Since(cut)
	t.Logf("the holder let go %v after losing its database (lease %v, renewed every %v)", let, testTTL, testRenew)
	if let > testTTL-testRenew+testRenew/2 {
		t.Errorf("a let go %v after losing its database; its lease lasts %v", let, testTTL)
	}
	waitUntil(t, testTTL+2*testRenew, "another replica takes shard 0", func() bool { return f.onShard(0, 1) == 1 })
	if !strings.Contains(a.logs.String(), "could not be renewed in time") {
		t.Errorf("a did not say why it closed its session:\n%s", a.logs.String())
	}

	// Whoever holds it now stops normally: the lease is released, and the
	// last replica takes over at its next try, long before the lease would
	// have run out.
	next, last := b, c
	if len(next.a.Shards()) == 0 {
		next, last = c, b
	}
	next.stop(t)
	stopped := time.Now()
	waitUntil(t, testTTL, "the last replica takes over", func() bool { return slices.Equal(last.a.Shards(), []int{0}) })
	if d := time.Since(stopped); d > testTTL/2 {
		t.Errorf("took %v to take over a released lease", d)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mostOnAShard != 1 {
		t.Errorf("%d sessions were open on shard 0 at once", f.mostOnAShard)
	}
}

// TestShards: with discord.shards 2 each shard is its own gateway session;
// a server's interactions come on its shard and DMs on shard 0. Two
// replicas share the shards, each held by one, and every event is handled
// once.
func TestShards(t *testing.T) {
	_, testRenew := leaseTiming()
	const g0, g1 = "8388608", "4194304" // (id >> 22) % 2 = 0 and 1
	f := newFakeDiscord(t)
	f.mu.Lock()
	f.guilds = []fakeGuild{
		{ID: g0, Name: "North", Channels: []any{map[string]any{"id": "n1", "name": "north-3", "type": 0, "guild_id": g0}}},
		{ID: g1, Name: "South", Channels: []any{map[string]any{"id": "s1", "name": "south-3", "type": 0, "guild_id": g1}}},
	}
	f.mu.Unlock()
	store := storagetest.New(t, nil)
	ha, hb := &scripted{}, &scripted{}
	a := startReplica(t, f, "a", ha, store, Config{Shards: 2})
	b := startReplica(t, f, "b", hb, storagetest.Replica(t, store, nil), Config{Shards: 2})
	waitUntil(t, 10*time.Second, "both shards held", func() bool { return f.onShard(0, 2) == 1 && f.onShard(1, 2) == 1 })
	time.Sleep(3 * testRenew)
	h := holders(a, b)
	if len(h[0]) != 1 || len(h[1]) != 1 {
		t.Fatalf("shards held by %v, want one replica each", h)
	}

	in := func(id, guild, channel string) map[string]any {
		in := slashInteraction(id, "u1", []string{"plan"}, nil, nil)
		in["guild_id"], in["channel_id"] = guild, channel
		return in
	}
	f.dispatch("INTERACTION_CREATE", in("north", g0, "n1"))
	f.dispatch("INTERACTION_CREATE", in("south", g1, "s1"))
	f.dispatch("MESSAGE_CREATE", dmMessage("dm", "u1", "hello"))
	lastCallback(t, f, "north")
	lastCallback(t, f, "south")
	f.waitCalls("POST", "/channels/dm-u1/messages", 1)
	a.stop(t)
	b.stop(t)

	var places []string
	for _, r := range append(ha.requests(), hb.requests()...) {
		places = append(places, r.ID+"@"+r.Place.Channel.Name)
	}
	slices.Sort(places)
	if want := []string{"dm@", "north@north-3", "south@south-3"}; !slices.Equal(places, want) {
		t.Errorf("handled %v, want %v (each once, channel names from its shard)", places, want)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refused != 0 || f.mostOnAShard != 1 || f.identifies != 2 {
		t.Errorf("refused %d, most sessions on a shard %d, identifies %d; want 0, 1, 2", f.refused, f.mostOnAShard, f.identifies)
	}
}
