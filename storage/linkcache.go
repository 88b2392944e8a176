package storage

import (
	"sync"
	"time"
)

// linkCacheTTL is how long a chat account's link to a roster person, once
// read, is taken as known without reading it again.
const linkCacheTTL = time.Minute

// linkCacheMax bounds the cache; past it, the cache starts afresh.
const linkCacheMax = 50000

// linkCache keeps which roster person each chat account read lately is
// linked to, so a mention of a linked account is read as one request for
// the person, not three (the account, its link, the person). A link is
// never changed, only removed with its person (forget): a person read by a
// cached link that is not there drops it, and this process's forget drops
// the person's links at once; another replica's is seen once the entry is
// older than linkCacheTTL.
type linkCache struct {
	mu sync.Mutex
	m  map[string]cachedLink
}

type cachedLink struct {
	person string
	at     time.Time
}

// get returns the person chat account chatID is linked to, if read lately.
func (c *linkCache) get(chatID string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.m[chatID]
	if !ok || time.Since(l.at) > linkCacheTTL {
		return "", false
	}
	return l.person, true
}

// put remembers that chatID is linked to person, as read at read.
func (c *linkCache) put(chatID, person string, read time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= linkCacheMax {
		c.m = make(map[string]cachedLink)
	}
	c.m[chatID] = cachedLink{person: person, at: read}
}

// drop forgets chatID's link.
func (c *linkCache) drop(chatID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, chatID)
}

// dropPerson forgets every link to person.
func (c *linkCache) dropPerson(person string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for chatID, l := range c.m {
		if l.person == person {
			delete(c.m, chatID)
		}
	}
}
