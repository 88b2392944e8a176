package grammar

import (
	"context"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// Call is one command being answered: the request, the person asking (as
// the store knows them) and the parsed command.
type Call struct {
	Request    *bot.Request
	Actor      *plpbot.Person
	Invocation *bot.Invocation
	// FirstSeen is true when this request made the actor known to plpbot.
	FirstSeen bool
}

// Func answers one parsed command. Errors that are *bot.UserError (or a
// domain *plpbot.Error) are for the asker; any other is internal.
type Func func(ctx context.Context, c *Call) ([]bot.Message, error)

// Runner returns the function that answers the command at path, or nil when
// path is not a runnable command.
func (g *Grammar) Runner(path ...string) Func {
	if cmd := g.Find(path...); cmd != nil && len(cmd.Sub) == 0 {
		return cmd.Run
	}
	return nil
}
