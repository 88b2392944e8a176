package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// runSocket connects with Socket Mode (apps.connections.open, then a
// WebSocket) and serves until ctx is done. socketmode reconnects by itself
// when Slack asks; it gives up only on a bad app token.
func (a *Adapter) runSocket(ctx context.Context) error {
	smc := socketmode.New(a.api, socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- smc.RunContext(ctx) }()
	defer a.connected.Store(false)
	for {
		select {
		case <-ctx.Done():
			select {
			case <-errc:
			case <-time.After(5 * time.Second):
			}
			return nil
		case err := <-errc:
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("slack socket mode (check slack.app_token): %w", err)
		case evt := <-smc.Events:
			a.onSocketEvent(smc, evt)
		}
	}
}

// onConnected marks Socket Mode up and counts a connection after the first
// as a reconnect.
func (a *Adapter) onConnected() {
	a.connected.Store(true)
	if a.wasConnected.Swap(true) && a.obs != nil {
		a.obs.Reconnected()
	}
}

// onSocketEvent acks one Socket Mode envelope and hands its content to the
// same code as HTTP mode. Interactions are handled off the event loop: a
// form submission may wait up to modalWait for its answer.
func (a *Adapter) onSocketEvent(smc *socketmode.Client, evt socketmode.Event) {
	ack := func(payload any) {
		if evt.Request == nil {
			return
		}
		var err error
		if payload == nil {
			err = smc.Ack(*evt.Request)
		} else {
			err = smc.Ack(*evt.Request, payload)
		}
		if err != nil {
			a.log.Error("slack: ack failed", slog.String("envelope_id", evt.Request.EnvelopeID), slog.Any("err", err))
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("slack: connected with Socket Mode")
		a.onConnected()
	case socketmode.EventTypeConnecting:
		// Also after a lost connection: socketmode dials again by itself.
		a.connected.Store(false)
	case socketmode.EventTypeConnectionError:
		a.connected.Store(false)
		a.log.Warn("slack: Socket Mode connection failed, retrying", slog.Any("event", evt.Data))
	case socketmode.EventTypeInvalidAuth:
		a.connected.Store(false)
		a.log.Error("slack: Socket Mode refused the app token (slack.app_token)")
	case socketmode.EventTypeEventsAPI:
		ack(nil)
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			a.onEvent(ev)
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			ack(nil)
			return
		}
		ack(a.onSlashCommand(cmd))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			ack(nil)
			return
		}
		a.spawn("interaction", func(context.Context) { ack(a.onInteraction(cb)) })
	}
}
