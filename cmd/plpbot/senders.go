package main

import (
	"context"
	"fmt"

	"github.com/plpbot/plpbot/bot"
)

// senderRouter is the bot.Sender the scheduler uses: it hands each message
// to the running adapter of the recipient's platform. A platform that is
// not running here cannot be reached, which is permanent for this process.
type senderRouter map[bot.Platform]bot.Sender

var _ bot.Sender = senderRouter(nil)

// SendDM implements bot.Sender.
func (r senderRouter) SendDM(ctx context.Context, to bot.Identity, msg bot.Message) error {
	s, ok := r[to.Platform]
	if !ok {
		return &bot.UndeliverableError{Reason: "platform_not_running", Err: fmt.Errorf("no %q adapter is running", to.Platform)}
	}
	return s.SendDM(ctx, to, msg)
}

// Post implements bot.Sender.
func (r senderRouter) Post(ctx context.Context, to bot.Channel, msg bot.Message) error {
	s, ok := r[to.Platform]
	if !ok {
		return &bot.UndeliverableError{Reason: "platform_not_running", Err: fmt.Errorf("no %q adapter is running", to.Platform)}
	}
	return s.Post(ctx, to, msg)
}
