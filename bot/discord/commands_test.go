package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot/grammar"
)

func findOption(opts []*discordgo.ApplicationCommandOption, path ...string) *discordgo.ApplicationCommandOption {
	var found *discordgo.ApplicationCommandOption
	for _, p := range path {
		found = nil
		for _, o := range opts {
			if o.Name == p {
				found = o
				break
			}
		}
		if found == nil {
			return nil
		}
		opts = found.Options
	}
	return found
}

func TestBuildCommandWithinDiscordLimits(t *testing.T) {
	cmd := BuildCommand(testGrammar())
	for _, err := range ValidateCommand(cmd) {
		t.Error(err)
	}
	if n := commandChars(cmd); n > MaxCommandTotalChars {
		t.Errorf("command has %d characters in all", n)
	}
	// Every grammar command is reachable.
	for _, c := range testGrammar().Commands {
		if c.TextOnly {
			continue
		}
		if len(c.Sub) == 0 {
			if o := findOption(cmd.Options, c.Name); o == nil || o.Type != discordgo.ApplicationCommandOptionSubCommand {
				t.Errorf("/plp %s: missing or not a subcommand", c.Name)
			}
			continue
		}
		g := findOption(cmd.Options, c.Name)
		if g == nil || g.Type != discordgo.ApplicationCommandOptionSubCommandGroup {
			t.Errorf("/plp %s: missing or not a group", c.Name)
			continue
		}
		for _, s := range c.Sub {
			if o := findOption(g.Options, s.Name); o == nil || o.Type != discordgo.ApplicationCommandOptionSubCommand {
				t.Errorf("/plp %s %s: missing", c.Name, s.Name)
			}
		}
	}
}

func TestBuildCommandOptions(t *testing.T) {
	cmd := BuildCommand(testGrammar())
	tests := []struct {
		path     []string
		typ      discordgo.ApplicationCommandOptionType
		required bool
		choices  int
		min, max float64
	}{
		{[]string{"goal", "add", "title"}, discordgo.ApplicationCommandOptionString, false, 0, 0, 0}, // modal fills it
		{[]string{"goal", "add", "category"}, discordgo.ApplicationCommandOptionString, false, 3, 0, 0},
		{[]string{"goal", "done", "n"}, discordgo.ApplicationCommandOptionInteger, true, 0, 1, 0},
		{[]string{"checkin", "percent"}, discordgo.ApplicationCommandOptionInteger, false, 0, 0, 100},
		{[]string{"checkin", "confidence"}, discordgo.ApplicationCommandOptionInteger, false, 0, 1, 5},
		{[]string{"student", "user"}, discordgo.ApplicationCommandOptionUser, true, 0, 0, 0},
		{[]string{"class", "add", "users"}, discordgo.ApplicationCommandOptionUser, false, 0, 0, 0},
		{[]string{"class", "sync", "role"}, discordgo.ApplicationCommandOptionRole, false, 0, 0, 0},
		{[]string{"class", "add", "users5"}, discordgo.ApplicationCommandOptionUser, false, 0, 0, 0},
		{[]string{"forget", "confirm"}, discordgo.ApplicationCommandOptionBoolean, false, 0, 0, 0},
		{[]string{"role", "role"}, discordgo.ApplicationCommandOptionString, true, 4, 0, 0},
		{[]string{"away", "set", "date"}, discordgo.ApplicationCommandOptionString, true, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.path, " "), func(t *testing.T) {
			o := findOption(cmd.Options, tt.path...)
			if o == nil {
				t.Fatal("option missing")
			}
			if o.Type != tt.typ || o.Required != tt.required || len(o.Choices) != tt.choices {
				t.Errorf("got type %v required %v choices %d; want %v %v %d", o.Type, o.Required, len(o.Choices), tt.typ, tt.required, tt.choices)
			}
			if tt.min != 0 && (o.MinValue == nil || *o.MinValue != tt.min) {
				t.Errorf("min_value = %v, want %v", o.MinValue, tt.min)
			}
			if o.MaxValue != tt.max {
				t.Errorf("max_value = %v, want %v", o.MaxValue, tt.max)
			}
		})
	}
	// A required literal carries no information: it is not an option.
	if o := findOption(cmd.Options, "away", "set", "until"); o != nil {
		t.Errorf("/plp away set has an option %q", o.Name)
	}
}

func TestValidateCommandCatchesViolations(t *testing.T) {
	long := strings.Repeat("x", 101)
	tests := []struct {
		name string
		cmd  *discordgo.ApplicationCommand
		want string
	}{
		{"upper-case name", &discordgo.ApplicationCommand{Name: "Plp", Description: "d"}, "name"},
		{"long description", &discordgo.ApplicationCommand{Name: "plp", Description: long}, "description"},
		{"empty description", &discordgo.ApplicationCommand{Name: "plp"}, "description"},
		{"required after optional", &discordgo.ApplicationCommand{Name: "plp", Description: "d", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "a", Description: "d", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "x", Description: "d"},
				{Type: discordgo.ApplicationCommandOptionString, Name: "y", Description: "d", Required: true},
			}},
		}}, "required option after"},
		{"three levels", &discordgo.ApplicationCommand{Name: "plp", Description: "d", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: "a", Description: "d", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: "b", Description: "d"},
			}},
		}}, "group"},
		{"too many choices", &discordgo.ApplicationCommand{Name: "plp", Description: "d", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "x", Description: "d", Choices: make([]*discordgo.ApplicationCommandOptionChoice, 26)},
		}}, "choices"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.cmd.Options {
				for j := range tt.cmd.Options[i].Choices {
					tt.cmd.Options[i].Choices[j] = &discordgo.ApplicationCommandOptionChoice{Name: "c", Value: "c"}
				}
			}
			errs := ValidateCommand(tt.cmd)
			var all []string
			for _, e := range errs {
				all = append(all, e.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), tt.want) {
				t.Errorf("errors %q, want one mentioning %q", all, tt.want)
			}
		})
	}
}

func TestBuildCommandShortensToFitTotal(t *testing.T) {
	// A grammar with long summaries everywhere must still fit in 4,000 characters.
	g := &grammar.Grammar{}
	for i := range 25 {
		c := &grammar.Command{Name: "cmd" + string(rune('a'+i)), Summary: strings.Repeat("long summary ", 10)}
		for j := range 5 {
			c.Args = append(c.Args, grammar.Arg{Name: "arg" + string(rune('a'+j)), Kind: grammar.ArgText, Description: strings.Repeat("d", 100)})
		}
		g.Commands = append(g.Commands, c)
	}
	cmd := BuildCommand(g)
	if errs := ValidateCommand(cmd); len(errs) > 0 {
		t.Errorf("still invalid: %v", errs)
	}
}

func TestRegisterCommands(t *testing.T) {
	tests := []struct {
		name, guild, path string
	}{
		{"guild", "g1", "/applications/app1/guilds/g1/commands"},
		{"global", "", "/applications/app1/commands"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDiscord(t)
			a, _ := newTestAdapter(t, f, &scripted{}, tt.guild)
			for range 2 { // idempotent: the same overwrite twice
				if err := a.RegisterCommands(context.Background()); err != nil {
					t.Fatalf("RegisterCommands: %v", err)
				}
			}
			calls := f.callsTo("PUT", "/commands")
			if len(calls) != 2 || calls[0].Path != tt.path {
				t.Fatalf("calls %v, want 2× PUT %s", f.paths(), tt.path)
			}
			if string(calls[0].Body) != string(calls[1].Body) {
				t.Error("the two overwrites differ")
			}
			var cmds []*discordgo.ApplicationCommand
			if err := json.Unmarshal(calls[0].Body, &cmds); err != nil {
				t.Fatal(err)
			}
			if len(cmds) != 1 || cmds[0].Name != "plp" {
				t.Fatalf("registered %d commands", len(cmds))
			}
			for _, err := range ValidateCommand(cmds[0]) {
				t.Error(err)
			}
		})
	}
}

func TestInviteURL(t *testing.T) {
	const want = "https://discord.com/oauth2/authorize?client_id=42&permissions=2147600384&scope=bot+applications.commands"
	if got := InviteURL("42"); got != want {
		t.Errorf("InviteURL = %s, want %s (the README shows it)", got, want)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"ok", Config{Token: "t", AppID: "1"}, ""},
		{"no token", Config{AppID: "1"}, "discord.token"},
		{"no app id", Config{Token: "t"}, "discord.app_id"},
		{"bad api url", Config{Token: "t", AppID: "1", APIURL: "localhost:80"}, "discord.api_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}
