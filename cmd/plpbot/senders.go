package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// senderRouter is the bot.Sender the scheduler uses: it hands each message
// to the running adapter of the recipient's platform, and tells the
// scheduler which platforms those are (bot.Reacher), so this process claims
// only messages it can deliver and leaves the rest to a process that runs
// their platform.
type senderRouter map[bot.Platform]bot.Sender

var (
	_ bot.Sender  = senderRouter(nil)
	_ bot.Reacher = senderRouter(nil)
)

// Reaches implements bot.Reacher: the platforms with a running adapter.
func (r senderRouter) Reaches() []bot.Platform {
	ps := make([]bot.Platform, 0, len(r))
	for p := range r {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}

// SendDM implements bot.Sender.
func (r senderRouter) SendDM(ctx context.Context, to bot.Identity, msg bot.Message) error {
	s, err := r.to(to.Platform)
	if err != nil {
		return err
	}
	return s.SendDM(ctx, to, msg)
}

// Post implements bot.Sender.
func (r senderRouter) Post(ctx context.Context, to bot.Channel, msg bot.Message) error {
	s, err := r.to(to.Platform)
	if err != nil {
		return err
	}
	return s.Post(ctx, to, msg)
}

// dmChannels keeps each person's DM conversation on their record for the
// adapters (slack.DMChannelKeeper), so it is looked up once per person, not
// once per message, and survives restarts and is shared by replicas.
type dmChannels struct{ store *storage.Store }

// KeepDMChannel implements slack.DMChannelKeeper.
func (d dmChannels) KeepDMChannel(ctx context.Context, who bot.Identity, channel string) error {
	id := storage.Identity{Platform: string(who.Platform), Workspace: who.Workspace, PlatformID: who.UserID}
	return d.store.SetDMChannel(ctx, id.UserID(), channel)
}

// to returns the adapter of platform p. The scheduler asks only for the
// platforms in Reaches; if asked for another, the gap is this process's, not
// the recipient's refusal, so the error is a plain (transient) one, never a
// *bot.UndeliverableError that would mark them as someone who can't get DMs.
func (r senderRouter) to(p bot.Platform) (bot.Sender, error) {
	s, ok := r[p]
	if !ok {
		return nil, fmt.Errorf("no %q adapter runs in this process", p)
	}
	return s, nil
}
