package bot

import (
	"context"
	"errors"
	"strconv"
)

// Optional capabilities, in the style of go-joe/joe: small interfaces that
// only some adapters or senders implement, checked by type assertion where
// they are used. Whoever lacks one gets a plain fallback, so the console
// needs none of them.

// Reacher is an optional capability of a Sender: the platforms it delivers
// on. The scheduler claims only outbox items for those platforms, so a
// process that runs no adapter for a platform (a console on a shared
// database, a replica with other adapters) leaves its messages to one that
// does. A Sender without it is offered every item.
type Reacher interface {
	// Reaches returns the platforms this sender delivers on.
	Reaches() []Platform
}

// DMAdvisor is an optional capability of an adapter: it knows how a person
// allows the bot's direct messages on its platform.
type DMAdvisor interface {
	// AllowDMsHint is one or two short, warm sentences that end with the
	// action, such as "open plpbot's Messages tab and send me a quick hi."
	AllowDMsHint() string
}

// Mentioner is an optional capability of an adapter: how to write a mention
// of a person that its command parser reads back, for suggested commands
// such as "/plp student <@U123>". Without it a mention is "@" and the
// platform user id, the console's style.
type Mentioner interface {
	// Mention writes a mention of id.
	Mention(id Identity) string
}

// ChannelMembers is an optional capability of an adapter: who is in a
// channel, for /plp class sync. Slack implements it
// (conversations.members, paged, then each person's profile); the console
// and Discord don't (on Discord, a role says who is in a class).
type ChannelMembers interface {
	// ChannelMembers returns the people in channel, bots left out, with
	// their names where the platform gives them. A channel too big to be a
	// class (over MaxSyncMembers) is refused with a *UserError, before any
	// profile is read.
	ChannelMembers(ctx context.Context, channel Channel) ([]Identity, error)
}

// RoleMembers is an optional capability of an adapter: who has a role in a
// workspace (a Discord server), for /plp class sync role:@Role. Discord
// lists a server's members only to bots with the Server Members intent
// switched on; without it the adapter says so in a *UserError.
type RoleMembers interface {
	// RoleMembers returns the people (not bots) of workspace with roleID.
	RoleMembers(ctx context.Context, workspace, roleID string) ([]Identity, error)
}

// UserFinder is an optional capability of an adapter: find one person by
// what a school pastes into a list, for /plp class add, or by what the
// roster says of them, to link them at import. Slack finds people by email
// (users.lookupByEmail), Discord by username. Each call keeps to the
// platform's rate limit, waiting its turn.
type UserFinder interface {
	// FindUser returns the person of workspace known by handle, an email
	// on Slack and a username on Discord; ErrNoSuchUser if nobody is. An
	// empty workspace is the adapter's own (the Slack token's workspace,
	// the school's Discord server).
	FindUser(ctx context.Context, workspace, handle string) (Identity, error)
	// FindsBy names what FindUser takes, for messages: "email" or "username".
	FindsBy() string
}

// ErrNoSuchUser is what a UserFinder returns when nobody answers to a handle.
var ErrNoSuchUser = errors.New("no such user")

// UserDirectory is an optional capability of a UserFinder: the workspace's
// whole member list, read a page at a time, each person with the handle
// FindUser takes. Linking a whole roster at import reads it once and
// matches people locally instead of looking each up: on Slack, users.list
// (Tier 2, 200 people a page) reads a school of 2,000 in about ten calls,
// where users.lookupByEmail (Tier 3, 50 a minute) takes 40 minutes. Slack
// implements it; Discord doesn't (listing a server needs the Server Members
// intent, and usernames are searched quickly enough).
type UserDirectory interface {
	// EachUser calls fn with the people of workspace ("" for the adapter's
	// own), a page at a time, in no particular order: the same people
	// FindUser finds, each once, with the handle FindUser finds them by
	// (bots, apps, deactivated accounts and people without a handle left
	// out). It keeps to the platform's rate limit, waiting its turn, and
	// returns fn's first error, or a *UserError when the platform hides the
	// handles (a missing scope, with what to do). A nil error means the
	// list was read to its end.
	EachUser(ctx context.Context, workspace string, fn func([]Listed) error) error
}

// Listed is one person of a UserDirectory: their account and the handle
// FindUser would find them by (an email on Slack).
type Listed struct {
	Handle string
	Identity
}

// MaxSyncMembers bounds the people one class sync brings in: a class
// channel or role, not a whole school's #general.
const MaxSyncMembers = 500

// TooManyMembersError is what ChannelMembers and RoleMembers return for a
// group bigger than MaxSyncMembers, found before anyone's profile is read.
type TooManyMembersError struct{ N int }

// Error implements error.
func (e *TooManyMembersError) Error() string {
	return "too many members to sync: " + strconv.Itoa(e.N)
}
