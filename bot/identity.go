package bot

// Platform names the chat system an identity or channel lives on.
type Platform string

// The platforms plpbot speaks.
const (
	Console Platform = "console"
	Slack   Platform = "slack"
	Discord Platform = "discord"
)

// Identity names one person on one platform. Platform, Workspace and UserID
// together are unique; the other fields are hints an adapter fills when it
// knows them (a Slack users.info answer, a Discord member).
type Identity struct {
	Platform  Platform
	Workspace string // Slack team id, Discord guild id; empty for the console
	UserID    string // the platform's user id (the console uses the name)
	Name      string // display name, if known
	TimeZone  string // IANA zone such as "America/New_York", if known
	Locale    string // such as "en-US", if known
	// Email is the address on the person's Slack profile, if known (it
	// needs the users:read.email scope): what links a Slack account to the
	// school's roster.
	Email string
	// Username is the person's unique account name where the platform has
	// one (Discord's username, the console's name), if known: what links a
	// Discord or console account to the school's roster.
	Username string
}

// Channel names a place where many people read, such as a class channel.
type Channel struct {
	Platform  Platform
	Workspace string
	ChannelID string
	Name      string // if known
}

// PlaceKind says whether a request came from a direct message or a channel.
type PlaceKind int

// Places a request can come from.
const (
	InDM PlaceKind = iota
	InChannel
)

// Place is where a request was made.
type Place struct {
	Kind    PlaceKind
	Channel Channel // set when Kind is InChannel
}
