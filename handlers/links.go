package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Who is who: a person the school's roster brought (plpbot.RosterID) is one
// plan whatever chat accounts they use. A chat account is linked to them
// by its Slack profile email, its Discord or console username (the SIS
// username, or a "discord:name" SIS id), or by an admin with /plp link.
// A linked account's requests act on the roster person; DMs go to the
// account the person last used.

// linkOnFirstSight links a chat account plpbot meets for the first time to
// the one roster person, not linked yet, whose email (Slack) or username
// (Discord, console) it carries. It returns the person the account now is:
// u itself when nothing matched or linking failed (logged; the newcomer
// simply has a plan of their own until staff link them).
func (h *Handlers) linkOnFirstSight(ctx context.Context, id bot.Identity, u *plpbot.Person) *plpbot.Person {
	email, username, how := "", id.Username, "username"
	if id.Platform == bot.Console && username == "" {
		username = id.UserID // the console's user id is the name typed
	}
	if id.Platform == bot.Slack {
		email, username, how = id.Email, "", "email"
	}
	if email == "" && username == "" {
		return u
	}
	p, err := h.store.Unlinked(ctx, string(id.Platform), email, username)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			h.log.WarnContext(ctx, "roster match failed", slog.String("user", u.ID), slog.Any("err", err))
		}
		return u
	}
	linked, err := h.store.Link(ctx, storageID(id), p.ID, how)
	if err != nil {
		h.log.WarnContext(ctx, "roster link failed", slog.String("user", u.ID), slog.String("person", p.ID), slog.Any("err", err))
		return u
	}
	// The account in use becomes the person's address for DMs.
	if now, _, err := h.store.EnsureUser(ctx, storageID(id), storage.UserHints{TimeZone: id.TimeZone, Locale: id.Locale}); err == nil {
		linked = now
	}
	if err := h.store.Audit(ctx, plpbot.AuditEntry{ActorID: linked.ID, ActorName: linked.Name, Action: "link",
		SubjectID: linked.ID, Detail: storageID(id).UserID() + " by " + how}); err != nil {
		h.log.WarnContext(ctx, "audit link", slog.String("person", linked.ID), slog.Any("err", err))
	}
	h.log.InfoContext(ctx, "linked to the roster", slog.String("account", storageID(id).UserID()),
		slog.String("person", linked.ID), slog.String("by", how))
	return linked
}

// cmdLink links a mentioned chat account to a roster person by their SIS
// sourcedId (admins; audited). A chat account that has a plan of its own
// is not linked: plpbot never merges two plans, so staff hear it as a
// conflict to settle by hand.
func (h *Handlers) cmdLink(ctx context.Context, c *call) ([]bot.Message, error) {
	mention, ok := c.Invocation.User("user")
	if !ok {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Mention whose chat account to link, such as @sam.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	id, err := mentionIdentity(c, mention)
	if err != nil {
		return nil, err
	}
	sid := strings.TrimSpace(c.Invocation.Arg("sourcedid"))
	person, err := h.store.User(ctx, plpbot.RosterID(sid))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: fmt.Sprintf("The roster has nobody with the id %s.", bot.User(sid)),
			Hint:    "Use the sourcedId from the SIS's users.csv, exactly as it is there."}
	}
	if err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	who, err := h.accountName(ctx, c, id)
	if err != nil {
		return nil, err
	}
	linked, err := h.store.Link(ctx, storageID(id), person.ID, c.Actor.ID)
	switch {
	case errors.Is(err, storage.ErrHasPlan):
		return nil, &bot.UserError{Code: bot.EConflict,
			Message: fmt.Sprintf("@%s already has a plan of their own, so I didn't link them to %s: plpbot never merges two plans.",
				bot.User(who), bot.User(person.Name)),
			Hint: "Check their plan with `/plp plan @" + who + "`; once it's moved over by hand and cleared (`/plp forget @" + who + "`), link again."}
	case errors.Is(err, storage.ErrLinkedElsewhere):
		return nil, &bot.UserError{Code: bot.EConflict,
			Message: fmt.Sprintf("@%s is already linked to someone else on the roster.", bot.User(who)),
			Hint:    "See whose plan it opens with `/plp plan @" + who + "`."}
	case err != nil:
		return nil, fmt.Errorf("link: %w", err)
	}
	if err := h.audit(ctx, c.Actor, "link", linked, storageID(id).UserID()+" → "+sid); err != nil {
		return nil, err
	}
	return []bot.Message{reply("", bot.Text{Text: fmt.Sprintf("Linked @%s to %s (%s): one plan, whichever account they use.",
		bot.User(who), bot.User(linked.Name), bot.User(sid))},
		bot.Context{Text: "See it with `/plp plan @" + who + "`."})}, nil
}

// accountName is the name of a mentioned chat account: as stored, or as
// the platform says (which also confirms it exists, so a link never names
// an account nobody owns).
func (h *Handlers) accountName(ctx context.Context, c *call, id bot.Identity) (string, error) {
	u, err := h.store.User(ctx, storageID(id).UserID())
	if err == nil {
		return u.Name, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("link: %w", err)
	}
	if id.Platform == bot.Console {
		return id.UserID, nil
	}
	if c.Request.Lookup == nil {
		return "", unknownPerson()
	}
	full, err := c.Request.Lookup(ctx, id)
	if err != nil {
		return "", unknownPerson()
	}
	if full.Name == "" {
		return id.UserID, nil
	}
	return full.Name, nil
}
