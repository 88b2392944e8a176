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
