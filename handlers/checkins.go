package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// streakOf computes u's current weekly streak: their check-ins, with their
// away periods and the school's holidays frozen (plpbot.WeeklyStreak).
func (h *Handlers) streakOf(ctx context.Context, u *plpbot.Person) (int, error) {
	now := h.now()
	loc := h.loc(u)
	times, err := h.store.CheckInTimes(ctx, u.ID, plpbot.StreakSince(now, loc))
	if err != nil || len(times) == 0 {
		return 0, err
	}
	frozen := append(slices.Clone(u.AwayLog), plpbot.HolidayPeriods(h.holidays, loc)...)
	return plpbot.WeeklyStreak(now, loc, times, frozen), nil
}

// streakText says a streak in a sentence that never shames.
func streakText(n int) string {
	switch n {
	case 0:
		return "No streak yet — check in this week to start one."
	case 1:
		return "1-week check-in streak"
	}
	return strconv.Itoa(n) + "-week check-in streak"
}

// cmdCheckIn logs progress on an active goal.
func (h *Handlers) cmdCheckIn(ctx context.Context, c *call) ([]bot.Message, error) {
	n := c.Invocation.Int("n")
	pct := c.Invocation.Int("percent")
	g, prev, err := h.store.RecordCheckIn(ctx, plpbot.CheckIn{
		UserID: c.Actor.ID, GoalNumber: n, Percent: pct,
		Note: c.Invocation.Arg("note"), Confidence: c.Invocation.Int("confidence"),
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, h.whyNotActive(ctx, c.Actor.ID, n, "check in on")
	}
	if err != nil {
		return nil, err
	}
	ref := goalRef(g)
	var text string
	switch {
	case pct == prev:
		text = fmt.Sprintf("Got it — %s is still at %d%%.", ref, pct)
	case pct < prev:
		text = fmt.Sprintf("Thanks for the honest update — %s is at %d%% (was %d%%).", ref, pct, prev)
	default:
		text = fmt.Sprintf("Nice — %s is at %d%% (was %d%%).", ref, pct, prev)
	}
	m := reply("", bot.Text{Text: text}, bot.Progress{Label: strconv.Itoa(g.Number) + ". " + bot.User(g.Title), Percent: pct})
	m.Category = g.Category
	next, idx := g.NextStep()
	switch {
	case pct == 100:
		m.Blocks = append(m.Blocks, bot.Text{Text: "Looks finished! Mark it done: `/plp goal done " + strconv.Itoa(n) + "`"})
		m.Buttons = []bot.Button{{Label: "Mark goal done", Command: "goal done " + strconv.Itoa(n), Style: bot.Primary}}
	case next != nil:
		m.Blocks[0] = bot.Text{Text: text + " Next step: " + bot.Italic(bot.User(next.Text)) + "."}
		m.Buttons = []bot.Button{{Label: "Mark step done", Command: fmt.Sprintf("step done %d.%d", n, idx), Style: bot.Primary}}
	default:
		m.Blocks = append(m.Blocks, bot.Context{Text: "Plan what's next with a step: `/plp step add " + strconv.Itoa(n) + " TEXT`"})
		m.Buttons = []bot.Button{{Label: "Add a step", Command: "step add " + strconv.Itoa(n),
			Form: h.grammar.FormFor([]string{"step", "add"}, map[string]string{"n": strconv.Itoa(n)})}}
	}
	if conf := c.Invocation.Int("confidence"); conf > 0 && conf <= 2 {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Feeling unsure is normal. Want to talk it through? `/plp conference agenda TEXT` adds it to your next conference."})
	}
	return []bot.Message{m}, nil
}

// whyNotActive explains why goal n can't take a check-in (or another change
// meant for active goals): it doesn't exist, or it is paused, done or dropped.
func (h *Handlers) whyNotActive(ctx context.Context, userID string, n int, verb string) error {
	g, err := h.store.Goal(ctx, userID, n)
	if errors.Is(err, storage.ErrNotFound) {
		return notFoundGoal(n)
	}
	if err != nil {
		return err
	}
	num := strconv.Itoa(n)
	ue := &bot.UserError{Code: bot.EInvalid}
	switch g.Status {
	case plpbot.GoalPaused:
		ue.Message = fmt.Sprintf("%s is paused, so I can't %s it.", goalRef(g), verb)
		ue.Hint = "Pick it up again with `/plp goal resume " + num + "`"
	case plpbot.GoalDone:
		ue.Message = fmt.Sprintf("%s is already done — well done!", goalRef(g))
		ue.Hint = "Ready for the next one? `/plp goal add TITLE`"
	case plpbot.GoalDropped:
		ue.Message = fmt.Sprintf("%s was dropped, so I can't %s it.", goalRef(g), verb)
		ue.Hint = "Bring it back with `/plp goal resume " + num + "`"
	default:
		return fmt.Errorf("goal %d is %s but the update missed it", n, g.Status)
	}
	return ue
}

// cmdReflect stores a reflection typed as a command.
func (h *Handlers) cmdReflect(ctx context.Context, c *call) ([]bot.Message, error) {
	return h.saveReflection(ctx, c, c.Invocation.Arg("text"))
}

// saveReflection stores text as the actor's reflection, as the answer to
// their open prompt if they have one, and thanks them.
func (h *Handlers) saveReflection(ctx context.Context, c *call, text string) ([]bot.Message, error) {
	_, p, err := h.store.Reflect(ctx, plpbot.Reflection{UserID: c.Actor.ID, Text: text, At: h.now().UTC()})
	if err != nil {
		return nil, err
	}
	first := "Thanks for reflecting — I saved it to your plan."
	if p != nil {
		first = "Thanks — I saved that as your answer to " + bot.Italic(bot.User(promptTitle(p.Text))) + "."
	}
	m := reply("", bot.Text{Text: first},
		bot.Context{Text: "Your teachers can read your reflections; nobody else can. Next: log progress with `/plp checkin N PCT%`."})
	m.Buttons = []bot.Button{{Label: "See my plan", Command: "plan"}}
	return []bot.Message{m}, nil
}

// promptTitle is the first line of a prompt's text, without markup and
// trailing punctuation, short enough to quote in a sentence.
func promptTitle(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(bot.StripMarkup(text)), "\n")
	line = strings.TrimRight(strings.TrimSpace(line), ".:")
	if r := []rune(line); len(r) > 80 {
		line = string(r[:79]) + "…"
	}
	return line
}
