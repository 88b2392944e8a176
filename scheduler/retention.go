package scheduler

import (
	"context"
	"log/slog"
	"time"

	"github.com/plpbot/plpbot/storage"
)

// retentionRun is the job run that records the last night the retention
// job ran, so that it runs once a day on whichever replica plans.
const retentionRun = "retention|all"

// retentionHour is the hour of the night, in the school's zone, after which
// the retention job runs: when nobody is using plpbot, since the purge
// rebuilds the database file (storage.Store.Scrub).
const retentionHour = 2

// retentionDue returns the last time at or before now that the retention
// job was due: retentionHour today in zone, or yesterday if that is still
// ahead. On a day the clocks skip that hour it is the first minute after.
func retentionDue(now time.Time, zone *time.Location) time.Time {
	l := now.In(zone)
	due := time.Date(l.Year(), l.Month(), l.Day(), retentionHour, 0, 0, 0, zone)
	if due.After(now) {
		due = time.Date(l.Year(), l.Month(), l.Day()-1, retentionHour, 0, 0, 0, zone)
	}
	return due.UTC()
}

// runRetention purges, once a night, the people in no class who did
// nothing for Options.Retention (storage.Store.Inactive), as forget does.
// A night missed while the bot was down is made up at start-up.
func (s *Scheduler) runRetention(ctx context.Context, now time.Time, runs map[string]storage.JobRun) error {
	if s.opts.Retention <= 0 {
		return nil
	}
	due := retentionDue(now, s.zone)
	if !runs[retentionRun].Last.Before(due) {
		return nil
	}
	people, err := s.store.Inactive(ctx, now.Add(-s.opts.Retention))
	if err != nil {
		return err
	}
	n, err := s.store.Purge(ctx, people, storage.RetentionEraser)
	if err != nil {
		return err
	}
	// Counts only: who was purged is nobody's business now.
	s.log.InfoContext(ctx, "retention: inactive people purged", slog.Int("purged", n),
		slog.Int("retention_days", int(s.opts.Retention/(24*time.Hour))))
	return s.store.RecordJobRun(ctx, retentionRun, due, "purged", n, 0)
}

// listsRun records the last night the teacher lists were repaired.
const listsRun = "teacher-lists|all"

// repairTeacherLists, once a night at the retention hour, fills in the
// teacher lists a change cut off half-way left short
// (storage.Store.RepairTeacherLists), so such a student is back on their
// teacher's rosters by morning. A night missed is made up at start-up.
func (s *Scheduler) repairTeacherLists(ctx context.Context, now time.Time, runs map[string]storage.JobRun) error {
	due := retentionDue(now, s.zone)
	if !runs[listsRun].Last.Before(due) {
		return nil
	}
	read, fixed, err := s.store.RepairTeacherLists(ctx)
	if err != nil {
		return err
	}
	if fixed > 0 {
		s.log.InfoContext(ctx, "teacher lists repaired", slog.Int("enrollments", fixed), slog.Int("read", read))
	}
	return s.store.RecordJobRun(ctx, listsRun, due, "fixed", fixed, 0)
}
