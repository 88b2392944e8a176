package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
)

var (
	_ bot.RoleMembers = (*Adapter)(nil)
	_ bot.UserFinder  = (*Adapter)(nil)
)

// Listing a server's members.
const (
	// membersPage is how many members one List Guild Members call asks
	// for: Discord's most.
	membersPage = 1000
	// maxMemberPages bounds the pages read for one role: a server of
	// 100,000 people.
	maxMemberPages = 100
)

// RoleMembers implements bot.RoleMembers: List Guild Members (GET
// /guilds/{id}/members), paged by the highest user id seen, keeping those
// with the role and leaving bots out. It needs the privileged Server
// Members intent switched on in the developer portal; without it Discord
// answers 50001 (codeMissingAccess) and this says how to switch it on. discordgo waits out
// 429s itself. More than bot.MaxSyncMembers with the role is refused.
func (a *Adapter) RoleMembers(ctx context.Context, guildID, roleID string) ([]bot.Identity, error) {
	var out []bot.Identity
	after := ""
	for range maxMemberPages {
		page, err := a.session.GuildMembers(guildID, after, membersPage, discordgo.WithContext(ctx))
		if err != nil {
			return nil, membersError(err)
		}
		for _, m := range page {
			if m.User == nil || m.User.Bot || !slices.Contains(m.Roles, roleID) {
				continue
			}
			out = append(out, bot.Identity{Platform: bot.Discord, Workspace: guildID, UserID: m.User.ID, Name: m.DisplayName()})
		}
		if len(out) > bot.MaxSyncMembers {
			return nil, &bot.TooManyMembersError{N: len(out)}
		}
		if len(page) < membersPage {
			return out, nil
		}
		after = page[len(page)-1].User.ID
	}
	return nil, &bot.UserError{Code: bot.EInvalid, Message: "This server is too big for me to read its members in one go.",
		Hint: "Add students with `/plp class add` instead."}
}

// FindUser implements bot.UserFinder: a server member by username (Search
// Guild Members, which also needs the Server Members intent), matched
// exactly, in any case, without the old #0000 tag. An empty guildID is the
// school's server (homeGuild).
func (a *Adapter) FindUser(ctx context.Context, guildID, username string) (bot.Identity, error) {
	name, _, _ := strings.Cut(strings.TrimPrefix(username, "@"), "#")
	if name == "" {
		return bot.Identity{}, bot.ErrNoSuchUser
	}
	guildID, err := a.homeGuild(ctx, guildID)
	if err != nil {
		return bot.Identity{}, err
	}
	found, err := a.session.GuildMembersSearch(guildID, name, 10, discordgo.WithContext(ctx))
	if err != nil {
		return bot.Identity{}, membersError(err)
	}
	for _, m := range found {
		if m.User != nil && !m.User.Bot && strings.EqualFold(m.User.Username, name) {
			return bot.Identity{Platform: bot.Discord, Workspace: guildID, UserID: m.User.ID, Name: m.DisplayName()}, nil
		}
	}
	return bot.Identity{}, bot.ErrNoSuchUser
}

// homeGuild is guildID, or when that is empty the school's server:
// discord.guild_id, else the one server the bot is in (from the gateway
// when it runs, else asked of Discord, as plpbot import does). A bot in
// several servers with no discord.guild_id can't tell: a *bot.UserError
// says to set it.
func (a *Adapter) homeGuild(ctx context.Context, guildID string) (string, error) {
	if guildID != "" {
		return guildID, nil
	}
	if id := a.workspace(""); id != "" {
		return id, nil
	}
	gs, err := a.session.UserGuilds(2, "", "", false, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("discord: list the bot's servers: %w", err)
	}
	if len(gs) == 1 {
		return gs[0].ID, nil
	}
	return "", &bot.UserError{Code: bot.EInvalid, Message: "I'm in several Discord servers (or none), so I can't tell which is the school's.",
		Hint: "Set discord.guild_id in plpbot's config to the school's server id."}
}

// FindsBy implements bot.UserFinder: Discord finds people by username.
func (a *Adapter) FindsBy() string { return "username" }

// membersError explains Discord's refusal to list members: without the
// Server Members intent (50001, Missing Access) it says how to switch it on.
func membersError(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil && re.Message.Code == codeMissingAccess {
		return &bot.UserError{Code: bot.EForbidden,
			Message: "Discord won't show me who is in this server: the bot's Server Members intent is off.",
			Hint: "In the Discord developer portal, open plpbot → Bot → Privileged Gateway Intents, turn on Server Members Intent " +
				"and save; then try again."}
	}
	return fmt.Errorf("discord: list members: %w", err)
}
