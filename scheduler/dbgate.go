package scheduler

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/plpbot/plpbot/storage"
)

// dbPing bounds the ping that tells whether the database answers.
const dbPing = 2 * time.Second

// dbRetry is how often a paused scheduler asks again whether the database
// answers, so it catches up within seconds of its return.
const dbRetry = 2 * time.Second

// dbGate remembers whether the database stopped answering, so planning and
// delivery pause (rather than fail item after item) and catch up after.
type dbGate struct{ down atomic.Bool }

// databaseUp pings the database with a short deadline. While it can't be
// reached, planning and delivery pause; on its return the planner runs at
// once, catching up the runs it missed, and idle workers wake.
func (s *Scheduler) databaseUp(ctx context.Context) bool {
	pctx, cancel := context.WithTimeout(ctx, dbPing)
	defer cancel()
	err := s.store.Ping(pctx)
	if ctx.Err() != nil {
		return false
	}
	if err != nil && storage.IsUnreachable(err) {
		if !s.db.down.Swap(true) {
			s.log.WarnContext(ctx, "database unreachable: planning and delivery paused", slog.Any("err", err))
		}
		return false
	}
	if s.db.down.Swap(false) {
		s.log.InfoContext(ctx, "database back: planning and delivery resume")
		if err := s.planIfLeader(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "planning failed", slog.Any("err", err))
		}
		s.poke()
	}
	return true
}

// paused reports whether the database was unreachable when last asked and
// still is; only then is it asked again (a ping), so a healthy scheduler
// pays nothing for the check.
func (s *Scheduler) paused(ctx context.Context, err error) bool {
	if err != nil && storage.IsUnreachable(err) || s.db.down.Load() {
		return !s.databaseUp(ctx)
	}
	return false
}
