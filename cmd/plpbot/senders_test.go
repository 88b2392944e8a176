package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/console"
)

// TestSenderRouter: the router reaches the platforms whose adapters run, and
// a platform that runs elsewhere is this process's gap, never the person's
// refusal: a plain error, not a *bot.UndeliverableError.
func TestSenderRouter(t *testing.T) {
	var out lockedBuffer
	nobody := bot.HandlerFunc(func(context.Context, *bot.Request) ([]bot.Message, error) { return nil, nil })
	r := senderRouter{bot.Console: console.New(strings.NewReader(""), &out, nobody, console.Options{})}
	if got := r.Reaches(); !slices.Equal(got, []bot.Platform{bot.Console}) {
		t.Errorf("Reaches() = %v, want [console]", got)
	}
	ctx := context.Background()
	msg := bot.Message{Title: "Reflection time"}
	if err := r.SendDM(ctx, bot.Identity{Platform: bot.Console, UserID: "sam", Name: "Sam"}, msg); err != nil {
		t.Fatalf("SendDM to a console user: %v", err)
	}
	if !strings.Contains(out.String(), "DM to Sam") {
		t.Errorf("the console printed %q", out.String())
	}
	var ue *bot.UndeliverableError
	if err := r.SendDM(ctx, bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1"}, msg); err == nil || errors.As(err, &ue) {
		t.Errorf("SendDM to a Slack user: %v, want a plain error", err)
	}
	if err := r.Post(ctx, bot.Channel{Platform: bot.Discord, ChannelID: "1"}, msg); err == nil || errors.As(err, &ue) {
		t.Errorf("Post to a Discord channel: %v, want a plain error", err)
	}
}
