package grammar

import (
	"reflect"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
)

// localGrammar exercises argument kinds the product tree does not use yet
// (cron, duration, word, required keyed, a group with two defaults).
func localGrammar() *Grammar {
	return &Grammar{Commands: []*Command{
		{Name: "schedule", Audience: Admins, Summary: "Change when a prompt goes out",
			Examples: []string{`schedule reflections "0 14 * * FRI"`},
			Args: []Arg{
				{Name: "job", Kind: ArgChoice, Required: true, Choices: []string{"reflections", "nudges"}},
				{Name: "when", Kind: ArgCron, Required: true},
			}},
		{Name: "snooze", Summary: "Snooze prompts",
			Args: []Arg{
				{Name: "for", Kind: ArgDuration, Required: true, Keyed: true},
				{Name: "tag", Kind: ArgWord, MaxLen: 5},
			}},
		{Name: "pick", Summary: "Two defaults",
			Sub: []*Command{
				{Name: "number", Default: true, Args: []Arg{{Name: "n", Kind: ArgNumber, Required: true}}},
				{Name: "date", Default: true, Args: []Arg{{Name: "d", Kind: ArgDate, Required: true}, {Name: "t", Kind: ArgTime, Required: true}}},
				{Name: "other"},
			}},
	}}
}

func TestParseLocalKinds(t *testing.T) {
	g := localGrammar()
	tests := []struct {
		line string
		path string
		args map[string]string
	}{
		{`schedule reflections "0 14 * * FRI"`, "schedule", map[string]string{"job": "reflections", "when": "0 14 * * FRI"}},
		{"schedule Nudges “0  8 * * MON-FRI”", "schedule", map[string]string{"job": "nudges", "when": "0 8 * * MON-FRI"}},
		{`schedule nudges "CRON_TZ=America/New_York 30 7 * * 1"`, "schedule", map[string]string{"job": "nudges", "when": "CRON_TZ=America/New_York 30 7 * * 1"}},
		{"schedule nudges @weekly", "schedule", map[string]string{"job": "nudges", "when": "@weekly"}},
		{"snooze for:1d", "snooze", map[string]string{"for": "1d"}},
		{"snooze for:2weeks", "snooze", map[string]string{"for": "2w"}},
		{"snooze for: 90m", "snooze", map[string]string{"for": "90m"}},
		{"snooze FOR:24H short", "snooze", map[string]string{"for": "24h", "tag": "short"}},
		{"pick 7", "pick number", map[string]string{"n": "7"}},
		{"pick 2027-01-02 9:05", "pick date", map[string]string{"d": "2027-01-02", "t": "09:05"}},
		{"pick 2027-01-02 10:30pm", "pick date", map[string]string{"d": "2027-01-02", "t": "22:30"}},
		{"pick 2027-01-02 12am", "pick date", map[string]string{"d": "2027-01-02", "t": "00:00"}},
		{"pick other", "pick other", map[string]string{}},
	}
	for _, tt := range tests {
		inv, err := g.Parse(tt.line)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if inv.Name() != tt.path || !reflect.DeepEqual(inv.Args, tt.args) {
			t.Errorf("Parse(%q) = %s %q, want %s %q", tt.line, inv.Name(), inv.Args, tt.path, tt.args)
		}
	}
}

func TestParseLocalErrors(t *testing.T) {
	g := localGrammar()
	tests := []struct {
		line, field string
		parts       []string
	}{
		{`schedule reflections "0 14 * *"`, "when", []string{`"0 14 * *" has 4 field(s), not 5.`, "five fields in quotes"}},
		{`schedule reflections "61 14 * * FRI"`, "when", []string{`The minute (1st field) can't be "61"`}},
		{`schedule reflections "CRON_TZ=Mars/Olympus 0 14 * * FRI"`, "when", []string{"time zone", "Mars/Olympus"}},
		{`schedule reflections CRON_TZ=Europe/Paris`, "when", []string{"has 0 field(s), not 5"}},
		{`schedule reflections "TZ= 0 1 * * *"`, "when", []string{"A time zone is needed here"}},
		{`schedule reflections "@every 1s"`, "when", []string{`I don't know "@every 1s"`}},
		{`schedule reflections "0 14 * * FRI ` + strings.Repeat("x", 200) + `"`, "when", []string{"That schedule is 213 characters long"}},
		{`schedule reflections`, "when", []string{"needs \"CRON\""}},
		{"schedule reflectoins @daily", "job", []string{"Did you mean", "reflections"}},
		{"snooze", "for", []string{"needs FOR"}},
		{"snooze for:0d", "for", []string{"out of range"}},
		{"snooze for:400d", "for", []string{"out of range"}},
		{"snooze for:soon", "for", []string{"isn't a length of time", "soon"}},
		{"snooze for:1d toolong", "tag", []string{"7 characters long; the limit is 5"}},
		{"snooze for:1d a\x01", "tag", []string{"hidden character"}},
		{"pick 2027-01-02", "t", []string{"needs HH:MM"}},
		{"pick 2027-01-02 13pm", "t", []string{"I couldn't read that time: 13pm"}},
		{"pick 2027-13-01 10:00", "d", []string{"That date doesn't exist: 2027-13-01"}},
		{"pick 0999-01-01 10:00", "d", []string{"too far away"}},
	}
	for _, tt := range tests {
		_, err := g.Parse(tt.line)
		ue, ok := bot.AsUserError(err)
		if !ok {
			t.Errorf("Parse(%q) error = %v, want a *UserError", tt.line, err)
			continue
		}
		msg := bot.Format(ue.Message, bot.PlainDialect)
		for _, p := range tt.parts {
			if !strings.Contains(msg, p) {
				t.Errorf("Parse(%q) message %q lacks %q", tt.line, msg, p)
			}
		}
		if ue.Code != bot.EInvalid || ue.Usage == "" || ue.Field != tt.field {
			t.Errorf("Parse(%q) = code %s usage %q field %q, want invalid, a usage, field %q", tt.line, ue.Code, ue.Usage, ue.Field, tt.field)
		}
	}
}
