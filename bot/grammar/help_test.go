package grammar_test

import (
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/handlers"
)

// audienceOf is the narrowest audience that may run the leaf at path.
func audienceOf(g *grammar.Grammar, path string) grammar.Audience {
	var aud grammar.Audience
	p := strings.Fields(path)
	for i := range p {
		if c := g.Find(p[:i+1]...); c.Audience > aud {
			aud = c.Audience
		}
	}
	return aud
}

func TestHelpOverview(t *testing.T) {
	g := handlers.Grammar()
	for _, aud := range []grammar.Audience{grammar.Everyone, grammar.Staff, grammar.Admins} {
		m, err := g.Help(aud, "")
		if err != nil {
			t.Fatalf("Help(%d): %v", aud, err)
		}
		text := m.PlainText()
		for _, path := range leaves(g) {
			// The overview may fold optional keyed args: look for the usage
			// up to its first optional argument.
			usage := g.Usage(strings.Fields(path))
			head := strings.SplitN(usage, " [", 2)[0]
			if aud < grammar.Staff {
				head = strings.Replace(head, " [@user]", "", 1)
			}
			visible := audienceOf(g, path) <= aud
			if got := strings.Contains(text, head); got != visible {
				t.Errorf("audience %d: overview shows %q = %v, want %v", aud, head, got, visible)
			}
		}
		last, ok := m.Blocks[len(m.Blocks)-1].(bot.Context)
		if !ok || !strings.HasPrefix(last.Text, "Start here: `/plp ") {
			t.Fatalf("audience %d: last block = %#v, want the first step", aud, m.Blocks[len(m.Blocks)-1])
		}
		first := strings.TrimSuffix(strings.TrimPrefix(last.Text, "Start here: `/plp "), "`")
		inv, err := g.Parse(first)
		if err != nil {
			t.Errorf("audience %d: first step %q doesn't parse: %v", aud, first, err)
		} else if audienceOf(g, inv.Name()) > aud {
			t.Errorf("audience %d: first step %q is not for them", aud, first)
		}
		for _, b := range m.Blocks {
			switch b.(type) {
			case bot.Text, bot.List, bot.Context:
			default:
				t.Errorf("unexpected block %T", b)
			}
		}
		if m.Visibility != bot.Private {
			t.Errorf("help is %v, want private", m.Visibility)
		}
	}
}

func TestHelpOverviewSections(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		aud       grammar.Audience
		sections  []string
		forbidden []string
	}{
		{grammar.Everyone, []string{"Your plan", "Goals & steps", "Check-ins & reflections", "Conferences"}, []string{"Staff", "Admin", "flag", "roster", "[@user]", "conference @user"}},
		{grammar.Staff, []string{"Your plan", "Goals & steps", "Check-ins & reflections", "Conferences", "Staff"}, []string{"Admin", "/plp role", "/plp forget"}},
		{grammar.Admins, []string{"Your plan", "Goals & steps", "Check-ins & reflections", "Conferences", "Staff", "Admin"}, nil},
	}
	for _, tt := range tests {
		m, _ := g.Help(tt.aud, "")
		var headings []string
		for _, b := range m.Blocks {
			if tb, ok := b.(bot.Text); ok && tb.Text == bot.Bold(bot.StripMarkup(tb.Text)) {
				headings = append(headings, bot.Format(tb.Text, bot.PlainDialect))
			}
		}
		if strings.Join(headings, "|") != strings.Join(tt.sections, "|") {
			t.Errorf("audience %d: sections %q, want %q", tt.aud, headings, tt.sections)
		}
		text := m.PlainText()
		for _, f := range tt.forbidden {
			if strings.Contains(text, f) {
				t.Errorf("audience %d: overview mentions %q", tt.aud, f)
			}
		}
	}
}

func TestHelpTopic(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		aud   grammar.Audience
		topic string
		title string
		parts []string
		not   []string
	}{
		{grammar.Everyone, "checkin", "/plp checkin", []string{
			"Log progress on a goal",
			"Usage: `/plp checkin N PCT% [note] [confidence:1-5]`",
			"`[confidence:1-5]` — How sure you feel, 1-5",
			"Try it: `/plp checkin 1 40%`",
			"`/plp checkin 2 75% finished chapter 3 confidence:4`",
		}, nil},
		{grammar.Everyone, "/plp checkin 1 40%", "/plp checkin", []string{"Usage: `/plp checkin"}, nil},
		{grammar.Everyone, "help goal add", "/plp goal add", []string{"Usage: `/plp goal add TITLE [category:academic|personal|career] [by:YYYY-MM-DD] [why:TEXT]`"}, nil},
		{grammar.Everyone, "GOAL", "/plp goal", []string{"`/plp goal done N` — Mark a goal as done", "Details: `/plp help goal add`"}, nil},
		{grammar.Everyone, "conference", "/plp conference", []string{"/plp conference agenda TEXT", "cancel"}, []string{"conference @user", "conference end"}},
		{grammar.Staff, "conference", "/plp conference", []string{"`/plp conference @user YYYY-MM-DD HH:MM [agenda]`", "cancel"}, nil},
		{grammar.Everyone, "export", "/plp export", []string{"Usage: `/plp export`", "Try it: `/plp export`"}, []string{"@"}},
		{grammar.Staff, "export", "/plp export", []string{"Usage: `/plp export [@user]`", "`/plp export @sam`"}, nil},
		{grammar.Staff, "flag", "/plp flag", []string{"`/plp flag @user iep|504|other [note]`"}, nil},
		{grammar.Everyone, "away set", "/plp away", []string{"Usage: `/plp away until YYYY-MM-DD [note]`"}, []string{"@sam"}},
	}
	for _, tt := range tests {
		m, err := g.Help(tt.aud, tt.topic)
		if err != nil {
			t.Errorf("Help(%d, %q): %v", tt.aud, tt.topic, err)
			continue
		}
		text := m.PlainText()
		if m.Title != tt.title {
			t.Errorf("Help(%q) title %q, want %q", tt.topic, m.Title, tt.title)
		}
		for _, p := range tt.parts {
			if !strings.Contains(text, p) {
				t.Errorf("Help(%d, %q) lacks %q:\n%s", tt.aud, tt.topic, p, text)
			}
		}
		for _, p := range tt.not {
			if strings.Contains(text, p) {
				t.Errorf("Help(%d, %q) shows %q:\n%s", tt.aud, tt.topic, p, text)
			}
		}
	}
}

func TestHelpErrors(t *testing.T) {
	g := handlers.Grammar()
	tests := []struct {
		aud       grammar.Audience
		topic     string
		code      bot.Code
		msg, hint string
	}{
		{grammar.Everyone, "chekin", bot.ENotFound, "Did you mean `/plp checkin`?", "Try `/plp help checkin`"},
		{grammar.Everyone, "goal ad", bot.ENotFound, "Did you mean `/plp goal add`?", "Try `/plp help goal add`"},
		{grammar.Everyone, "xyzzy", bot.ENotFound, "I don't know `/plp xyzzy`.", "`/plp help`"},
		{grammar.Everyone, "flag", bot.EForbidden, "`/plp flag` is for staff.", "`/plp help`"},
		{grammar.Everyone, "conference end", bot.EForbidden, "is for staff", "`/plp help`"},
		{grammar.Staff, "forget", bot.EForbidden, "`/plp forget` is for admins.", "`/plp help`"},
	}
	for _, tt := range tests {
		_, err := g.Help(tt.aud, tt.topic)
		ue, ok := bot.AsUserError(err)
		if !ok {
			t.Errorf("Help(%d, %q) = %v, want a UserError", tt.aud, tt.topic, err)
			continue
		}
		msg := bot.Format(ue.Message, bot.PlainDialect)
		if ue.Code != tt.code || !strings.Contains(msg, tt.msg) || !strings.Contains(ue.Hint, tt.hint) {
			t.Errorf("Help(%d, %q) = %s %q hint %q; want %s %q hint %q", tt.aud, tt.topic, ue.Code, msg, ue.Hint, tt.code, tt.msg, tt.hint)
		}
	}
}
