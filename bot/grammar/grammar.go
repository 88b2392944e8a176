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
	// ArgDate is a real calendar date, YYYY-MM-DD.
	ArgDate
	// ArgTime is a 24-hour clock time, HH:MM. Normalised to two-digit hours.
	ArgTime
	// ArgUser is one mention of a person.
	ArgUser
	// ArgUsers is one or more mentions.
	ArgUsers
	// ArgChoice is one of Choices (case-insensitive, normalised to lower case).
	ArgChoice
	// ArgCron is a cron schedule with 5 fields, written in quotes on a command line.
	ArgCron
	// ArgRange is a whole number within Min..Max, such as confidence 1-5.
	ArgRange
	// ArgLiteral is a fixed word that must appear as written (its Name),
	// such as "until" or "confirm"; optional literals act as switches.
	ArgLiteral
	// ArgDuration is a span such as 1w, 2w, 3d, 24h.
	ArgDuration
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
}

// Grammar is the whole command tree, defined once and shared by the parser,
// the help text and platforms' command registration.
type Grammar struct {
	// Commands are the top-level commands, in the order help lists them.
	Commands []*Command
}
