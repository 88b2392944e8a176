package handlers_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/handlers"
)

// helpRoles sets up one person of each role: admin, ms-lee (teacher),
// mr-cole (counselor) and sam (student, in ms-lee's class).
func helpRoles(e *env) map[string]grammar.Audience {
	e.setupClass("sam")
	e.ok("admin", "role @mr-cole counselor")
	return map[string]grammar.Audience{"admin": grammar.Admins, "ms-lee": grammar.Staff, "mr-cole": grammar.Staff, "sam": grammar.Everyone}
}

// typedCommands returns the command lines a text shows in code spans
// ("`/plp checkin 1 40%`"), without "/plp".
func typedCommands(text string) []string {
	var out []string
	for _, m := range regexp.MustCompile("`/plp ([^`]+)`").FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// runnableBy reports whether aud may run line exactly as written: the
// command and every part of its path are theirs, and a student's line uses
// no staff-only argument. Placeholder lines ("help COMMAND") don't parse
// and count as fine.
func runnableBy(t *testing.T, g *grammar.Grammar, aud grammar.Audience, line string) bool {
	t.Helper()
	inv, err := g.Parse(line)
	if err != nil {
		return true
	}
	for i := range inv.Path {
		if g.Find(inv.Path[:i+1]...).Audience > aud {
			return false
		}
	}
	if aud < grammar.Staff {
		for _, a := range g.Find(inv.Path...).Args {
			if strings.HasPrefix(a.Description, "Staff only") && inv.Has(a.Name) {
				return false
			}
		}
	}
	return true
}

// phoneWidth is how many characters fit one line of a chat app on a phone
// in portrait, at the default text size (about 45 to 55).
const phoneWidth = 50

// phoneLines is how many lines text takes on a phone: each of its lines
// wraps every phoneWidth characters (code marks take no room).
func phoneLines(text string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		w := utf8.RuneCountInString(strings.ReplaceAll(line, "`", ""))
		n += max(1, (w+phoneWidth-1)/phoneWidth)
	}
	return n
}

// TestHelpFirstScreenFitsTheRole: "/plp help" opens with the handful of
// commands each role uses most, fits a phone, shows only commands the
// person may run, with examples of their role, and one way on to everything.
func TestHelpFirstScreenFitsTheRole(t *testing.T) {
	e := newEnv(t)
	e.now = time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC) // a Saturday: examples move to a school day
	roles := helpRoles(e)
	g := handlers.Grammar()
	tests := []struct {
		who       string
		want, not []string
	}{
		{"sam", []string{"/plp plan`", "/plp goal add ", "/plp checkin 1 40%", "/plp reflect ", "/plp conference list`", "/plp conference agenda ", "/plp away until 2026-12-07`"},
			[]string{"roster", "student @", "feedback", "class ", "flag", "role ", "forget", "@sam"}},
		{"ms-lee", []string{"/plp roster`", "/plp student @sam`", "/plp feedback @sam 1 ", "/plp conference @sam 2026-12-07 10:30", "/plp class add @sam", "/plp class create ", "/plp plan`"},
			[]string{"/plp role", "/plp forget", "caseload"}},
		{"mr-cole", []string{"/plp student @sam`", "/plp conference @sam 2026-12-07 10:30`", "/plp conference @sam every ", "/plp feedback @sam 1 ", "/plp flag @sam ", "/plp roster`", "caseload"},
			[]string{"/plp role", "/plp forget", "Period 3 English"}},
		{"admin", []string{"/plp role @", "/plp roster`", "whole school", "/plp class list`", "/plp student @sam`", "/plp forget @"},
			[]string{"/plp checkin", "/plp reflect"}},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			out := strings.TrimSpace(e.ok(tt.who, "help"))
			n := phoneLines(out)
			if n > 12 {
				t.Errorf("first screen is %d lines on a phone, want ≤ 12:\n%s", n, out)
			}
			t.Logf("%s: %d lines, %d on a phone", tt.who, len(strings.Split(out, "\n")), n)
			mustContain(t, out, tt.want...)
			mustContain(t, out, "`/plp help all`")
			mustNotContain(t, out, tt.not...)
			for _, line := range typedCommands(out) {
				if !runnableBy(t, g, roles[tt.who], line) {
					t.Errorf("%s's first screen offers %q, which is not theirs", tt.who, line)
				}
				if _, err := g.Parse(line); err != nil && !strings.Contains(line, "COMMAND") {
					t.Errorf("%s's first screen offers %q, which doesn't parse: %v", tt.who, line, err)
				}
			}
		})
	}
	// A newcomer's welcome still fits.
	out := strings.TrimSpace(e.ok("newbie", "help"))
	mustContain(t, out, "Welcome to plpbot, newbie!", "/plp goal add")
	if n := phoneLines(out); n > 12 {
		t.Errorf("a newcomer's first screen is %d lines on a phone, want ≤ 12:\n%s", n, out)
	}
}

// TestHelpAllListsWhatTheRoleMayUse: "/plp help all" lists every command the
// person may use, grouped, and nothing else.
func TestHelpAllListsWhatTheRoleMayUse(t *testing.T) {
	e := newEnv(t)
	roles := helpRoles(e)
	g := handlers.Grammar()
	for who, aud := range roles {
		out := e.ok(who, "help all")
		for _, line := range typedCommands(out) {
			if !runnableBy(t, g, aud, strings.ReplaceAll(line, "@user", "@sam")) && !strings.Contains(line, "@user") {
				t.Errorf("%s: help all offers %q", who, line)
			}
		}
		mustContain(t, out, "Goals & steps", "/plp goal add", "/plp conference list")
		if aud >= grammar.Staff {
			mustContain(t, out, "Classes & students", "/plp roster", "/plp conference @user YYYY-MM-DD HH:MM")
		} else {
			mustNotContain(t, out, "Classes & students", "/plp roster", "@user", "Admin")
		}
		if aud == grammar.Admins {
			mustContain(t, out, "Admin", "/plp role @user", "/plp forget @user")
		} else {
			mustNotContain(t, out, "/plp role", "/plp forget")
		}
	}
}

// TestHelpProfileListsTheFields: "/plp help profile" names every field
// "profile set" takes, with one example each that runs.
func TestHelpProfileListsTheFields(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	out := e.ok("sam", "help profile")
	fields := append(slices.Clone(plpbot.ProfileFields), "shoutouts", "timezone")
	mustContain(t, out, "shoutouts on|off", "timezone Area/City")
	g := handlers.Grammar()
	examples := map[string]bool{}
	for _, line := range typedCommands(out) {
		inv, err := g.Parse(line)
		if err == nil && inv.Name() == "profile set" {
			examples[inv.Arg("field")] = true
		}
	}
	for _, f := range fields {
		mustContain(t, out, f)
		if !examples[f] {
			t.Errorf("help profile has no example for %s:\n%s", f, out)
		}
	}
	// And every example does what it says.
	for _, line := range typedCommands(out) {
		if _, err := g.Parse(line); err == nil && strings.HasPrefix(line, "profile set ") {
			e.ok("sam", line)
		}
	}
}

// internalPaths are the command paths people never type: a Default
// subcommand runs without its name ("away until …" runs "away set").
func internalPaths(g *grammar.Grammar) []string {
	var out []string
	for _, c := range g.Commands {
		for _, s := range c.Sub {
			if s.Default {
				out = append(out, c.Name+" "+s.Name)
			}
		}
	}
	return out
}

// allPaths is every command path of g, groups included.
func allPaths(g *grammar.Grammar) [][]string {
	var out [][]string
	var walk func(path []string, cmds []*grammar.Command)
	walk = func(path []string, cmds []*grammar.Command) {
		for _, c := range cmds {
			p := append(slices.Clone(path), c.Name)
			out = append(out, p)
			walk(p, c.Sub)
		}
	}
	walk(nil, g.Commands)
	return out
}

// userFacingTexts renders, for every role, what people read about the
// commands: the first screen, the full list, every command's and group's
// help page and usage, and the error each command gives when typed bare,
// with a stray word, or misspelt. It returns the texts by role.
func userFacingTexts(t *testing.T, e *env, roles map[string]grammar.Audience) map[string][]string {
	t.Helper()
	g := handlers.Grammar()
	texts := map[string][]string{}
	see := func(who string, msgs []bot.Message, err error) {
		if err != nil {
			msgs = []bot.Message{bot.ErrorMessage(err)}
		}
		for _, m := range msgs {
			texts[who] = append(texts[who], m.PlainText())
			for _, b := range m.Buttons {
				texts[who] = append(texts[who], b.Label+" "+b.Command)
			}
		}
	}
	for who, aud := range roles {
		lines := []string{"help", "help all", "help xyzzy", "help conference xyzzy", "help away until"}
		for _, p := range allPaths(g) {
			if !visibleTo(g, p, aud) {
				continue // a student who types a staff command is told it's for staff
			}
			path := strings.Join(p, " ")
			texts[who] = append(texts[who], g.Usage(p))
			lines = append(lines, "help "+path, path, path+" xyzzy", typo(path))
		}
		for _, line := range lines {
			if strings.HasPrefix(line, "forget") || strings.HasPrefix(line, "role") {
				continue // keep the cast intact
			}
			msgs, err := e.run(who, line)
			see(who, msgs, err)
		}
	}
	return texts
}

// visibleTo reports whether aud may use the command or group at path.
func visibleTo(g *grammar.Grammar, path []string, aud grammar.Audience) bool {
	for i := range path {
		if g.Find(path[:i+1]...).Audience > aud {
			return false
		}
	}
	return true
}

// typo misspells the last word of a path by dropping its second letter.
func typo(path string) string {
	words := strings.Fields(path)
	last := words[len(words)-1]
	if len(last) > 2 {
		words[len(words)-1] = last[:1] + last[2:]
	}
	return strings.Join(words, " ")
}

// TestNoInternalCommandPaths: no usage line, help page, suggestion or error
// teaches a command path people don't type ("away set", "profile show",
// "conference schedule", "conference repeat", "schedule show").
func TestNoInternalCommandPaths(t *testing.T) {
	e := newEnv(t)
	roles := helpRoles(e)
	g := handlers.Grammar()
	internal := internalPaths(g)
	for _, want := range []string{"away set", "profile show", "conference schedule", "conference repeat", "schedule show"} {
		if !slices.Contains(internal, want) {
			t.Errorf("internal paths %q lack %q: is it no longer a default?", internal, want)
		}
	}
	for who, texts := range userFacingTexts(t, e, roles) {
		for _, text := range texts {
			for _, p := range internal {
				if regexp.MustCompile(`(?i)\b` + p + `\b`).MatchString(text) {
					t.Errorf("%s reads %q:\n%s", who, p, text)
				}
			}
		}
	}
}

// helpTopicsIn returns every "/plp help X" a text suggests (X in lower
// case: "/plp help COMMAND" is a placeholder, not a suggestion).
func helpTopicsIn(text string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`/plp help((?: [a-z0-9]+)*)`).FindAllStringSubmatch(text, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	return out
}

// stringLiterals returns every string literal in the non-test Go files of
// dirs (comments are not messages).
func stringLiterals(t *testing.T, dirs ...string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						out = append(out, s)
					}
				}
				return true
			})
		}
	}
	return out
}

// TestEverySuggestedHelpTopicExists: every "/plp help X" that the handlers'
// or the grammar's source strings, or any rendered help or error, suggest
// opens a help page for the person who read it.
func TestEverySuggestedHelpTopicExists(t *testing.T) {
	e := newEnv(t)
	roles := helpRoles(e)
	suggested := map[string]map[string]bool{}
	add := func(who, text string) {
		for _, topic := range helpTopicsIn(text) {
			if suggested[who] == nil {
				suggested[who] = map[string]bool{}
			}
			suggested[who][topic] = true
		}
	}
	// A string in the source may reach anyone: its topic must at least exist.
	for _, lit := range stringLiterals(t, ".", "../bot/grammar") {
		add("admin", lit)
	}
	for who, texts := range userFacingTexts(t, e, roles) {
		for _, text := range texts {
			add(who, text)
		}
	}
	if len(suggested["admin"]) < 5 || len(suggested["sam"]) < 5 || len(suggested["ms-lee"]) < 5 {
		t.Fatalf("collected too few suggestions to mean anything: %v", suggested)
	}
	for who, topics := range suggested {
		for topic := range topics {
			msgs, err := e.run(who, strings.TrimSpace("help "+topic))
			if err != nil {
				t.Errorf("%s is told `/plp help %s`, which answers: %v", who, topic, err)
				continue
			}
			if len(msgs) == 0 || msgs[0].Title == "" {
				t.Errorf("%s: `/plp help %s` gives no page", who, topic)
			}
		}
	}
}
