package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
)

// Job names, the first part of an outbox key.
const (
	jobReflect  = "reflect"  // a class's reflection prompt to one student
	jobFollowup = "followup" // the one follow-up of an unanswered prompt
	jobSummary  = "summary"  // a class summary in its channel
	jobBrief    = "brief"    // a conference prep brief to the teacher ("brief-24h")
	jobHeadsUp  = "headsup"  // a conference heads-up to the student
	jobNotes    = "notes"    // asking the teacher for conference notes
)

// periodLayout names a run by its wall-clock time in the class's zone.
const periodLayout = "2006-01-02T15:04"

// planBatch is how many prompts go in one bulk write.
const planBatch = 5000

// Plan plans every run due at now: class reflection prompts and summaries
// (including missed runs still worth sending), conference reminders and notes
// requests. Planning is idempotent.
func (s *Scheduler) Plan(ctx context.Context, now time.Time) error {
	classes, err := s.store.AllClasses(ctx)
	if err != nil {
		return err
	}
	runs, err := s.store.JobRuns(ctx)
	if err != nil {
		return err
	}
	terms, err := s.store.TermsByID(ctx)
	if err != nil {
		return err
	}
	// One class's failure must not hold up the others: it is retried on the
	// next tick, since its last run was not recorded.
	var errs []error
	for i := range classes {
		end := s.archivedFrom(&classes[i], terms)
		for _, job := range []string{jobReflect, jobSummary} {
			if err := s.planClassJob(ctx, now, &classes[i], job, runs, end); err != nil {
				errs = append(errs, fmt.Errorf("plan %s for class %s: %w", job, classes[i].ID, err))
			}
		}
	}
	if err := s.rollConferences(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("roll standing conferences: %w", err))
	}
	if err := s.planNudges(ctx, now, runs, s.running(classes, terms, now)); err != nil {
		errs = append(errs, fmt.Errorf("plan nudges: %w", err))
	}
	if err := s.planConferences(ctx, now); err != nil {
		errs = append(errs, fmt.Errorf("plan conference reminders: %w", err))
	}
	if err := s.runRetention(ctx, now, runs); err != nil {
		errs = append(errs, fmt.Errorf("retention: %w", err))
	}
	if err := s.repairTeacherLists(ctx, now, runs); err != nil {
		errs = append(errs, fmt.Errorf("repair teacher lists: %w", err))
	}
	return errors.Join(errs...)
}

// archivedFrom is when a class is archived (plpbot.ClassArchivedFrom): the
// end of its term in its zone, or when the SIS ended it; zero if never.
func (s *Scheduler) archivedFrom(c *plpbot.Class, terms map[string]*plpbot.Term) time.Time {
	return plpbot.ClassArchivedFrom(c, terms[c.TermID], s.classZone(c))
}

// running returns the classes not archived at now.
func (s *Scheduler) running(classes []plpbot.Class, terms map[string]*plpbot.Term, now time.Time) []plpbot.Class {
	out := make([]plpbot.Class, 0, len(classes))
	for i := range classes {
		if c := &classes[i]; !plpbot.ClassArchived(c, terms[c.TermID], now, s.classZone(c)) {
			out = append(out, classes[i])
		}
	}
	return out
}

// classArchived reports whether a class is archived at now, as the data
// says when a message is sent. A class or term that is gone archives
// nothing here: the composers skip a deleted class themselves.
func (s *Scheduler) classArchived(ctx context.Context, classID string, now time.Time) (bool, error) {
	c, err := s.store.Class(ctx, classID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var t *plpbot.Term
	if c.TermID != "" {
		t, err = s.store.Term(ctx, c.TermID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return false, err
		}
	}
	return plpbot.ClassArchived(c, t, now, s.classZone(c)), nil
}

// classZone is the zone a class's schedules run in.
func (s *Scheduler) classZone(c *plpbot.Class) *time.Location { return s.location(c.TimeZone, s.zone) }

// location loads a zone by name, or returns fallback.
func (s *Scheduler) location(name string, fallback *time.Location) *time.Location {
	if name == "" {
		return fallback
	}
	if l, ok := s.zones.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return fallback
	}
	s.zones.Store(name, l)
	return l
}

// classSchedule returns a class's schedule for job, falling back to the
// default if the class's cron is unreadable.
func (s *Scheduler) classSchedule(c *plpbot.Class, job string) *plpbot.Schedule {
	spec, def := c.Reflections, s.refl
	if job == jobSummary {
		spec, def = c.Summaries, s.summ
	}
	zone := s.classZone(c)
	if spec != "" {
		sched, err := plpbot.ParseSchedule(spec, zone)
		if err == nil {
			return sched
		}
		s.log.Warn("class schedule unreadable; using the default", slog.String("class", c.ID), slog.String("job", job), slog.Any("err", err))
	}
	return plpbot.MustParseSchedule(def, zone) // New checked the defaults
}

func jobRunID(job, classID string) string { return job + "|" + classID }

// planClassJob plans every run of a class's job from its last run up to
// now; runs from archivedFrom on (when non-zero) are skipped: an archived
// class gets no prompts and no summaries.
func (s *Scheduler) planClassJob(ctx context.Context, now time.Time, c *plpbot.Class, job string, runs map[string]storage.JobRun, archivedFrom time.Time) error {
	sched := s.classSchedule(c, job)
	id := jobRunID(job, c.ID)
	last := runs[id].Last
	if last.IsZero() {
		last = c.CreatedAt
	}
	start := last
	planned, skipped := 0, 0
	status := ""
	record := func() error {
		if last.Equal(start) {
			return nil
		}
		return s.store.RecordJobRun(ctx, id, last, status, planned, skipped)
	}
	loc := sched.Location()
	for i := 0; i < 100000; i++ {
		at := sched.Next(last)
		if at.IsZero() || at.After(now) {
			break
		}
		from, period := last, at.In(loc).Format(periodLayout)
		switch {
		case !archivedFrom.IsZero() && !at.Before(archivedFrom):
			skipped++
			status = "skipped: class archived"
		case now.Sub(at) > StillUseful:
			skipped++
			status = "skipped: missed while down"
		case job == jobReflect && s.cal.holiday(at, loc):
			skipped++
			status = "skipped: holiday"
		case job == jobSummary && c.ChannelID == "":
			skipped++
			status = "skipped: no linked channel"
		default:
			var err error
			if job == jobReflect {
				_, err = s.planReflections(ctx, c, period, at, now)
			} else {
				_, err = s.store.PlanOutbox(ctx, []storage.OutboxItem{{
					Job: jobSummary, Period: period, Recipient: "class:" + c.ID,
					Platform: c.Platform, ClassID: c.ID, From: from, Due: now,
				}})
			}
			if err != nil {
				_ = record()
				s.observeRuns(job, planned, skipped)
				s.observer().JobRan(job, JobFailed, 1)
				return err
			}
			planned++
			status = "planned"
		}
		last = at
	}
	if skipped > 0 {
		s.log.InfoContext(ctx, "runs skipped", slog.String("job", job), slog.String("class", c.ID), slog.Int("skipped", skipped), slog.String("why", status))
	}
	s.observeRuns(job, planned, skipped)
	return record()
}

// observeRuns tells the Observer how many runs of a class's job were planned
// and skipped.
func (s *Scheduler) observeRuns(job string, planned, skipped int) {
	s.observer().JobRan(job, JobPlanned, planned)
	s.observer().JobRan(job, JobSkipped, skipped)
}

// planReflections plans one reflection run of a class: a prompt for every
// enrolled student who is not away and can get DMs, due at the next time the
// student may be messaged. It returns how many items were new.
func (s *Scheduler) planReflections(ctx context.Context, c *plpbot.Class, period string, at, now time.Time) (int, error) {
	ids, err := s.store.ClassMembers(ctx, c.ID, plpbot.MemberStudent)
	if err != nil {
		return 0, err
	}
	zone := s.classZone(c)
	users, err := s.store.Recipients(ctx, ids)
	if err != nil {
		return 0, err
	}
	total := 0
	for lo := 0; lo < len(users); lo += planBatch {
		batch := users[lo:min(lo+planBatch, len(users))]
		items := make([]storage.OutboxItem, 0, len(batch))
		for i := range batch {
			u := &batch[i]
			if u.Away(at) || u.Away(now) || u.CantDM != "" {
				continue
			}
			items = append(items, storage.OutboxItem{
				Job: jobReflect, Period: period, Recipient: u.ID, Platform: storage.UserPlatform(u.ID), ClassID: c.ID,
				Due: s.cal.nextAllowed(now, s.location(u.TimeZone, zone)),
			})
		}
		n, err := s.store.PlanOutbox(ctx, items)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// confPeriod names a conference at one time: a rescheduled conference gets
// new reminders, and the old ones are skipped at send time.
func confPeriod(c *plpbot.Conference) string {
	return strconv.Itoa(c.Number) + "@" + strconv.FormatInt(c.At.Unix(), 10)
}

// leadName writes a lead time compactly: 24h, 1h, 90m.
func leadName(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/time.Minute)) + "m"
}

// planConferences plans reminders for conferences whose lead time has come
// (only the nearest lead: a conference booked an hour ahead gets no "24h"
// reminder), and notes requests for conferences that passed with no notes.
func (s *Scheduler) planConferences(ctx context.Context, now time.Time) error {
	confs, err := s.store.Conferences(ctx, storage.ConferenceQuery{
		Status: plpbot.ConferenceScheduled, From: now.Add(time.Millisecond), To: now.Add(s.leads[0] + time.Millisecond),
	})
	if err != nil {
		return err
	}
	var items []storage.OutboxItem
	var studentIDs []string
	for i := range confs {
		c := &confs[i]
		lead := time.Duration(0)
		for _, l := range s.leads { // longest first: keep the shortest that is due
			if !c.At.Add(-l).After(now) {
				lead = l
			}
		}
		if lead == 0 {
			continue
		}
		items = append(items, storage.OutboxItem{
			Job: jobBrief + "-" + leadName(lead), Period: confPeriod(c), Recipient: c.TeacherID,
			Platform: storage.UserPlatform(c.TeacherID), Conference: c.Number, ConferenceAt: c.At, Due: now,
		})
		studentIDs = append(studentIDs, c.StudentID)
	}
	if len(studentIDs) > 0 {
		users, err := s.store.Users(ctx, studentIDs)
		if err != nil {
			return err
		}
		zones := make(map[string]*time.Location, len(users))
		for i := range users {
			zones[users[i].ID] = s.location(users[i].TimeZone, s.zone)
		}
		for i := range confs {
			c := &confs[i]
			zone, ok := zones[c.StudentID]
			if !ok {
				continue
			}
			if due := s.cal.nextAllowed(now, zone); due.Before(c.At) {
				items = append(items, storage.OutboxItem{
					Job: jobHeadsUp, Period: confPeriod(c), Recipient: c.StudentID,
					Platform: storage.UserPlatform(c.StudentID), Conference: c.Number, ConferenceAt: c.At, Due: due,
				})
			}
		}
	}
	for _, st := range []plpbot.ConferenceStatus{plpbot.ConferenceScheduled, plpbot.ConferenceDone} {
		past, err := s.store.Conferences(ctx, storage.ConferenceQuery{
			Status: st, From: now.Add(-7 * 24 * time.Hour), To: now.Add(-s.opts.NotesAfter + time.Millisecond),
		})
		if err != nil {
			return err
		}
		for i := range past {
			c := &past[i]
			if c.Notes != "" {
				continue
			}
			items = append(items, storage.OutboxItem{
				Job: jobNotes, Period: confPeriod(c), Recipient: c.TeacherID,
				Platform: storage.UserPlatform(c.TeacherID), Conference: c.Number, ConferenceAt: c.At, Due: now,
			})
		}
	}
	_, err = s.store.PlanOutbox(ctx, items)
	return err
}

// nextWake returns the next moment after cur when something may be due:
// a class run, a conference lead time or notes request, or a pending item.
// Zero if nothing is known.
func (s *Scheduler) nextWake(ctx context.Context, cur time.Time) (time.Time, error) {
	var best time.Time
	consider := func(t time.Time) {
		if t.After(cur) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	classes, err := s.store.AllClasses(ctx)
	if err != nil {
		return best, err
	}
	runs, err := s.store.JobRuns(ctx)
	if err != nil {
		return best, err
	}
	terms, err := s.store.TermsByID(ctx)
	if err != nil {
		return best, err
	}
	live := s.running(classes, terms, cur)
	for i := range live {
		c := &live[i]
		for _, job := range []string{jobReflect, jobSummary} {
			last := runs[jobRunID(job, c.ID)].Last
			if last.Before(cur) {
				last = cur
			}
			consider(s.classSchedule(c, job).Next(last))
		}
	}
	confs, err := s.store.Conferences(ctx, storage.ConferenceQuery{
		Status: plpbot.ConferenceScheduled, From: cur.Add(-s.opts.NotesAfter), Limit: 200,
	})
	if err != nil {
		return best, err
	}
	for _, c := range confs {
		if c.Every != "" {
			consider(c.At) // a standing conference rolls forward when its time comes
		}
		for _, l := range s.leads {
			consider(c.At.Add(-l))
		}
		consider(c.At.Add(s.opts.NotesAfter))
	}
	if s.opts.NudgeAfter > 0 {
		consider(cur.Truncate(time.Hour).Add(time.Hour))
	}
	if t, ok, err := s.store.NextOutboxDue(ctx, cur); err != nil {
		return best, err
	} else if ok {
		consider(t)
	}
	return best, nil
}
