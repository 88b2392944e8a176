package grammar

// ArgKind is the type of a command argument; it decides how the argument is
// parsed, validated and offered on platforms with typed options.
type ArgKind int

// Argument kinds.
const (
	// ArgText is free text. Positional: it takes every remaining word that is
	// not a keyed argument. Keyed (why:...): it takes the words up to the next
	// keyed argument. Control characters, markup markers and $-prefixed
	// operators are harmless here (text is stored as a value, never a query),
	// but control characters are refused.
	ArgText ArgKind = iota
	// ArgWord is a single word.
	ArgWord
	// ArgNumber is a whole number ≥ 1, such as a goal number.
	ArgNumber
	// ArgStep is a goal and step number, N.M.
	ArgStep
	// ArgPercent is 0..100, with or without a trailing %. Normalised to digits.
	ArgPercent
	// ArgDate is a real calendar date, YYYY-MM-DD (or with / or . between
	// the parts). A keyed date may also be written without its colon when it
	// ends the text ("by 2027-03-01"); a date with the day and month in
	// numbers (3/1/2027) is refused with the exact command for each reading.
	ArgDate
	// ArgTime is a time of day as people type it (15:00, 3pm, 3:00 PM,
	// noon), read by plpbot.ParseClock and normalised to HH:MM. On a command
	// line a following am or pm word belongs to the time, not to the next
	// argument.
	ArgTime
	// ArgUser is one mention of a person.
	ArgUser
	// ArgUsers is one or more mentions.
	ArgUsers
	// ArgChoice is one of Choices (case-insensitive, normalised to lower case).
	ArgChoice
	// ArgCron is a schedule read by plpbot.ParseSchedule: five cron fields
	// (day and month names allowed) or a descriptor such as @weekly,
	// optionally after CRON_TZ=Area/City. On a command line it is written in
	// quotes, or as up to five words when nothing follows it.
	ArgCron
	// ArgRange is a whole number within Min..Max, such as confidence 1-5.
	ArgRange
	// ArgLiteral is a fixed word that must appear as written (its Name),
	// such as "until" or "confirm"; optional literals act as switches.
	ArgLiteral
	// ArgDuration is a span such as 1w, 2w, 3d, 24h.
	ArgDuration
	// ArgRole is a mention of a group of people the platform keeps, a
	// Discord role: <@&123> on a command line, a role option on Discord.
	// Normalised to the role's id.
	ArgRole
)

// Arg describes one argument of a command.
type Arg struct {
	// Name is lower case, ≤ 32 characters (Discord's option name limit).
	Name string
	// Kind decides how the value is read, checked and offered.
	Kind ArgKind
	// Description is ≤ 100 characters (Discord's limit).
	Description string
	// Required arguments must be given; a missing one is an error that
	// names it.
	Required bool
	// Keyed arguments are written name:value on a command line, in any order.
	Keyed bool
	// Choices lists the accepted values of an ArgChoice (≤ 25).
	Choices []string
	// MaxLen limits ArgText and ArgWord (in characters); 0 means
	// plpbot.MaxTextLen.
	MaxLen int
	// Min and Max bound an ArgRange.
	Min, Max int
}

// Audience says who a command is for; help shows people what they can use.
type Audience int

// Audiences, from widest to narrowest.
const (
	// Everyone is every person the bot knows, students included.
	Everyone Audience = iota
	// Staff is teachers, counselors and admins.
	Staff
	// Admins is administrators only.
	Admins
)

// Command is a node of the command tree: a command with arguments, or a
// group of subcommands (Sub non-empty), or both through a Default
// subcommand.
type Command struct {
	// Name is lower case, ≤ 32 characters.
	Name string
	// Summary is one line, ≤ 100 characters.
	Summary string
	// Help is a longer explanation shown by "help COMMAND"; may be empty.
	Help string
	// Examples are command lines without "/plp".
	Examples []string
	// Audience is the narrowest audience that may run the command; help
	// hides it from everyone else.
	Audience Audience
	// Args are the command's arguments, positional ones in the order they
	// are typed.
	Args []Arg
	// Sub are the subcommands of a group, in the order help lists them.
	Sub []*Command
	// Default marks a subcommand that runs when the word after its group is
	// not a subcommand name ("conference @sam 2027-01-12 10:00" runs
	// "conference schedule"). When a group has several, the parser tries
	// them in order and keeps the first that fits.
	Default bool
	// Run answers the command. Every command without Sub has one: the
	// command is one entry, its words and its function together.
	Run Func
	// TextOnly marks a command people type (in a DM) or press as a button,
	// never pick from a platform's command menu: Discord, whose /plp holds
	// at most 25 commands, does not register it.
	TextOnly bool
	// Shows marks a command that only shows what is stored (its audit entry
	// aside): when the database can't be reached, its answer says nothing
	// could be shown rather than that nothing was saved.
	Shows bool
}

// Grammar is the whole command tree, defined once and shared by the parser,
// the help text and platforms' command registration.
type Grammar struct {
	// Commands are the top-level commands, in the order help lists them.
	Commands []*Command
}
