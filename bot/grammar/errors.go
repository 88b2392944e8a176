package grammar

import (
	"strings"
	"unicode"

	"github.com/plpbot/plpbot/bot"
)

// argError builds the *bot.UserError for argument a of the command at path.
func (g *Grammar) argError(path []string, cmd *Command, a *Arg, format string, args ...any) *bot.UserError {
	ue := bot.Errorf(bot.EInvalid, format, args...)
	ue.Usage = g.Usage(path)
	ue.Hint = hintFor(path, cmd)
	if a != nil {
		ue.Field = a.Name
	}
	return ue
}

// missingArg reports a required argument that was not given.
func (g *Grammar) missingArg(path []string, cmd *Command, a *Arg) *bot.UserError {
	var msg string
	switch a.Kind {
	case ArgLiteral:
		msg = "`/plp " + commandLine(path, cmd) + "` needs the word " + bot.Bold(a.Name) + " — see the usage below."
	default:
		what := placeholder(a)
		if a.Description != "" {
			what += " — " + lowerFirst(a.Description)
		}
		msg = "`/plp " + commandLine(path, cmd) + "` needs " + what + "."
	}
	return g.argError(path, cmd, a, "%s", msg)
}

// hintFor is the one next step shown under an error: the command's first
// example, else its help page (a Default subcommand's is its group's).
func hintFor(path []string, cmd *Command) string {
	if cmd != nil && len(cmd.Examples) > 0 {
		return "Example: `/plp " + cmd.Examples[0] + "`"
	}
	return "More: `/plp help " + commandLine(path, cmd) + "`"
}

// commandLine is how people type the command at path: a Default
// subcommand's name is left out ("conference @sam …").
func commandLine(path []string, cmd *Command) string {
	if cmd != nil && cmd.Default && len(path) > 1 {
		return strings.Join(path[:len(path)-1], " ")
	}
	return strings.Join(path, " ")
}

func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// unknownCommand reports a word that is not a command (under path; nil for
// the top level), suggesting the nearest name people type.
func (g *Grammar) unknownCommand(path []string, cmds []*Command, word string) *bot.UserError {
	prefix := "/plp "
	if len(path) > 0 {
		prefix += strings.Join(path, " ") + " "
	}
	ue := &bot.UserError{Code: bot.EInvalid, Message: "I don't know `" + prefix + echo(word) + "`."}
	if s := Nearest(word, typedNamesIn(cmds)); s != "" {
		sugPath := append(append([]string(nil), path...), s)
		ue.Message = "I don't know `" + prefix + echo(word) + "`. Did you mean `" + prefix + s + "`?"
		ue.Usage = g.Usage(sugPath)
		ue.Hint = "More: `/plp help " + strings.Join(sugPath, " ") + "`"
		return ue
	}
	if len(path) > 0 {
		ue.Usage = g.Usage(path)
		ue.Hint = "See them all: `/plp help " + strings.Join(path, " ") + "`"
		return ue
	}
	ue.Usage = g.Usage([]string{"help"})
	ue.Hint = "See what you can do: `/plp help`"
	return ue
}

// needsSubcommand reports a group typed without one of its subcommands. A
// group with Default subcommands is shown as people type it: its usage
// lists their forms, and the hint is an example everyone may try.
func (g *Grammar) needsSubcommand(path []string, group *Command) *bot.UserError {
	name := strings.Join(path, " ")
	ue := &bot.UserError{
		Code:    bot.EInvalid,
		Message: "`/plp " + name + "` needs one more word: " + listWords(subNames(group), "or") + ".",
		Usage:   g.Usage(path),
		Hint:    "See them all: `/plp help " + name + "`",
	}
	if !hasDefault(group) {
		return ue
	}
	ue.Message = "`/plp " + name + "` needs a little more — see the usage below."
	for _, s := range group.Sub {
		if s.Default && s.Audience == Everyone && len(s.Examples) > 0 {
			ue.Hint = "Example: `/plp " + s.Examples[0] + "`"
			break
		}
	}
	return ue
}
