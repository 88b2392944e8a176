package storage

import (
	"context"
	"sync"
	"time"

	"github.com/plpbot/plpbot"
)

// caseloadCache keeps the caseloads AccessCaseload read lately, for as
// long as the actor cache keeps a person's record: a counselor's caseload
// decides what they may see as their role does, and is as fresh. A change
// this process makes to caseloads drops them at once; one made by another
// replica (an admin's, an import's) is seen once the entry is older than
// the age limit — a few seconds.
type caseloadCache struct {
	ttl time.Duration // 0: off
	mu  sync.Mutex
	m   map[string]cachedCaseload
}

type cachedCaseload struct {
	c  plpbot.Caseload
	at time.Time
}

// get returns a copy of counselor id's caseload, if read within the age limit.
func (c *caseloadCache) get(id string) (*plpbot.Caseload, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || c.ttl <= 0 || time.Since(e.at) > c.ttl {
		return nil, false
	}
	cl := e.c
	return &cl, true
}

// put remembers cl as read at read.
func (c *caseloadCache) put(cl *plpbot.Caseload, read time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ttl <= 0 {
		return
	}
	if c.m == nil || len(c.m) >= actorCacheMax {
		c.m = make(map[string]cachedCaseload)
	}
	c.m[cl.CounselorID] = cachedCaseload{c: *cl, at: read}
}

// clear forgets every caseload: this process changed caseloads.
func (c *caseloadCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

// AccessCaseload returns counselor's caseload for deciding what they may
// see now: as Caseload, but answered from memory when read within the
// actor cache's age limit (Options.ActorCache), as the counselor's own
// record is, so an active counselor's commands cost no read of it.
func (s *Store) AccessCaseload(ctx context.Context, counselor *plpbot.Person) (*plpbot.Caseload, error) {
	if cl, ok := s.caseloads.get(counselor.ID); ok {
		return cl, nil
	}
	read := time.Now()
	cl, err := s.Caseload(ctx, counselor)
	if err != nil {
		return nil, err
	}
	s.caseloads.put(cl, read)
	return cl, nil
}
