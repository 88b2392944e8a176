package handlers

import (
	"context"
	"slices"

	"github.com/plpbot/plpbot/bot"
)

// cmdHelp lists what the actor can do, or explains one command. Someone the
// bot has never met before gets a one-line welcome first.
func (h *Handlers) cmdHelp(ctx context.Context, c *call) ([]bot.Message, error) {
	m, err := h.grammar.Help(helpAudience(c.Actor), c.Invocation.Arg("command"))
	if err != nil {
		return nil, err
	}
	if c.FirstSeen {
		welcome := bot.Text{Text: "Welcome to plpbot, " + bot.User(c.Actor.Name) + "! I keep your learning plan: goals, steps, check-ins and reflections."}
		m.Blocks = slices.Insert(slices.Clone(m.Blocks), 0, bot.Block(welcome))
	}
	return []bot.Message{m}, nil
}
