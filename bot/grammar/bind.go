package grammar

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/plpbot/plpbot/bot"
)

// Bind validates arguments that arrive already structured — Discord options,
// a form's fields — exactly as Parse validates a command line, and returns
// the bot.Invocation. args holds values by argument name (an empty value
// counts as not given, as forms send for blank optional fields); users
// holds mentioned people by argument name (a user argument may instead be
// given in args as mention text). Required literals such as "until" carry
// no information in structured input and are set for the caller.
//
// Every error is a *bot.UserError with code bot.EInvalid, and Field names
// the argument at fault.
func (g *Grammar) Bind(path []string, args map[string]string, users map[string][]bot.Identity) (*bot.Invocation, error) {
	cmd, canon, uerr := g.resolve(path)
	if uerr != nil {
		return nil, uerr
	}
	inv := &bot.Invocation{Path: canon, Args: map[string]string{}, Users: map[string][]bot.Identity{}}
	argOf := func(name string) *Arg {
		for i := range cmd.Args {
			if cmd.Args[i].Name == name {
				return &cmd.Args[i]
			}
		}
		return nil
	}
	for _, name := range sortedKeys(args) {
		if argOf(name) == nil {
			ue := g.argError(canon, cmd, nil, "`/plp %s` has no option %s.", commandLine(canon, cmd), echo(name))
			ue.Field = name
			return nil, ue
		}
	}
	for _, name := range sortedKeys(users) {
		if a := argOf(name); a == nil || (a.Kind != ArgUser && a.Kind != ArgUsers) {
			ue := g.argError(canon, cmd, nil, "`/plp %s` has no person option %s.", commandLine(canon, cmd), echo(name))
			ue.Field = name
			return nil, ue
		}
	}
	b := &binding{g: g, path: canon, cmd: cmd, inv: inv}
	for i := range cmd.Args {
		a := &cmd.Args[i]
		switch a.Kind {
		case ArgUser, ArgUsers:
			ids := users[a.Name]
			if len(ids) == 0 && strings.TrimSpace(args[a.Name]) != "" {
				if uerr := b.set(a, args[a.Name]); uerr != nil {
					return nil, uerr
				}
				continue
			}
			if a.Kind == ArgUser && len(ids) > 1 {
				return nil, b.errorf(a, "Pick just one person for %s.", a.Name)
			}
			ids = slices.Clone(ids)
			for j := range ids {
				if ids[j].UserID == "" || !isPrintable(ids[j].UserID) {
					return nil, b.errorf(a, "I couldn't tell who you picked for %s. Please pick them again.", a.Name)
				}
				// A display name is only a hint: keep what can be shown.
				ids[j].Name = printableOnly(ids[j].Name)
			}
			if len(ids) > 0 {
				inv.Users[a.Name] = ids
			}
		case ArgLiteral:
			switch v := strings.ToLower(strings.TrimSpace(args[a.Name])); {
			case a.Required, v == "true", v == "yes", v == a.Name:
				inv.Args[a.Name] = "true"
			case v == "", v == "false", v == "no":
			default:
				return nil, b.errorf(a, "%s should be true or false, not %s.", a.Name, echo(v))
			}
		default:
			if strings.TrimSpace(args[a.Name]) == "" {
				break
			}
			if uerr := b.set(a, args[a.Name]); uerr != nil {
				return nil, uerr
			}
		}
		if a.Required && !inv.Has(a.Name) {
			return nil, b.missing(a)
		}
	}
	return inv, nil
}

// resolve finds the command a Bind path names and returns it with its
// canonical (lower-case) path.
func (g *Grammar) resolve(path []string) (*Command, []string, *bot.UserError) {
	cmds := g.Commands
	var cmd *Command
	var canon []string
	for _, p := range path {
		next := findIn(cmds, strings.TrimSpace(p))
		if next == nil {
			return nil, nil, g.unknownCommand(canon, cmds, p)
		}
		cmd = next
		canon = append(canon, next.Name)
		cmds = next.Sub
	}
	if cmd == nil {
		return nil, nil, g.unknownCommand(nil, g.Commands, "")
	}
	if len(cmd.Sub) > 0 {
		return nil, nil, g.needsSubcommand(canon, cmd)
	}
	return cmd, canon, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// binding is the state of binding one command's words to its arguments.
type binding struct {
	g    *Grammar
	line string
	path []string
	cmd  *Command
	inv  *bot.Invocation
	// progress counts the arguments bound so far, two points each; see
	// bindTokens.
	progress int
}

// bindTokens binds toks to cmd's arguments. progress counts the arguments
// bound before any error (two points each, one more if the failing value at
// least has the right shape, such as a date that does not exist), so the
// caller can tell which of several default subcommands came closest.
//
// Keyed arguments bind first, wherever they stand; the other words then
// fill the positional arguments in order, and any word left over is an
// error.
func (g *Grammar) bindTokens(line string, path []string, cmd *Command, toks []token) (*bot.Invocation, *bot.UserError, int) {
	b := &binding{g: g, line: line, path: path, cmd: cmd, inv: &bot.Invocation{
		Path:  append([]string(nil), path...),
		Args:  map[string]string{},
		Users: map[string][]bot.Identity{},
	}}
	rest, uerr := b.bindKeyed(toks)
	if uerr == nil {
		rest, uerr = b.bindPositional(rest)
	}
	if uerr == nil {
		uerr = b.requireKeyed()
	}
	if uerr == nil && len(rest) > 0 {
		uerr = b.unexpected(rest)
	}
	if uerr != nil {
		return nil, uerr, b.progress
	}
	return b.inv, nil, b.progress
}

// bindKeyed binds the keyed arguments (name:value, or a date after its
// name without the colon, see keyHits), which may appear anywhere, and
// returns the other words in order.
func (b *binding) bindKeyed(toks []token) ([]token, *bot.UserError) {
	hits := b.keyHits(toks)
	if uerr := b.askDateInText(toks, hits); uerr != nil {
		return nil, uerr
	}
	var rest []token
	for i := 0; i < len(toks); i++ {
		a := hits[i].arg
		if a == nil {
			rest = append(rest, toks[i])
			continue
		}
		if b.inv.Has(a.Name) {
			return nil, b.errorf(a, "You gave %s: twice. Keep just one.", a.Name)
		}
		raw, next := hits[i].val, i+hits[i].width
		if hits[i].width == 1 {
			raw, next = b.keyedValue(a, raw, toks, hits, i)
		}
		if strings.TrimSpace(raw) == "" {
			return nil, b.errorf(a, "Add a value after %s: — such as %s.", a.Name, "`"+keyedExample(a)+"`")
		}
		if uerr := b.bindSpan(a, raw, toks[i], toks[next-1]); uerr != nil {
			return nil, uerr
		}
		i = next - 1
	}
	return rest, nil
}

// keyHit is a keyed argument starting at a word: the argument, the value
// written in that word, and how many words it takes.
type keyHit struct {
	arg   *Arg
	val   string
	width int
}

// keyHits finds the keyed arguments among toks: name:value (one word;
// keyedValue reads on), and a date after its name without the colon ("by
// 2027-03-01", "since 2026-09-01": two words) when nothing but other keyed
// arguments follows it. It reads right to left, so each word is looked at
// once.
func (b *binding) keyHits(toks []token) []keyHit {
	hits := make([]keyHit, len(toks))
	for i := len(toks) - 1; i >= 0; i-- {
		if a, val := b.keyedArg(toks[i]); a != nil {
			hits[i] = keyHit{a, val, 1}
		} else if a := b.bareDate(toks, i); a != nil && (i+2 == len(toks) || hits[i+2].arg != nil) {
			hits[i] = keyHit{a, toks[i+1].val, 2}
		}
	}
	return hits
}

// keyedValue is the value of keyed argument a, named in toks[i] with val
// after its colon: for text, val and the words up to the next keyed
// argument; for a time, val and a following am or pm ("time:3 pm"); else
// val, or the next word if val is empty ("by: 2027-05-30"). next is the
// index of the first word after the value.
func (b *binding) keyedValue(a *Arg, val string, toks []token, hits []keyHit, i int) (raw string, next int) {
	j := i + 1
	switch {
	case a.Kind == ArgText:
		for j < len(toks) && hits[j].arg == nil {
			j++
		}
		return b.textFrom(toks[i], val, toks[i+1:j]), j
	case val == "" && j < len(toks):
		if hits[j].arg == nil {
			if a.Kind == ArgTime {
				raw, n := timeWords(toks[j:])
				return raw, j + n
			}
			return toks[j].val, j + 1
		}
	case a.Kind == ArgTime && j < len(toks):
		if raw, n := timeWords([]token{{val: val}, toks[j]}); n == 2 {
			return raw, j + 1
		}
	}
	return val, j
}

// bindSpan binds raw, written in the words first to last, to a: a date
// written day and month in numbers gets the exact command to type instead.
func (b *binding) bindSpan(a *Arg, raw string, first, last token) *bot.UserError {
	if a.Kind == ArgDate {
		if uerr := b.askNumericDate(a, raw, first, last); uerr != nil {
			b.progress++
			return uerr
		}
	}
	return b.bindValue(a, raw)
}

// bindValue validates raw for a, stores it and counts the progress.
func (b *binding) bindValue(a *Arg, raw string) *bot.UserError {
	if uerr := b.set(a, raw); uerr != nil {
		b.progress += looksLike(a, raw)
		return uerr
	}
	b.progress += 2
	return nil
}

// bindPositional binds the words left after the keyed arguments to the
// positional arguments, in order, and returns the words left over.
func (b *binding) bindPositional(rest []token) ([]token, *bot.UserError) {
	for i := range b.cmd.Args {
		a := &b.cmd.Args[i]
		if a.Keyed {
			continue
		}
		var uerr *bot.UserError
		switch a.Kind {
		case ArgText:
			rest, uerr = b.bindText(a, rest)
		case ArgUser, ArgUsers:
			rest, uerr = b.bindMentions(a, rest)
		case ArgLiteral:
			rest, uerr = b.bindLiteral(a, rest)
		case ArgTime:
			rest, uerr = b.bindTime(a, rest)
		case ArgCron:
			rest, uerr = b.bindCron(a, rest)
		default:
			if len(rest) > 0 {
				if uerr = b.bindSpan(a, rest[0].val, rest[0], rest[0]); uerr == nil {
					rest = rest[1:]
				}
			}
		}
		if uerr != nil {
			return nil, uerr
		}
		if a.Required && !b.inv.Has(a.Name) {
			return nil, b.missing(a)
		}
	}
	return rest, nil
}

// bindText gives every remaining word to positional text argument a.
// Text fits anything, so it earns no progress.
func (b *binding) bindText(a *Arg, rest []token) ([]token, *bot.UserError) {
	if len(rest) == 0 {
		return rest, nil
	}
	if uerr := b.askTrailingDate(rest); uerr != nil {
		return nil, uerr
	}
	if uerr := b.set(a, b.textOfRuns(rest)); uerr != nil {
		return nil, uerr
	}
	return nil, nil
}

// bindTime binds the time at the front of rest: one word, or two such as
// "3:00 PM" (see timeWords).
func (b *binding) bindTime(a *Arg, rest []token) ([]token, *bot.UserError) {
	if len(rest) == 0 {
		return rest, nil
	}
	raw, n := timeWords(rest)
	if uerr := b.bindValue(a, raw); uerr != nil {
		if phrase := wordsPhrase(rest, 3); phrase != "" {
			_, msg := validateValue(a, phrase) // "half past three": quote all of it
			uerr.Message = msg
		}
		return nil, uerr
	}
	return rest[n:], nil
}

// wordsPhrase joins up to n words at the front of ts made of letters only
// ("half past three"), or returns "" when the first is not one.
func wordsPhrase(ts []token, n int) string {
	var words []string
	for _, t := range ts[:min(n, len(ts))] {
		if t.val == "" || strings.ContainsFunc(t.val, func(r rune) bool { return !unicode.IsLetter(r) }) {
			break
		}
		words = append(words, t.val)
	}
	if len(words) < 2 {
		return ""
	}
	return strings.Join(words, " ")
}

// bindCron binds the schedule at the front of rest: one quoted word, or up
// to five words written without quotes (six after CRON_TZ=), as people
// type 0 14 * * FRI.
func (b *binding) bindCron(a *Arg, rest []token) ([]token, *bot.UserError) {
	if len(rest) == 0 {
		return rest, nil
	}
	n := 1
	first := rest[0].val
	if !rest[0].quoted && !strings.HasPrefix(first, "@") && !strings.ContainsFunc(first, unicode.IsSpace) {
		n = 5
		if up := strings.ToUpper(first); strings.HasPrefix(up, "CRON_TZ=") || strings.HasPrefix(up, "TZ=") {
			n = 6
		}
		n = min(n, len(rest))
	}
	words := make([]string, n)
	for i := range n {
		words[i] = rest[i].val
	}
	if uerr := b.bindValue(a, strings.Join(words, " ")); uerr != nil {
		return nil, uerr
	}
	return rest[n:], nil
}

// bindMentions takes the mentions at the front of rest for user argument
// a: one for ArgUser, as many as there are for ArgUsers.
func (b *binding) bindMentions(a *Arg, rest []token) ([]token, *bot.UserError) {
	var ids []bot.Identity
	for len(rest) > 0 && (a.Kind == ArgUsers || len(ids) == 0) {
		id, ok, uerr := parseMention(rest[0].val)
		if uerr != nil {
			uerr.Usage, uerr.Field, uerr.Hint = b.g.Usage(b.path), a.Name, b.hint()
			return nil, uerr
		}
		if !ok {
			break
		}
		ids = append(ids, id)
		rest = rest[1:]
		b.progress += 2
	}
	if len(ids) > 0 {
		b.inv.Users[a.Name] = ids
	} else if a.Required && len(rest) > 0 {
		return nil, b.errorf(a, "I need a person here, such as @sam — %s isn't a mention.", echo(rest[0].val))
	}
	return rest, nil
}

// bindLiteral takes literal a ("until") if it is the next word.
func (b *binding) bindLiteral(a *Arg, rest []token) ([]token, *bot.UserError) {
	switch {
	case len(rest) > 0 && strings.EqualFold(rest[0].val, a.Name):
		b.inv.Args[a.Name] = "true"
		b.progress += 2
		return rest[1:], nil
	case a.Required && len(rest) > 0:
		return nil, b.errorf(a, "I expected the word %s here, not %s.", bot.Bold(a.Name), echo(rest[0].val))
	}
	return rest, nil
}

// requireKeyed reports the first required keyed argument not given.
func (b *binding) requireKeyed() *bot.UserError {
	for i := range b.cmd.Args {
		if a := &b.cmd.Args[i]; a.Keyed && a.Required && !b.inv.Has(a.Name) {
			return b.missing(a)
		}
	}
	return nil
}

// unexpected reports the words left over once every argument is bound.
func (b *binding) unexpected(rest []token) *bot.UserError {
	extra := b.line[rest[0].start:rest[len(rest)-1].end]
	return &bot.UserError{
		Code:    bot.EInvalid,
		Message: "I didn't expect " + echo(extra) + " after `/plp " + commandLine(b.path, b.cmd) + "`.",
		Usage:   b.g.Usage(b.path),
		Hint:    b.hint(),
	}
}

// keyedArg returns the keyed argument t names ("by:2027-05-30", or
// "due:2027-05-30" by its alias) and the value after the colon, or nil if
// t is ordinary text.
func (b *binding) keyedArg(t token) (*Arg, string) {
	raw := b.line[t.start:t.end]
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 {
		return nil, ""
	}
	if a := b.keyedNamed(raw[:colon]); a != nil {
		// The value is the word after "name:", with quotes removed.
		return a, unquoteAll(raw[colon+1:])
	}
	return nil, ""
}

// keyAliases are other words people write for a keyed argument.
var keyAliases = map[string]string{"due": "by"}

// keyedNamed returns the command's keyed argument called name (any case),
// or the one name is an alias of.
func (b *binding) keyedNamed(name string) *Arg {
	alias := keyAliases[strings.ToLower(name)]
	var aliased *Arg
	for i := range b.cmd.Args {
		a := &b.cmd.Args[i]
		switch {
		case !a.Keyed:
		case strings.EqualFold(name, a.Name):
			return a
		case alias != "" && a.Name == alias:
			aliased = a
		}
	}
	return aliased
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
		ok = strings.ContainsAny(v, ":.") || strings.HasSuffix(strings.ToLower(v), "m") || strings.Trim(v, "0123456789") == ""
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
