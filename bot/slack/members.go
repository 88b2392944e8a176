package slack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plpbot/plpbot/bot"
	"github.com/slack-go/slack"
)

var (
	_ bot.ChannelMembers = (*Adapter)(nil)
	_ bot.UserFinder     = (*Adapter)(nil)
	_ bot.UserDirectory  = (*Adapter)(nil)
)

// membersPage is how many members one conversations.members call asks
// for: Slack's most.
const membersPage = 1000

// ChannelMembers implements bot.ChannelMembers: conversations.members,
// paged by cursor, then users.info for each member, leaving out bots,
// deactivated accounts and Slackbot. Both methods are Tier 4 (100+ a
// minute); a 429 is waited out (withRetry). A channel over
// bot.MaxSyncMembers is refused before any profile is read.
func (a *Adapter) ChannelMembers(ctx context.Context, ch bot.Channel) ([]bot.Identity, error) {
	var ids []string
	cursor := ""
	for {
		var page []string
		var next string
		err := a.withRetry(ctx, "conversations.members", func() error {
			var err error
			page, next, err = a.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{
				ChannelID: ch.ChannelID, Cursor: cursor, Limit: membersPage})
			return err
		})
		if err != nil {
			return nil, membersError(err)
		}
		ids = append(ids, page...)
		if len(ids) > bot.MaxSyncMembers {
			return nil, &bot.TooManyMembersError{N: len(ids)}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	out := make([]bot.Identity, 0, len(ids))
	for _, id := range ids {
		var u *slack.User
		err := a.withRetry(ctx, "users.info", func() error {
			var err error
			u, err = a.api.GetUserInfoContext(ctx, id, slack.GetUserInfoOptionIncludeLocale(true))
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("slack users.info %s: %w", id, err)
		}
		if u.IsBot || u.Deleted || u.ID == "USLACKBOT" {
			continue
		}
		out = append(out, identityOf(u, ch.Workspace))
	}
	return out, nil
}

// identityOf is what Slack says of a person, as the handlers take it.
func identityOf(u *slack.User, workspace string) bot.Identity {
	id := bot.Identity{Platform: bot.Slack, Workspace: workspace, UserID: u.ID, TimeZone: u.TZ, Locale: u.Locale}
	if id.Workspace == "" {
		id.Workspace = u.TeamID
	}
	switch {
	case u.Profile.DisplayName != "":
		id.Name = u.Profile.DisplayName
	case u.RealName != "":
		id.Name = u.RealName
	default:
		id.Name = u.Name
	}
	return id
}

// slackCode is the error code of a Slack API refusal ("channel_not_found"),
// or "".
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// membersError explains why Slack won't list a channel's members.
func membersError(err error) error {
	switch slackCode(err) {
	case "channel_not_found", "not_in_channel":
		return &bot.UserError{Code: bot.EForbidden,
			Message: "I can't see who is in that channel: it's private and I'm not in it.",
			Hint:    "Invite me with `/invite @plpbot`, then run `/plp class sync` again."}
	case "missing_scope":
		return &bot.UserError{Code: bot.EForbidden,
			Message: "plpbot's Slack app isn't allowed to list channel members yet (scopes channels:read and groups:read).",
			Hint:    "Ask your Slack admin to update the app from plpbot's manifest and reinstall it."}
	}
	return fmt.Errorf("slack conversations.members: %w", err)
}

// LookupsPerMinute is the pace FindUser keeps to: users.lookupByEmail is
// Tier 3 (50+ a minute), so looking up a roster of 2,000 one by one would
// take about 40 minutes; linking a roster reads the member list instead
// (EachUser).
const LookupsPerMinute = 50

// ListPagesPerMinute is the pace EachUser keeps to: users.list is Tier 2
// (20+ a minute), after a short burst.
const ListPagesPerMinute = 20

// ListPage is how many people one users.list call asks for: Slack's advice
// ("no more than 200 results at a time").
const ListPage = 200

// FindUser implements bot.UserFinder: a person by email
// (users.lookupByEmail, Tier 3, which needs the users:read.email scope).
func (a *Adapter) FindUser(ctx context.Context, workspace, email string) (bot.Identity, error) {
	if !strings.Contains(email, "@") {
		return bot.Identity{}, bot.ErrNoSuchUser
	}
	var u *slack.User
	err := a.withRetry(ctx, "users.lookupByEmail", func() error {
		var err error
		u, err = a.api.GetUserByEmailContext(ctx, email)
		return err
	})
	switch code := slackCode(err); {
	case code == "users_not_found", code == "invalid_email":
		return bot.Identity{}, bot.ErrNoSuchUser
	case code == "missing_scope":
		return bot.Identity{}, emailScopeError()
	case err != nil:
		return bot.Identity{}, fmt.Errorf("slack users.lookupByEmail: %w", err)
	case u.IsBot || u.Deleted:
		return bot.Identity{}, bot.ErrNoSuchUser
	}
	return identityOf(u, workspace), nil
}

// emailScopeError says the app can't see people's emails, and what to do.
func emailScopeError() error {
	return &bot.UserError{Code: bot.EForbidden,
		Message: "plpbot's Slack app isn't allowed to look people up by email yet (scope users:read.email).",
		Hint:    "Ask your Slack admin to update the app from plpbot's manifest and reinstall it, or mention people instead."}
}

// FindsBy implements bot.UserFinder: Slack finds people by email.
func (a *Adapter) FindsBy() string { return "email" }

// EachUser implements bot.UserDirectory: users.list, ListPage people a
// page, paged by cursor at Tier 2 (a 429 is waited out, as Retry-After
// says). Each person's handle is their profile email, which Slack shows
// only with the users:read.email scope: a page of people none of whom has
// one means the scope is missing, and is refused with what to do rather
// than read as a workspace of nobody. Bots, apps, Slackbot and deactivated
// accounts are left out, as FindUser leaves them out.
func (a *Adapter) EachUser(ctx context.Context, workspace string, fn func([]bot.Listed) error) error {
	p := a.api.GetUsersPaginated(slack.GetUsersOptionLimit(ListPage))
	for {
		err := a.withRetry(ctx, "users.list", func() (err error) {
			p, err = p.Next(ctx) // on an error, p is as it was
			return err
		})
		switch {
		case p.Done(err):
			return nil
		case slackCode(err) == "missing_scope":
			return &bot.UserError{Code: bot.EForbidden,
				Message: "plpbot's Slack app isn't allowed to read the workspace's member list yet (scopes users:read and users:read.email).",
				Hint:    "Ask your Slack admin to update the app from plpbot's manifest and reinstall it."}
		case err != nil:
			return fmt.Errorf("slack users.list: %w", err)
		}
		page, people := listedOf(p.Users, workspace)
		if people > 0 && len(page) == 0 {
			return emailScopeError()
		}
		if err := fn(page); err != nil {
			return err
		}
	}
}

// listedOf are the people of one users.list page with their emails, and
// how many people (bots and the like aside) the page had, with or
// without an email.
func listedOf(users []slack.User, workspace string) ([]bot.Listed, int) {
	out := make([]bot.Listed, 0, len(users))
	people := 0
	for i := range users {
		u := &users[i]
		if u.IsBot || u.IsAppUser || u.Deleted || u.ID == "USLACKBOT" {
			continue
		}
		people++
		if email := strings.TrimSpace(u.Profile.Email); email != "" {
			out = append(out, bot.Listed{Handle: email, Identity: identityOf(u, workspace)})
		}
	}
	return out, people
}
