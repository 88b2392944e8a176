package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// outcome is what the handler produced for one request.
type outcome struct {
	msgs []bot.Message
}

// onInteraction answers an INTERACTION_CREATE: a /plp command, a button
// press or a modal submission. discordgo calls it on its own goroutine.
func (a *Adapter) onInteraction(_ *discordgo.Session, ic *discordgo.InteractionCreate) {
	in := ic.Interaction
	if in == nil {
		return
	}
	defer a.recoverPanic("interaction", slog.String("interaction", in.ID))
	ctx := a.ctx()
	actor := a.actorOf(in)
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		data := in.ApplicationCommandData()
		if data.Name != RootCommand {
			return
		}
		req, form, err := a.commandRequest(in, actor, data)
		switch {
		case form != nil:
			a.respondModal(ctx, in, form)
		case err != nil:
			a.serveOutcome(ctx, in, actor, a.failure(err, "bind"), false)
		default:
			a.serve(ctx, in, req)
		}
	case discordgo.InteractionMessageComponent:
		id := in.MessageComponentData().CustomID
		if path, fixed, ok := parseFormCustomID(id); ok {
			form := a.grammar.FormFor(path, fixed)
			if form == nil {
				a.serveOutcome(ctx, in, actor, a.failure(bot.Errorf(bot.ENotFound, "That button no longer works. Try /plp help."), "button"), false)
				return
			}
			a.respondModal(ctx, in, form)
			return
		}
		line, ok := strings.CutPrefix(id, buttonPrefix)
		if !ok {
			return
		}
		a.serve(ctx, in, &bot.Request{ID: in.ID, Actor: actor, Place: a.placeOf(in), Text: line, Slash: true, Lookup: a.lookup})
	case discordgo.InteractionModalSubmit:
		data := in.ModalSubmitData()
		path, fixed, ok := parseFormCustomID(data.CustomID)
		if !ok {
			return
		}
		args := fixed
		for name, v := range modalValues(data.Components) {
			if strings.TrimSpace(v) != "" {
				args[name] = v
			}
		}
		inv, err := a.grammar.Bind(path, args, nil)
		if err != nil {
			a.serveOutcome(ctx, in, actor, a.failure(err, "form"), false)
			return
		}
		a.serve(ctx, in, &bot.Request{ID: in.ID, Actor: actor, Place: a.placeOf(in), Invocation: inv, Lookup: a.lookup})
	}
}

// commandRequest maps a /plp interaction's options onto the grammar. For a
// form command with required arguments missing it returns the form to open.
func (a *Adapter) commandRequest(in *discordgo.Interaction, actor bot.Identity, data discordgo.ApplicationCommandInteractionData) (*bot.Request, *bot.Form, error) {
	var path []string
	opts := data.Options
	for len(opts) == 1 && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommand ||
		opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		path = append(path, opts[0].Name)
		opts = opts[0].Options
	}
	cmd := a.grammar.Find(path...)
	if cmd == nil || len(path) == 0 {
		return nil, nil, bot.Errorf(bot.ENotFound, "I don't know that command. Try /plp help.")
	}
	// Option names back to argument names (several user options feed one ArgUsers).
	argOf := map[string]grammar.Arg{}
	for _, arg := range cmd.Args {
		for _, o := range argOptions(arg, MaxCommandDescLen) {
			argOf[o.Name] = arg
		}
	}
	args := map[string]string{}
	users := map[string][]bot.Identity{}
	for _, o := range opts {
		arg, ok := argOf[o.Name]
		if !ok {
			return nil, nil, bot.Errorf(bot.EInvalid, "This version of /plp %s is out of date. Please try again in a minute.", strings.Join(path, " "))
		}
		switch o.Type {
		case discordgo.ApplicationCommandOptionUser:
			id, _ := o.Value.(string)
			users[arg.Name] = append(users[arg.Name], a.resolvedUser(in, data.Resolved, id))
		case discordgo.ApplicationCommandOptionInteger:
			args[arg.Name] = strconv.FormatInt(o.IntValue(), 10)
		case discordgo.ApplicationCommandOptionBoolean:
			args[arg.Name] = strconv.FormatBool(o.BoolValue())
		default:
			args[arg.Name] = fmt.Sprint(o.Value)
		}
	}
	if isFormCommand(path) {
		for _, arg := range cmd.Args {
			if arg.Required && arg.Kind != grammar.ArgLiteral && strings.TrimSpace(args[arg.Name]) == "" && len(users[arg.Name]) == 0 {
				return nil, prefill(a.grammar.FormFor(path, nil), args), nil
			}
		}
	}
	inv, err := a.grammar.Bind(path, args, users)
	if err != nil {
		return nil, nil, err
	}
	return &bot.Request{ID: in.ID, Actor: actor, Place: a.placeOf(in), Invocation: inv, Lookup: a.lookup}, nil, nil
}

// prefill puts what the person already typed into the form's fields.
func prefill(f *bot.Form, args map[string]string) *bot.Form {
	if f == nil {
		return nil
	}
	for i := range f.Fields {
		if v, ok := args[f.Fields[i].Name]; ok {
			f.Fields[i].Initial = v
		}
	}
	return f
}

// modalValues reads a modal submission's text inputs by custom id.
func modalValues(rows []discordgo.MessageComponent) map[string]string {
	out := map[string]string{}
	var visit func(c discordgo.MessageComponent)
	visit = func(c discordgo.MessageComponent) {
		switch v := c.(type) {
		case *discordgo.ActionsRow:
			for _, inner := range v.Components {
				visit(inner)
			}
		case discordgo.ActionsRow:
			for _, inner := range v.Components {
				visit(inner)
			}
		case *discordgo.TextInput:
			out[v.CustomID] = v.Value
		case discordgo.TextInput:
			out[v.CustomID] = v.Value
		}
	}
	for _, r := range rows {
		visit(r)
	}
	return out
}

// serve runs the handler and answers within Discord's 3 seconds: directly
// if the handler is quick, else with a deferred response that is edited
// when the handler is done.
func (a *Adapter) serve(ctx context.Context, in *discordgo.Interaction, req *bot.Request) {
	done := make(chan outcome, 1)
	go func() { done <- a.call(ctx, req) }()
	timer := time.NewTimer(a.deferAfter)
	defer timer.Stop()
	select {
	case r := <-done:
		a.serveOutcome(ctx, in, req.Actor, r, false)
	case <-timer.C:
		// Private until we know better: a deferred reply's visibility is
		// fixed now, and a student's plan must never leak to a channel.
		err := a.session.InteractionRespond(in, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: allowNoMentions()},
		}, discordgo.WithContext(ctx))
		if err != nil {
			a.log.Error("deferring interaction", slog.String("interaction", in.ID), slog.Any("err", err))
		}
		select {
		case r := <-done:
			a.serveOutcome(ctx, in, req.Actor, r, true)
		case <-ctx.Done():
		}
	}
}

// call runs the handler, turning errors and panics into replies. Every
// request reaches the handler here, so here it learns which adapter carries it.
func (a *Adapter) call(ctx context.Context, req *bot.Request) (out outcome) {
	req.Adapter = a
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("handler panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			out = outcome{msgs: []bot.Message{bot.ErrorMessage(fmt.Errorf("panic: %v", r))}}
		}
	}()
	msgs, err := a.handler.Handle(ctx, req)
	if err != nil {
		cmd := req.Text
		if req.Invocation != nil {
			cmd = req.Invocation.Name()
		}
		return a.failure(err, firstWord(cmd))
	}
	return outcome{msgs: msgs}
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 && len(f[0]) <= 32 {
		return f[0]
	}
	return ""
}

// failure renders err for the asker; internal errors are logged, user
// errors are not (they are the person's typo, not our fault).
func (a *Adapter) failure(err error, where string) outcome {
	if _, ok := bot.AsUserError(err); !ok {
		a.log.Error("handling request", slog.String("command", where), slog.Any("err", err))
	}
	return outcome{msgs: []bot.Message{bot.ErrorMessage(err)}}
}

// reply is one page to show the asker.
type reply struct {
	page      page
	ephemeral bool
}

// serveOutcome delivers the handler's messages: first the replies, as the
// interaction response (or its edit, when deferred) and follow-ups, so the
// 3-second deadline never waits on DMs; then DMs to their recipients.
func (a *Adapter) serveOutcome(ctx context.Context, in *discordgo.Interaction, actor bot.Identity, r outcome, deferred bool) {
	var replies []reply
	addReply := func(m bot.Message) {
		for _, p := range renderPages(m) {
			replies = append(replies, reply{page: p, ephemeral: m.Visibility == bot.Private})
		}
	}
	var dms []bot.Message
	for _, m := range r.msgs {
		if m.To != nil {
			dms = append(dms, m)
			continue
		}
		addReply(m)
	}
	if len(replies) == 0 {
		addReply(bot.Message{Visibility: bot.Private, Blocks: []bot.Block{bot.Text{Text: "Done ✅"}}})
	}
	if err := a.respond(ctx, in, replies[0], deferred); err != nil {
		a.log.Error("answering interaction", slog.String("interaction", in.ID), slog.Any("err", err))
		return
	}
	replies = replies[1:]
	for _, m := range dms {
		err := a.sendDM(ctx, m.To.UserID, m, true)
		if err == nil {
			continue
		}
		a.log.Warn("DM from an interaction not delivered", slog.String("to", m.To.UserID), slog.Any("err", err))
		if m.To.UserID == actor.UserID {
			// Their DMs are closed: show it here instead, privately, and
			// while they are here, say how to open them.
			m.To, m.Visibility = nil, bot.Private
			var ue *bot.UndeliverableError
			if errors.As(err, &ue) && ue.Reason == "cannot_dm" {
				m.Blocks = append(slices.Clip(m.Blocks), bot.Context{Text: a.AllowDMsHint()})
			}
			addReply(m)
		}
	}
	for _, rp := range replies {
		if err := a.followUp(ctx, in, rp); err != nil {
			a.log.Error("interaction follow-up", slog.String("interaction", in.ID), slog.Any("err", err))
			return
		}
	}
}

// respond sends the first reply: a message response, or the edit of a
// deferred (private) one.
func (a *Adapter) respond(ctx context.Context, in *discordgo.Interaction, first reply, deferred bool) error {
	opt := discordgo.WithContext(ctx)
	switch {
	case !deferred:
		return a.session.InteractionRespond(in, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: first.page.Content, Embeds: first.page.Embeds, Components: first.page.Components,
				Files: first.page.Files, AllowedMentions: allowNoMentions(), Flags: flags(first.ephemeral),
			},
		}, opt)
	case first.ephemeral:
		_, err := a.session.InteractionResponseEdit(in, editOf(first.page), opt)
		return err
	default:
		// The deferred response is private; say where the public reply went.
		if _, err := a.session.InteractionResponseEdit(in, editOf(page{Content: "Posted it in the channel ✅"}), opt); err != nil {
			return err
		}
		return a.followUp(ctx, in, first)
	}
}

func (a *Adapter) followUp(ctx context.Context, in *discordgo.Interaction, rp reply) error {
	_, err := a.session.FollowupMessageCreate(in, true, &discordgo.WebhookParams{
		Content: rp.page.Content, Embeds: rp.page.Embeds, Components: rp.page.Components,
		Files: rp.page.Files, AllowedMentions: allowNoMentions(), Flags: flags(rp.ephemeral),
	}, discordgo.WithContext(ctx))
	return err
}

func editOf(p page) *discordgo.WebhookEdit {
	content, embeds, comps := p.Content, p.Embeds, p.Components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookEdit{
		Content: &content, Embeds: &embeds, Components: &comps, Files: p.Files, AllowedMentions: allowNoMentions(),
	}
}

func flags(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// respondModal opens form as a modal; it must be the first response.
func (a *Adapter) respondModal(ctx context.Context, in *discordgo.Interaction, form *bot.Form) {
	err := a.session.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: modalFor(form),
	}, discordgo.WithContext(ctx))
	if err != nil {
		a.log.Error("opening modal", slog.String("interaction", in.ID), slog.Any("err", err))
	}
}

// actorOf names who sent an interaction.
func (a *Adapter) actorOf(in *discordgo.Interaction) bot.Identity {
	id := bot.Identity{Platform: bot.Discord, Workspace: a.workspace(in.GuildID), Locale: string(in.Locale)}
	switch {
	case in.Member != nil && in.Member.User != nil:
		id.UserID, id.Name, id.Username = in.Member.User.ID, in.Member.DisplayName(), in.Member.User.Username
	case in.User != nil:
		id.UserID, id.Name, id.Username = in.User.ID, in.User.DisplayName(), in.User.Username
	}
	return id
}

// workspace is the guild an identity belongs to. In DMs there is none, so
// the configured guild (or the only guild the bot is in, when it runs one
// shard) stands in: a student's DM reflections must land on the same plan
// as their /plp commands.
func (a *Adapter) workspace(guildID string) string {
	if guildID != "" {
		return guildID
	}
	if a.cfg.GuildID != "" {
		return a.cfg.GuildID
	}
	if a.shardCount > 1 {
		return "" // a shard's state knows only some of the servers
	}
	for _, s := range a.sessions() {
		if id := soleGuild(s.State); id != "" {
			return id
		}
	}
	return ""
}

// soleGuild is the one guild in st, or "" if there are more or none.
func soleGuild(st *discordgo.State) string {
	st.RLock()
	defer st.RUnlock()
	if len(st.Guilds) == 1 {
		return st.Guilds[0].ID
	}
	return ""
}

// placeOf says where an interaction happened; the channel's name comes
// from the gateway's guild data when it is known.
func (a *Adapter) placeOf(in *discordgo.Interaction) bot.Place {
	if in.GuildID == "" {
		return bot.Place{Kind: bot.InDM}
	}
	ch := bot.Channel{Platform: bot.Discord, Workspace: in.GuildID, ChannelID: in.ChannelID}
	for _, s := range a.sessions() {
		if c, err := s.State.Channel(in.ChannelID); err == nil {
			ch.Name = c.Name
			break
		}
	}
	return bot.Place{Kind: bot.InChannel, Channel: ch}
}

// resolvedUser builds the identity of a user option from the interaction's
// resolved data.
func (a *Adapter) resolvedUser(in *discordgo.Interaction, res *discordgo.ApplicationCommandInteractionDataResolved, id string) bot.Identity {
	out := bot.Identity{Platform: bot.Discord, Workspace: a.workspace(in.GuildID), UserID: id}
	if res == nil {
		return out
	}
	if m, ok := res.Members[id]; ok && m != nil && m.Nick != "" {
		out.Name = m.Nick
		return out
	}
	if u, ok := res.Users[id]; ok && u != nil {
		out.Name = u.DisplayName()
	}
	return out
}

// lookup completes what Discord knows of a person: their display name.
func (a *Adapter) lookup(ctx context.Context, id bot.Identity) (bot.Identity, error) {
	if id.UserID == "" {
		return id, errors.New("discord: lookup needs a user id")
	}
	u, err := a.session.User(id.UserID, discordgo.WithContext(ctx))
	if err != nil {
		return id, fmt.Errorf("discord: look up user %s: %w", id.UserID, deliveryError(err))
	}
	id.Platform = bot.Discord
	if id.Name == "" {
		id.Name = u.DisplayName()
	}
	if id.Username == "" {
		id.Username = u.Username
	}
	return id, nil
}

// recoverPanic logs a panic in an event handler instead of crashing the bot.
func (a *Adapter) recoverPanic(where string, attrs ...any) {
	if r := recover(); r != nil {
		a.log.Error("recovered from panic", append([]any{slog.String("in", where), slog.Any("panic", r), slog.String("stack", string(debug.Stack()))}, attrs...)...)
	}
}
