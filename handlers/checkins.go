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

// streakWeeks is how far back a streak is counted: a school year and more.
const streakWeeks = 53

// WeeklyStreak counts the ISO weeks (Monday to Sunday in loc), back from
// the week containing now, in which the student checked in at least once.
// The current week counts if it has a check-in and never breaks the streak,
// because it isn't over yet. A week without a check-in that overlaps an away
// period is frozen: it neither counts nor breaks the streak, so a sick week
// or a trip doesn't cost a student what they built.
func WeeklyStreak(now time.Time, loc *time.Location, checkIns []time.Time, away []plpbot.AwayPeriod) int {
	if len(checkIns) == 0 {
		return 0
	}
	has := make(map[string]bool, len(checkIns))
	oldest := weekStart(now, loc)
	for _, t := range checkIns {
		w := weekStart(t, loc)
		has[w.Format(time.DateOnly)] = true
		if w.Before(oldest) {
			oldest = w
		}
	}
	streak := 0
	w := weekStart(now, loc)
	for i := 0; !w.Before(oldest); i++ {
		switch {
		case has[w.Format(time.DateOnly)]:
			streak++
		case i == 0: // this week is still going
		case awayDuring(away, w, addDays(w, 7)):
		default:
			return streak
		}
		w = addDays(w, -7)
	}
	return streak
}

// weekStart is midnight of the Monday of t's week in loc.
func weekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	back := (int(t.Weekday()) + 6) % 7 // Monday = 0
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

// addDays moves a local midnight by n calendar days, staying at midnight
// across daylight-saving changes.
func addDays(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+n, 0, 0, 0, 0, t.Location())
}

// awayDuring reports whether any away period overlaps [from, to).
func awayDuring(away []plpbot.AwayPeriod, from, to time.Time) bool {
	for _, p := range away {
		if p.From.Before(to) && p.Until.After(from) {
			return true
		}
	}
	return false
}

// streakOf computes u's current weekly streak from the store.
func (h *Handlers) streakOf(ctx context.Context, u *plpbot.Person) (int, error) {
	now := h.now()
	loc := h.loc(u)
	times, err := h.store.CheckInTimes(ctx, u.ID, addDays(weekStart(now, loc), -7*streakWeeks))
	if err != nil {
		return 0, err
	}
	if len(times) == 0 {
		return 0, nil
	}
	away, err := h.store.AwayPeriods(ctx, u.ID)
	if err != nil {
		return 0, err
	}
	return WeeklyStreak(now, loc, times, append(away, holidayPeriods(h.holidays, loc)...)), nil
}

// holidayPeriods turns school holidays into day-long periods in loc, which
// freeze a streak the way an away period does.
func holidayPeriods(days []time.Time, loc *time.Location) []plpbot.AwayPeriod {
	out := make([]plpbot.AwayPeriod, 0, len(days))
	for _, d := range days {
		from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		out = append(out, plpbot.AwayPeriod{From: from, Until: addDays(from, 1)})
	}
	return out
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
	n := c.inv.Int("n")
	pct := c.inv.Int("percent")
	g, prev, err := h.store.RecordActiveCheckIn(ctx, plpbot.CheckIn{
		UserID: c.actor.ID, GoalNumber: n, Percent: pct,
		Note: c.inv.Arg("note"), Confidence: c.inv.Int("confidence"),
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, h.whyNotActive(ctx, c.actor.ID, n, "check in on")
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
	if conf := c.inv.Int("confidence"); conf > 0 && conf <= 2 {
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
	return h.saveReflection(ctx, c, c.inv.Arg("text"))
}

// saveReflection stores text as the actor's reflection, as the answer to
// their open prompt if they have one, and thanks them.
func (h *Handlers) saveReflection(ctx context.Context, c *call, text string) ([]bot.Message, error) {
	now := h.now().UTC()
	r := plpbot.Reflection{UserID: c.actor.ID, Text: text, At: now}
	p, err := h.store.OpenPrompt(ctx, c.actor.ID, now)
	switch {
	case err == nil:
		r.PromptID, r.Prompt = p.ID, p.Text
	case !errors.Is(err, storage.ErrNotFound):
		return nil, err
	}
	if _, err := h.store.AddReflection(ctx, r); err != nil {
		return nil, err
	}
	if p != nil {
		if err := h.store.AnswerPrompt(ctx, p.ID, now); err != nil {
			return nil, err
		}
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
