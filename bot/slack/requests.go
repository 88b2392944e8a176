package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// This file turns Slack's inputs into bot.Requests. Each on* method is
// called by both transports and returns at once with what to acknowledge
// (nil for an empty 200 / a bare ack); the work goes on in the background.

// onSlashCommand handles /plp. A bare command whose required arguments are
// missing ("/plp goal add") opens a form when Slack gave a trigger_id.
func (a *Adapter) onSlashCommand(cmd slack.SlashCommand) any {
	actor := bot.Identity{Platform: bot.Slack, Workspace: cmd.TeamID, UserID: cmd.UserID, Name: cmd.UserName}
	o := &origin{
		actor:       actor,
		place:       placeOf(cmd.TeamID, cmd.ChannelID, cmd.ChannelName),
		channelID:   cmd.ChannelID,
		responseURL: cmd.ResponseURL,
	}
	text := slackText(cmd.Text)
	req := &bot.Request{Actor: actor, Place: o.place, Text: text, Slash: true, Lookup: a.lookup}
	if form := a.bareForm(text); form != nil && cmd.TriggerID != "" {
		a.spawn("views.open", func(ctx context.Context) {
			if err := a.openForm(ctx, cmd.TriggerID, form, o); err != nil {
				// The trigger expired or Slack refused: answer as typed,
				// which explains what is missing.
				a.log.Warn("slack: opening a form failed", slog.String("command", form.Command), slog.Any("err", err))
				a.run(ctx, o, req)
			}
		})
		return nil
	}
	a.spawn("slash command", func(ctx context.Context) { a.run(ctx, o, req) })
	return nil
}

// bareForm returns the form for a command line that names a command and
// nothing else, when the command has required arguments a form can collect.
// Commands that need a person are left to the parser: forms can't pick people.
func (a *Adapter) bareForm(text string) *bot.Form {
	words := strings.Fields(strings.ToLower(grammar.StripPrefix(text)))
	if len(words) == 0 {
		return nil
	}
	cmd := a.grammar.Find(words...)
	if cmd == nil || len(cmd.Sub) > 0 {
		return nil
	}
	needs := false
	for _, arg := range cmd.Args {
		if !arg.Required {
			continue
		}
		switch arg.Kind {
		case grammar.ArgUser, grammar.ArgUsers:
			return nil
		case grammar.ArgLiteral:
		default:
			needs = true
		}
	}
	if !needs {
		return nil
	}
	f := a.grammar.FormFor(words, nil)
	if f == nil || len(f.Fields) == 0 {
		return nil
	}
	return f
}

// onEvent handles an Events API event (both transports). Redeliveries are
// dropped by event id: those to this process at once, those another
// replica took in the background work, before the handler runs.
func (a *Adapter) onEvent(ev slackevents.EventsAPIEvent) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return
	}
	if !a.seen.add(cb.EventID) {
		a.log.Debug("slack: dropping a redelivered event", slog.String("event_id", cb.EventID))
		return
	}
	once := func(fn func(ctx context.Context)) func(ctx context.Context) {
		return func(ctx context.Context) {
			if a.firstDelivery(ctx, cb.EventID) {
				fn(ctx)
			}
		}
	}
	team := cb.TeamID
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		// Only what a person typed in their DM with the bot: not the bot's
		// own messages, not edits or joins (subtypes).
		if e.ChannelType != slackevents.ChannelTypeIM || e.BotID != "" || e.SubType != "" || e.User == "" {
			return
		}
		actor := bot.Identity{Platform: bot.Slack, Workspace: team, UserID: e.User}
		o := &origin{actor: actor, place: bot.Place{Kind: bot.InDM}, channelID: e.Channel, dmChannel: e.Channel}
		req := &bot.Request{ID: cb.EventID, Actor: actor, Place: o.place, Text: slackText(e.Text), Lookup: a.lookup}
		a.spawn("direct message", once(func(ctx context.Context) { a.run(ctx, o, req) }))
	case *slackevents.AppHomeOpenedEvent:
		if e.Tab != "home" || e.User == "" {
			return
		}
		actor := bot.Identity{Platform: bot.Slack, Workspace: team, UserID: e.User}
		a.spawn("app home", once(func(ctx context.Context) { a.publishHome(ctx, actor) }))
	}
}

// publishHome shows the person's plan on the bot's Home tab.
func (a *Adapter) publishHome(ctx context.Context, actor bot.Identity) {
	req := &bot.Request{
		Actor:      actor,
		Place:      bot.Place{Kind: bot.InDM},
		Invocation: &bot.Invocation{Path: []string{"plan"}},
		Lookup:     a.lookup,
	}
	msgs, err := a.handle(ctx, req)
	msgs = a.answer(req, msgs, err)
	var home, others []bot.Message
	for _, m := range msgs {
		if m.To != nil {
			others = append(others, m)
		} else {
			home = append(home, m)
		}
	}
	view := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: homeBlocks(home)}}
	err = a.withRetry(ctx, "views.publish", func() error {
		_, err := a.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: actor.UserID, View: view})
		return err
	})
	if err != nil {
		a.log.Error("slack: publishing the home view failed", slog.String("user", actor.UserID), slog.Any("err", err))
	}
	if len(others) > 0 {
		a.deliver(ctx, &origin{actor: actor, place: bot.Place{Kind: bot.InDM}}, others)
	}
}

// onInteraction handles button presses and form submissions. For a
// submission it returns the response_action payload, if any.
func (a *Adapter) onInteraction(cb slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		a.onBlockActions(cb)
	case slack.InteractionTypeViewSubmission:
		return a.onViewSubmission(cb)
	}
	return nil
}

// interactionOrigin is where replies to a press or submission go.
func interactionOrigin(cb slack.InteractionCallback) *origin {
	team := cb.Team.ID
	if team == "" {
		team = cb.User.TeamID
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	actor := bot.Identity{Platform: bot.Slack, Workspace: team, UserID: cb.User.ID, Name: cb.User.Name}
	return &origin{
		actor:       actor,
		place:       placeOf(team, channel, cb.Channel.Name),
		channelID:   channel,
		responseURL: cb.ResponseURL,
	}
}

// onBlockActions runs a pressed button's command, or opens its form.
func (a *Adapter) onBlockActions(cb slack.InteractionCallback) {
	o := interactionOrigin(cb)
	for _, act := range cb.ActionCallback.BlockActions {
		if !strings.HasPrefix(act.ActionID, actionPrefix) {
			continue
		}
		command, form := decodeButton(a.grammar, act.Value)
		switch {
		case form != nil && cb.TriggerID != "":
			a.spawn("views.open", func(ctx context.Context) {
				if err := a.openForm(ctx, cb.TriggerID, form, o); err != nil {
					a.log.Error("slack: opening a form failed", slog.String("command", form.Command), slog.Any("err", err))
				}
			})
		case command != "":
			req := &bot.Request{Actor: o.actor, Place: o.place, Text: command, Slash: true, Lookup: a.lookup}
			a.spawn("button", func(ctx context.Context) { a.run(ctx, o, req) })
		}
	}
}

// Forms are modals with callback id formCallbackID; their private_metadata
// (≤ 3,000 characters) carries the command and where to answer.
const (
	formCallbackID  = "plp_form"
	formActionID    = "value"
	maxMetadata     = 3000
	maxModalTitle   = 24
	maxInputLength  = 3000
	maxPlaceholder  = 150
	maxLabel        = 2000
	defaultSubmit   = "Save"
	defaultCloseBtn = "Cancel"
)

// formMeta is a form's private_metadata.
type formMeta struct {
	Command     string            `json:"c"`
	Fixed       map[string]string `json:"f,omitempty"`
	Channel     string            `json:"ch,omitempty"`
	ChannelName string            `json:"cn,omitempty"`
	ResponseURL string            `json:"r,omitempty"`
}

// openForm opens f as a modal (views.open) for the person behind trigger.
func (a *Adapter) openForm(ctx context.Context, trigger string, f *bot.Form, o *origin) error {
	view := buildModal(f, o)
	return a.withRetry(ctx, "views.open", func() error {
		_, err := a.api.OpenViewContext(ctx, trigger, view)
		return err
	})
}

// buildModal renders a form as a modal, one input block per field (the
// block id is the argument name, so errors can point at it).
func buildModal(f *bot.Form, o *origin) slack.ModalViewRequest {
	meta := formMeta{Command: f.Command, Fixed: f.Fixed, Channel: o.channelID,
		ChannelName: o.place.Channel.Name, ResponseURL: o.responseURL}
	raw, _ := json.Marshal(meta)
	if len(raw) > maxMetadata {
		meta.ResponseURL, meta.ChannelName = "", ""
		raw, _ = json.Marshal(meta)
	}
	title := truncate(orDefault(plain(f.Title), "plpbot"), maxModalTitle)
	submit := truncate(orDefault(plain(f.Submit), defaultSubmit), maxModalTitle)
	var blocks []slack.Block
	for _, fld := range f.Fields {
		in := slack.NewPlainTextInputBlockElement(nil, formActionID)
		if fld.Placeholder != "" {
			in.Placeholder = slack.NewTextBlockObject(slack.PlainTextType, truncate(plain(fld.Placeholder), maxPlaceholder), false, false)
		}
		in.Multiline = fld.Multiline
		if fld.MaxLen > 0 {
			in.MaxLength = min(fld.MaxLen, maxInputLength)
		}
		if fld.Initial != "" {
			in.InitialValue = fld.Initial
		}
		label := truncate(orDefault(plain(fld.Label), fld.Name), maxLabel)
		ib := slack.NewInputBlock(fld.Name, slack.NewTextBlockObject(slack.PlainTextType, label, false, false), nil, in)
		ib.Optional = fld.Optional
		blocks = append(blocks, ib)
		if len(blocks) == MaxBlocksPerView {
			break
		}
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, title, false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, submit, false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, defaultCloseBtn, false, false),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: string(raw),
		CallbackID:      formCallbackID,
	}
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// outcome is a handler's result.
type outcome struct {
	msgs []bot.Message
	err  error
}

// onViewSubmission validates a submitted form with the grammar. A mistake
// in one field goes back into the modal (response_action: errors). A valid
// form runs its command; if the handler answers within modalWait and blames
// one field, that too goes back into the modal, else the modal closes and
// the answer arrives as a message.
func (a *Adapter) onViewSubmission(cb slack.InteractionCallback) any {
	if cb.View.CallbackID != formCallbackID {
		return nil
	}
	var meta formMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Command == "" {
		a.log.Warn("slack: a form came back without its metadata", slog.Any("err", err))
		return nil
	}
	o := interactionOrigin(cb)
	o.channelID = meta.Channel
	o.place = placeOf(o.actor.Workspace, meta.Channel, meta.ChannelName)
	o.responseURL = meta.ResponseURL

	args := make(map[string]string, len(meta.Fixed))
	for k, v := range meta.Fixed {
		args[k] = v
	}
	if cb.View.State != nil {
		for blockID, acts := range cb.View.State.Values {
			if v, ok := acts[formActionID]; ok && strings.TrimSpace(v.Value) != "" {
				args[blockID] = v.Value
			}
		}
	}
	inv, err := a.grammar.Bind(strings.Fields(meta.Command), args, nil)
	if err != nil {
		if resp := fieldErrors(cb.View, err); resp != nil {
			return resp
		}
		req := &bot.Request{Actor: o.actor, Place: o.place}
		msgs := a.answer(req, nil, err)
		a.spawn("form error", func(ctx context.Context) { a.deliver(ctx, o, msgs) })
		return nil
	}
	req := &bot.Request{Actor: o.actor, Place: o.place, Invocation: inv, Lookup: a.lookup}
	res := make(chan outcome, 1)
	a.spawn("form", func(ctx context.Context) {
		msgs, err := a.handle(ctx, req)
		res <- outcome{msgs, err}
	})
	finish := func(ctx context.Context, out outcome) { a.deliver(ctx, o, a.answer(req, out.msgs, out.err)) }
	t := time.NewTimer(a.modalWait)
	defer t.Stop()
	select {
	case out := <-res:
		if out.err != nil {
			if resp := fieldErrors(cb.View, out.err); resp != nil {
				return resp
			}
		}
		a.spawn("form reply", func(ctx context.Context) { finish(ctx, out) })
	case <-t.C:
		a.spawn("form reply", func(ctx context.Context) {
			select {
			case out := <-res:
				finish(ctx, out)
			case <-ctx.Done():
			}
		})
	}
	return nil
}

// fieldErrors returns response_action: errors when err is a *bot.UserError
// about a field that the view shows, else nil.
func fieldErrors(view slack.View, err error) *slack.ViewSubmissionResponse {
	ue, ok := bot.AsUserError(err)
	if !ok || ue.Field == "" {
		return nil
	}
	for _, b := range view.Blocks.BlockSet {
		if ib, ok := b.(*slack.InputBlock); ok && ib.BlockID == ue.Field {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{ue.Field: plpbot.Clip(plain(ue.Message), 150)})
		}
	}
	return nil
}
