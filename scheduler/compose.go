package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Messages are composed at send time from the outbox item's references, so
// goals, agendas and conference times are current, and an item whose reason
// has gone (an answered prompt, a cancelled conference) is skipped.

// maxQuote is how much of a student's reflection a prep brief quotes.
const maxQuote = 280

func identityOf(u *storage.User) *bot.Identity {
	return &bot.Identity{Platform: bot.Platform(u.Platform), Workspace: u.Workspace, UserID: u.PlatformID, Name: u.Name, TimeZone: u.TimeZone}
}

// compose builds the message for it, or says why it is no longer owed.
func (s *Scheduler) compose(ctx context.Context, it *storage.OutboxItem, now time.Time) (*delivery, string, error) {
	job, _, _ := strings.Cut(it.Job, "-")
	switch job {
	case jobReflect, jobFollowup:
		return s.composePrompt(ctx, it, now)
	case jobBrief, jobHeadsUp, jobNotes:
		return s.composeConference(ctx, it, now, job)
	case jobSummary:
		return s.composeSummary(ctx, it, now)
	case jobNudge:
		return s.composeNudge(ctx, it, now)
	}
	return nil, "unknown job " + it.Job, nil
}

// user loads a recipient; a user who was forgotten is a skip, not an error.
func (s *Scheduler) user(ctx context.Context, id string) (*storage.User, string, error) {
	u, err := s.store.User(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "recipient no longer exists", nil
	}
	return u, "", err
}

// form returns the grammar's form for a command, or fallback when the
// scheduler was given no grammar.
func (s *Scheduler) form(path []string, fixed map[string]string, fallback bot.Form) *bot.Form {
	if s.opts.Grammar != nil {
		if f := s.opts.Grammar.FormFor(path, fixed); f != nil {
			return f
		}
	}
	fallback.Fixed = fixed
	if fallback.Submit == "" {
		fallback.Submit = "Save"
	}
	return &fallback
}

func (s *Scheduler) reflectButton() bot.Button {
	return bot.Button{Label: "Reflect", Command: "reflect", Style: bot.Primary,
		Form: s.form([]string{"reflect"}, nil, bot.Form{Title: "Reflect", Command: "reflect", Fields: []bot.FormField{
			{Name: "text", Label: "Your reflection", Placeholder: "What went well? What's next? What help do you need?", Multiline: true, MaxLen: plpbot.MaxTextLen},
		}})}
}

func (s *Scheduler) checkInButton(goal int) bot.Button {
	n := strconv.Itoa(goal)
	return bot.Button{Label: "Check in", Command: "checkin " + n,
		Form: s.form([]string{"checkin"}, map[string]string{"n": n}, bot.Form{Title: "Check in on goal " + n, Command: "checkin", Fields: []bot.FormField{
			{Name: "percent", Label: "Progress (0-100%)"},
			{Name: "note", Label: "Note", Placeholder: "A short note on how it went", Optional: true, Multiline: true, MaxLen: plpbot.MaxTextLen},
		}})}
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
	loc := s.location(u.TimeZone, s.zone)
	d := &delivery{to: identityOf(u), userID: u.ID}
	if it.Job == jobFollowup {
		p, err := s.store.OpenPrompt(ctx, u.ID, now)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && p.ID != it.Ref) {
			return nil, "prompt answered or replaced", nil
		}
		if err != nil {
			return nil, "", err
		}
		d.msg = bot.Message{
			Title: "Still there? 🙂",
			Blocks: []bot.Block{
				bot.Text{Text: "No pressure — if you have a minute, tell me one thing from this week: a win, a snag, or what's next."},
				bot.Context{Text: "Just reply here; your next message is saved as your reflection."},
			},
			Buttons: []bot.Button{s.reflectButton()},
		}
		return d, "", nil
	}
	goals, err := s.store.Goals(ctx, u.ID)
	if err != nil {
		return nil, "", err
	}
	var items []string
	first := 0
	for _, g := range goals {
		if g.Status != storage.GoalActive {
			continue
		}
		if first == 0 {
			first = g.Number
		}
		items = append(items, fmt.Sprintf("%d. %s — %d%%", g.Number, bot.User(g.Title), g.Progress))
	}
	text := "Hi " + bot.User(firstName(u.Name)) + "! Time for a quick reflection."
	blocks := []bot.Block{bot.Text{Text: text}}
	if len(items) > 0 {
		blocks = append(blocks, bot.Text{Text: "You're working on:"}, bot.List{Items: items})
		blocks = append(blocks, bot.Text{Text: "What went well this week, and what's one thing you'll try next?"})
	} else {
		blocks = append(blocks, bot.Text{Text: "What did you learn this week, and what would you like to work on next?"})
	}
	blocks = append(blocks, bot.Context{Text: "Just reply here — your next message is saved as your reflection."})
	d.msg = bot.Message{Title: "Reflection time 🌱", Blocks: blocks}
	d.msg.Buttons = append(d.msg.Buttons, s.reflectButton())
	if first > 0 {
		d.msg.Buttons = append(d.msg.Buttons, s.checkInButton(first))
	}
	tomorrow := now.In(loc).AddDate(0, 0, 1).Format(time.DateOnly)
	d.msg.Buttons = append(d.msg.Buttons, bot.Button{Label: "Snooze 1 day", Command: "away until " + tomorrow + " snoozed a reflection prompt"})
	d.before = func(ctx context.Context) error {
		return s.store.SavePrompt(ctx, storage.Prompt{ID: it.ID, UserID: u.ID, Text: d.msg.PlainText(), SentAt: now})
	}
	d.after = func(ctx context.Context, now time.Time) error {
		_, err := s.store.PlanOutbox(ctx, []storage.OutboxItem{{
			Job: jobFollowup, Period: it.Period, Recipient: u.ID, ClassID: it.ClassID, Ref: it.ID,
			Due: s.cal.nextAllowed(now.Add(s.opts.FollowupAfter), loc),
		}})
		return err
	}
	return d, "", nil
}

// firstName is the first word of a display name.
func firstName(name string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return f
}

// when shows t in loc as "Tue 12 Jan, 10:30".
func when(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon 2 Jan, 15:04") }

// until says how far ahead t is: "in 1 hour", "tomorrow at 10:30".
func until(t, now time.Time, loc *time.Location) string {
	d := t.Sub(now)
	switch {
	case d < 90*time.Minute:
		return fmt.Sprintf("in %d minutes", int(d.Round(time.Minute)/time.Minute))
	case d < 12*time.Hour:
		return "today at " + t.In(loc).Format("15:04")
	case t.In(loc).YearDay() == now.In(loc).AddDate(0, 0, 1).YearDay():
		return "tomorrow at " + t.In(loc).Format("15:04")
	}
	return "on " + when(t, loc)
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
	case c.Status == storage.ConferenceCancelled:
		return nil, "conference cancelled", nil
	case !c.At.Equal(it.ConferenceAt):
		return nil, "conference moved", nil
	case job == jobNotes && c.Notes != "":
		return nil, "notes recorded", nil
	case job != jobNotes && (c.Status != storage.ConferenceScheduled || !c.At.After(now)):
		return nil, "conference already started", nil
	}
	u, skip, err := s.user(ctx, it.Recipient)
	if u == nil {
		return nil, skip, err
	}
	loc := s.location(u.TimeZone, s.zone)
	d := &delivery{to: identityOf(u), userID: u.ID}
	num := strconv.Itoa(c.Number)
	switch job {
	case jobHeadsUp:
		d.msg = bot.Message{
			Title: "Conference coming up 📅",
			Blocks: []bot.Block{
				bot.Text{Text: fmt.Sprintf("You meet %s %s.", bot.User(c.TeacherName), until(c.At, now, loc))},
				bot.Text{Text: "Anything you want to talk about? Add it to the agenda so it doesn't get forgotten."},
			},
			Buttons: []bot.Button{{Label: "Add to agenda", Command: "conference agenda", Style: bot.Primary,
				Form: s.form([]string{"conference", "agenda"}, nil, bot.Form{Title: "Add to agenda", Command: "conference agenda",
					Fields: []bot.FormField{{Name: "text", Label: "Your talking point", Multiline: true, MaxLen: plpbot.MaxTextLen}}})}},
		}
	case jobNotes:
		d.msg = bot.Message{
			Title: "How did it go?",
			Blocks: []bot.Block{
				bot.Text{Text: fmt.Sprintf("Your conference with %s (#%s, %s) has no notes yet. A few lines now keep %s's plan complete for next time.",
					bot.User(c.StudentName), num, when(c.At, loc), bot.User(firstName(c.StudentName)))},
			},
			Buttons: []bot.Button{{Label: "Add notes", Command: "conference done " + num, Style: bot.Primary,
				Form: s.form([]string{"conference", "done"}, map[string]string{"id": num}, bot.Form{Title: "Conference notes", Command: "conference done",
					Fields: []bot.FormField{{Name: "notes", Label: "Notes", Multiline: true, MaxLen: plpbot.MaxTextLen}}})}},
		}
	default:
		if err := s.prepBrief(ctx, d, c, u, now, loc); err != nil {
			return nil, "", err
		}
	}
	return d, "", nil
}

// prepBrief fills d with a teacher's brief for conference c: goals and
// progress, activity since the last conference, feedback, attention flags
// and the agenda. The read is audited like any staff read of a plan.
func (s *Scheduler) prepBrief(ctx context.Context, d *delivery, c *storage.Conference, teacher *storage.User, now time.Time, loc *time.Location) error {
	since := time.Time{}
	prev, err := s.store.Conferences(ctx, storage.ConferenceQuery{StudentID: c.StudentID, Status: storage.ConferenceDone, To: c.At})
	if err != nil {
		return err
	}
	sinceLabel := "so far"
	if len(prev) > 0 {
		since = prev[len(prev)-1].At
		sinceLabel = "since your last conference (" + since.In(loc).Format("2 Jan") + ")"
	}
	goals, err := s.store.Goals(ctx, c.StudentID)
	if err != nil {
		return err
	}
	checkins, err := s.store.CheckIns(ctx, c.StudentID, since, 0)
	if err != nil {
		return err
	}
	refls, err := s.store.Reflections(ctx, c.StudentID, since, 3)
	if err != nil {
		return err
	}
	fb, err := s.store.FeedbackFor(ctx, c.StudentID, since, 3)
	if err != nil {
		return err
	}
	name := bot.User(c.StudentName)
	blocks := []bot.Block{bot.Text{Text: fmt.Sprintf("You meet %s %s (conference #%d).", name, until(c.At, now, loc), c.Number)}}
	var flags []string
	var last time.Time
	active := 0
	for _, g := range goals {
		if g.LastCheckIn.After(last) {
			last = g.LastCheckIn
		}
		if g.Status != storage.GoalActive {
			continue
		}
		active++
		label := fmt.Sprintf("%d. %s", g.Number, bot.User(g.Title))
		if !g.TargetDate.IsZero() {
			label += " (by " + g.TargetDate.UTC().Format("2 Jan") + ")"
		}
		blocks = append(blocks, bot.Progress{Label: label, Percent: g.Progress})
		if g.Overdue(now) {
			flags = append(flags, fmt.Sprintf("Goal %d is past its date", g.Number))
		}
	}
	if active == 0 {
		blocks = append(blocks, bot.Text{Text: "No active goals — setting one together could be a good start."})
	}
	switch {
	case last.IsZero() && active > 0:
		flags = append(flags, "No check-ins yet")
	case !last.IsZero() && now.Sub(last) > NoCheckInFlag:
		flags = append(flags, fmt.Sprintf("No check-in for %d days", int(NoCheckInFlag/(24*time.Hour))))
	}
	blocks = append(blocks, bot.Fields{Fields: []bot.Field{
		{Label: "Check-ins " + sinceLabel, Value: strconv.Itoa(len(checkins))},
		{Label: "Reflections " + sinceLabel, Value: strconv.Itoa(len(refls))},
	}})
	if len(refls) > 0 {
		var qs []string
		for _, r := range refls {
			qs = append(qs, r.At.In(loc).Format("2 Jan")+": "+bot.User(clip(r.Text, maxQuote)))
		}
		blocks = append(blocks, bot.Text{Text: bot.Bold("Latest reflections")}, bot.List{Items: qs})
	}
	if len(fb) > 0 {
		var qs []string
		for _, f := range fb {
			qs = append(qs, fmt.Sprintf("Goal %d, %s: %s", f.GoalNumber, bot.User(f.StaffName), bot.User(clip(f.Text, maxQuote))))
		}
		blocks = append(blocks, bot.Text{Text: bot.Bold("Feedback given")}, bot.List{Items: qs})
	}
	if len(flags) > 0 {
		blocks = append(blocks, bot.Text{Text: bot.Bold("Worth a look")}, bot.List{Items: flags})
	}
	if len(c.Agenda) > 0 {
		var qs []string
		for _, a := range c.Agenda {
			qs = append(qs, bot.User(clip(a.Text, maxQuote))+" — "+bot.User(a.ByName))
		}
		blocks = append(blocks, bot.Text{Text: bot.Bold("Agenda")}, bot.List{Items: qs})
	}
	blocks = append(blocks, bot.Context{Text: fmt.Sprintf("Afterwards: `/plp conference done %d NOTES`", c.Number)})
	d.msg = bot.Message{Title: "Conference prep: " + name, Blocks: blocks}
	d.before = func(ctx context.Context) error {
		return s.store.Audit(ctx, storage.AuditEntry{ActorID: teacher.ID, ActorName: teacher.Name, Action: "prep_brief",
			SubjectID: c.StudentID, Detail: "conference " + strconv.Itoa(c.Number)})
	}
	return nil
}

// clip shortens s to n characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// composeSummary builds a class summary for its channel: counts and a class
// progress bar, and shout-outs only for students who opted in. It never names
// one student's reflection, feedback, flag or low progress.
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
	ids, err := s.store.ClassMembers(ctx, c.ID, storage.MemberStudent)
	if err != nil {
		return nil, "", err
	}
	users, err := s.store.Users(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	from := it.From
	set, done, checkedIn, sum, active := 0, 0, 0, 0, 0
	var shout []string
	for i := range users {
		u := &users[i]
		goals, err := s.store.Goals(ctx, u.ID)
		if err != nil {
			return nil, "", err
		}
		finished, checked := 0, false
		for _, g := range goals {
			if !g.CreatedAt.Before(from) && g.CreatedAt.Before(now) {
				set++
			}
			if g.Status == storage.GoalDone && !g.DoneAt.Before(from) {
				done++
				finished++
			}
			if !g.LastCheckIn.Before(from) && !g.LastCheckIn.IsZero() {
				checked = true
			}
			if g.Status == storage.GoalActive {
				sum += g.Progress
				active++
			}
		}
		if checked {
			checkedIn++
		}
		if u.Shoutouts {
			switch {
			case finished > 0:
				shout = append(shout, bot.User(u.Name)+" finished a goal 🎉")
			case checked:
				shout = append(shout, bot.User(u.Name)+" checked in")
			}
		}
	}
	pct := 0
	if len(users) > 0 {
		pct = checkedIn * 100 / len(users)
	}
	avg := 0
	if active > 0 {
		avg = sum / active
	}
	blocks := []bot.Block{
		bot.Fields{Fields: []bot.Field{
			{Label: "Goals set", Value: strconv.Itoa(set)},
			{Label: "Goals completed", Value: strconv.Itoa(done)},
			{Label: "Checked in", Value: fmt.Sprintf("%d of %d students (%d%%)", checkedIn, len(users), pct)},
		}},
		bot.Progress{Label: "Class progress", Percent: avg},
	}
	if len(shout) > 0 {
		blocks = append(blocks, bot.Text{Text: bot.Bold("Shout-outs")}, bot.List{Items: shout})
	}
	blocks = append(blocks, bot.Context{Text: "Keep going! Log progress any time with `/plp checkin`."})
	ch := &bot.Channel{Platform: bot.Platform(c.Platform), Workspace: c.Workspace, ChannelID: c.ChannelID, Name: c.ChannelName}
	return &delivery{channel: ch, msg: bot.Message{Visibility: bot.Public, Title: "This week in " + bot.User(c.Name), Blocks: blocks}}, "", nil
}
