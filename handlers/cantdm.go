package handlers

import (
	"context"
	"log/slog"

	"github.com/plpbot/plpbot/bot"
)

// cantDMNote handles a person the scheduler flagged "can't DM" (the platform
// refused a DM for good) when they use plpbot again.
//
// A request that arrives in a DM proves the platform lets the bot reach
// them there, so the flag is cleared and prompts resume. Any other request
// proves nothing about DMs (a slash command in a channel works either way),
// so the flag stays and the reply gains a private note saying how to allow
// DMs, in the words of the adapter that carries the request (bot.DMAdvisor;
// an adapter without it, such as the console, gets no note). Errors clearing
// the flag are logged, never shown: the command itself succeeded.
func (h *Handlers) cantDMNote(ctx context.Context, c *call, msgs []bot.Message) []bot.Message {
	if c == nil || c.Actor == nil || c.Actor.CantDM == "" || c.Request == nil {
		return msgs
	}
	if c.Request.Place.Kind == bot.InDM {
		if _, err := h.store.SetCantDM(ctx, c.Actor.ID, ""); err != nil {
			h.log.WarnContext(ctx, "clear can't-DM flag", slog.String("user", c.Actor.ID), slog.Any("err", err))
			return msgs
		}
		c.Actor.CantDM = ""
		h.log.InfoContext(ctx, "can't-DM flag cleared by a DM", slog.String("user", c.Actor.ID))
		return appendNote(msgs, "Good news: I can message you here again, so your reminders are back on.")
	}
	adv, ok := c.Request.Adapter.(bot.DMAdvisor)
	if !ok {
		return msgs
	}
	return appendNote(msgs, "I couldn't send you a direct message, so you've been missing reminders. "+adv.AllowDMsHint())
}

// appendNote adds a private context line to the first private reply, or a
// new private reply when there is none.
func appendNote(msgs []bot.Message, note string) []bot.Message {
	for i := range msgs {
		if msgs[i].To == nil && msgs[i].Visibility == bot.Private {
			msgs[i].Blocks = append(msgs[i].Blocks, bot.Context{Text: note})
			return msgs
		}
	}
	return append(msgs, reply("", bot.Context{Text: note}))
}
