package console

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// Rendering constants.
const (
	barWidth  = 10
	ruleWidth = 40
	indent    = "  "
)

// style is how the console decorates text: ANSI escapes on a terminal,
// plain characters elsewhere so piped output stays greppable.
type style struct {
	ansi bool
}

func newStyle(interactive bool) style { return style{ansi: interactive} }

func (s style) wrap(code, reset, text string) string {
	if !s.ansi || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[" + reset + "m"
}

func (s style) bold(t string) string {
	if !s.ansi {
		return "*" + t + "*"
	}
	return s.wrap("1", "22", t)
}

func (s style) italic(t string) string {
	if !s.ansi {
		return "_" + t + "_"
	}
	return s.wrap("3", "23", t)
}

func (s style) dim(t string) string    { return s.wrap("2", "22", t) }
func (s style) label(t string) string  { return s.wrap("36", "39", t) }
func (s style) prompt(t string) string { return s.wrap("1;32", "0", t) }

// dialect renders the inline markup for the console: user text literally
// (with control characters removed so nobody can move the cursor or
// recolour the terminal), bold and italic as *x* and _x_, or ANSI on a
// terminal.
func (s style) dialect() bot.Dialect {
	return bot.Dialect{Escape: sanitize, Bold: s.bold, Italic: s.italic}
}

// sanitize removes control characters other than newlines and tabs.
func sanitize(t string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, strings.ToValidUTF8(t, ""))
}

// literal quotes something a person typed, for console notes.
func literal(t string) string {
	return "“" + plpbot.Clip(sanitize(strings.ReplaceAll(t, "\n", " ")), 40) + "”"
}

// render turns a message into plain readable text, without a trailing
// newline. Blocks are separated by line breaks; continuation lines of a
// block are indented under it.
func (c *Console) render(m bot.Message) string {
	f := func(t string) string { return bot.Format(t, c.style.dialect()) }
	var b strings.Builder
	line := func(s string) {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
	}
	if m.Title != "" {
		line(c.style.bold(f(m.Title)))
	}
	for _, bl := range m.Blocks {
		switch v := bl.(type) {
		case bot.Text:
			if t := strings.TrimRight(f(v.Text), "\n"); t != "" {
				line(t)
			}
		case bot.Fields:
			for _, fl := range v.Fields {
				line(hang(f(fl.Label)+": ", f(fl.Value)))
			}
		case bot.Progress:
			pct := min(max(v.Percent, 0), 100)
			line(f(v.Label) + "  " + bot.Bar(pct, barWidth) + " " + strconv.Itoa(pct) + "%")
		case bot.List:
			for _, it := range v.Items {
				line(hang("• ", f(it)))
			}
		case bot.Context:
			line(c.style.dim(hang(indent, f(v.Text))))
		case bot.Divider:
			line(c.style.dim(strings.Repeat("─", ruleWidth)))
		}
	}
	for _, bt := range m.Buttons {
		line(c.style.label("[" + f(bt.Label) + " → " + c.buttonCommand(bt) + "]"))
	}
	if m.File != nil {
		line(c.renderFile(m.File))
	}
	if m.Chart != nil {
		line(c.renderChart(m.Chart))
	}
	return b.String()
}

// hang writes prefix before the first line of text and indents the rest
// of its lines to line up with it.
func hang(prefix, text string) string {
	pad := strings.Repeat(" ", len([]rune(prefix)))
	lines := strings.Split(text, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = prefix + lines[i]
		} else {
			lines[i] = pad + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// buttonCommand is what to type instead of pressing bt: its command, or for
// a button that opens a form, the form's command with the fixed arguments
// filled in and "…" for what the form would ask.
func (c *Console) buttonCommand(bt bot.Button) string {
	if bt.Form == nil {
		return "/plp " + sanitize(bt.Command)
	}
	fm := bt.Form
	parts := []string{"/plp", sanitize(fm.Command)}
	seen := map[string]bool{}
	add := func(name string, keyed bool) {
		v, ok := fm.Fixed[name]
		if !ok || seen[name] {
			return
		}
		seen[name] = true
		if keyed {
			v = name + ":" + v
		}
		parts = append(parts, sanitize(v))
	}
	if c.opts.Grammar != nil {
		if cmd := c.opts.Grammar.Find(strings.Fields(fm.Command)...); cmd != nil {
			for _, a := range cmd.Args {
				add(a.Name, a.Keyed)
			}
		}
	}
	names := make([]string, 0, len(fm.Fixed))
	for name := range fm.Fixed {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		add(name, false)
	}
	if len(fm.Fields) > 0 {
		parts = append(parts, "…")
	}
	return strings.Join(parts, " ")
}

// renderFile prints a text attachment between rules, so a Markdown export
// can be read (or copied) straight from the transcript; binary files are
// only named.
func (c *Console) renderFile(f *bot.File) string {
	name := sanitize(f.Name)
	if name == "" {
		name = "attachment"
	}
	head := c.style.label("📎 " + name)
	if !isText(f) {
		return head + c.style.dim(" ("+strconv.Itoa(len(f.Data))+" bytes, not shown)")
	}
	rule := c.style.dim(strings.Repeat("─", ruleWidth))
	body := strings.TrimRight(sanitize(string(f.Data)), "\n")
	return head + "\n" + rule + "\n" + body + "\n" + rule
}

func isText(f *bot.File) bool {
	ct := strings.ToLower(f.ContentType)
	if strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "yaml") {
		return true
	}
	if ct != "" {
		return false
	}
	for _, ext := range []string{".md", ".txt", ".csv", ".json"} {
		if strings.HasSuffix(strings.ToLower(f.Name), ext) {
			return true
		}
	}
	return false
}
