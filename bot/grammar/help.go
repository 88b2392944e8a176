package grammar

import (
	"slices"
	"strconv"
	"strings"

	"github.com/plpbot/plpbot/bot"
)

// Usage returns how to type the command at path, such as
// "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]".
// A Default subcommand is shown the way people type it, without its name
// ("/plp conference @user YYYY-MM-DD HH:MM [agenda]"); a group shows its
// Default subcommands' forms, then the names of the others
// ("/plp away [@user] until YYYY-MM-DD [note] · /plp away off"). An unknown
// path returns "".
func (g *Grammar) Usage(path []string) string {
	return g.usage(path, Admins)
}

// usage is Usage as seen by aud: arguments meant only for staff (their
// description starts "Staff only") and commands beyond aud are left out.
func (g *Grammar) usage(path []string, aud Audience) string {
	cmds := g.Commands
	var cmd *Command
	canon := make([]string, 0, len(path))
	for _, p := range path {
		cmd = findIn(cmds, p)
		if cmd == nil {
			return ""
		}
		canon = append(canon, cmd.Name)
		cmds = cmd.Sub
	}
	if cmd == nil {
		return ""
	}
	if len(cmd.Sub) > 0 {
		return g.groupUsage(canon, cmd, aud)
	}
	parts := []string{"/plp " + commandLine(canon, cmd)}
	for i := range cmd.Args {
		a := &cmd.Args[i]
		if aud < Staff && isStaffOnly(a) {
			continue
		}
		parts = append(parts, usageOf(a))
	}
	return strings.Join(parts, " ")
}

// groupUsage is how to type a group's commands as aud: each Default
// subcommand's own form (people never type its name), then the names of
// the others after the group's ("/plp step add|done").
func (g *Grammar) groupUsage(path []string, group *Command, aud Audience) string {
	var forms, names []string
	for _, s := range group.Sub {
		switch {
		case !visibleTo(s, aud):
		case s.Default:
			forms = append(forms, g.usage(append(slices.Clone(path), s.Name), aud))
		default:
			names = append(names, s.Name)
		}
	}
	if len(names) > 0 {
		forms = append(forms, "/plp "+strings.Join(path, " ")+" "+strings.Join(names, "|"))
	}
	return strings.Join(forms, " · ")
}

// isStaffOnly reports whether an argument of an everyone-command is meant
// only for staff ("export @sam"), by the convention of its description.
func isStaffOnly(a *Arg) bool { return strings.HasPrefix(a.Description, "Staff only") }

// usageOf is one argument as written in a usage line.
func usageOf(a *Arg) string {
	p := placeholder(a)
	if a.Keyed {
		p = a.Name + ":" + p
	}
	if a.Kind == ArgText && !a.Keyed && !a.Required {
		p = a.Name
	}
	if !a.Required {
		p = "[" + p + "]"
	}
	return p
}

// placeholder is what stands for an argument's value in usage lines and
// error messages, such as N, YYYY-MM-DD or @user.
func placeholder(a *Arg) string {
	switch a.Kind {
	case ArgText:
		if a.Keyed {
			return "TEXT"
		}
		return strings.ToUpper(a.Name)
	case ArgStep:
		return "N.M"
	case ArgPercent:
		return "PCT%"
	case ArgDate:
		return "YYYY-MM-DD"
	case ArgTime:
		return "HH:MM"
	case ArgUser:
		return "@" + a.Name
	case ArgUsers:
		return "@" + strings.TrimSuffix(a.Name, "s") + "…"
	case ArgRole:
		return "@Role"
	case ArgChoice:
		if len(a.Choices) <= 4 {
			return strings.Join(a.Choices, "|")
		}
	case ArgCron:
		return `"CRON"`
	case ArgRange:
		return strconv.Itoa(a.Min) + "-" + strconv.Itoa(a.Max)
	case ArgLiteral:
		return a.Name
	}
	return strings.ToUpper(a.Name)
}

// AllTopic is the help topic that lists every command the reader may use,
// grouped ("/plp help all"). It is read before command names, so no
// command may be called "all".
const AllTopic = "all"

// Guide is how help speaks to one kind of reader: the few commands that
// open their first screen, each with an example that fits them, and how
// the full list is grouped. The program that defines the commands writes
// one for each kind of person it serves; the grammar knows no command by
// name. The zero Guide is for Everyone, with the full list as its first
// screen.
type Guide struct {
	// Audience is who reads the guide: commands and arguments beyond it are
	// never shown, and examples that use them are left out.
	Audience Audience
	// Top opens the first screen ("/plp help"), in order. Keep it to the
	// handful the reader uses most, so the screen fits a phone.
	Top []Tip
	// Sections group the full list ("/plp help all"), in order. A
	// top-level command in no section is listed last, under "More".
	Sections []Section
}

// Tip is one line of a first help screen.
type Tip struct {
	// Line is a command line as the reader would type it, without "/plp",
	// such as "checkin 1 40%". A line that doesn't parse, or whose command
	// is beyond the guide's audience, is not shown.
	Line string
	// Note says what the line does for the reader; empty means the
	// command's Summary.
	Note string
}

// Section is one heading of the full command list.
type Section struct {
	// Title is the heading, such as "Goals & steps".
	Title string
	// Commands are the top-level commands under it, by name, in order.
	Commands []string
}

// Help answers "/plp help [topic]" for gd's reader. With no topic it shows
// the first screen (gd.Top, or the full list if gd has none); with AllTopic
// it lists, by section, every command the reader may use (students never
// see staff or admin commands). With a topic ("checkin", "goal add",
// "goal") it explains that command or group, with examples that fit the
// reader.
//
// Errors: an unknown topic is a *bot.UserError (bot.ENotFound) suggesting
// the nearest command; a command the reader may not use is bot.EForbidden.
func (g *Grammar) Help(gd Guide, topic string) (bot.Message, error) {
	aud := gd.Audience
	words := strings.Fields(strings.ToLower(StripPrefix(topic)))
	if len(words) > 0 && words[0] == "help" && len(words) > 1 {
		words = words[1:] // "help help goal" is "help goal"
	}
	switch {
	case len(words) == 0:
		return g.firstScreen(gd), nil
	case words[0] == AllTopic:
		return g.overview(gd), nil
	}
	cmds := g.Commands
	var path []string
	var cmd *Command
	for _, w := range words {
		next := findIn(cmds, w)
		if next == nil {
			if cmd != nil && (len(cmd.Sub) == 0 || hasDefault(cmd)) {
				break // "help checkin 1 40%", "help away until": explain checkin, away
			}
			return bot.Message{}, g.unknownTopic(path, cmds, w)
		}
		cmd, path, cmds = next, append(path, next.Name), next.Sub
		if len(cmds) == 0 {
			break
		}
	}
	if !visibleTo(cmd, aud) {
		name := "/plp " + strings.Join(path, " ")
		if cmd.Default {
			name = g.Usage(path) // "/plp conference @user …", as people type it
		}
		return bot.Message{}, &bot.UserError{
			Code:    bot.EForbidden,
			Message: "`" + name + "` is for " + audienceName(cmd.Audience) + ".",
			Hint:    "See what you can do: `/plp help`",
		}
	}
	if len(cmd.Sub) > 0 {
		return g.groupHelp(aud, path, cmd), nil
	}
	return g.commandHelp(aud, path, cmd), nil
}

// unknownTopic reports a help topic that names no command, suggesting the
// nearest one people type (never a Default subcommand's name).
func (g *Grammar) unknownTopic(path []string, cmds []*Command, word string) *bot.UserError {
	ue := g.unknownCommand(path, cmds, word)
	ue.Code = bot.ENotFound
	names := typedNamesIn(cmds)
	if len(path) == 0 {
		names = append(names, AllTopic)
	}
	if s := Nearest(word, names); s != "" {
		ue.Hint = "Try `/plp help " + strings.Join(append(slices.Clone(path), s), " ") + "`"
	}
	return ue
}

// visibleTo reports whether aud may use cmd, or any subcommand of a group.
func visibleTo(cmd *Command, aud Audience) bool {
	if cmd.Audience > aud {
		return false
	}
	if len(cmd.Sub) == 0 {
		return true
	}
	for _, s := range cmd.Sub {
		if visibleTo(s, aud) {
			return true
		}
	}
	return false
}

func audienceName(a Audience) string {
	if a == Admins {
		return "admins"
	}
	return "staff"
}

func hasDefault(group *Command) bool {
	for _, s := range group.Sub {
		if s.Default {
			return true
		}
	}
	return false
}

// helpLine is one command in a list: its usage and summary. Three or more
// optional keyed arguments are folded into "[FIELD:VALUE…]" to keep the
// line short on a phone; "help COMMAND" shows them all.
func (g *Grammar) helpLine(aud Audience, path []string, cmd *Command) string {
	u := g.usage(path, aud)
	var keyed []string
	for i := range cmd.Args {
		if a := &cmd.Args[i]; a.Keyed && !a.Required {
			keyed = append(keyed, " "+usageOf(a))
		}
	}
	if len(keyed) >= 3 {
		u = strings.Replace(u, strings.Join(keyed, ""), " [FIELD:VALUE…]", 1)
	}
	return "`" + u + "` — " + cmd.Summary
}

// firstScreen is what "/plp help" opens with: gd's tips and one way on to
// everything else (whose page says how to ask about one command).
func (g *Grammar) firstScreen(gd Guide) bot.Message {
	var items []string
	for _, tip := range gd.Top {
		_, cmd := g.exampleCommand(gd.Audience, tip.Line)
		if cmd == nil {
			continue
		}
		note := tip.Note
		if note == "" {
			note = cmd.Summary
		}
		items = append(items, "`/plp "+strings.Join(strings.Fields(tip.Line), " ")+"` — "+note)
	}
	if len(items) == 0 {
		return g.overview(gd)
	}
	return bot.Message{
		Visibility: bot.Private,
		Title:      "What you'll use most",
		Blocks:     []bot.Block{bot.List{Items: items}, bot.Context{Text: "Everything else: `/plp help " + AllTopic + "`"}},
	}
}

// detailTopic is the help topic the full list offers as an example of
// "/plp help COMMAND": the first of gd's tips whose command takes
// arguments, else the first command gd's reader may use that needs one.
func (g *Grammar) detailTopic(gd Guide) string {
	for _, tip := range gd.Top {
		if path, cmd := g.exampleCommand(gd.Audience, tip.Line); cmd != nil && len(cmd.Args) > 0 {
			return commandLine(path, cmd)
		}
	}
	var topic string
	g.walkLeaves(gd.Audience, nil, g.Commands, func(path []string, cmd *Command) {
		if topic == "" && len(cmd.Args) > 0 && cmd.Args[0].Required {
			topic = commandLine(path, cmd)
		}
	})
	return topic
}

// walkLeaves calls fn with every runnable command under cmds that aud may
// use, in table order.
func (g *Grammar) walkLeaves(aud Audience, path []string, cmds []*Command, fn func(path []string, cmd *Command)) {
	for _, c := range cmds {
		if c.Audience > aud {
			continue
		}
		p := append(slices.Clone(path), c.Name)
		if len(c.Sub) > 0 {
			g.walkLeaves(aud, p, c.Sub, fn)
			continue
		}
		fn(p, c)
	}
}

// overview lists everything gd's reader may use, grouped by gd's sections.
func (g *Grammar) overview(gd Guide) bot.Message {
	aud := gd.Audience
	placed := map[string]bool{}
	lines := func(names []string) []string {
		var items []string
		for _, name := range names {
			c := findIn(g.Commands, name)
			if c == nil || placed[c.Name] {
				continue
			}
			placed[c.Name] = true
			g.walkLeaves(aud, nil, []*Command{c}, func(p []string, leaf *Command) {
				items = append(items, g.helpLine(aud, p, leaf))
			})
		}
		return items
	}
	m := bot.Message{Visibility: bot.Private, Title: "Everything you can do with /plp"}
	if t := g.detailTopic(gd); t != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: "Details on any command: `/plp help COMMAND`, such as `/plp help " + t + "`."})
	}
	add := func(title string, items []string) {
		if len(items) > 0 {
			m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold(title)}, bot.List{Items: items})
		}
	}
	for _, sec := range gd.Sections {
		add(sec.Title, lines(sec.Commands))
	}
	add("More", lines(namesOf(g.Commands)))
	return m
}

func namesOf(cmds []*Command) []string {
	names := make([]string, 0, len(cmds))
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	return names
}

// groupHelp explains a group: each subcommand aud may use, with examples of
// the group and of its Default subcommands (which have no page of their
// own under a name people type).
func (g *Grammar) groupHelp(aud Audience, path []string, group *Command) bot.Message {
	m := bot.Message{
		Visibility: bot.Private,
		Title:      "/plp " + strings.Join(path, " "),
		Blocks:     []bot.Block{bot.Text{Text: group.Summary}},
	}
	if group.Help != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: group.Help})
	}
	var items []string
	examples := g.examplesFor(aud, group.Examples)
	details := ""
	for _, s := range group.Sub {
		if !visibleTo(s, aud) {
			continue
		}
		p := append(slices.Clone(path), s.Name)
		items = append(items, g.helpLine(aud, p, s))
		switch {
		case s.Default:
			if ex := g.examplesFor(aud, s.Examples); len(ex) > 0 {
				examples = append(examples, ex[0])
			}
		case details == "":
			details = strings.Join(p, " ")
		}
	}
	m.Blocks = append(m.Blocks, bot.List{Items: items})
	if len(examples) > 0 {
		m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold("Examples")}, bot.List{Items: examples})
	}
	if details != "" {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Details: `/plp help " + details + "`"})
	}
	return m
}

// commandHelp explains one command: usage, what each argument means and
// examples, ending with one to try.
func (g *Grammar) commandHelp(aud Audience, path []string, cmd *Command) bot.Message {
	m := bot.Message{
		Visibility: bot.Private,
		Title:      "/plp " + commandLine(path, cmd),
		Blocks: []bot.Block{
			bot.Text{Text: cmd.Summary},
			bot.Text{Text: "Usage: `" + g.usage(path, aud) + "`"},
		},
	}
	if cmd.Help != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: cmd.Help})
	}
	var args []string
	for i := range cmd.Args {
		a := &cmd.Args[i]
		if a.Description == "" || (aud < Staff && isStaffOnly(a)) {
			continue
		}
		args = append(args, "`"+usageOf(a)+"` — "+a.Description)
	}
	if len(args) > 0 {
		m.Blocks = append(m.Blocks, bot.List{Items: args})
	}
	examples := g.examplesFor(aud, cmd.Examples)
	if len(examples) > 1 {
		m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold("Examples")}, bot.List{Items: examples[1:]})
	}
	if len(examples) > 0 {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Try it: " + examples[0]})
	} else {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Everything else: `/plp help`"})
	}
	return m
}

// examplesFor returns the examples aud may try, as "`/plp …`". Staff see
// first the ones that act on a student ("export @sam"): that is what they
// use the command for.
func (g *Grammar) examplesFor(aud Audience, examples []string) []string {
	var forStudent, rest []string
	for _, ex := range examples {
		_, cmd := g.exampleCommand(aud, ex)
		if cmd == nil {
			continue
		}
		line := "`/plp " + ex + "`"
		if aud >= Staff && g.usesStaffOnly(cmd, ex) {
			forStudent = append(forStudent, line)
		} else {
			rest = append(rest, line)
		}
	}
	return append(forStudent, rest...)
}

// exampleCommand returns the command an example line runs and its path, or
// nil if the line doesn't parse or aud may not run it as written (a
// student is never shown "export @sam").
func (g *Grammar) exampleCommand(aud Audience, line string) ([]string, *Command) {
	inv, err := g.Parse(line)
	if err != nil {
		return nil, nil
	}
	var cmd *Command
	cmds := g.Commands
	for _, p := range inv.Path {
		if cmd = findIn(cmds, p); cmd == nil || cmd.Audience > aud {
			return nil, nil
		}
		cmds = cmd.Sub
	}
	if aud < Staff && g.usesStaffOnly(cmd, line) {
		return nil, nil
	}
	return inv.Path, cmd
}

// usesStaffOnly reports whether a command line gives cmd an argument meant
// only for staff.
func (g *Grammar) usesStaffOnly(cmd *Command, line string) bool {
	inv, err := g.Parse(line)
	if err != nil {
		return false
	}
	for i := range cmd.Args {
		if isStaffOnly(&cmd.Args[i]) && inv.Has(cmd.Args[i].Name) {
			return true
		}
	}
	return false
}
