package grammar

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// token is one word of a command line. Text arguments are cut from the line
// itself (line[start:end]) so their spacing, newlines and quotes survive;
// other arguments use val, the word with its quotes removed.
type token struct {
	val        string
	start, end int  // byte offsets of the raw word in the line
	quoted     bool // the whole word was one quoted string
}

// isQuote reports whether r opens or closes a quoted string. Phones turn "
// into smart quotes, so “ ” „ count too; apostrophes do not (I'm, don't).
func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

// tokenize splits line on white space, keeping "quoted strings" together.
// A quote with no closing partner is an ordinary character.
func tokenize(line string) []token {
	var toks []token
	i := 0
	for i < len(line) {
		r, n := utf8.DecodeRuneInString(line[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		t := token{start: i}
		var b strings.Builder
		whole := isQuote(r)
		for i < len(line) {
			r, n = utf8.DecodeRuneInString(line[i:])
			if unicode.IsSpace(r) {
				break
			}
			if isQuote(r) {
				if j := strings.IndexFunc(line[i+n:], isQuote); j >= 0 {
					b.WriteString(line[i+n : i+n+j])
					_, qn := utf8.DecodeRuneInString(line[i+n+j:])
					i += n + j + qn
					if whole && (i >= len(line) || startsWithSpace(line[i:])) {
						t.quoted = true
					}
					whole = false
					continue
				}
			}
			whole = false
			b.WriteString(line[i : i+n])
			i += n
		}
		t.end = i
		t.val = b.String()
		toks = append(toks, t)
	}
	return toks
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

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
// ignored) into a validated Invocation. An empty line asks for help.
//
// Words are separated by white space; "double" or “smart” quotes keep words
// together, such as a cron spec. Group names lead to subcommands; when the
// next word is not a subcommand, the group's Default subcommands are tried
// in order. Arguments bind as described on ArgKind and Arg.
//
// Every error is a *UserError with code EInvalid whose Message names the
// bad value, Usage shows the command's usage and Hint an example.
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
	case Nearest(toks[0].val, subNames(group)) != "":
		return nil, g.unknownCommand(path, group.Sub, toks[0].val)
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

func normalizeNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
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

// binding is the state of binding one command's words to its arguments.
type binding struct {
	g    *Grammar
	line string
	path []string
	cmd  *Command
	inv  *bot.Invocation
}

// bindTokens binds toks to cmd's arguments. progress counts the arguments
// bound before any error (two points each, one more if the failing value at
// least has the right shape, such as a date that does not exist), so the
// caller can tell which of several default subcommands came closest.
func (g *Grammar) bindTokens(line string, path []string, cmd *Command, toks []token) (*bot.Invocation, *bot.UserError, int) {
	b := &binding{g: g, line: line, path: path, cmd: cmd, inv: &bot.Invocation{
		Path:  append([]string(nil), path...),
		Args:  map[string]string{},
		Users: map[string][]bot.Identity{},
	}}
	progress := 0

	// Keyed arguments first: they may appear anywhere.
	positional := make([][]token, 0, 1) // runs of consecutive positional words
	run := []token(nil)
	for i := 0; i < len(toks); i++ {
		a, val := b.keyedArg(toks[i])
		if a == nil {
			run = append(run, toks[i])
			continue
		}
		if len(run) > 0 {
			positional = append(positional, run)
			run = nil
		}
		if b.inv.Has(a.Name) {
			return nil, b.errorf(a, "You gave %s: twice. Keep just one.", a.Name), progress
		}
		// The value: the rest of this word, then following words for text.
		j := i + 1
		var raw string
		switch {
		case a.Kind == ArgText:
			for j < len(toks) {
				if k, _ := b.keyedArg(toks[j]); k != nil {
					break
				}
				j++
			}
			raw = b.textFrom(toks[i], val, toks[i+1:j])
		case val == "" && j < len(toks):
			if k, _ := b.keyedArg(toks[j]); k == nil {
				val = toks[j].val
				j++
			}
			raw = val
		default:
			raw = val
		}
		i = j - 1
		if strings.TrimSpace(raw) == "" {
			return nil, b.errorf(a, "Add a value after %s: — such as %s.", a.Name, "`"+keyedExample(a)+"`"), progress
		}
		if uerr := b.set(a, raw); uerr != nil {
			return nil, uerr, progress + looksLike(a, raw)
		}
		progress += 2
	}
	if len(run) > 0 {
		positional = append(positional, run)
	}
	var rest []token
	for _, r := range positional {
		rest = append(rest, r...)
	}

	// Positional arguments in order.
	for ai := range cmd.Args {
		a := &cmd.Args[ai]
		if a.Keyed {
			continue
		}
		switch a.Kind {
		case ArgText:
			if len(rest) > 0 {
				raw := b.textOfRuns(rest)
				rest = nil
				if uerr := b.set(a, raw); uerr != nil {
					return nil, uerr, progress
				}
			}
		case ArgUser, ArgUsers:
			var ids []bot.Identity
			for len(rest) > 0 && (a.Kind == ArgUsers || len(ids) == 0) {
				id, ok, uerr := parseMention(rest[0].val)
				if uerr != nil {
					uerr.Usage, uerr.Field, uerr.Hint = g.Usage(path), a.Name, b.hint()
					return nil, uerr, progress
				}
				if !ok {
					break
				}
				ids = append(ids, id)
				rest = rest[1:]
				progress += 2
			}
			if len(ids) > 0 {
				b.inv.Users[a.Name] = ids
			} else if a.Required && len(rest) > 0 {
				return nil, b.errorf(a, "I need a person here, such as @sam — %s isn't a mention.", echo(rest[0].val)), progress
			}
		case ArgLiteral:
			if len(rest) > 0 && strings.EqualFold(rest[0].val, a.Name) {
				b.inv.Args[a.Name] = "true"
				rest = rest[1:]
				progress += 2
			} else if a.Required && len(rest) > 0 {
				return nil, b.errorf(a, "I expected the word %s here, not %s.", bot.Bold(a.Name), echo(rest[0].val)), progress
			}
		default:
			if len(rest) > 0 {
				if uerr := b.set(a, rest[0].val); uerr != nil {
					return nil, uerr, progress + looksLike(a, rest[0].val)
				}
				rest = rest[1:]
				progress += 2
			}
		}
		if a.Required && !b.inv.Has(a.Name) {
			return nil, b.missing(a), progress
		}
	}
	for ai := range cmd.Args {
		if a := &cmd.Args[ai]; a.Keyed && a.Required && !b.inv.Has(a.Name) {
			return nil, b.missing(a), progress
		}
	}
	if len(rest) > 0 {
		extra := b.line[rest[0].start:rest[len(rest)-1].end]
		return nil, &bot.UserError{
			Code:    bot.EInvalid,
			Message: "I didn't expect " + echo(extra) + " after `/plp " + commandLine(path, cmd) + "`.",
			Usage:   g.Usage(path),
			Hint:    b.hint(),
		}, progress
	}
	return b.inv, nil, progress
}

// keyedArg returns the keyed argument t names ("by:2027-05-30") and the
// value after the colon, or nil if t is ordinary text.
func (b *binding) keyedArg(t token) (*Arg, string) {
	raw := b.line[t.start:t.end]
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 {
		return nil, ""
	}
	for i := range b.cmd.Args {
		a := &b.cmd.Args[i]
		if a.Keyed && strings.EqualFold(raw[:colon], a.Name) {
			// The value is the word after "name:", with quotes removed.
			return a, unquoteAll(raw[colon+1:])
		}
	}
	return nil, ""
}

// unquoteAll returns the value of a keyed word after its colon, with its
// quotes removed.
func unquoteAll(s string) string {
	var parts []string
	for _, t := range tokenize(s) {
		parts = append(parts, t.val)
	}
	return strings.Join(parts, " ")
}

// textFrom is the text of a keyed text argument: the value in the keyed word
// and the following words, cut from the line so spacing survives.
func (b *binding) textFrom(key token, val string, more []token) string {
	if len(more) == 0 {
		return val
	}
	raw := b.line[key.start:more[len(more)-1].end]
	colon := strings.IndexByte(raw, ':')
	return unquoteWhole(raw[colon+1:])
}

// textOfRuns is the text of a positional text argument: each run of
// consecutive words cut from the line, runs joined by a space.
func (b *binding) textOfRuns(ts []token) string {
	if len(ts) == 1 && ts[0].quoted {
		return ts[0].val
	}
	var parts []string
	start := 0
	for i := 1; i <= len(ts); i++ {
		if i == len(ts) || !b.adjacent(ts[i-1], ts[i]) {
			parts = append(parts, b.line[ts[start].start:ts[i-1].end])
			start = i
		}
	}
	return strings.Join(parts, " ")
}

// adjacent reports whether only white space lies between two words.
func (b *binding) adjacent(a, c token) bool {
	return strings.TrimSpace(b.line[a.end:c.start]) == ""
}

// unquoteWhole removes the quotes around s if s is one quoted string.
func unquoteWhole(s string) string {
	ts := tokenize(s)
	if len(ts) == 1 && ts[0].quoted {
		return ts[0].val
	}
	return s
}

// set validates raw for a and stores it.
func (b *binding) set(a *Arg, raw string) *bot.UserError {
	if a.Kind == ArgUser || a.Kind == ArgUsers {
		var ids []bot.Identity
		for _, t := range tokenize(raw) {
			id, ok, uerr := parseMention(t.val)
			if uerr == nil && !ok {
				uerr = &bot.UserError{Code: bot.EInvalid, Message: "I need a person here, such as @sam — " + echo(t.val) + " isn't a mention."}
			}
			if uerr != nil {
				uerr.Usage, uerr.Field, uerr.Hint = b.g.Usage(b.path), a.Name, b.hint()
				return uerr
			}
			ids = append(ids, id)
		}
		if a.Kind == ArgUser && len(ids) > 1 {
			return b.errorf(a, "Mention just one person for %s.", a.Name)
		}
		b.inv.Users[a.Name] = ids
		return nil
	}
	v, msg := validateValue(a, raw)
	if msg != "" {
		return b.errorf(a, "%s", msg)
	}
	if v == "" {
		if a.Required {
			return b.missing(a)
		}
		return nil
	}
	b.inv.Args[a.Name] = v
	return nil
}

func (b *binding) errorf(a *Arg, format string, args ...any) *bot.UserError {
	return b.g.argError(b.path, b.cmd, a, format, args...)
}

func (b *binding) missing(a *Arg) *bot.UserError { return b.g.missingArg(b.path, b.cmd, a) }

func (b *binding) hint() string { return hintFor(b.path, b.cmd) }

// argError builds the *UserError for argument a of the command at path.
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
// example, else its help.
func hintFor(path []string, cmd *Command) string {
	if cmd != nil && len(cmd.Examples) > 0 {
		return "Example: `/plp " + cmd.Examples[0] + "`"
	}
	return "More: `/plp help " + strings.Join(path, " ") + "`"
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
// the top level), suggesting the nearest name.
func (g *Grammar) unknownCommand(path []string, cmds []*Command, word string) *bot.UserError {
	names := make([]string, 0, len(cmds))
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	prefix := "/plp "
	if len(path) > 0 {
		prefix += strings.Join(path, " ") + " "
	}
	ue := &bot.UserError{Code: bot.EInvalid, Message: "I don't know `" + prefix + echo(word) + "`."}
	if s := Nearest(word, names); s != "" {
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

// needsSubcommand reports a group typed without one of its subcommands.
func (g *Grammar) needsSubcommand(path []string, group *Command) *bot.UserError {
	name := strings.Join(path, " ")
	return &bot.UserError{
		Code:    bot.EInvalid,
		Message: "`/plp " + name + "` needs one more word: " + listWords(subNames(group), "or") + ".",
		Usage:   g.Usage(path),
		Hint:    "See them all: `/plp help " + name + "`",
	}
}

// parseMention reads one mention of a person: Slack <@U123|name> or <@U123>,
// Discord <@123> or <@!123>, or the console's @name (user id and name are
// then both the lower-cased name). ok is false when s is not a mention at
// all; an error means s mentions something that is not one person, such as
// @everyone, <!here> or a Discord role.
func parseMention(s string) (id bot.Identity, ok bool, uerr *bot.UserError) {
	s = strings.TrimRight(s, ",;.!?")
	group := func() (bot.Identity, bool, *bot.UserError) {
		return bot.Identity{}, false, &bot.UserError{Code: bot.EInvalid,
			Message: echo(s) + " means a whole group, not one person. Mention one person, such as @sam."}
	}
	bad := func() (bot.Identity, bool, *bot.UserError) {
		return bot.Identity{}, false, &bot.UserError{Code: bot.EInvalid,
			Message: "I can't read the mention " + echo(s) + ". Mention one person, such as @sam."}
	}
	switch {
	case strings.HasPrefix(s, "<!"):
		return group()
	case strings.HasPrefix(s, "<@&"):
		return bot.Identity{}, false, &bot.UserError{Code: bot.EInvalid,
			Message: "That's a role, not a person. Mention one person, such as @sam."}
	case strings.HasPrefix(s, "<@"):
		if !strings.HasSuffix(s, ">") {
			return bad()
		}
		inner := strings.TrimPrefix(s[2:len(s)-1], "!")
		uid, name, _ := strings.Cut(inner, "|")
		if !isPlatformID(uid) {
			return bad()
		}
		if !isPrintable(name) || utf8.RuneCountInString(name) > 80 {
			name = ""
		}
		return bot.Identity{UserID: uid, Name: name}, true, nil
	case strings.HasPrefix(s, "@") && len(s) > 1:
		name := strings.ToLower(s[1:])
		switch name {
		case "everyone", "here", "channel":
			return group()
		}
		if utf8.RuneCountInString(name) > 80 || strings.IndexFunc(name, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '_' && r != '-'
		}) >= 0 {
			return bad()
		}
		return bot.Identity{UserID: name, Name: name}, true, nil
	}
	return bot.Identity{}, false, nil
}

// isPlatformID reports whether s looks like a Discord snowflake (digits) or
// a Slack user id (U or W then upper-case letters and digits).
func isPlatformID(s string) bool {
	if s == "" || len(s) > 24 {
		return false
	}
	digits, slack := true, s[0] == 'U' || s[0] == 'W'
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			digits = false
		}
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			slack = false
		}
	}
	return digits || (slack && len(s) > 1)
}

// isPrintable reports whether s is valid UTF-8 without control characters
// or markup markers.
func isPrintable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || bot.IsMarker(r)
	}) < 0
}

// keyedExample is a sample of a keyed argument, for messages.
func keyedExample(a *Arg) string {
	switch a.Kind {
	case ArgDate:
		return a.Name + ":2027-05-30"
	case ArgChoice:
		if len(a.Choices) > 0 {
			return a.Name + ":" + a.Choices[0]
		}
	case ArgRange:
		return a.Name + ":" + strconv.Itoa(a.Max)
	case ArgText:
		return a.Name + ":some words"
	}
	return a.Name + ":" + placeholder(a)
}

// looksLike returns 1 if v has the shape of a's kind even though it failed
// validation ("2027-02-30" for a date), else 0.
func looksLike(a *Arg, v string) int {
	v = strings.TrimSpace(v)
	var ok bool
	switch a.Kind {
	case ArgDate:
		ok = dateRE.MatchString(v)
	case ArgTime:
		ok = strings.Contains(v, ":") || strings.HasSuffix(strings.ToLower(v), "m")
	case ArgNumber, ArgRange, ArgPercent:
		ok = v != "" && strings.Trim(v, "#%0123456789") == ""
	case ArgStep:
		ok = strings.Contains(v, ".")
	case ArgUser, ArgUsers:
		ok = strings.HasPrefix(v, "@") || strings.HasPrefix(v, "<")
	default:
		ok = true
	}
	if ok {
		return 1
	}
	return 0
}
