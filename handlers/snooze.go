package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// cmdSnooze puts off the student's open reflection prompt, and only that:
// they are not marked away, so nothing else pauses and their streak runs on.
//
// The scheduler already plans one follow-up for every prompt it sends, at
// the next time the student may be messaged after the follow-up delay (24
// hours by default), keeping to quiet hours, school days and holidays. That
// follow-up is the snooze: the prompt stays open, so the next message the
// student sends still answers it, and the reply says when it comes back.
// Nothing is planned here, so pressing twice can't bring it back twice, and
// the handlers need not know the school's calendar, which the scheduler owns.
func (h *Handlers) cmdSnooze(ctx context.Context, c *call) ([]bot.Message, error) {
	now := h.now()
	p, err := h.store.OpenPrompt(ctx, c.Actor.ID, now)
	if errors.Is(err, storage.ErrNotFound) {
		return []bot.Message{reply("",
			bot.Text{Text: "No reflection prompt is waiting for you right now, so there's nothing to snooze."},
			bot.Context{Text: "Want to reflect anyway? Type `/plp reflect TEXT`."})}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("snooze: %w", err)
	}
	sooner := bot.Context{Text: "Ready sooner? Reply to the prompt in our DM, or type `/plp reflect TEXT`."}
	back, err := h.store.PromptFollowUp(ctx, p)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("snooze: %w", err)
	}
	if err == nil && (back.Status == storage.OutboxPending || back.Status == storage.OutboxSending) {
		return []bot.Message{reply("",
			bot.Text{Text: "No rush 🙂 I'll ask again on " + bot.Bold(formatWhen(back.Due, h.loc(c.Actor))) + "."},
			sooner)}, nil
	}
	open := formatWhen(p.SentAt.Add(storage.PromptOpenFor), h.loc(c.Actor))
	return []bot.Message{reply("",
		bot.Text{Text: "No rush 🙂 I've already reminded you once, so I won't remind you again. The prompt stays open until " + open + "."},
		sooner)}, nil
}
