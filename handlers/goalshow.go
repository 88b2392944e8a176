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

// goalShowItems is how many of a goal's latest check-ins and feedback
// /plp goal show lists; the chart draws every check-in.
const goalShowItems = 5

// cmdGoalShow shows one goal in full: a chart of its check-ins over time,
// the latest check-ins, its steps and the feedback on it. A student sees
// their own goals only; staff may name a student whose plan they may see
// (plpbot.CanViewPlan), and that read is audited before anything is read.
func (h *Handlers) cmdGoalShow(ctx context.Context, c *call) ([]bot.Message, error) {
	n := c.Invocation.Int("n")
	student, err := h.goalOwner(ctx, c, n)
	if err != nil {
		return nil, err
	}
	g, err := h.store.Goal(ctx, student.ID, n)
	if errors.Is(err, storage.ErrNotFound) {
		if student.ID == c.Actor.ID {
			return nil, notFoundGoal(n)
		}
		return nil, &bot.UserError{Code: bot.ENotFound, Message: fmt.Sprintf("%s has no goal %d.", bot.User(student.Name), n),
			Hint: "See their goals and numbers: `/plp student @" + student.Name + "`"}
	}
	if err != nil {
		return nil, err
	}
	checkIns, err := h.store.CheckIns(ctx, student.ID, time.Time{}, 0)
	if err != nil {
		return nil, err
	}
	feedback := plpbot.FeedbackOn([]plpbot.Goal{*g}, time.Time{}, 0) // kept on the goal
	return []bot.Message{h.goalShowMessage(c, student, g, ofGoal(checkIns, g.Number), feedback)}, nil
}

// goalOwner is whose goal n the call asks for: the actor's own, or (staff)
// the student named, once access is granted and the read audited.
func (h *Handlers) goalOwner(ctx context.Context, c *call, n int) (*plpbot.Person, error) {
	if !c.Invocation.Has("user") || h.mentionsActor(c, "user") {
		return c.Actor, nil
	}
	if !c.Actor.Role.IsStaff() {
		return nil, &bot.UserError{Code: bot.EForbidden, Message: "Goals are private: you can only see your own.",
			Hint: "See yours: `/plp goal show " + strconv.Itoa(n) + "`"}
	}
	u, err := h.studentFor(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := h.audit(ctx, c.Actor, "view_plan", u, "goal "+strconv.Itoa(n)); err != nil {
		return nil, err
	}
	return u, nil
}

// ofGoal keeps the check-ins of goal n, in their order.
func ofGoal(cs []plpbot.CheckIn, n int) []plpbot.CheckIn {
	var out []plpbot.CheckIn
	for _, c := range cs {
		if c.GoalNumber == n {
			out = append(out, c)
		}
	}
	return out
}

// goalShowMessage renders one goal for the actor; checkIns and feedback
// are the goal's, newest first.
func (h *Handlers) goalShowMessage(c *call, student *plpbot.Person, g *plpbot.Goal, checkIns []plpbot.CheckIn, feedback []plpbot.Feedback) bot.Message {
	loc, own, num := h.loc(c.Actor), student.ID == c.Actor.ID, strconv.Itoa(g.Number)
	title := "Goal " + num + ": " + bot.User(g.Title)
	if !own {
		title = bot.User(student.Name) + "'s goal " + num + ": " + bot.User(g.Title)
	}
	m := reply(title, bot.Fields{Fields: goalInfo(g)}, bot.Progress{Label: "Progress", Percent: g.Progress})
	m.Category = g.Category
	if g.Why != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold("Why it matters") + ": " + bot.User(g.Why)})
	}
	m.Blocks = appendLatest(m.Blocks, "Check-ins", checkIns, "No check-ins yet.", func(ci plpbot.CheckIn) string {
		line := ci.At.In(loc).Format("Mon 2 Jan") + " · " + strconv.Itoa(ci.Percent) + "%"
		if ci.Confidence > 0 {
			line += " · confidence " + strconv.Itoa(ci.Confidence) + "/5"
		}
		if ci.Note != "" {
			line += " · " + bot.User(ci.Note)
		}
		return line
	})
	if len(g.Steps) > 0 {
		m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold("Steps")}, bot.List{Items: stepItems(g)})
	} else {
		m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold("Steps")}, bot.Context{Text: "No steps yet."})
	}
	m.Blocks = appendLatest(m.Blocks, "Feedback", feedback, "No feedback yet.", func(f plpbot.Feedback) string {
		return f.At.In(loc).Format("Mon 2 Jan") + " · " + bot.User(f.StaffName) + ": " + bot.User(f.Text)
	})
	m.Blocks = append(m.Blocks, bot.Context{Text: goalShowNext(g, own, student)})
	if own && g.Status == plpbot.GoalActive {
		m.Buttons = []bot.Button{h.checkInButton([]plpbot.Goal{*g}), {Label: "Add a step", Command: "step add " + num,
			Form: h.grammar.FormFor([]string{"step", "add"}, map[string]string{"n": num})}}
	}
	m.Chart = goalLine(g, checkIns, loc)
	return m
}

// goalInfo is a goal's status, category, target date and tag.
func goalInfo(g *plpbot.Goal) []bot.Field {
	fields := []bot.Field{{Label: "Status", Value: statusWord(g.Status)}}
	if g.Category != "" {
		fields = append(fields, bot.Field{Label: "Category", Value: g.Category})
	}
	if !g.TargetDate.IsZero() {
		fields = append(fields, bot.Field{Label: "Target", Value: formatDay(g.TargetDate)})
	}
	if g.Tag != "" {
		fields = append(fields, bot.Field{Label: "Tag", Value: bot.User(g.Tag)})
	}
	return fields
}

// statusWord is a goal status as a person reads it.
func statusWord(s plpbot.GoalStatus) string {
	switch s {
	case plpbot.GoalDone:
		return "Done ✓"
	case "":
		return "Active"
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// goalShowNext is the one next action under a goal.
func goalShowNext(g *plpbot.Goal, own bool, student *plpbot.Person) string {
	num := strconv.Itoa(g.Number)
	switch {
	case !own:
		return "Comment on it (they get a DM): `/plp feedback @" + student.Name + " " + num + " TEXT`"
	case g.Status == plpbot.GoalActive && len(g.Steps) == 0:
		return "Break it into steps: `/plp step add " + num + " TEXT`"
	case g.Status == plpbot.GoalActive:
		return "Log progress: `/plp checkin " + num + " PCT%`"
	case g.Status == plpbot.GoalDone:
		return "Nice work! Start your next one: `/plp goal add TITLE`"
	}
	return "Pick it up again: `/plp goal resume " + num + "`"
}

// appendLatest adds a bold heading and the first goalShowItems lines of
// items (newest first), counting the rest; or the heading and none when
// there are no items.
func appendLatest[T any](blocks []bot.Block, heading string, items []T, none string, line func(T) string) []bot.Block {
	blocks = append(blocks, bot.Text{Text: bot.Bold(heading)})
	if len(items) == 0 {
		return append(blocks, bot.Context{Text: none})
	}
	lines := make([]string, 0, min(len(items), goalShowItems))
	for _, it := range items[:min(len(items), goalShowItems)] {
		lines = append(lines, line(it))
	}
	blocks = append(blocks, bot.List{Items: lines})
	if more := len(items) - goalShowItems; more > 0 {
		blocks = append(blocks, bot.Context{Text: fmt.Sprintf("…and %d earlier", more)})
	}
	return blocks
}
