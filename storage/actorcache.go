package storage

import (
	"slices"
	"sync"
	"time"

	"github.com/plpbot/plpbot"
)

// DefaultActorCache is how long EnsureUser answers from memory for someone it
// read recently (Options.ActorCache).
const DefaultActorCache = 3 * time.Second

// actorCacheMax bounds the cache; past it, the cache starts afresh.
const actorCacheMax = 10000

// actorCache keeps the people EnsureUser read lately, so the commands of an
// active person cost no read of their record. A change this process makes
// to a person drops them from it at once; a change made by another replica
// (a role granted or taken away there) is seen once the entry is older than
// the cache's age limit — a few seconds — when the person is read again.
//
// A chat account linked to a roster person (Link) is kept under the
// account's id, and dropped with the person.
type actorCache struct {
	ttl     time.Duration // 0: off
	mu      sync.Mutex
	m       map[string]cachedActor
	aliases map[string][]string // person id → chat account ids kept for them
}

type cachedActor struct {
	p  plpbot.Person
	at time.Time
}

func newActorCache(ttl time.Duration) *actorCache {
	return &actorCache{ttl: ttl, m: make(map[string]cachedActor), aliases: make(map[string][]string)}
}

// get returns a copy of the person cached under id (theirs, or that of a
// chat account linked to them), if read within the age limit.
func (c *actorCache) get(id string) (*plpbot.Person, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || time.Since(e.at) > c.ttl {
		return nil, false
	}
	p := e.p
	return &p, true
}

// put remembers p under key (p's id, or a chat account's linked to p) as
// read at read (the time the read was sent, so a change that crossed the
// read is never kept longer than the age limit).
func (c *actorCache) put(key string, p *plpbot.Person, read time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= actorCacheMax {
		clear(c.m)
		clear(c.aliases)
	}
	c.m[key] = cachedActor{p: *p, at: read}
	if key != p.ID && !slices.Contains(c.aliases[p.ID], key) {
		c.aliases[p.ID] = append(c.aliases[p.ID], key)
	}
}

// drop forgets person id, under every key: this process changed their
// record.
func (c *actorCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, id)
	for _, key := range c.aliases[id] {
		delete(c.m, key)
	}
	delete(c.aliases, id)
}
