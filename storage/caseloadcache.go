package storage

import (
	"context"
	"time"

	"github.com/plpbot/plpbot"
)

// Store.caseloads keeps the caseloads AccessCaseload read lately (by
// counselor id), for as long as the actor cache keeps a person's record: a
// counselor's caseload decides what they may see as their role does, and
// is as fresh. A change this process makes to caseloads drops them at once;
// one made by another replica (an admin's, an import's) is seen once the
// entry is older than the age limit — a few seconds.
func newCaseloadCache(ttl time.Duration) *recent[plpbot.Caseload] {
	return newRecent[plpbot.Caseload](ttl, actorCacheMax)
}

// AccessCaseload returns counselor's caseload for deciding what they may
// see now: as Caseload, but answered from memory when read within the
// actor cache's age limit (Options.ActorCache), as the counselor's own
// record is, so an active counselor's commands cost no read of it.
func (s *Store) AccessCaseload(ctx context.Context, counselor *plpbot.Person) (*plpbot.Caseload, error) {
	if cl, ok := s.caseloads.get(counselor.ID); ok {
		return &cl, nil
	}
	read := time.Now()
	cl, err := s.Caseload(ctx, counselor)
	if err != nil {
		return nil, err
	}
	s.caseloads.put(counselor.ID, *cl, read)
	return cl, nil
}
