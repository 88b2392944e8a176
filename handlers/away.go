package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// maxAway is how far ahead someone can be marked away: longer absences are
// a conversation with the school, not a setting.
const maxAway = 366 * 24 * time.Hour

// awaySubject is who an away command is about: the actor, or (staff) a
// student they teach. others is true when it isn't the actor.
func (h *Handlers) awaySubject(ctx context.Context, c *call) (u *plpbot.Person, others bool, err error) {
	if !c.Invocation.Has("user") || h.mentionsActor(c, "user") {
		return c.Actor, false, nil
	}
	if !c.Actor.Role.IsStaff() {
		return nil, false, &bot.UserError{Code: bot.EForbidden,
			Message: "Only teachers can mark someone else away.",
			Hint:    "For yourself: `/plp away until YYYY-MM-DD`"}
	}
	if u, err = h.studentFor(ctx, c); err != nil {
		return nil, false, err
	}
	return u, u.ID != c.Actor.ID, nil
}

// cmdAwaySet pauses prompts and freezes the streak until a date.
func (h *Handlers) cmdAwaySet(ctx context.Context, c *call) ([]bot.Message, error) {
	who, others, err := h.awaySubject(ctx, c)
	if err != nil {
		return nil, err
	}
	loc := h.loc(who)
	now := h.now()
	d, _ := c.Invocation.Date("date")
	today := dateIn(now, loc)
	usage := h.grammar.Usage([]string{"away", "set"})
	if !d.After(today) {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "date", Usage: usage,
			Message: fmt.Sprintf("%s isn't in the future. Give the day you'll be back, such as tomorrow, %s.",
				bot.User(c.Invocation.Arg("date")), today.AddDate(0, 0, 1).Format(time.DateOnly))}
	}
	// Back on that day: away until its midnight in the person's own zone.
	until := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	if until.Sub(now) > maxAway {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "date", Usage: usage,
			Message: fmt.Sprintf("%s is more than a year away. Pick a date within the next year.", bot.User(c.Invocation.Arg("date")))}
	}
	if others {
		if err := h.audit(ctx, c.Actor, "away", who, "away until "+d.Format(time.DateOnly)); err != nil {
			return nil, err
		}
	}
	if who.Away(now) {
		// A new date replaces the running period rather than overlapping it.
		if _, err := h.store.EndAway(ctx, who.ID, now); err != nil {
			return nil, err
		}
	}
	if _, err := h.store.StartAway(ctx, who.ID, now, until, c.Invocation.Arg("note")); err != nil {
		return nil, err
	}
	back := formatDay(d)
	if !others {
		return []bot.Message{reply("",
			bot.Text{Text: "Take care! I'll pause prompts until " + back + "; streaks are frozen."},
			bot.Context{Text: "Back early? `/plp away off`"},
		)}, nil
	}
	return []bot.Message{
		reply("", bot.Text{Text: fmt.Sprintf("%s is marked away until %s: prompts are paused and their streak is frozen.", bot.User(who.Name), back)},
			bot.Context{Text: "To undo: `/plp away off @" + who.Name + "`"}),
		dmTo(who, reply("", bot.Text{Text: fmt.Sprintf("%s marked you away until %s. I'll pause prompts; your streak is frozen. Take care!", bot.User(c.Actor.Name), back)},
			bot.Context{Text: "Back early? `/plp away off`"})),
	}, nil
}

// cmdAwayOff ends an away period: prompts resume.
func (h *Handlers) cmdAwayOff(ctx context.Context, c *call) ([]bot.Message, error) {
	who, others, err := h.awaySubject(ctx, c)
	if err != nil {
		return nil, err
	}
	now := h.now()
	if !who.Away(now) {
		text := "You're not marked away — prompts are on."
		if others {
			text = bot.User(who.Name) + " isn't marked away."
		}
		return []bot.Message{reply("", bot.Text{Text: text}, bot.Context{Text: "See the plan: `/plp plan`"})}, nil
	}
	if others {
		if err := h.audit(ctx, c.Actor, "away_off", who, ""); err != nil {
			return nil, err
		}
	}
	if _, err := h.store.EndAway(ctx, who.ID, now); err != nil {
		return nil, err
	}
	if others {
		return []bot.Message{
			reply("", bot.Text{Text: bot.User(who.Name) + " is back: prompts resume."}),
			dmTo(who, reply("", bot.Text{Text: "Welcome back! " + bot.User(c.Actor.Name) + " turned your prompts back on."},
				bot.Context{Text: "Pick up where you left off: `/plp plan`"})),
		}, nil
	}
	m := reply("", bot.Text{Text: "Welcome back! Prompts are on again and your streak picks up where it was."},
		bot.Context{Text: "Pick up where you left off: `/plp plan`"})
	m.Buttons = []bot.Button{{Label: "See my plan", Command: "plan", Style: bot.Primary}}
	return []bot.Message{m}, nil
}
