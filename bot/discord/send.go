package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
)

// Discord JSON error codes the adapter acts on.
const (
	codeUnknownChannel = 10003
	codeUnknownUser    = 10013
	codeMissingAccess  = 50001
	codeCannotDM       = 50007
	codeNoPermission   = 50013
)

// SendDM sends msg to a person as a direct message. A user who blocks DMs
// from server members (error 50007) gets an *bot.UndeliverableError with
// reason "cannot_dm": the scheduler records that on the person and DMs them
// no more until they write to the bot. A rate limit is a
// *bot.RetryAfterError, so the scheduler reschedules rather than blocking. A
// person on another platform is not Discord's to reach, which is no refusal
// of theirs: that is a plain error.
func (a *Adapter) SendDM(ctx context.Context, to bot.Identity, msg bot.Message) error {
	if to.Platform != "" && to.Platform != bot.Discord {
		return fmt.Errorf("discord cannot reach a %s user", to.Platform)
	}
	if to.UserID == "" {
		return &bot.UndeliverableError{Reason: "user_not_found", Err: errors.New("discord: no user id")}
	}
	err := a.sendDM(ctx, to.UserID, msg, false)
	if err != nil {
		return fmt.Errorf("discord: DM to %s: %w", to.UserID, err)
	}
	return nil
}

// Post sends msg to a channel.
func (a *Adapter) Post(ctx context.Context, to bot.Channel, msg bot.Message) error {
	if to.ChannelID == "" {
		return &bot.UndeliverableError{Reason: "channel_not_found", Err: errors.New("discord: no channel id")}
	}
	if err := a.sendPages(ctx, to.ChannelID, renderPages(msg), false); err != nil {
		return fmt.Errorf("discord: post to channel %s: %w", to.ChannelID, err)
	}
	return nil
}

// sendDM opens (or reuses) the DM channel and sends msg. retryRateLimit
// chooses between waiting out a 429 (replies) and returning it (scheduler).
func (a *Adapter) sendDM(ctx context.Context, userID string, msg bot.Message, retryRateLimit bool) error {
	a.mu.Lock()
	ch := a.dmChannels[userID]
	a.mu.Unlock()
	if ch == "" {
		c, err := a.session.UserChannelCreate(userID, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(retryRateLimit))
		if err != nil {
			return deliveryError(err)
		}
		ch = c.ID
		a.mu.Lock()
		a.dmChannels[userID] = ch
		a.mu.Unlock()
	}
	return a.sendPages(ctx, ch, renderPages(msg), retryRateLimit)
}

// sendPages posts each page to a channel, in order.
func (a *Adapter) sendPages(ctx context.Context, channelID string, pages []page, retryRateLimit bool) error {
	for _, p := range pages {
		_, err := a.session.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content:         p.Content,
			Embeds:          p.Embeds,
			Components:      p.Components,
			Files:           p.Files,
			AllowedMentions: allowNoMentions(),
		}, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(retryRateLimit))
		if err != nil {
			return deliveryError(err)
		}
	}
	return nil
}

// deliveryError maps Discord's errors to the bot package's: refusals that
// will not change are undeliverable, rate limits say when to retry, and
// anything else is returned as is (transient).
func deliveryError(err error) error {
	var ue *bot.UndeliverableError
	var ra *bot.RetryAfterError
	if errors.As(err, &ue) || errors.As(err, &ra) {
		return err
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		after := rl.RetryAfter
		if after <= 0 {
			after = time.Second
		}
		return &bot.RetryAfterError{After: after, Err: err}
	}
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		return err
	}
	code := 0
	if re.Message != nil {
		code = re.Message.Code
	}
	switch code {
	case codeCannotDM:
		return &bot.UndeliverableError{Reason: "cannot_dm", Err: err}
	case codeUnknownUser:
		return &bot.UndeliverableError{Reason: "user_not_found", Err: err}
	case codeUnknownChannel:
		return &bot.UndeliverableError{Reason: "channel_not_found", Err: err}
	case codeMissingAccess, codeNoPermission:
		return &bot.UndeliverableError{Reason: "no_access", Err: err}
	}
	if re.Response != nil && re.Response.StatusCode == http.StatusNotFound {
		return &bot.UndeliverableError{Reason: "not_found", Err: err}
	}
	return err
}
