package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/slack-go/slack"
)

// permanentErrors are Slack refusals that retrying will not change.
var permanentErrors = map[string]bool{
	"cannot_dm_bot":     true,
	"user_not_found":    true,
	"account_inactive":  true,
	"channel_not_found": true,
	"not_in_channel":    true,
	"is_archived":       true,
	"user_disabled":     true,
}

// deliver sends a handler's messages: replies to the request's origin, in
// order, and DMs to their recipients, each recipient's in order but several
// recipients at once (maxDMsAtOnce): a teacher's welcome DMs to a whole
// class take their turns at the workspace's message pace together, where
// one after the other each would queue anew behind everyone else's — past
// the work's time when the workspace is busy. Rate limits are waited out;
// other failures are logged (the person asked and nobody is left to tell).
func (a *Adapter) deliver(ctx context.Context, o *origin, msgs []bot.Message) {
	var (
		wg      sync.WaitGroup
		slots   = make(chan struct{}, maxDMsAtOnce)
		pending = map[string][]bot.Message{} // recipient → their DMs, in order
		order   []string
	)
	for _, m := range msgs {
		switch {
		case m.To == nil:
			a.logDelivery(o, a.reply(ctx, o, m))
		case m.To.Platform != "" && m.To.Platform != bot.Slack:
			a.log.Error("slack: a reply is addressed to another platform", slog.String("platform", string(m.To.Platform)))
		default:
			key := dmKey(*m.To)
			if _, ok := pending[key]; !ok {
				order = append(order, key)
			}
			pending[key] = append(pending[key], m)
		}
	}
	for _, key := range order {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			defer func() {
				if r := recover(); r != nil {
					a.log.Error("slack: panic sending a DM", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
				}
			}()
			for _, m := range pending[key] {
				a.logDelivery(o, a.withRetry(ctx, "dm", func() error { return a.sendDM(ctx, *m.To, m) }))
			}
		})
	}
	wg.Wait()
}

// maxDMsAtOnce bounds the recipients deliver sends DMs to at a time.
const maxDMsAtOnce = 32

// logDelivery logs a reply or DM that could not be delivered: a warning if
// plpbot is stopping, else an error.
func (a *Adapter) logDelivery(o *origin, err error) {
	switch {
	case err != nil && a.bg.Err() != nil:
		a.log.Warn("slack: a reply was dropped as plpbot stopped", slog.String("user", o.actor.UserID), slog.Any("err", err))
	case err != nil:
		a.log.Error("slack: delivering a reply failed", slog.String("user", o.actor.UserID), slog.Any("err", err))
	}
}

// reply answers the person who asked: through the response_url while it
// lasts (ephemeral or in the channel); else a public answer goes to the
// channel it was asked in and a private one to the person's DM with the bot.
// Files and charts go to the DM unless they are public in a channel.
func (a *Adapter) reply(ctx context.Context, o *origin, m bot.Message) error {
	inChannel := m.Visibility == bot.Public && o.place.Kind == bot.InChannel && o.channelID != ""
	m = withChartHint(o, inChannel, m)
	for _, r := range renderMessage(m) {
		var err error
		switch {
		case o.responseURL != "" && o.responses < maxResponseURLPosts && a.trustedURL(o.responseURL):
			o.responses++
			err = a.withRetry(ctx, "response_url", func() error { return a.respond(ctx, o.responseURL, m.Visibility, r) })
		case inChannel:
			err = a.withRetry(ctx, "chat.postMessage", func() error {
				_, err := a.post(ctx, o.channelID, r)
				return err
			})
		default:
			err = a.withRetry(ctx, "dm", func() error {
				ch, err := a.dmOf(ctx, o)
				if err != nil {
					return err
				}
				_, err = a.post(ctx, ch, r)
				return err
			})
		}
		if err != nil {
			return err
		}
	}
	return a.replyAttachments(ctx, o, inChannel, m)
}

// dmOf returns the bot's DM with the person who asked, opening it only if
// nobody knows it yet. A slash command typed in a DM between two people is
// InDM too, but the bot can't post there: only a message.im event names
// the bot's own DM.
func (a *Adapter) dmOf(ctx context.Context, o *origin) (string, error) {
	if o.dmChannel == "" {
		o.dmChannel = a.knownDM(o.actor)
	}
	if o.dmChannel == "" {
		ch, err := a.openDM(ctx, o.actor.UserID)
		if err != nil {
			return "", err
		}
		a.keepDM(ctx, o.actor, ch)
		o.dmChannel = ch
	}
	return o.dmChannel, nil
}

// dmKey names a person in the adapter's map of DM conversations.
func dmKey(who bot.Identity) string { return who.Workspace + "/" + who.UserID }

// knownDM returns the bot's DM with a person if this process or the
// person's record knows it ("" if neither does). What this process learnt
// from Slack is the fresher of the two.
func (a *Adapter) knownDM(who bot.Identity) string {
	a.dmMu.Lock()
	ch := a.dms[dmKey(who)]
	a.dmMu.Unlock()
	if ch != "" {
		return ch
	}
	return who.DMChannel
}

// rememberDM notes a person's DM conversation in this process.
func (a *Adapter) rememberDM(who bot.Identity, channel string) {
	a.dmMu.Lock()
	defer a.dmMu.Unlock()
	if channel == "" {
		delete(a.dms, dmKey(who))
		return
	}
	a.dms[dmKey(who)] = channel
}

// keepDM notes a person's DM conversation here and, when it is news, on
// their record (Config.DMChannels). Failing to keep it costs a lookup
// later, not this message: it is logged, not returned.
func (a *Adapter) keepDM(ctx context.Context, who bot.Identity, channel string) {
	a.dmMu.Lock()
	known := a.dms[dmKey(who)]
	a.dms[dmKey(who)] = channel
	a.dmMu.Unlock()
	if a.cfg.DMChannels == nil || channel == known || channel == who.DMChannel {
		return
	}
	kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := a.cfg.DMChannels.KeepDMChannel(kctx, who, channel); err != nil {
		a.log.Warn("slack: keeping a DM channel failed", slog.String("user", who.UserID), slog.Any("err", err))
	}
}

// trustedURL reports whether a response_url may receive posts: an https
// Slack (or GovSlack) address, or the configured API host (tests, proxies).
// Payloads are signed, so this is defence in depth against a leaked secret
// turning the bot into a web client for someone else.
func (a *Adapter) trustedURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if u.Scheme == "https" {
		for _, d := range []string{"slack.com", "slack-gov.com"} {
			if host == d || strings.HasSuffix(host, "."+d) {
				return true
			}
		}
	}
	if a.cfg.APIURL != "" {
		if api, err := url.Parse(a.cfg.APIURL); err == nil && api.Scheme == u.Scheme && strings.EqualFold(api.Host, u.Host) {
			return true
		}
	}
	a.log.Warn("slack: ignoring a response_url outside Slack", slog.String("host", host))
	return false
}

// respond posts one rendered message to a response_url.
func (a *Adapter) respond(ctx context.Context, url string, v bot.Visibility, r rendered) error {
	typ := slack.ResponseTypeEphemeral
	if v == bot.Public {
		typ = slack.ResponseTypeInChannel
	}
	msg := &slack.WebhookMessage{Text: r.Text, Blocks: &slack.Blocks{BlockSet: r.Blocks}, ResponseType: typ}
	if err := slack.PostWebhookCustomHTTPContext(ctx, url, a.hc, msg); err != nil {
		return fmt.Errorf("slack response_url: %w", err)
	}
	return nil
}

// post sends one rendered message to a conversation and returns the
// conversation Slack put it in: channel itself, or for a user id the bot's
// DM with that person.
func (a *Adapter) post(ctx context.Context, channel string, r rendered) (string, error) {
	got, _, err := a.api.PostMessageContext(ctx, channel,
		slack.MsgOptionText(r.Text, false),
		slack.MsgOptionBlocks(r.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
	)
	if err != nil {
		return "", fmt.Errorf("slack chat.postMessage %s: %w", channel, err)
	}
	if got == "" {
		got = channel
	}
	return got, nil
}

// openDM returns the id of the bot's DM with a person (conversations.open).
func (a *Adapter) openDM(ctx context.Context, userID string) (string, error) {
	ch, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
	if err != nil {
		return "", fmt.Errorf("slack conversations.open %s: %w", userID, err)
	}
	return ch.ID, nil
}

// upload shares a file in a conversation with files.uploadV2's three steps.
func (a *Adapter) upload(ctx context.Context, channel string, f *bot.File) error {
	if len(f.Data) == 0 {
		return nil
	}
	_, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Content:  string(f.Data),
		FileSize: len(f.Data),
		Filename: f.Name,
		Title:    f.Name,
		Channel:  channel,
	})
	if err != nil {
		return fmt.Errorf("slack files.uploadV2 %s: %w", f.Name, err)
	}
	return nil
}

// sendDM sends msg to a person's DM (see postAll for rate limits). The DM
// conversation is the one known for them, if any; else the message goes to
// their user id, which Slack delivers to the bot's DM with them and whose
// id its answer names: kept, so no message needs conversations.open (a
// Tier 3 method, 50 a minute). A known conversation that Slack says is gone
// is found again the same way.
func (a *Adapter) sendDM(ctx context.Context, to bot.Identity, m bot.Message) error {
	known := a.knownDM(to)
	if known != "" {
		sent, err := a.postAll(ctx, known, m)
		if sent != "" || !channelGone(err) {
			return err // delivered, or failed for another reason (or part-way)
		}
		a.log.Info("slack: a DM conversation is gone; finding it again", slog.String("user", to.UserID), slog.Any("err", err))
		a.rememberDM(to, "")
	}
	ch, err := a.postAll(ctx, to.UserID, m)
	if err != nil {
		return err
	}
	if strings.HasPrefix(ch, "D") && ch != known {
		a.keepDM(ctx, to, ch)
	}
	return nil
}

// channelGone reports whether Slack refused a post because the
// conversation no longer exists or was archived.
func channelGone(err error) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && (se.Err == "channel_not_found" || se.Err == "is_archived")
}

// postAll posts every part of m to a conversation, then its file, and
// returns the conversation Slack put them in (see post). Only the first
// part's failure is returned unretried; once something is delivered, later
// parts wait out rate limits rather than have the caller start over.
func (a *Adapter) postAll(ctx context.Context, channel string, m bot.Message) (string, error) {
	for i, r := range renderMessage(m) {
		if i == 0 {
			got, err := a.post(ctx, channel, r)
			if err != nil {
				return "", err
			}
			channel = got
			continue
		}
		err := a.withRetry(ctx, "chat.postMessage", func() error {
			_, err := a.post(ctx, channel, r)
			return err
		})
		if err != nil {
			return channel, err
		}
	}
	return channel, a.attach(ctx, channel, m)
}

// SendDM implements bot.Sender: conversations.open, then chat.postMessage.
// A refusal that will not change is a *bot.UndeliverableError; a rate limit
// before anything was sent is a *bot.RetryAfterError.
//
// A person on another platform is not Slack's to reach, which is no refusal
// of theirs: that is a plain error, so nobody is marked as refusing DMs.
func (a *Adapter) SendDM(ctx context.Context, to bot.Identity, msg bot.Message) error {
	if to.Platform != "" && to.Platform != bot.Slack {
		return fmt.Errorf("slack cannot reach a %s user", to.Platform)
	}
	return senderError(a.sendDM(withMaxWait(ctx, maxSendWait), to, msg))
}

// Post implements bot.Sender: chat.postMessage to a channel the bot is in.
// A channel on another platform is a plain error, as in SendDM.
func (a *Adapter) Post(ctx context.Context, to bot.Channel, msg bot.Message) error {
	if to.Platform != "" && to.Platform != bot.Slack {
		return fmt.Errorf("slack cannot reach a %s channel", to.Platform)
	}
	_, err := a.postAll(withMaxWait(ctx, maxSendWait), to.ChannelID, msg)
	return senderError(err)
}

// maxSendWait is how long a scheduled send waits for its method's turn
// (after a 429, Slack may ask for much longer) before it is put off with a
// *bot.RetryAfterError, freeing the worker and leaving the rest of the run
// to go ahead as the limits allow.
const maxSendWait = 10 * time.Second

// senderError maps Slack's errors to the ones bot.Sender promises.
func senderError(err error) error {
	if err == nil {
		return nil
	}
	if wait, ok := retryAfter(err); ok {
		return &bot.RetryAfterError{After: wait, Err: err}
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && permanentErrors[se.Err] {
		return &bot.UndeliverableError{Reason: se.Err, Err: err}
	}
	return err
}

// retryAfter reports whether err is a rate limit and how long to wait.
// A workspace-wide 429 may come without Retry-After: wait a second.
func retryAfter(err error) (time.Duration, bool) {
	var rw *rateWaitError
	if errors.As(err, &rw) {
		return max(rw.After, time.Second), true
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return max(rl.RetryAfter, time.Second), true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests {
		return time.Second, true
	}
	return 0, false
}

// withRetry calls fn until it succeeds, fails with something other than a
// rate limit, ctx ends or maxRetries rate limits have been waited out.
func (a *Adapter) withRetry(ctx context.Context, what string, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		wait, limited := retryAfter(err)
		if !limited || attempt >= maxRetries {
			return err
		}
		a.log.Warn("slack: rate limited, waiting", slog.String("call", what), slog.Duration("retry_after", wait))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while waiting out a rate limit: %w)", err, ctx.Err())
		}
	}
}
