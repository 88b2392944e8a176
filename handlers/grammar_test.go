package handlers_test

import (
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/handlers"
)

// TestEveryCommandHasItsFunction: a command is one entry, its words and
// the function that answers it; a group has subcommands and no function.
func TestEveryCommandHasItsFunction(t *testing.T) {
	var walk func(cmds []*grammar.Command, path []string) int
	walk = func(cmds []*grammar.Command, path []string) int {
		n := 0
		for _, c := range cmds {
			p := append(append([]string(nil), path...), c.Name)
			switch {
			case len(c.Sub) > 0 && c.Run != nil:
				t.Errorf("group %q has a function of its own", strings.Join(p, " "))
			case len(c.Sub) == 0 && c.Run == nil:
				t.Errorf("command %q has no function", strings.Join(p, " "))
			}
			n += 1 + walk(c.Sub, p)
		}
		return n
	}
	if n := walk(handlers.Grammar().Commands, nil); n < 30 {
		t.Errorf("the grammar has %d commands; want every plpbot command", n)
	}
}
