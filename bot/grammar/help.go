package grammar

import (
	"strconv"
	"strings"

	"github.com/plpbot/plpbot/bot"
)

// Usage returns how to type the command at path, such as
// "/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]".
// A Default subcommand is shown the way people type it, without its name
// ("/plp conference @user YYYY-MM-DD HH:MM [agenda]"); a group lists its
// subcommands ("/plp step add|done"). An unknown path returns "".
func (g *Grammar) Usage(path []string) string {
	return g.usage(path, Admins)
}

// usage is Usage as seen by aud: arguments meant only for staff (their
// description starts "Staff only") are left out for everyone else.
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
		return "/plp " + strings.Join(canon, " ") + " " + strings.Join(subNames(cmd), "|")
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

// helpSections orders the overview; helpSection says where a top-level
// command belongs.
func helpSections() []string {
	return []string{"Your plan", "Goals & steps", "Check-ins & reflections", "Conferences", "Staff", "Admin", "More"}
}

func helpSection(top, leaf *Command) string {
	switch top.Name {
	case "help", "plan", "profile", "export", "away":
		return "Your plan"
	case "goal", "step":
		return "Goals & steps"
	case "checkin", "reflect", "snooze":
		return "Check-ins & reflections"
	case "conference":
		return "Conferences"
	}
	switch leaf.Audience {
	case Admins:
		return "Admin"
	case Staff:
		return "Staff"
	}
	return "More"
}

// Help answers "/plp help [topic]" for aud. With no topic it lists, by
// section, every command aud may use (students never see staff or admin
// commands) and ends with the first step for a newcomer. With a topic
// ("checkin", "goal add", "goal") it explains that command or group.
//
// Errors: an unknown topic is a *bot.UserError (bot.ENotFound) suggesting
// the nearest command; a command aud may not use is bot.EForbidden.
func (g *Grammar) Help(aud Audience, topic string) (bot.Message, error) {
	words := strings.Fields(strings.ToLower(StripPrefix(topic)))
	if len(words) > 0 && words[0] == "help" && len(words) > 1 {
		words = words[1:] // "help help goal" is "help goal"
	}
	if len(words) == 0 {
		return g.overview(aud), nil
	}
	cmds := g.Commands
	var path []string
	var cmd *Command
	for _, w := range words {
		next := findIn(cmds, w)
		if next == nil {
			if cmd != nil && (len(cmd.Sub) == 0 || hasDefault(cmd)) {
				break // "help checkin 1 40%": explain checkin
			}
			ue := g.unknownCommand(path, cmds, w)
			ue.Code = bot.ENotFound
			if s := Nearest(w, namesOf(cmds)); s != "" {
				ue.Hint = "Try `/plp help " + strings.Join(append(path, s), " ") + "`"
			}
			return bot.Message{}, ue
		}
		cmd, path, cmds = next, append(path, next.Name), next.Sub
		if len(cmds) == 0 {
			break
		}
	}
	if !visibleTo(cmd, aud) {
		return bot.Message{}, &bot.UserError{
			Code:    bot.EForbidden,
			Message: "`/plp " + strings.Join(path, " ") + "` is for " + audienceName(cmd.Audience) + ".",
			Hint:    "See what you can do: `/plp help`",
		}
	}
	if len(cmd.Sub) > 0 {
		return g.groupHelp(aud, path, cmd), nil
	}
	return g.commandHelp(aud, path, cmd), nil
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

func namesOf(cmds []*Command) []string {
	names := make([]string, 0, len(cmds))
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	return names
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

// overview lists what aud can do, grouped into sections.
func (g *Grammar) overview(aud Audience) bot.Message {
	items := map[string][]string{}
	var walk func(top *Command, path []string, cmds []*Command)
	walk = func(top *Command, path []string, cmds []*Command) {
		for _, c := range cmds {
			p := append(append([]string(nil), path...), c.Name)
			if c.Audience > aud {
				continue
			}
			t := top
			if t == nil {
				t = c
			}
			if len(c.Sub) > 0 {
				walk(t, p, c.Sub)
				continue
			}
			sec := helpSection(t, c)
			items[sec] = append(items[sec], g.helpLine(aud, p, c))
		}
	}
	walk(nil, nil, g.Commands)

	m := bot.Message{
		Visibility: bot.Private,
		Title:      "What you can do with /plp",
		Blocks:     []bot.Block{bot.Text{Text: "Details on any command: `/plp help COMMAND`, such as `/plp help checkin`."}},
	}
	for _, sec := range helpSections() {
		if len(items[sec]) == 0 {
			continue
		}
		m.Blocks = append(m.Blocks, bot.Text{Text: bot.Bold(sec)}, bot.List{Items: items[sec]})
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: "Start here: `/plp " + firstStep(aud) + "`"})
	return m
}

// firstStep is the one command a newcomer of aud should try first.
func firstStep(aud Audience) string {
	switch aud {
	case Admins:
		return "role @ms.lee teacher"
	case Staff:
		return "class create Period 3 English"
	}
	return "goal add Read three novels"
}

// groupHelp explains a group: each subcommand aud may use.
func (g *Grammar) groupHelp(aud Audience, path []string, group *Command) bot.Message {
	var items []string
	first := ""
	for _, s := range group.Sub {
		if !visibleTo(s, aud) {
			continue
		}
		p := append(append([]string(nil), path...), s.Name)
		items = append(items, g.helpLine(aud, p, s))
		if first == "" {
			first = strings.Join(p, " ")
		}
	}
	m := bot.Message{
		Visibility: bot.Private,
		Title:      "/plp " + strings.Join(path, " "),
		Blocks:     []bot.Block{bot.Text{Text: group.Summary}},
	}
	if group.Help != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: group.Help})
	}
	m.Blocks = append(m.Blocks, bot.List{Items: items}, bot.Context{Text: "Details: `/plp help " + first + "`"})
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
	var examples []string
	for _, ex := range cmd.Examples {
		if aud < Staff && exampleNeedsStaff(g, cmd, ex) {
			continue
		}
		examples = append(examples, "`/plp "+ex+"`")
	}
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

// exampleNeedsStaff reports whether an example uses an argument meant only
// for staff, so students are not shown it.
func exampleNeedsStaff(g *Grammar, cmd *Command, ex string) bool {
	inv, err := g.Parse(ex)
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
