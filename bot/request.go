package bot

import "context"

// Request is one thing a person asked of the bot: a slash command, a DM, a
// button press or a form submission.
//
// Exactly one of Invocation and Text is used: adapters that receive structured
// commands (Discord application commands, form submissions) set Invocation;
// adapters that receive a command line (Slack and console slash commands,
// buttons) set Text with Slash true; a direct message sets Text with Slash
// false, and the handler decides whether it is a command or a reflection.
type Request struct {
	// ID is the platform's id for the event, used to drop redeliveries; may be empty.
	ID string
	// Actor is the person asking.
	Actor Identity
	// Place is where they asked.
	Place Place
	// Invocation is a command that is already parsed into a path and arguments.
	Invocation *Invocation
	// Text is a command line (without the leading "/plp") or a DM's text.
	Text string
	// Slash is true when Text is a command line rather than a free DM.
	Slash bool
	// Attachments are the files sent with a DM (/plp import's roster zip).
	Attachments []Attachment
	// Lookup, if set, completes what the platform knows of a mentioned person
	// (name, time zone, locale). Handlers call it for people they meet first.
	Lookup func(ctx context.Context, id Identity) (Identity, error)
	// Adapter is the adapter that received the request, for optional
	// capabilities (DMAdvisor, Mentioner) that handlers check by type
	// assertion; nil when there is none, such as in tests.
	Adapter any
}

// Handler answers requests. Handle returns the messages to deliver (to the
// asker, to the channel, or to other people by DM) or an error. An error that
// is a *UserError is for the asker's eyes: render it with ErrorMessage.
// Any other error is internal; adapters log it and show ErrorMessage too,
// which hides the cause.
type Handler interface {
	Handle(ctx context.Context, req *Request) ([]Message, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req *Request) ([]Message, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, req *Request) ([]Message, error) {
	return f(ctx, req)
}

// Sender is how the bot reaches people when nobody asked: the scheduler's
// prompts, reminders and summaries. Each adapter implements it for its own
// platform; a router picks the adapter by the identity's platform and says
// which platforms it reaches (Reacher).
//
// Errors: the platform's own refusal that will not change (DMs blocked,
// unknown user) is an *UndeliverableError, and a refused DM marks the person
// as one who can't get DMs until they next write to the bot; a rate limit is
// a *RetryAfterError; anything else, including being asked for a platform
// the sender doesn't run, is treated as transient.
type Sender interface {
	// SendDM sends msg to one person as a direct message.
	SendDM(ctx context.Context, to Identity, msg Message) error
	// Post sends msg to a channel.
	Post(ctx context.Context, to Channel, msg Message) error
}
