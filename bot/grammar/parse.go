package grammar

import (
	"strconv"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// StripPrefix removes a leading "/plp" (any case) from a command line and
// returns the rest, trimmed.
func StripPrefix(line string) string {
	s := strings.TrimSpace(line)
	if len(s) >= 4 && strings.EqualFold(s[:4], "/plp") && (len(s) == 4 || startsWithSpace(s[4:])) {
		s = strings.TrimSpace(s[4:])
	}
	return s
}

// maxLineLen bounds a command line in bytes: the longest text argument
// (plpbot.MaxTextLen characters of up to 4 bytes) plus room for the rest.
const maxLineLen = 4*plpbot.MaxTextLen + 1024

// Parse turns a command line (what follows "/plp"; a leading "/plp" is
// ignored) into a validated bot.Invocation. An empty line asks for help.
//
// Words are separated by white space; "double" or “smart” quotes keep words
// together, such as a cron spec. Group names lead to subcommands; when the
// next word is not a subcommand, the group's Default subcommands are tried
// in order. Arguments bind as described on ArgKind and Arg.
//
// Every error is a *bot.UserError with code bot.EInvalid whose Message
// names the bad value, Usage shows the command's usage and Hint an example.
func (g *Grammar) Parse(line string) (*bot.Invocation, error) {
	if len(line) > maxLineLen {
		return nil, &bot.UserError{Code: bot.EInvalid,
			Message: "That's too long for one command. Keep it under " + strconv.Itoa(plpbot.MaxTextLen) + " characters.",
			Usage:   g.Usage([]string{"help"}), Hint: "See what you can do: `/plp help`"}
	}
	line = normalizeNewlines(StripPrefix(line))
	toks := tokenize(line)
	if len(toks) == 0 {
		return &bot.Invocation{Path: []string{"help"}, Args: map[string]string{}, Users: map[string][]bot.Identity{}}, nil
	}
	word := strings.ToLower(toks[0].val)
	cmd := findIn(g.Commands, word)
	if cmd == nil {
		return nil, g.unknownCommand(nil, g.Commands, toks[0].val)
	}
	path := []string{cmd.Name}
	toks = toks[1:]
	for len(cmd.Sub) > 0 {
		if len(toks) > 0 {
			if sub := findIn(cmd.Sub, strings.ToLower(toks[0].val)); sub != nil {
				cmd = sub
				path = append(path, sub.Name)
				toks = toks[1:]
				continue
			}
		}
		return g.parseDefault(line, path, cmd, toks)
	}
	inv, uerr, _ := g.bindTokens(line, path, cmd, toks)
	if uerr != nil {
		return nil, uerr
	}
	return inv, nil
}

// parseDefault handles a group followed by a word that is not one of its
// subcommands: it tries each Default subcommand and keeps the first that
// binds. If none does, a word that looks like a misspelled subcommand wins;
// else the error of the default that got furthest.
func (g *Grammar) parseDefault(line string, path []string, group *Command, toks []token) (*bot.Invocation, error) {
	var bestErr *bot.UserError
	best := -1
	defaultsTakeArgs := false
	for _, sub := range group.Sub {
		if !sub.Default {
			continue
		}
		defaultsTakeArgs = defaultsTakeArgs || len(sub.Args) > 0
		subPath := append(append([]string(nil), path...), sub.Name)
		inv, uerr, progress := g.bindTokens(line, subPath, sub, toks)
		if uerr == nil {
			return inv, nil
		}
		if progress > best {
			best, bestErr = progress, uerr
		}
	}
	switch {
	case len(toks) == 0:
		return nil, g.needsSubcommand(path, group)
	case Nearest(toks[0].val, typedNamesIn(group.Sub)) != "":
		return nil, g.unknownCommand(path, group.Sub, toks[0].val)
	}
	if uerr := g.misspeltDefault(line, path, group, toks); uerr != nil {
		return nil, uerr
	}
	// "profile interests robotics" means "profile set interests robotics".
	// Only a sub whose first argument checks its value counts as evidence:
	// free text fits anything.
	for _, sub := range group.Sub {
		if len(sub.Args) == 0 || sub.Args[0].Kind == ArgText || sub.Args[0].Keyed {
			continue
		}
		subPath := append(append([]string(nil), path...), sub.Name)
		if _, uerr, _ := g.bindTokens(line, subPath, sub, toks); uerr == nil {
			rest := line[toks[0].start:toks[len(toks)-1].end]
			return nil, &bot.UserError{
				Code:    bot.EInvalid,
				Message: "I don't know `/plp " + strings.Join(path, " ") + " " + echo(toks[0].val) + "`. Did you mean `/plp " + strings.Join(subPath, " ") + " " + echo(rest) + "`?",
				Usage:   g.Usage(subPath),
				Hint:    hintFor(subPath, sub),
			}
		}
	}
	if bestErr == nil || !defaultsTakeArgs {
		return nil, g.unknownCommand(path, group.Sub, toks[0].val)
	}
	return nil, bestErr
}

// misspeltDefault reports a group followed by a misspelling of a Default
// subcommand's name ("conference shedule @sam …"), whose rest fits that
// subcommand: it suggests the line as people type it, without the name.
// It returns nil when the line is something else.
func (g *Grammar) misspeltDefault(line string, path []string, group *Command, toks []token) *bot.UserError {
	if Nearest(toks[0].val, defaultNamesIn(group.Sub)) == "" {
		return nil
	}
	for _, sub := range group.Sub {
		if !sub.Default {
			continue
		}
		subPath := append(append([]string(nil), path...), sub.Name)
		if _, uerr, _ := g.bindTokens(line, subPath, sub, toks[1:]); uerr != nil {
			continue
		}
		meant := "/plp " + strings.Join(path, " ")
		if len(toks) > 1 {
			meant += " " + echo(line[toks[1].start:toks[len(toks)-1].end])
		}
		return &bot.UserError{
			Code:    bot.EInvalid,
			Message: "I don't know `/plp " + strings.Join(path, " ") + " " + echo(toks[0].val) + "`. Did you mean `" + meant + "`?",
			Usage:   g.Usage(subPath),
			Hint:    hintFor(subPath, sub),
		}
	}
	return nil
}

// IsCommand reports whether a direct message starting with word is a
// command (its first word, after an optional "/plp", names a top-level
// command) rather than a reflection.
func (g *Grammar) IsCommand(word string) bool {
	f := strings.Fields(StripPrefix(word))
	return len(f) > 0 && findIn(g.Commands, f[0]) != nil
}

func findIn(cmds []*Command, name string) *Command {
	for _, c := range cmds {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

func subNames(group *Command) []string {
	names := make([]string, 0, len(group.Sub))
	for _, s := range group.Sub {
		names = append(names, s.Name)
	}
	return names
}
