package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/roster"
)

// Linking people at import, from chat: once /plp import apply has written
// the roster, the people no chat account is linked to yet are looked up on
// the platform the admin asked from and on every other platform plpbot
// runs (Options.Finders), and linked (roster.Importer.Link). Lookups keep
// to each platform's pace (Slack's about 50 a minute), so a chat command
// gets what time is left of importTimeout, less linkReserve; those not
// reached wait for /plp import link (the "Keep linking" button), the next
// import, or their first message. A dry run looks nobody up.

// linkReserve is the part of a chat import's time kept for answering after
// the lookups stop.
const linkReserve = 15 * time.Second

// keepLinking is the command of the "Keep linking" button.
const keepLinking = "import link"

// linkFinders are the platforms to look people up on: the request's own
// adapter first (in the asker's workspace), then the other running ones.
func (h *Handlers) linkFinders(c *call) []roster.Finder {
	var out []roster.Finder
	if f, ok := c.Request.Adapter.(bot.UserFinder); ok {
		out = append(out, roster.Finder{Platform: c.Request.Actor.Platform, Workspace: c.Request.Actor.Workspace, Users: f})
	}
	if h.finders == nil {
		return out
	}
	others := h.finders()
	platforms := make([]bot.Platform, 0, len(others))
	for p := range others {
		platforms = append(platforms, p)
	}
	slices.Sort(platforms)
	for _, p := range platforms {
		if p != c.Request.Actor.Platform && others[p] != nil {
			out = append(out, roster.Finder{Platform: p, Users: others[p]})
		}
	}
	return out
}

// linkRoster looks up and links the people not linked yet, until linkReserve
// before ctx's deadline; the audit names the admin as who linked them.
func (h *Handlers) linkRoster(ctx context.Context, c *call) (*roster.Linking, error) {
	finders := h.linkFinders(c)
	if len(finders) == 0 {
		return &roster.Linking{Skipped: "Here I can't look anyone up by email or username: people are linked when they first use plpbot, " +
			"or with `/plp link @user SOURCEDID`."}, nil
	}
	opts := roster.LinkOptions{ActorID: c.Actor.ID, ActorName: c.Actor.Name}
	if dl, ok := ctx.Deadline(); ok {
		opts.Until = dl.Add(-linkReserve)
	}
	return roster.New(h.store, h.log).Link(ctx, finders, opts)
}

// lookupsPlanned is the dry run's note on linking: who will be looked up
// where once the import is applied.
func (h *Handlers) lookupsPlanned(c *call) string {
	var where []string
	for _, f := range h.linkFinders(c) {
		where = append(where, "on "+roster.PlatformName(f.Platform)+" by "+f.Users.FindsBy())
	}
	if len(where) == 0 {
		return ""
	}
	return "When you apply it, I'll look up the people not linked yet " + andJoin(where) + " and link those I find."
}

// importLink is /plp import link: look up the people not linked yet, for
// as long as a command may take, and say what came of it.
func (h *Handlers) importLink(ctx context.Context, c *call) ([]bot.Message, error) {
	l, err := h.linkRoster(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("import link: %w", err)
	}
	m := reply("Linking the roster")
	notes := linkNotes(l)
	if len(notes) == 0 {
		notes = []string{"Everyone on the roster is linked to a chat account: nothing to look up."}
	}
	for _, n := range notes {
		m.Blocks = append(m.Blocks, bot.Text{Text: n})
	}
	if l.Left > 0 {
		m.Buttons = []bot.Button{{Label: "Keep linking", Command: keepLinking, Style: bot.Primary}}
	}
	return []bot.Message{m}, h.importAudit(ctx, c, linkAudit(l))
}

// linkNotes are a linking's notes as chat shows them.
func linkNotes(l *roster.Linking) []string {
	return l.Notes(bot.User, "press Keep linking, or type `/plp "+keepLinking+"`, to go on.")
}

// linkAudit is the import audit's detail for a linking.
func linkAudit(l *roster.Linking) string {
	if l.Skipped != "" {
		return "linking skipped"
	}
	var parts []string
	for _, p := range l.Platforms {
		parts = append(parts, fmt.Sprintf("%s: %d looked up, %d linked", p.Platform, p.Looked, p.Linked))
	}
	return fmt.Sprintf("linked %d people (%s); %d not linked, %d not looked up yet",
		l.Linked, strings.Join(parts, ", "), len(l.Unmatched), l.Left)
}
