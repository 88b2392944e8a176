package bot

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
