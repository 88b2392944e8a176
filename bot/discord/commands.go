package discord

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// RootCommand is the one application command plpbot registers; every
// grammar command is a subcommand (group) of it.
const RootCommand = "plp"

// Discord's application command limits.
const (
	MaxCommandNameLen     = 32
	MaxCommandDescLen     = 100
	MaxCommandOptions     = 25
	MaxOptionChoices      = 25
	MaxChoiceLen          = 100
	MaxCommandTotalChars  = 4000 // names, descriptions and choice values of one command, together
	maxStringOptionLength = 6000
	// maxExtraUsers is how many user options an ArgUsers argument gets:
	// "users" and then "users2" … "users5".
	maxExtraUsers = 5
)

// isFormCommand reports whether the command's required text may be left out
// on Discord: the adapter then opens a modal (built by grammar.Grammar.FormFor)
// instead of refusing the command, which is friendlier for long text on a phone.
func isFormCommand(path []string) bool {
	switch strings.ToLower(strings.Join(path, " ")) {
	case "goal add", "reflect", "checkin":
		return true
	}
	return false
}

// descFit bounds descriptions while the command is fitted to Discord's
// total: cmd for (sub)commands and groups, which people pick from a list,
// opt for options, which they read once they have picked.
type descFit struct{ cmd, opt int }

// descFits are tried in order until the command fits: option descriptions
// give way before the commands' own.
var descFits = []descFit{
	{MaxCommandDescLen, MaxCommandDescLen}, {80, 60}, {60, 45}, {60, 32}, {45, 32},
	{45, 24}, {40, 20}, {32, 20}, {32, 16}, {30, 16}, {28, 16}, {24, 16},
}

// BuildCommand generates the /plp application command from the grammar:
// top-level commands become subcommands, groups become subcommand groups,
// arguments become typed options. Names and descriptions are fitted to
// Discord's limits; if the whole command would exceed Discord's total of
// 4,000 characters, descriptions are shortened (options' first) until it
// fits.
func BuildCommand(g *grammar.Grammar) *discordgo.ApplicationCommand {
	for _, f := range descFits {
		cmd := buildCommand(g, f)
		if commandChars(cmd) <= MaxCommandTotalChars {
			return cmd
		}
	}
	return buildCommand(g, descFit{16, 12})
}

func buildCommand(g *grammar.Grammar, fit descFit) *discordgo.ApplicationCommand {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	integrations := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	root := &discordgo.ApplicationCommand{
		Type:             discordgo.ChatApplicationCommand,
		Name:             RootCommand,
		Description:      "Your Personalized Learning Plan: goals, check-ins, reflections",
		Contexts:         &contexts,
		IntegrationTypes: &integrations,
	}
	for _, c := range g.Commands {
		if c.TextOnly {
			continue // typed in a DM or pressed as a button; no menu entry
		}
		if len(root.Options) == MaxCommandOptions {
			break
		}
		if len(c.Sub) == 0 {
			root.Options = append(root.Options, subcommand(c, []string{c.Name}, fit))
			continue
		}
		group := &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionSubCommandGroup,
			Name:        optionName(c.Name),
			Description: description(c.Summary, c.Name, fit.cmd),
		}
		for _, s := range c.Sub {
			if len(group.Options) == MaxCommandOptions {
				break
			}
			group.Options = append(group.Options, subcommand(s, []string{c.Name, s.Name}, fit))
		}
		root.Options = append(root.Options, group)
	}
	return root
}

func subcommand(c *grammar.Command, path []string, fit descFit) *discordgo.ApplicationCommandOption {
	sub := &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionSubCommand,
		Name:        optionName(c.Name),
		Description: description(c.Summary, c.Name, fit.cmd),
	}
	form := isFormCommand(path)
	var required, optional []*discordgo.ApplicationCommandOption
	for _, a := range c.Args {
		for _, o := range argOptions(a, fit.opt) {
			if form {
				// The modal asks for what is missing.
				o.Required = false
			}
			if o.Required {
				required = append(required, o)
			} else {
				optional = append(optional, o)
			}
		}
	}
	sub.Options = append(required, optional...)
	if len(sub.Options) > MaxCommandOptions {
		sub.Options = sub.Options[:MaxCommandOptions]
	}
	return sub
}

// argOptions maps one grammar argument to its Discord options (none for a
// required literal word, several for a list of users).
func argOptions(a grammar.Arg, descMax int) []*discordgo.ApplicationCommandOption {
	o := &discordgo.ApplicationCommandOption{
		Name:        optionName(a.Name),
		Description: description(a.Description, a.Name, descMax),
		Required:    a.Required,
	}
	switch a.Kind {
	case grammar.ArgLiteral:
		if a.Required {
			return nil
		}
		o.Type = discordgo.ApplicationCommandOptionBoolean
		if a.Description == "" {
			o.Description = description("Choose True to "+a.Name, a.Name, descMax)
		}
	case grammar.ArgUser:
		o.Type = discordgo.ApplicationCommandOptionUser
	case grammar.ArgUsers:
		o.Type = discordgo.ApplicationCommandOptionUser
		out := []*discordgo.ApplicationCommandOption{o}
		for i := 2; i <= maxExtraUsers; i++ {
			out = append(out, &discordgo.ApplicationCommandOption{
				Type:        discordgo.ApplicationCommandOptionUser,
				Name:        optionName(a.Name + strconv.Itoa(i)),
				Description: description("One more person", a.Name, descMax),
			})
		}
		return out
	case grammar.ArgRole:
		o.Type = discordgo.ApplicationCommandOptionRole
	case grammar.ArgNumber:
		o.Type = discordgo.ApplicationCommandOptionInteger
		o.MinValue = floatPtr(1)
	case grammar.ArgRange:
		o.Type = discordgo.ApplicationCommandOptionInteger
		o.MinValue = floatPtr(float64(a.Min))
		o.MaxValue = float64(a.Max)
	case grammar.ArgPercent:
		// A number pad on phones beats typing "%".
		o.Type = discordgo.ApplicationCommandOptionInteger
		o.MinValue = floatPtr(0)
		o.MaxValue = 100
	case grammar.ArgChoice:
		o.Type = discordgo.ApplicationCommandOptionString
		for _, ch := range a.Choices {
			if len(o.Choices) == MaxOptionChoices {
				break
			}
			v := truncate(ch, MaxChoiceLen)
			o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v})
		}
	default:
		o.Type = discordgo.ApplicationCommandOptionString
		if a.Kind == grammar.ArgText || a.Kind == grammar.ArgWord {
			max := a.MaxLen
			if max <= 0 {
				max = plpbot.MaxTextLen
			}
			o.MaxLength = min(max, maxStringOptionLength)
		}
	}
	return []*discordgo.ApplicationCommandOption{o}
}

func floatPtr(f float64) *float64 { return &f }

var invalidNameChars = regexp.MustCompile(`[^-_\p{Ll}\p{Lo}\p{N}]`)

// optionName fits s to Discord's name rule: 1-32 lower-case letters, digits, - or _.
func optionName(s string) string {
	s = invalidNameChars.ReplaceAllString(strings.ToLower(s), "_")
	if r := []rune(s); len(r) > MaxCommandNameLen {
		s = string(r[:MaxCommandNameLen])
	}
	if s == "" {
		s = "x"
	}
	return s
}

// description fits s to 1..max characters, falling back to the name.
func description(s, name string, max int) string {
	s = strings.TrimSpace(bot.StripMarkup(s))
	if s == "" {
		s = strings.ReplaceAll(name, "_", " ")
		if s != "" {
			s = strings.ToUpper(s[:1]) + s[1:]
		}
	}
	if s == "" {
		s = "plpbot"
	}
	return truncate(s, max)
}

// commandChars is what Discord counts towards a command's 4,000 characters:
// names, descriptions and choice names and values.
func commandChars(c *discordgo.ApplicationCommand) int {
	n := textLen(c.Name) + textLen(c.Description)
	var walk func(opts []*discordgo.ApplicationCommandOption)
	walk = func(opts []*discordgo.ApplicationCommandOption) {
		for _, o := range opts {
			n += textLen(o.Name) + textLen(o.Description)
			for _, ch := range o.Choices {
				n += textLen(ch.Name) + textLen(fmt.Sprint(ch.Value))
			}
			walk(o.Options)
		}
	}
	walk(c.Options)
	return n
}

var validName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// ValidateCommand checks c against Discord's limits for a chat input
// command and returns every problem found.
func ValidateCommand(c *discordgo.ApplicationCommand) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	checkNameDesc := func(where, name, desc string) {
		if !validName.MatchString(name) {
			bad("%s: name %q is not 1-32 lower-case letters, digits, - or _", where, name)
		}
		if l := textLen(desc); l < 1 || l > MaxCommandDescLen {
			bad("%s: description has %d characters, want 1-%d", where, l, MaxCommandDescLen)
		}
	}
	checkNameDesc("/"+c.Name, c.Name, c.Description)
	if n := commandChars(c); n > MaxCommandTotalChars {
		bad("/%s: %d characters in names, descriptions and choices, want ≤ %d", c.Name, n, MaxCommandTotalChars)
	}
	var walk func(where string, opts []*discordgo.ApplicationCommandOption, depth int)
	walk = func(where string, opts []*discordgo.ApplicationCommandOption, depth int) {
		if len(opts) > MaxCommandOptions {
			bad("%s: %d options, want ≤ %d", where, len(opts), MaxCommandOptions)
		}
		names := map[string]bool{}
		seenOptional := false
		for _, o := range opts {
			at := where + " " + o.Name
			checkNameDesc(at, o.Name, o.Description)
			if names[o.Name] {
				bad("%s: duplicate option name", at)
			}
			names[o.Name] = true
			switch o.Type {
			case discordgo.ApplicationCommandOptionSubCommandGroup:
				if depth != 0 {
					bad("%s: a subcommand group may only sit at the top level", at)
				}
				for _, s := range o.Options {
					if s.Type != discordgo.ApplicationCommandOptionSubCommand {
						bad("%s: a group may hold only subcommands", at)
					}
				}
				walk(at, o.Options, depth+1)
			case discordgo.ApplicationCommandOptionSubCommand:
				if depth > 1 {
					bad("%s: subcommands nest at most two levels", at)
				}
				walk(at, o.Options, 3)
			default:
				if depth < 3 && depth != 0 {
					bad("%s: a group may not hold plain options", at)
				}
				if o.Required && seenOptional {
					bad("%s: required option after an optional one", at)
				}
				if !o.Required {
					seenOptional = true
				}
				if len(o.Choices) > MaxOptionChoices {
					bad("%s: %d choices, want ≤ %d", at, len(o.Choices), MaxOptionChoices)
				}
				for _, ch := range o.Choices {
					if l := textLen(ch.Name); l < 1 || l > MaxChoiceLen {
						bad("%s: choice name %q has %d characters", at, ch.Name, l)
					}
					if s, ok := ch.Value.(string); ok && textLen(s) > MaxChoiceLen {
						bad("%s: choice value %q is too long", at, s)
					}
				}
				if o.MaxLength > maxStringOptionLength {
					bad("%s: max_length %d, want ≤ %d", at, o.MaxLength, maxStringOptionLength)
				}
			}
		}
	}
	walk("/"+c.Name, c.Options, 0)
	return errs
}
