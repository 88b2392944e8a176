package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// The composer: every message the scheduler sends is built here, with the
// same rendering, forms and audit as the commands, so a button in a prompt
// is exactly the command it names and a prep brief is read under the same
// policy as /plp student. The scheduler decides when a message is owed;
// these decide what it says, asking the access policy at the moment of
// sending. A message that may no longer go returns an EFORBIDDEN
// *plpbot.Error, which the scheduler records as a skip.

// maxQuote is how much of a student's text a prep brief quotes.
const maxQuote = 280

// ReflectionPrompt is the weekly prompt to a student: their active goals,
// one question, and buttons to reflect, check in or snooze.
func (h *Handlers) ReflectionPrompt(ctx context.Context, student *plpbot.Person, now time.Time) (bot.Message, error) {
	goals, err := h.store.Goals(ctx, student.ID)
	if err != nil {
		return bot.Message{}, fmt.Errorf("reflection prompt: %w", err)
	}
	active := activeGoals(goals)
	blocks := []bot.Block{bot.Text{Text: "Hi " + bot.User(plpbot.FirstName(student.Name)) + "! Time for a quick reflection."}}
	if len(active) > 0 {
		items := make([]string, len(active))
		for i, g := range active {
			items[i] = fmt.Sprintf("%d. %s — %d%%", g.Number, bot.User(g.Title), g.Progress)
		}
		blocks = append(blocks, bot.Text{Text: "You're working on:"}, bot.List{Items: items},
			bot.Text{Text: "What went well this week, and what's one thing you'll try next?"})
	} else {
		blocks = append(blocks, bot.Text{Text: "What did you learn this week, and what would you like to work on next?"})
	}
	blocks = append(blocks, bot.Context{Text: "Just reply here — your next message is saved as your reflection."})
	m := bot.Message{Title: "Reflection time 🌱", Blocks: blocks, Buttons: []bot.Button{h.reflectButton()}}
	if len(active) > 0 {
		m.Buttons = append(m.Buttons, h.checkInButton(active[:1]))
		m.Buttons[len(m.Buttons)-1].Style = bot.Default
	}
	// Snooze moves this prompt only (to its one follow-up); it never marks
	// the student away.
	m.Buttons = append(m.Buttons, bot.Button{Label: "Snooze", Command: "snooze"})
	return m, nil
}

// PromptFollowUp is the one follow-up to an unanswered prompt.
func (h *Handlers) PromptFollowUp(ctx context.Context, student *plpbot.Person, now time.Time) (bot.Message, error) {
	return bot.Message{
		Title: "Still there? 🙂",
		Blocks: []bot.Block{
			bot.Text{Text: "No pressure — if you have a minute, tell me one thing from this week: a win, a snag, or what's next."},
			bot.Context{Text: "Just reply here; your next message is saved as your reflection."},
		},
		Buttons: []bot.Button{h.reflectButton()},
	}, nil
}

// Nudge is the one gentle DM to a quiet student, given their goals in
// number order: a check-in on their first active goal, or an invitation to
// set one.
func (h *Handlers) Nudge(_ context.Context, student *plpbot.Person, goals []plpbot.Goal, now time.Time) (bot.Message, error) {
	hi := "Hi " + bot.User(plpbot.FirstName(student.Name)) + " 👋"
	active := activeGoals(goals)
	if len(active) == 0 {
		return bot.Message{Title: "Just checking in",
			Blocks: []bot.Block{
				bot.Text{Text: hi + " What's something you'd like to get better at this term? One small goal is a great start."},
				bot.Context{Text: "Add one with `/plp goal add TITLE`."},
			},
			Buttons: []bot.Button{h.addGoalButton(bot.Primary)},
		}, nil
	}
	g := active[0]
	return bot.Message{Title: "Just checking in",
		Blocks: []bot.Block{
			bot.Text{Text: fmt.Sprintf("%s How's %s going? Wherever it's at is fine — a quick check-in takes ten seconds.", hi, goalRef(&g))},
			bot.Context{Text: "Or type `/plp checkin " + strconv.Itoa(g.Number) + " PCT%`. Away for a while? `/plp away until YYYY-MM-DD` pauses these."},
		},
		Buttons: []bot.Button{h.checkInButton(active[:1])},
	}, nil
}

// ConferenceHeadsUp tells a student a conference is coming and invites a
// talking point.
func (h *Handlers) ConferenceHeadsUp(ctx context.Context, student *plpbot.Person, c *plpbot.Conference, now time.Time) (bot.Message, error) {
	if student.ID != c.StudentID {
		return bot.Message{}, plpbot.Errorf(plpbot.EFORBIDDEN, "heads-up for someone else's conference")
	}
	return bot.Message{
		Title: "Conference coming up 📅",
		Blocks: []bot.Block{
			bot.Text{Text: fmt.Sprintf("You meet %s %s.", bot.User(c.TeacherName), until(c.At, now, h.loc(student)))},
			bot.Text{Text: "Anything you want to talk about? Add it to the agenda so it doesn't get forgotten."},
		},
		Buttons: []bot.Button{agendaButton(h),
			{Label: "Can't make it", Command: "conference cancel " + strconv.Itoa(c.Number)}},
	}, nil
}

// NotesRequest asks the staff member who held a conference for notes, if
// they still serve the student.
func (h *Handlers) NotesRequest(ctx context.Context, staff *plpbot.Person, c *plpbot.Conference, now time.Time) (bot.Message, error) {
	if _, err := h.studentServedBy(ctx, staff, c.StudentID); err != nil {
		return bot.Message{}, err
	}
	num := strconv.Itoa(c.Number)
	return bot.Message{
		Title: "How did it go?",
		Blocks: []bot.Block{
			bot.Text{Text: fmt.Sprintf("Your conference with %s (#%s, %s) has no notes yet. A few lines now keep %s's plan complete for next time.",
				bot.User(c.StudentName), num, formatWhen(c.At, h.loc(staff)), bot.User(plpbot.FirstName(c.StudentName)))},
		},
		Buttons: []bot.Button{{Label: "Add notes", Command: "conference done " + num, Style: bot.Primary,
			Form: h.grammar.FormFor([]string{"conference", "done"}, map[string]string{"id": num})}},
	}, nil
}

// studentServedBy loads a student and checks, now, that staff may still
// receive messages about them (plpbot.CanReceiveAbout).
func (h *Handlers) studentServedBy(ctx context.Context, staff *plpbot.Person, studentID string) (*plpbot.Person, error) {
	student, err := h.store.User(ctx, studentID)
	if err != nil {
		return nil, fmt.Errorf("load student: %w", err)
	}
	ties, err := h.tiesOf(ctx, staff, student)
	if err != nil {
		return nil, err
	}
	if !plpbot.CanReceiveAbout(staff, student, ties) {
		return nil, plpbot.Errorf(plpbot.EFORBIDDEN, "%s no longer serves %s", staff.ID, student.ID)
	}
	return student, nil
}

// StillServes reports whether staff may still receive messages about the
// student and hold their conferences (plpbot.CanReceiveAbout), asked now.
// Someone forgotten serves nobody and is served by nobody.
func (h *Handlers) StillServes(ctx context.Context, staffID, studentID string) (bool, error) {
	staff, err := h.store.User(ctx, staffID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load staff: %w", err)
	}
	_, err = h.studentServedBy(ctx, staff, studentID)
	switch {
	case err == nil:
		return true, nil
	case plpbot.ErrorCode(err) == plpbot.EFORBIDDEN, errors.Is(err, storage.ErrNotFound):
		return false, nil
	}
	return false, err
}

// PrepBrief is a staff member's brief before conference c: the student's
// goals as /plp student shows them, activity since their last conference,
// feedback, what is worth a look, and the agenda. It is audited like any
// staff read, and refused if the staff member no longer serves the student.
func (h *Handlers) PrepBrief(ctx context.Context, staff *plpbot.Person, c *plpbot.Conference, now time.Time) (bot.Message, error) {
	student, err := h.studentServedBy(ctx, staff, c.StudentID)
	if err != nil {
		return bot.Message{}, err
	}
	b, err := h.loadBrief(ctx, student, c)
	if err != nil {
		return bot.Message{}, err
	}
	if err := h.audit(ctx, staff, "prep_brief", student, "conference "+strconv.Itoa(c.Number)); err != nil {
		return bot.Message{}, err
	}
	return h.renderBrief(b, staff, c, now), nil
}

// brief is what a prep brief reads of a student.
type brief struct {
	student     *plpbot.Person
	goals       []plpbot.Goal
	checkIns    []plpbot.CheckIn
	reflections []plpbot.Reflection
	feedback    []plpbot.Feedback
	since       time.Time // the last conference, or zero
	last        *plpbot.Conference
}

func (h *Handlers) loadBrief(ctx context.Context, student *plpbot.Person, c *plpbot.Conference) (*brief, error) {
	b := &brief{student: student}
	prev, err := h.store.Conferences(ctx, storage.ConferenceQuery{StudentID: student.ID, Status: plpbot.ConferenceDone, To: c.At})
	if err != nil {
		return nil, fmt.Errorf("prep brief: %w", err)
	}
	if len(prev) > 0 {
		b.last = &prev[len(prev)-1]
		b.since = b.last.At
	}
	if b.goals, err = h.store.Goals(ctx, student.ID); err != nil {
		return nil, fmt.Errorf("prep brief: %w", err)
	}
	if b.checkIns, err = h.store.CheckIns(ctx, student.ID, b.since, 0); err != nil {
		return nil, fmt.Errorf("prep brief: %w", err)
	}
	if b.reflections, err = h.store.Reflections(ctx, student.ID, b.since, 3); err != nil {
		return nil, fmt.Errorf("prep brief: %w", err)
	}
	b.feedback = plpbot.FeedbackOn(b.goals, b.since, 3) // kept on the goals
	return b, nil
}

func (h *Handlers) renderBrief(b *brief, staff *plpbot.Person, c *plpbot.Conference, now time.Time) bot.Message {
	loc := h.loc(staff)
	name := bot.User(c.StudentName)
	sinceLabel := "so far"
	if !b.since.IsZero() {
		sinceLabel = "since your last conference (" + b.since.In(loc).Format("2 Jan") + ")"
	}
	blocks := []bot.Block{bot.Text{Text: fmt.Sprintf("You meet %s %s (conference #%d).", name, until(c.At, now, loc), c.Number)}}
	if b.last != nil && b.last.Notes != "" {
		blocks = append(blocks, bot.Text{Text: bot.Bold("Last time") + " (" + b.last.At.In(loc).Format("2 Jan") + ", " + bot.User(b.last.TeacherName) + "): " +
			bot.User(plpbot.Clip(b.last.Notes, maxQuote))})
	}
	if len(activeGoals(b.goals)) == 0 {
		blocks = append(blocks, bot.Text{Text: "No active goals — setting one together could be a good start."})
	}
	blocks = append(blocks, staffGoalBlocks(b.goals, now, loc)...)
	blocks = append(blocks, bot.Fields{Fields: []bot.Field{
		{Label: "Check-ins " + sinceLabel, Value: strconv.Itoa(len(b.checkIns))},
		{Label: "Reflections " + sinceLabel, Value: strconv.Itoa(len(b.reflections))},
	}})
	blocks = appendQuoted(blocks, "Latest reflections", b.reflections, func(r plpbot.Reflection) string {
		return r.At.In(loc).Format("2 Jan") + ": " + bot.User(plpbot.Clip(r.Text, maxQuote))
	})
	blocks = appendQuoted(blocks, "Feedback given", b.feedback, func(f plpbot.Feedback) string {
		return fmt.Sprintf("Goal %d, %s: %s", f.GoalNumber, bot.User(f.StaffName), bot.User(plpbot.Clip(f.Text, maxQuote)))
	})
	var latest *plpbot.CheckIn
	if len(b.checkIns) > 0 {
		latest = &b.checkIns[0]
	}
	var worth []string
	for _, a := range plpbot.NeedsAttention(b.student, b.goals, latest, now) {
		worth = append(worth, a.String())
	}
	blocks = appendQuoted(blocks, "Worth a look", worth, func(s string) string { return s })
	blocks = appendQuoted(blocks, "Agenda", c.Agenda, func(a plpbot.AgendaItem) string {
		return bot.User(plpbot.Clip(a.Text, maxQuote)) + " — " + bot.User(a.ByName)
	})
	blocks = append(blocks, bot.Context{Text: fmt.Sprintf("Afterwards: `/plp conference done %d NOTES`", c.Number)})
	return bot.Message{Title: "Conference prep: " + name, Blocks: blocks}
}

// appendQuoted adds a bold heading (if any) and a list of items, if there
// are any.
func appendQuoted[T any](blocks []bot.Block, heading string, items []T, line func(T) string) []bot.Block {
	if len(items) == 0 {
		return blocks
	}
	lines := make([]string, len(items))
	for i, it := range items {
		lines[i] = line(it)
	}
	if heading != "" {
		blocks = append(blocks, bot.Text{Text: bot.Bold(heading)})
	}
	return append(blocks, bot.List{Items: lines})
}

// ClassSummary is a class channel's weekly post: goals set and completed
// since from, participation and class progress as the roster counts them
// and a chart of both week by week over the term (only in classes of at
// least the minimum size: plpbot.SummaryShowsFigures), and shout-outs only
// for students who opted in. It never names one student's reflection,
// feedback, flag or low progress. It reads the class's students and their
// goals together (the roster is figured from the goals) and, for the
// chart, one class-wide query of check-ins.
func (h *Handlers) ClassSummary(ctx context.Context, c *plpbot.Class, from, now time.Time) (bot.Message, error) {
	rows, goals, err := h.store.RosterAndGoals(ctx, c.ID)
	if err != nil {
		return bot.Message{}, fmt.Errorf("class summary: %w", err)
	}
	st := plpbot.StatsOf(rows, now)
	set, done, finished := 0, 0, map[string]bool{}
	for _, g := range goals {
		if !g.CreatedAt.Before(from) && g.CreatedAt.Before(now) {
			set++
		}
		if g.Status == plpbot.GoalDone && !g.DoneAt.Before(from) {
			done++
			finished[g.UserID] = true
		}
	}
	fields := []bot.Field{
		{Label: "Goals set", Value: strconv.Itoa(set)},
		{Label: "Goals completed", Value: strconv.Itoa(done)},
	}
	figures := plpbot.SummaryShowsFigures(st.Students, h.minClassSize)
	if figures {
		fields = append(fields, bot.Field{Label: "Checked in",
			Value: fmt.Sprintf("%d of %d students (%d%%)", st.CheckedIn, st.Students, st.CheckedIn*100/st.Students)})
	}
	blocks := []bot.Block{bot.Fields{Fields: fields}}
	// Progress is shown only when enough students have active goals that
	// the mean is nobody's own figure.
	if plpbot.SummaryShowsFigures(st.WithGoals, h.minClassSize) {
		blocks = append(blocks, bot.Progress{Label: "Class progress", Percent: st.Progress})
	}
	var shout []string
	for _, r := range rows {
		switch {
		case !r.Shoutouts:
		case finished[r.UserID]:
			shout = append(shout, bot.User(r.Name)+" finished a goal 🎉")
		case plpbot.CheckedInThisWeek(r.LastCheckIn, now):
			shout = append(shout, bot.User(r.Name)+" checked in")
		}
	}
	blocks = appendQuoted(blocks, "Shout-outs", shout, func(s string) string { return s })
	blocks = append(blocks, bot.Context{Text: "Keep going! Log progress any time with `/plp checkin`."})
	m := bot.Message{Visibility: bot.Public, Title: "This week in " + bot.User(c.Name), Blocks: blocks}
	if figures {
		wk, err := h.classChart(ctx, c, rows, goals, now)
		if err != nil {
			return bot.Message{}, fmt.Errorf("class summary: %w", err)
		}
		m.Chart = wk
	}
	return m, nil
}

// activeGoals returns the active goals in number order.
func activeGoals(goals []plpbot.Goal) []plpbot.Goal {
	var out []plpbot.Goal
	for _, g := range goals {
		if g.Status == plpbot.GoalActive {
			out = append(out, g)
		}
	}
	return out
}

// reflectButton opens the reflection form.
func (h *Handlers) reflectButton() bot.Button {
	return bot.Button{Label: "Reflect", Command: "reflect", Style: bot.Primary, Form: h.grammar.FormFor([]string{"reflect"}, nil)}
}

// until says how far ahead t is: "in 45 minutes", "today at 15:30",
// "tomorrow at 10:30", or "on Tue 12 Jan, 10:30".
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
	return "on " + t.In(loc).Format("Mon 2 Jan, 15:04")
}
