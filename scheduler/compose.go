package scheduler

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Composer builds what the scheduler sends, and says who may still receive
// it. The handlers implement it, so
// a prompt, a prep brief or a class summary is rendered, offered as forms
// and audited exactly as the commands are. A method returns an error with
// code plpbot.EFORBIDDEN when the message may no longer go (the access
// policy, asked at send time, refuses it): the item is skipped.
type Composer interface {
	ReflectionPrompt(ctx context.Context, student *plpbot.Person, now time.Time) (bot.Message, error)
	PromptFollowUp(ctx context.Context, student *plpbot.Person, now time.Time) (bot.Message, error)
	// Nudge is given the student's goals, which the scheduler read to see
	// whether they checked in since the nudge was planned.
	Nudge(ctx context.Context, student *plpbot.Person, goals []plpbot.Goal, now time.Time) (bot.Message, error)
	ConferenceHeadsUp(ctx context.Context, student *plpbot.Person, c *plpbot.Conference, now time.Time) (bot.Message, error)
	PrepBrief(ctx context.Context, staff *plpbot.Person, c *plpbot.Conference, now time.Time) (bot.Message, error)
	NotesRequest(ctx context.Context, staff *plpbot.Person, c *plpbot.Conference, now time.Time) (bot.Message, error)
	ClassSummary(ctx context.Context, c *plpbot.Class, from, now time.Time) (bot.Message, error)
	// StillServes asks the access policy, now, whether a staff member may
	// still meet and hear about a student; a standing 1:1 whose holder no
	// longer does ends instead of booking again.
	StillServes(ctx context.Context, staffID, studentID string) (bool, error)
}

// Messages are composed at send time from the outbox item's references, so
// goals, agendas and conference times are current, and an item whose reason
// has gone (an answered prompt, a cancelled conference, a teacher who left
// the class) is skipped.

func identityOf(u *plpbot.Person) *bot.Identity {
	return &bot.Identity{Platform: bot.Platform(u.Platform), Workspace: u.Workspace, UserID: u.PlatformID, Name: u.Name, TimeZone: u.TimeZone,
		DMChannel: u.DMChannel}
}

// compose builds the message for it, or says why it is no longer owed.
func (s *Scheduler) compose(ctx context.Context, it *storage.OutboxItem, now time.Time) (*delivery, string, error) {
	job, _, _ := strings.Cut(it.Job, "-")
	var (
		d    *delivery
		skip string
		err  error
	)
	switch job {
	case jobReflect, jobFollowup:
		d, skip, err = s.composePrompt(ctx, it, now)
	case jobBrief, jobHeadsUp, jobNotes:
		d, skip, err = s.composeConference(ctx, it, now, job)
	case jobSummary:
		d, skip, err = s.composeSummary(ctx, it, now)
	case jobNudge:
		d, skip, err = s.composeNudge(ctx, it, now)
	default:
		return nil, "unknown job " + it.Job, nil
	}
	if plpbot.ErrorCode(err) == plpbot.EFORBIDDEN {
		return nil, "no longer allowed: " + err.Error(), nil
	}
	return d, skip, err
}

// user loads a recipient; a user who was forgotten is a skip, not an error.
func (s *Scheduler) user(ctx context.Context, id string) (*plpbot.Person, string, error) {
	u, err := s.store.User(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "recipient no longer exists", nil
	}
	return u, "", err
}

// composePrompt builds a reflection prompt or its follow-up.
func (s *Scheduler) composePrompt(ctx context.Context, it *storage.OutboxItem, now time.Time) (*delivery, string, error) {
	u, skip, err := s.user(ctx, it.Recipient)
	if u == nil {
		return nil, skip, err
	}
	if u.Away(now) {
		return nil, "student is away", nil
	}
	if it.ClassID != "" {
		archived, err := s.classArchived(ctx, it.ClassID, now)
		if err != nil {
			return nil, "", err
		}
		if archived {
			return nil, "class archived: its term is over", nil
		}
	}
	d := &delivery{to: identityOf(u), userID: u.ID}
	if it.Job == jobFollowup {
		p, err := s.store.OpenPrompt(ctx, u.ID, now)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && p.ID != it.Ref) {
			return nil, "prompt answered or replaced", nil
		}
		if err != nil {
			return nil, "", err
		}
		d.msg, err = s.composer.PromptFollowUp(ctx, u, now)
		return d, "", err
	}
	if d.msg, err = s.composer.ReflectionPrompt(ctx, u, now); err != nil {
		return nil, "", err
	}
	loc := s.location(u.TimeZone, s.zone)
	d.before = func(ctx context.Context) error {
		return s.store.SavePrompt(ctx, storage.Prompt{ID: it.ID, UserID: u.ID, Text: d.msg.Title, SentAt: now})
	}
	d.after = func(ctx context.Context, now time.Time) error {
		_, err := s.store.PlanOutbox(ctx, []storage.OutboxItem{{
			Job: jobFollowup, Period: it.Period, Recipient: u.ID, Platform: u.Platform, ClassID: it.ClassID, Ref: it.ID,
			Due: s.cal.nextAllowed(now.Add(s.opts.FollowupAfter), loc),
		}})
		return err
	}
	return d, "", nil
}

// composeConference builds a prep brief, a heads-up or a notes request,
// after checking the conference still stands as planned.
func (s *Scheduler) composeConference(ctx context.Context, it *storage.OutboxItem, now time.Time, job string) (*delivery, string, error) {
	c, err := s.store.ConferenceByNumber(ctx, it.Conference)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "conference deleted", nil
	}
	if err != nil {
		return nil, "", err
	}
	switch {
	case c.Status == plpbot.ConferenceCancelled:
		return nil, "conference cancelled", nil
	case !c.At.Equal(it.ConferenceAt):
		return nil, "conference moved", nil
	case job == jobNotes && c.Notes != "":
		return nil, "notes recorded", nil
	case job != jobNotes && (c.Status != plpbot.ConferenceScheduled || !c.At.After(now)):
		return nil, "conference already started", nil
	}
	u, skip, err := s.user(ctx, it.Recipient)
	if u == nil {
		return nil, skip, err
	}
	d := &delivery{to: identityOf(u), userID: u.ID}
	switch job {
	case jobHeadsUp:
		d.msg, err = s.composer.ConferenceHeadsUp(ctx, u, c, now)
	case jobNotes:
		d.msg, err = s.composer.NotesRequest(ctx, u, c, now)
	default:
		d.msg, err = s.composer.PrepBrief(ctx, u, c, now)
	}
	if err != nil {
		return nil, "", err
	}
	return d, "", nil
}

// composeSummary builds a class summary for its linked channel.
func (s *Scheduler) composeSummary(ctx context.Context, it *storage.OutboxItem, now time.Time) (*delivery, string, error) {
	c, err := s.store.Class(ctx, it.ClassID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "class deleted", nil
	}
	if err != nil {
		return nil, "", err
	}
	if c.ChannelID == "" {
		return nil, "no linked channel", nil
	}
	archived, err := s.classArchived(ctx, c.ID, now)
	if err != nil {
		return nil, "", err
	}
	if archived {
		return nil, "class archived: its term is over", nil
	}
	msg, err := s.composer.ClassSummary(ctx, c, it.From, now)
	if err != nil {
		return nil, "", err
	}
	ch := &bot.Channel{Platform: bot.Platform(c.Platform), Workspace: c.Workspace, ChannelID: c.ChannelID, Name: c.ChannelName}
	return &delivery{channel: ch, msg: msg}, "", nil
}
