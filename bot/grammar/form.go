package grammar

import (
	"strconv"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// FormFor builds a form that collects the arguments of the command at path,
// for platforms with modals: "goal add" with no text, a Check in or Reflect
// button. Fixed arguments are set by the caller and not shown. Literal and
// user arguments are left out (a form can't pick people); it returns nil if
// the path is not a command.
func (g *Grammar) FormFor(path []string, fixed map[string]string) *bot.Form {
	cmd := g.Find(path...)
	if cmd == nil {
		return nil
	}
	title := cmd.Summary
	if r := []rune(title); len(r) > 24 {
		title = string(r[:23]) + "…"
	}
	f := &bot.Form{Title: title, Submit: "Save", Command: joinPath(path), Fixed: fixed}
	for _, a := range cmd.Args {
		if _, ok := fixed[a.Name]; ok {
			continue
		}
		if a.Kind == ArgLiteral || a.Kind == ArgUser || a.Kind == ArgUsers {
			continue
		}
		max := a.MaxLen
		if max == 0 && a.Kind == ArgText {
			max = plpbot.MaxTextLen
		}
		f.Fields = append(f.Fields, bot.FormField{
			Name:        a.Name,
			Label:       labelFor(a),
			Placeholder: a.Description,
			Multiline:   a.Kind == ArgText && max > plpbot.MaxTitleLen,
			Optional:    !a.Required,
			MaxLen:      max,
		})
	}
	return f
}

func labelFor(a Arg) string {
	switch a.Kind {
	case ArgDate:
		return capitalize(a.Name) + " (YYYY-MM-DD)"
	case ArgPercent:
		return "Progress (0-100%)"
	case ArgTime:
		return "Time (15:00 or 3pm)"
	case ArgNumber:
		if a.Name == "n" {
			return "Goal number"
		}
	case ArgRange:
		return capitalize(a.Name) + " (" + strconv.Itoa(a.Min) + "-" + strconv.Itoa(a.Max) + ")"
	}
	return capitalize(a.Name)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}

func joinPath(path []string) string {
	out := ""
	for i, p := range path {
		if i > 0 {
			out += " "
		}
		out += p
	}
	return out
}
