package handlers

import (
	"slices"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot/grammar"
)

// leafCommands lists every command path of g that runs something.
func leafCommands(cmds []*grammar.Command, prefix []string) []string {
	var out []string
	for _, c := range cmds {
		p := append(slices.Clone(prefix), c.Name)
		if len(c.Sub) > 0 {
			out = append(out, leafCommands(c.Sub, p)...)
			continue
		}
		out = append(out, strings.Join(p, " "))
	}
	return out
}

func TestRoutesMatchGrammar(t *testing.T) {
	routes := (&Handlers{}).routeTable()
	leaves := leafCommands(Grammar().Commands, nil)
	if len(leaves) == 0 {
		t.Fatal("the grammar has no commands")
	}
	for _, name := range leaves {
		if fn, ok := routes[name]; !ok || fn == nil {
			t.Errorf("grammar command %q has no route", name)
		}
	}
	for name := range routes {
		if !slices.Contains(leaves, name) {
			t.Errorf("route %q is not a command of the grammar", name)
		}
	}
}
