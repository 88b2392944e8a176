package scheduler

import (
	"context"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
)

// jobNudge is the one gentle DM to a student who has not checked in for
// Options.NudgeAfter.
const jobNudge = "nudge"

// nudgeRun is the job run that records the last hour nudges were planned.
const nudgeRun = "nudge|all"

// nudgePeriod keys a student's nudge by their last check-in, so there is one
// nudge per quiet spell: a new one is owed only after they check in again.
func nudgePeriod(lastCheckIn time.Time) string {
	if lastCheckIn.IsZero() {
		return "never"
	}
	return "since-" + lastCheckIn.UTC().Format(time.RFC3339)
}

// planNudges plans, once an hour, a nudge for every enrolled student quiet
// for NudgeAfter who is not away and can get DMs; each is due at the next
// time the student may be messaged (not in quiet hours, on a school day).
func (s *Scheduler) planNudges(ctx context.Context, now time.Time, runs map[string]storage.JobRun, classes []plpbot.Class) error {
	if s.opts.NudgeAfter <= 0 {
		return nil
	}
	hour := now.Truncate(time.Hour)
	if !runs[nudgeRun].Last.Before(hour) {
		return nil
	}
	zones := map[string]*time.Location{} // student → their first class's zone
	var ids []string
	for i := range classes {
		members, err := s.store.ClassMembers(ctx, classes[i].ID, plpbot.MemberStudent)
		if err != nil {
			return err
		}
		for _, id := range members {
			if _, ok := zones[id]; !ok {
				zones[id] = s.classZone(&classes[i])
				ids = append(ids, id)
			}
		}
	}
	quiet, err := s.store.QuietStudents(ctx, ids, now.Add(-s.opts.NudgeAfter))
	if err != nil {
		return err
	}
	items := make([]storage.OutboxItem, 0, len(quiet))
	for i := range quiet {
		q := &quiet[i]
		items = append(items, storage.OutboxItem{
			Job: jobNudge, Period: nudgePeriod(q.LastCheckIn), Recipient: q.ID, Platform: storage.UserPlatform(q.ID),
			Due: s.cal.nextAllowed(now, s.location(q.TimeZone, zones[q.ID])),
		})
	}
	planned := 0
	for lo := 0; lo < len(items); lo += planBatch {
		n, err := s.store.PlanOutbox(ctx, items[lo:min(lo+planBatch, len(items))])
		planned += n
		if err != nil {
			return err
		}
	}
	s.observer().JobRan(jobNudge, JobPlanned, 1)
	return s.store.RecordJobRun(ctx, nudgeRun, hour, "planned", planned, 0)
}

// composeNudge builds a nudge, unless the student checked in, went away or
// became unreachable since it was planned.
func (s *Scheduler) composeNudge(ctx context.Context, it *storage.OutboxItem, now time.Time) (*delivery, string, error) {
	u, skip, err := s.user(ctx, it.Recipient)
	if u == nil {
		return nil, skip, err
	}
	switch {
	case u.Away(now):
		return nil, "student is away", nil
	case u.CantDM != "":
		return nil, "can't DM", nil
	}
	goals, err := s.store.Goals(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	if nudgePeriod(plpbot.LastCheckInOf(goals)) != it.Period {
		return nil, "checked in since", nil
	}
	msg, err := s.composer.Nudge(ctx, u, goals, now)
	if err != nil {
		return nil, "", err
	}
	return &delivery{to: identityOf(u), userID: u.ID, msg: msg}, "", nil
}
