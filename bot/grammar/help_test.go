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

// testSections groups the full list the way a program might; commands in
// no section ("help", "flag", "schedule") land under "More".
var testSections = []grammar.Section{
	{Title: "Your plan", Commands: []string{"plan", "profile", "export", "away"}},
	{Title: "Goals & steps", Commands: []string{"goal", "step"}},
	{Title: "Check-ins & reflections", Commands: []string{"checkin", "reflect"}},
	{Title: "Conferences", Commands: []string{"conference", "nosuchcommand"}},
	{Title: "Staff", Commands: []string{"class", "roster", "student", "feedback"}},
	{Title: "Admin", Commands: []string{"role", "forget", "plan"}},
}

func TestHelpOverview(t *testing.T) {
	g := handlers.Grammar()
	for _, aud := range []grammar.Audience{grammar.Everyone, grammar.Staff, grammar.Admins} {
		m, err := g.Help(grammar.Guide{Audience: aud, Sections: testSections}, "all")
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
		if strings.Count(text, "`/plp plan`") != 1 {
			t.Errorf("audience %d: plan listed %d times, want once", aud, strings.Count(text, "`/plp plan`"))
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
		{grammar.Everyone, []string{"Your plan", "Goals & steps", "Check-ins & reflections", "Conferences", "More"}, []string{"Staff", "Admin", "flag", "roster", "[@user]", "conference @user"}},
		{grammar.Staff, []string{"Your plan", "Goals & steps", "Check-ins & reflections", "Conferences", "Staff", "More"}, []string{"Admin", "/plp role", "/plp forget"}},
		{grammar.Admins, []string{"Your plan", "Goals & steps", "Check-ins & reflections", "Conferences", "Staff", "Admin", "More"}, nil},
	}
	for _, tt := range tests {
		m, _ := g.Help(grammar.Guide{Audience: tt.aud, Sections: testSections}, "all")
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
		{grammar.Everyone, "conference", "/plp conference", []string{"/plp conference agenda TEXT", "/plp conference cancel ID", "Details: `/plp help conference list`"}, []string{"conference @user", "conference done", "Examples", "conference schedule", "conference repeat"}},
		{grammar.Staff, "conference", "/plp conference", []string{"`/plp conference @user YYYY-MM-DD HH:MM [agenda]`", "`/plp conference @user every 1w|2w DAY HH:MM [agenda]`", "done", "cancel",
			"Examples", "`/plp conference @sam 2027-01-12 10:30 goals check`", "`/plp conference @sam every 1w tue 10:30 mentoring check-in`"}, []string{"conference schedule", "conference repeat"}},
		{grammar.Staff, "conference shedule", "/plp conference", []string{"Details: `/plp help conference list`"}, nil},
		{grammar.Staff, "conference @sam 2027-01-12", "/plp conference", []string{"`/plp conference @user YYYY-MM-DD HH:MM [agenda]`"}, nil},
		{grammar.Everyone, "away", "/plp away", []string{"`/plp away until YYYY-MM-DD [note]`", "`/plp away off`", "`/plp away until 2027-01-10 family trip`", "Details: `/plp help away off`"}, []string{"@", "away set"}},
		{grammar.Staff, "away", "/plp away", []string{"`/plp away [@user] until YYYY-MM-DD [note]`", "`/plp away @sam until 2027-01-10`"}, []string{"away set"}},
		{grammar.Everyone, "profile", "/plp profile", []string{"`/plp profile` — ", "`/plp profile set FIELD TEXT`", "Details: `/plp help profile set`"}, []string{"profile show"}},
		{grammar.Staff, "export", "/plp export", []string{"Try it: `/plp export @sam`", "`/plp export`"}, nil},
		{grammar.Everyone, "export", "/plp export", []string{"Usage: `/plp export`", "Try it: `/plp export`"}, []string{"@"}},
		{grammar.Staff, "export", "/plp export", []string{"Usage: `/plp export [@user]`", "`/plp export @sam`"}, nil},
		{grammar.Everyone, "away off", "/plp away off", []string{"Try it: `/plp away off`"}, []string{"@sam"}},
		{grammar.Staff, "flag", "/plp flag", []string{"`/plp flag @user iep|504|other [note]`"}, nil},
		{grammar.Everyone, "away set", "/plp away", []string{"Usage: `/plp away until YYYY-MM-DD [note]`"}, []string{"@sam"}},
	}
	for _, tt := range tests {
		m, err := g.Help(grammar.Guide{Audience: tt.aud}, tt.topic)
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
		{grammar.Everyone, "conference done", bot.EForbidden, "`/plp conference done` is for staff.", "`/plp help`"},
		{grammar.Everyone, "conference schedule", bot.EForbidden, "`/plp conference @user YYYY-MM-DD HH:MM [agenda]` is for staff.", "`/plp help`"},
		{grammar.Everyone, "al", bot.ENotFound, "I don't know `/plp al`.", "Try `/plp help all`"},
		{grammar.Staff, "forget", bot.EForbidden, "`/plp forget` is for admins.", "`/plp help`"},
	}
	for _, tt := range tests {
		_, err := g.Help(grammar.Guide{Audience: tt.aud}, tt.topic)
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

func TestHelpFirstScreen(t *testing.T) {
	g := handlers.Grammar()
	gd := grammar.Guide{Audience: grammar.Everyone, Sections: testSections, Top: []grammar.Tip{
		{Line: "plan", Note: "your whole plan"},
		{Line: "checkin  1 40%"}, // no note: the summary
		{Line: "roster"},         // staff only: left out
		{Line: "export @sam"},    // a staff-only argument: left out
		{Line: "goal add"},       // doesn't parse: left out
	}}
	m, err := g.Help(gd, "")
	if err != nil {
		t.Fatal(err)
	}
	want := "What you'll use most\n" +
		"• `/plp plan` — your whole plan\n" +
		"• `/plp checkin 1 40%` — Log progress on a goal\n" +
		"Everything else: `/plp help all`"
	if got := m.PlainText(); got != want {
		t.Errorf("first screen:\n%s\nwant:\n%s", got, want)
	}
	if m.Visibility != bot.Private {
		t.Errorf("help is %v, want private", m.Visibility)
	}

	// "help all" is the full list; so is the first screen of a guide with no tips.
	all, _ := g.Help(gd, "all")
	gd.Top = nil
	none, _ := g.Help(gd, "")
	if all.Title != "Everything you can do with /plp" || none.Title != all.Title || len(none.Blocks) != len(all.Blocks) {
		t.Errorf("help all = %q, no tips = %q", all.Title, none.Title)
	}
	if text := none.PlainText(); !strings.Contains(text, "such as `/plp help profile set`") {
		t.Errorf("with no tips, the detail example is the first command that needs an argument:\n%s", text)
	}
	if g.Find(grammar.AllTopic) != nil {
		t.Errorf("a command is called %q: help would never show it", grammar.AllTopic)
	}
	// A zero Guide is for everyone.
	zero, _ := g.Help(grammar.Guide{}, "all")
	if text := zero.PlainText(); strings.Contains(text, "roster") || !strings.Contains(text, "/plp goal add") {
		t.Errorf("zero guide:\n%s", text)
	}
}
