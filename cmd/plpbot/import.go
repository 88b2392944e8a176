package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/bot/slack"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/roster"
)

// importUsage is how plpbot import is typed.
const importUsage = "plpbot import oneroster PATH [-dry-run]"

// errRejected ends a run whose input was refused (a roster with problems):
// the report says why, and the exit status is exitUsage.
var errRejected = errors.New("rejected")

// importArgs reads the words after "plpbot import": the format, oneroster,
// then the folder or .zip. It returns the path and the words left (flags).
func importArgs(args []string) (string, []string, error) {
	switch {
	case len(args) == 0:
		return "", nil, errors.New("plpbot import: say what to import: " + importUsage)
	case args[0] != "oneroster":
		msg := fmt.Sprintf("plpbot import: unknown format %q", args[0])
		if s := grammar.Nearest(args[0], []string{"oneroster"}); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return "", nil, errors.New(msg + " (" + importUsage + ")")
	case len(args) < 2 || args[1] == "" || args[1][0] == '-':
		return "", nil, errors.New("plpbot import oneroster: give the folder or .zip the SIS exported: " + importUsage)
	}
	return args[1], args[2:], nil
}

// importRoster is plpbot import oneroster: it imports (or, with -dry-run,
// checks) the set at m.ImportPath and prints the report. A set with
// problems is refused whole: nothing is written and the run ends with
// errRejected.
//
// The same import from chat (an admin attaching the .zip to /plp import in
// a DM) is handlers.cmdImport, which calls roster.Importer the same way.
func (m *Main) importRoster(ctx context.Context) error {
	im := roster.New(m.Store, m.Logger)
	rep, err := im.Import(ctx, m.ImportPath, roster.Options{DryRun: m.DryRun})
	if err == nil {
		var links *roster.Linking
		links, err = m.linkRoster(ctx, im)
		if links != nil {
			rep.Linked(links)
		}
		if err != nil {
			err = fmt.Errorf("link people to their chat accounts: %w", err)
		}
	}
	fmt.Fprint(m.Stdout, rep.String())
	if errors.Is(err, roster.ErrInvalid) {
		return errRejected
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", m.ImportPath, err)
	}
	return nil
}

// linkRoster links the people the roster brought who aren't linked to a
// chat account yet, looking them up on Slack by email and on Discord by
// username when their credentials are in the config (roster.Importer.Link),
// with progress on Stderr. A dry run looks nobody up: lookups take time
// (Slack's are about 50 a minute, its member list 20 pages of 200) and the
// people of a first import aren't stored yet; it says what the import
// would look up instead.
func (m *Main) linkRoster(ctx context.Context, im *roster.Importer) (*roster.Linking, error) {
	var where []string
	if m.Config.SlackEnabled() {
		where = append(where, "on Slack by email")
	}
	if m.Config.DiscordEnabled() {
		where = append(where, "on Discord by username")
	}
	switch {
	case len(where) == 0:
		return &roster.Linking{Skipped: "No Slack or Discord credentials are in the config, so I looked nobody up by email or username: " +
			"people are linked when they first message plpbot, or with `/plp link @user SOURCEDID`."}, nil
	case m.DryRun:
		return &roster.Linking{Skipped: "Dry run: I looked nobody up. The import looks up the people not linked yet " +
			strings.Join(where, " and ") + "."}, nil
	}
	finders, err := m.importFinders()
	if err != nil {
		return nil, err
	}
	return im.Link(ctx, finders, roster.LinkOptions{Progress: m.linkProgress()})
}

// importFinders builds the configured Slack and Discord adapters to look
// people up with; they don't connect (no Socket Mode, no gateway), they
// only call the Web API and REST.
func (m *Main) importFinders() ([]roster.Finder, error) {
	m.Handlers = m.newHandlers() // the adapters need a handler, though nothing reaches it here
	g := handlers.Grammar()
	var out []roster.Finder
	if m.Config.SlackEnabled() {
		a, err := m.newSlack(g)
		if err != nil {
			return nil, err
		}
		out = append(out, roster.Finder{Platform: bot.Slack, Users: a})
	}
	if m.Config.DiscordEnabled() {
		a, err := m.newDiscord(g)
		if err != nil {
			return nil, err
		}
		out = append(out, roster.Finder{Platform: bot.Discord, Workspace: m.Config.Discord.GuildID, Users: a})
	}
	return out, nil
}

// linkProgress prints on Stderr what linking will look up and how long
// Slack's pace makes it, then how far it is, every minute.
func (m *Main) linkProgress() func(roster.LinkProgress) {
	var last time.Time
	return func(p roster.LinkProgress) {
		due := 0
		for _, n := range p.Due {
			due += n
		}
		switch {
		case due == 0:
		case last.IsZero():
			last = time.Now()
			var parts []string
			switch n := p.Due[bot.Slack]; {
			case n > 0 && p.Listed[bot.Slack]:
				parts = append(parts, fmt.Sprintf("%s on Slack by email, against Slack's member list (read once, %d people a call: about a minute for every %s people in the workspace)",
					roster.Thousands(n), slack.ListPage, roster.Thousands(slack.ListPage*slack.ListPagesPerMinute)))
			case n > 0:
				parts = append(parts, fmt.Sprintf("%d on Slack by email (Slack answers about %d a minute, so %s)",
					n, slack.LookupsPerMinute, aboutMinutes(n/slack.LookupsPerMinute)))
			}
			if n := p.Due[bot.Discord]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d on Discord by username", n))
			}
			fmt.Fprintf(m.Stderr, "Linking people to their chat accounts: looking up %s. Stop any time with Ctrl-C: the next import goes on where this one stopped.\n",
				strings.Join(parts, " and "))
		case p.Done == due || time.Since(last) >= time.Minute:
			last = time.Now()
			fmt.Fprintf(m.Stderr, "… %d of %d looked up, %d accounts linked\n", p.Done, due, p.Linked)
		}
	}
}

// aboutMinutes says roughly how long n minutes is.
func aboutMinutes(n int) string {
	switch n {
	case 0:
		return "under a minute"
	case 1:
		return "about a minute"
	}
	return fmt.Sprintf("about %d minutes", n)
}

// exitCode is the exit status of a run that ended with err.
func exitCode(err error) int {
	if errors.Is(err, errRejected) {
		return exitUsage
	}
	return exitFailed
}
