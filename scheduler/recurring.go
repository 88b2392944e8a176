package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// rollBatch bounds how many standing conferences one tick rolls forward.
const rollBatch = 500

// rollConferences schedules the next occurrence of every standing
// conference whose latest occurrence is done, cancelled just this once, or
// whose time has come, if its holder still serves the student; otherwise
// the series ends (access is asked at the moment of booking). It runs in the planner's tick, before reminders are
// planned, so the new occurrence gets its reminders like any conference.
// Rolling is idempotent (an occurrence's _id derives from its series and
// time), so a teacher's "conference done" rolling the same one is harmless.
func (s *Scheduler) rollConferences(ctx context.Context, now time.Time) error {
	confs, err := s.store.ConferencesToRoll(ctx, now, rollBatch)
	if err != nil {
		return err
	}
	var errs []error
	for i := range confs {
		serves, err := s.composer.StillServes(ctx, confs[i].TeacherID, confs[i].StudentID)
		if err != nil {
			errs = append(errs, fmt.Errorf("conference %d: %w", confs[i].Number, err))
			continue
		}
		if !serves {
			if err := s.store.StopSeries(ctx, confs[i].Number); err != nil {
				errs = append(errs, fmt.Errorf("conference %d: %w", confs[i].Number, err))
			}
			s.log.InfoContext(ctx, "standing conference ended: its holder no longer serves the student", slog.Int("conference", confs[i].Number))
			continue
		}
		next, created, err := s.store.RollConference(ctx, &confs[i], now)
		if err != nil {
			errs = append(errs, fmt.Errorf("conference %d: %w", confs[i].Number, err))
			continue
		}
		if created {
			s.log.InfoContext(ctx, "standing conference rolled forward",
				slog.Int("from", confs[i].Number), slog.Int("to", next.Number), slog.Time("at", next.At))
		}
	}
	return errors.Join(errs...)
}
