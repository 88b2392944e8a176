package discord

import (
	"log/slog"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
)

// onMessage handles a direct message to the bot (MESSAGE_CREATE without a
// guild): a reflection, or a command typed without "/plp", exactly as the
// console treats a line. Messages in servers are not read.
func (a *Adapter) onMessage(s *discordgo.Session, m *discordgo.MessageCreate) {
	if m.Message == nil || m.GuildID != "" || m.Author == nil || m.Author.Bot || strings.TrimSpace(m.Content) == "" {
		return // not a DM to us, or nothing to read (a sticker, a photo)
	}
	if s.State != nil && s.State.User != nil && m.Author.ID == s.State.User.ID {
		return
	}
	defer a.recoverPanic("direct message", slog.String("message", m.ID))
	ctx := a.ctx()

	// They just wrote to us, so the DM channel is open both ways.
	a.mu.Lock()
	a.dmChannels[m.Author.ID] = m.ChannelID
	a.mu.Unlock()

	req := &bot.Request{
		ID: m.ID,
		Actor: bot.Identity{
			Platform: bot.Discord, Workspace: a.workspace(""), UserID: m.Author.ID, Name: m.Author.DisplayName(),
			Username: m.Author.Username,
		},
		Place:  bot.Place{Kind: bot.InDM},
		Text:   m.Content,
		Slash:  false,
		Lookup: a.lookup,
	}
	r := a.call(ctx, req)
	for _, msg := range r.msgs {
		if msg.To != nil && msg.To.UserID != m.Author.ID {
			if err := a.sendDM(ctx, msg.To.UserID, msg, true); err != nil {
				a.log.Warn("DM from a DM not delivered", slog.String("to", msg.To.UserID), slog.Any("err", err))
			}
			continue
		}
		if err := a.sendPages(ctx, m.ChannelID, renderPages(msg), true); err != nil {
			a.log.Error("answering a DM", slog.String("user", m.Author.ID), slog.Any("err", err))
			return
		}
	}
}
