package grammar_test

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/handlers"
)

// fuzzSeeds are every example of the grammar, every table case and a few
// nasty lines.
func fuzzSeeds(g *grammar.Grammar) []string {
	var seeds []string
	var walk func(cmds []*grammar.Command)
	walk = func(cmds []*grammar.Command) {
		for _, c := range cmds {
			seeds = append(seeds, c.Examples...)
			walk(c.Sub)
		}
	}
	walk(g.Commands)
	for _, tt := range parseCases {
		seeds = append(seeds, tt.line)
	}
	return append(seeds,
		`goal add "x" why:“quoted ” by:2027-02-30`,
		"class add <@U1|a\x00b> @everyone <!here> <@&1>",
		"checkin 1 40% confidence: confidence:2",
		"reflect \ue000\ue002bold\ue003",
		"away @sam until 2027-1-1 \r\n note",
		"/plp   help   goal   add",
		`conference "@sam" “2027-01-12” 10:30`,
	)
}

func FuzzParse(f *testing.F) {
	g := handlers.Grammar()
	for _, s := range fuzzSeeds(g) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		inv, err := g.Parse(line)
		if err != nil {
			ue, ok := bot.AsUserError(err)
			if !ok {
				t.Fatalf("Parse(%q) error %T %v, want *bot.UserError", line, err, err)
			}
			if strings.TrimSpace(bot.StripMarkup(ue.Message)) == "" {
				t.Fatalf("Parse(%q) error with an empty message", line)
			}
			return
		}
		cmd := g.Find(inv.Path...)
		if cmd == nil || len(cmd.Sub) > 0 {
			t.Fatalf("Parse(%q) path %q is not a command", line, inv.Path)
		}
		checkInvocation(t, line, cmd, inv)

		// Bind must accept what Parse produced and agree with it.
		again, err := g.Bind(inv.Path, inv.Args, inv.Users)
		if err != nil {
			t.Fatalf("Bind(Parse(%q)) = %v", line, err)
		}
		if !reflect.DeepEqual(again, inv) {
			t.Fatalf("Bind(Parse(%q))\n = %q %v\nwant %q %v", line, again.Args, again.Users, inv.Args, inv.Users)
		}
	})
}

// checkInvocation asserts what every successful parse guarantees handlers.
func checkInvocation(t *testing.T, line string, cmd *grammar.Command, inv *bot.Invocation) {
	t.Helper()
	kinds := map[string]grammar.ArgKind{}
	for _, a := range cmd.Args {
		kinds[a.Name] = a.Kind
		if a.Required && !inv.Has(a.Name) {
			t.Fatalf("Parse(%q): required %q missing", line, a.Name)
		}
	}
	clean := func(s string, allowLines bool) bool {
		return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
			if r >= '\uE000' && r <= '\uE005' {
				return true
			}
			if allowLines && (r == '\n' || r == '\t') {
				return false
			}
			return unicode.IsControl(r)
		})
	}
	for name, v := range inv.Args {
		k, ok := kinds[name]
		if !ok {
			t.Fatalf("Parse(%q): unknown arg %q", line, name)
		}
		if v == "" || !clean(v, k == grammar.ArgText) || v != strings.TrimSpace(v) {
			t.Fatalf("Parse(%q): arg %s = %q is not clean", line, name, v)
		}
	}
	for name, ids := range inv.Users {
		if k := kinds[name]; (k != grammar.ArgUser && k != grammar.ArgUsers) || len(ids) == 0 || (k == grammar.ArgUser && len(ids) > 1) {
			t.Fatalf("Parse(%q): users %s = %v", line, name, ids)
		}
		for _, id := range ids {
			if id.UserID == "" || !clean(id.UserID, false) || !clean(id.Name, false) {
				t.Fatalf("Parse(%q): identity %+v is not clean", line, id)
			}
		}
	}
}

func FuzzHelp(f *testing.F) {
	g := handlers.Grammar()
	for _, s := range fuzzSeeds(g) {
		f.Add(uint8(0), s)
	}
	f.Fuzz(func(t *testing.T, aud uint8, topic string) {
		m, err := g.Help(grammar.Guide{Audience: grammar.Audience(aud % 3), Top: []grammar.Tip{{Line: topic}}}, topic)
		if err != nil {
			if ue, ok := bot.AsUserError(err); !ok || bot.StripMarkup(ue.Message) == "" {
				t.Fatalf("Help(%q) = %v, want a UserError with a message", topic, err)
			}
			return
		}
		if len(m.Blocks) == 0 || m.Title == "" {
			t.Fatalf("Help(%q) = empty message", topic)
		}
	})
}
