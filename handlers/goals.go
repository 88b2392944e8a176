package handlers

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

// targetDate reads the by: argument and refuses a date before today in the
// actor's zone. ok is false when by: wasn't given.
func (h *Handlers) targetDate(c *call, path []string) (t time.Time, ok bool, err error) {
	d, given := c.Invocation.Date("by")
	if !given {
		return time.Time{}, false, nil
	}
	today := dateIn(h.now(), h.loc(c.Actor))
	if d.Before(today) {
		return time.Time{}, false, &bot.UserError{Code: bot.EInvalid, Field: "by", Usage: h.grammar.Usage(path),
			Message: fmt.Sprintf("%s is in the past. Pick a target date from today on.", bot.User(c.Invocation.Arg("by"))),
			Hint:    "For example `by:" + today.AddDate(0, 1, 0).Format(time.DateOnly) + "` is a month from now."}
	}
	return d, true, nil
}

// cmdGoalAdd adds an active goal.
func (h *Handlers) cmdGoalAdd(ctx context.Context, c *call) ([]bot.Message, error) {
	path := []string{"goal", "add"}
	title := c.Invocation.Arg("title")
	if n := len([]rune(title)); n > plpbot.MaxTitleLen {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "title", Usage: h.grammar.Usage(path),
			Message: fmt.Sprintf("Your goal's title is %d characters long; the limit is %d. Put the details in why:TEXT.", n, plpbot.MaxTitleLen)}
	}
	by, _, err := h.targetDate(c, path)
	if err != nil {
		return nil, err
	}
	last, dup, err := h.repeatedGoal(ctx, c.Actor, title)
	if err != nil || dup != nil {
		return dup, err
	}
	category := c.Invocation.Arg("category")
	if category == "" {
		category = "academic"
	}
	g, err := h.store.AddGoalAfter(ctx, plpbot.Goal{UserID: c.Actor.ID, Title: title, Category: category, TargetDate: by, Why: c.Invocation.Arg("why")}, last)
	if err != nil {
		return nil, err
	}
	num := strconv.Itoa(g.Number)
	m := reply("", bot.Text{Text: fmt.Sprintf("Goal %s added: %s", num, goalRef(g))})
	fields := []bot.Field{{Label: "Category", Value: g.Category}}
	if !by.IsZero() {
		fields = append(fields, bot.Field{Label: "Target date", Value: formatDay(by)})
	}
	if g.Why != "" {
		fields = append(fields, bot.Field{Label: "Why", Value: bot.User(g.Why)})
	}
	m.Blocks = append(m.Blocks, bot.Fields{Fields: fields},
		bot.Context{Text: "Break it into small steps: `/plp step add " + num + " TEXT`"})
	m.Category = g.Category
	m.Buttons = []bot.Button{{Label: "Add a step", Command: "step add " + num, Style: bot.Primary,
		Form: h.grammar.FormFor([]string{"step", "add"}, map[string]string{"n": num})}}
	return []bot.Message{m}, nil
}

// repeatedGoal answers a goal add that repeats the student's latest goal
// within moments (a double tap, a resent message) without adding it again
// (plpbot.IsRepeatOf); nil when the goal is new. It reads the latest goal
// once, and returns its number (0 if none): the new goal's is the next.
func (h *Handlers) repeatedGoal(ctx context.Context, u *plpbot.Person, title string) (int, []bot.Message, error) {
	latest, err := h.store.LatestGoal(ctx, u.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("goal add: %w", err)
	}
	if !plpbot.IsRepeatOf(latest, title, h.now()) {
		return latest.Number, nil, nil
	}
	num := strconv.Itoa(latest.Number)
	return latest.Number, []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("You added %s a moment ago — it's goal %s, so I didn't add it twice.", goalRef(latest), num)},
		bot.Context{Text: "Want a second, different goal? Give it its own title. Next: `/plp step add " + num + " TEXT`"})}, nil
}

// cmdGoalList lists the actor's goals by status.
func (h *Handlers) cmdGoalList(ctx context.Context, c *call) ([]bot.Message, error) {
	goals, err := h.store.Goals(ctx, c.Actor.ID)
	if err != nil {
		return nil, err
	}
	if len(goals) == 0 {
		return []bot.Message{h.emptyPlan(c.Actor)}, nil
	}
	now, loc := h.now(), h.loc(c.Actor)
	m := reply("Your goals")
	var active []plpbot.Goal
	rest := map[plpbot.GoalStatus][]string{}
	for i := range goals {
		g := &goals[i]
		if g.Status == plpbot.GoalActive {
			active = append(active, *g)
			m.Blocks = append(m.Blocks, bot.Progress{Label: strconv.Itoa(g.Number) + ". " + bot.User(g.Title), Percent: g.Progress})
			if line := goalDetail(g, now, loc); line != "" {
				m.Blocks = append(m.Blocks, bot.Context{Text: line})
			}
			continue
		}
		rest[g.Status] = append(rest[g.Status], strconv.Itoa(g.Number)+". "+bot.User(g.Title))
	}
	for _, s := range []struct {
		status plpbot.GoalStatus
		label  string
	}{{plpbot.GoalPaused, "Paused"}, {plpbot.GoalDone, "Done"}, {plpbot.GoalDropped, "Dropped"}} {
		if items := rest[s.status]; len(items) > 0 {
			m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold(s.label)}, bot.List{Items: items})
		}
	}
	if len(active) > 0 {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Log progress: `/plp checkin N PCT%`, such as `/plp checkin " + strconv.Itoa(active[0].Number) + " 40%`"})
		m.Buttons = []bot.Button{h.checkInButton(active)}
	} else {
		m.Blocks = append(m.Blocks, bot.Context{Text: "No active goals. Start one: `/plp goal add TITLE`"})
		m.Buttons = []bot.Button{h.addGoalButton(bot.Primary)}
	}
	return []bot.Message{m}, nil
}

// loadGoal returns the actor's goal n or the friendly not-found error.
func (h *Handlers) loadGoal(ctx context.Context, c *call, n int) (*plpbot.Goal, error) {
	g, err := h.store.Goal(ctx, c.Actor.ID, n)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, notFoundGoal(n)
	}
	return g, err
}

// setGoalStatus moves goal n to status `to` if it is in one of `from`;
// otherwise it explains, without changing anything.
func (h *Handlers) setGoalStatus(ctx context.Context, c *call, to plpbot.GoalStatus, from ...plpbot.GoalStatus) (*plpbot.Goal, error) {
	n := c.Invocation.Int("n")
	g, err := h.loadGoal(ctx, c, n)
	if err != nil {
		return nil, err
	}
	ok := false
	for _, s := range from {
		ok = ok || g.Status == s
	}
	if !ok {
		return nil, statusConflict(g, to)
	}
	st := to
	return h.store.EditGoal(ctx, c.Actor.ID, n, storage.GoalEdit{Status: &st})
}

// statusConflict explains why g can't move to status to.
func statusConflict(g *plpbot.Goal, to plpbot.GoalStatus) *bot.UserError {
	num := strconv.Itoa(g.Number)
	ue := &bot.UserError{Code: bot.EConflict}
	switch {
	case g.Status == to:
		ue.Message = fmt.Sprintf("%s is already %s.", goalRef(g), to)
		ue.Hint = "See all your goals: `/plp goal list`"
	case g.Status == plpbot.GoalDone:
		ue.Message = fmt.Sprintf("%s is already done — that one's in the bag.", goalRef(g))
		ue.Hint = "Start something new: `/plp goal add TITLE`"
	case to == plpbot.GoalPaused:
		ue.Message = fmt.Sprintf("%s is %s, so there's nothing to pause.", goalRef(g), g.Status)
		ue.Hint = "Make it active again with `/plp goal resume " + num + "`"
	case to == plpbot.GoalDone:
		ue.Message = fmt.Sprintf("%s is %s. Resume it first, then mark it done.", goalRef(g), g.Status)
		ue.Hint = "`/plp goal resume " + num + "`"
	default:
		ue.Message = fmt.Sprintf("%s is %s.", goalRef(g), g.Status)
		ue.Hint = "See all your goals: `/plp goal list`"
	}
	return ue
}

// cmdGoalDone marks a goal done, and celebrates.
func (h *Handlers) cmdGoalDone(ctx context.Context, c *call) ([]bot.Message, error) {
	g, err := h.setGoalStatus(ctx, c, plpbot.GoalDone, plpbot.GoalActive)
	if err != nil {
		return nil, err
	}
	m := reply("",
		bot.Text{Text: "🎉 You did it — " + goalRef(g) + " is done!"},
		bot.Progress{Label: strconv.Itoa(g.Number) + ". " + bot.User(g.Title), Percent: 100},
		bot.Context{Text: "What helped you get there? Jot it down: `/plp reflect TEXT` — then pick your next goal."},
	)
	m.Category = g.Category
	m.Buttons = []bot.Button{
		{Label: "Reflect", Command: "reflect", Style: bot.Primary, Form: h.grammar.FormFor([]string{"reflect"}, nil)},
		h.addGoalButton(bot.Default),
	}
	return []bot.Message{m}, nil
}

// cmdGoalDrop drops a goal the student no longer wants.
func (h *Handlers) cmdGoalDrop(ctx context.Context, c *call) ([]bot.Message, error) {
	g, err := h.setGoalStatus(ctx, c, plpbot.GoalDropped, plpbot.GoalActive, plpbot.GoalPaused)
	if err != nil {
		return nil, err
	}
	num := strconv.Itoa(g.Number)
	return []bot.Message{reply("",
		bot.Text{Text: "Dropped " + goalRef(g) + ". Changing course is part of planning."},
		bot.Context{Text: "Changed your mind? `/plp goal resume " + num + "`"},
	)}, nil
}

// cmdGoalPause pauses an active goal.
func (h *Handlers) cmdGoalPause(ctx context.Context, c *call) ([]bot.Message, error) {
	g, err := h.setGoalStatus(ctx, c, plpbot.GoalPaused, plpbot.GoalActive)
	if err != nil {
		return nil, err
	}
	return []bot.Message{reply("",
		bot.Text{Text: "Paused " + goalRef(g) + fmt.Sprintf(" at %d%%. I won't ask about it until you pick it up again.", g.Progress)},
		bot.Context{Text: "Pick it up again: `/plp goal resume " + strconv.Itoa(g.Number) + "`"},
	)}, nil
}

// cmdGoalResume makes a paused or dropped goal active again.
func (h *Handlers) cmdGoalResume(ctx context.Context, c *call) ([]bot.Message, error) {
	g, err := h.setGoalStatus(ctx, c, plpbot.GoalActive, plpbot.GoalPaused, plpbot.GoalDropped)
	if err != nil {
		return nil, err
	}
	num := strconv.Itoa(g.Number)
	m := reply("", bot.Text{Text: fmt.Sprintf("Welcome back to %s — it's active again at %d%%.", goalRef(g), g.Progress)},
		bot.Context{Text: "Log where you are: `/plp checkin " + num + " PCT%`"})
	m.Buttons = []bot.Button{h.checkInButton([]plpbot.Goal{*g})}
	return []bot.Message{m}, nil
}

// cmdGoalEdit changes a goal's title, category, target date, why or tag.
func (h *Handlers) cmdGoalEdit(ctx context.Context, c *call) ([]bot.Message, error) {
	path := []string{"goal", "edit"}
	n := c.Invocation.Int("n")
	var e storage.GoalEdit
	var changed []string
	str := func(name string) *string {
		if !c.Invocation.Has(name) {
			return nil
		}
		v := c.Invocation.Arg(name)
		changed = append(changed, name)
		return &v
	}
	e.Title, e.Category, e.Why, e.Tag = str("title"), str("category"), str("why"), str("tag")
	if e.Title != nil && len([]rune(*e.Title)) > plpbot.MaxTitleLen {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "title", Usage: h.grammar.Usage(path),
			Message: fmt.Sprintf("That title is %d characters long; the limit is %d.", len([]rune(*e.Title)), plpbot.MaxTitleLen)}
	}
	by, given, err := h.targetDate(c, path)
	if err != nil {
		return nil, err
	}
	if given {
		e.TargetDate = &by
		changed = append(changed, "by")
	}
	if len(changed) == 0 {
		return nil, &bot.UserError{Code: bot.EInvalid, Usage: h.grammar.Usage(path),
			Message: "Tell me what to change: title, category, by, why or tag.",
			Hint:    fmt.Sprintf("For example `/plp goal edit %d by:%s`", n, dateIn(h.now(), h.loc(c.Actor)).AddDate(0, 1, 0).Format(time.DateOnly))}
	}
	g, err := h.store.EditGoal(ctx, c.Actor.ID, n, e)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, notFoundGoal(n)
	}
	if err != nil {
		return nil, err
	}
	var fields []bot.Field
	for _, f := range changed {
		switch f {
		case "title":
			fields = append(fields, bot.Field{Label: "Title", Value: bot.User(g.Title)})
		case "category":
			fields = append(fields, bot.Field{Label: "Category", Value: g.Category})
		case "by":
			fields = append(fields, bot.Field{Label: "Target date", Value: formatDay(g.TargetDate)})
		case "why":
			fields = append(fields, bot.Field{Label: "Why", Value: bot.User(g.Why)})
		case "tag":
			fields = append(fields, bot.Field{Label: "Tag", Value: bot.User(g.Tag)})
		}
	}
	m := reply("", bot.Text{Text: fmt.Sprintf("Updated goal %d, %s.", g.Number, goalRef(g))}, bot.Fields{Fields: fields},
		bot.Context{Text: "See your plan: `/plp plan`"})
	m.Category = g.Category
	return []bot.Message{m}, nil
}

// cmdStepAdd appends a step to a goal.
func (h *Handlers) cmdStepAdd(ctx context.Context, c *call) ([]bot.Message, error) {
	n := c.Invocation.Int("n")
	g, err := h.store.AddStep(ctx, c.Actor.ID, n, c.Invocation.Arg("text"))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, notFoundGoal(n)
	}
	if err != nil {
		return nil, err
	}
	ref := fmt.Sprintf("%d.%d", n, len(g.Steps))
	m := reply("", bot.Text{Text: fmt.Sprintf("Step %s added to %s: %s", ref, goalRef(g), bot.Italic(bot.User(c.Invocation.Arg("text"))))},
		bot.List{Items: stepItems(g)},
		bot.Context{Text: "When it's done: `/plp step done " + ref + "`"})
	m.Buttons = []bot.Button{{Label: "Add another step", Command: "step add " + strconv.Itoa(n),
		Form: h.grammar.FormFor([]string{"step", "add"}, map[string]string{"n": strconv.Itoa(n)})}}
	return []bot.Message{m}, nil
}

// stepItems lists a goal's steps as "1.2 ✓ Finish Beloved".
func stepItems(g *plpbot.Goal) []string {
	items := make([]string, len(g.Steps))
	for i, s := range g.Steps {
		mark := "○"
		if s.Done {
			mark = "✓"
		}
		items[i] = fmt.Sprintf("%d.%d %s %s", g.Number, i+1, mark, bot.User(s.Text))
	}
	return items
}

// cmdStepDone checks off step N.M.
func (h *Handlers) cmdStepDone(ctx context.Context, c *call) ([]bot.Message, error) {
	ns, ms, _ := strings.Cut(c.Invocation.Arg("step"), ".")
	n, _ := strconv.Atoi(ns)
	idx, _ := strconv.Atoi(ms)
	g, err := h.loadGoal(ctx, c, n)
	if err != nil {
		return nil, err
	}
	if idx < 1 || idx > len(g.Steps) {
		ue := &bot.UserError{Code: bot.ENotFound, Field: "step"}
		if len(g.Steps) == 0 {
			ue.Message = fmt.Sprintf("%s has no steps yet.", goalRef(g))
			ue.Hint = fmt.Sprintf("Add one: `/plp step add %d TEXT`", n)
		} else {
			ue.Message = fmt.Sprintf("%s has no step %d.%d. Its steps are:\n• %s", goalRef(g), n, idx, strings.Join(stepItems(g), "\n• "))
			ue.Hint = fmt.Sprintf("Check one off with `/plp step done %d.1`", n)
		}
		return nil, ue
	}
	step := g.Steps[idx-1]
	if step.Done {
		return nil, &bot.UserError{Code: bot.EConflict,
			Message: fmt.Sprintf("Step %d.%d, %s, is already checked off.", n, idx, bot.Italic(bot.User(step.Text))),
			Hint:    "See your plan: `/plp plan`"}
	}
	g, err = h.store.CompleteStep(ctx, c.Actor.ID, n, idx)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("Checked off step %d.%d: %s.", n, idx, bot.Italic(bot.User(step.Text)))
	m := reply("")
	m.Category = g.Category
	if next, nidx := g.NextStep(); next != nil {
		m.Blocks = append(m.Blocks, bot.Text{Text: text + " Next step: " + bot.Italic(bot.User(next.Text)) + "."},
			bot.Context{Text: fmt.Sprintf("Update your progress: `/plp checkin %d PCT%%` (you're at %d%%)", n, g.Progress)})
		m.Buttons = []bot.Button{{Label: "Mark step done", Command: fmt.Sprintf("step done %d.%d", n, nidx)}}
	} else {
		m.Blocks = append(m.Blocks, bot.Text{Text: text + " That was the last step of " + goalRef(g) + " — nice work!"},
			bot.Context{Text: fmt.Sprintf("Log it: `/plp checkin %d 100%%`, or add another step.", n)})
	}
	m.Buttons = append([]bot.Button{h.checkInButton([]plpbot.Goal{*g})}, m.Buttons...)
	return []bot.Message{m}, nil
}
