package grammar

import "strings"

// Find returns the command at path (case-insensitive), or nil. A group's
// path returns the group.
func (g *Grammar) Find(path ...string) *Command {
	cmds := g.Commands
	var found *Command
	for _, p := range path {
		found = nil
		for _, c := range cmds {
			if strings.EqualFold(c.Name, p) {
				found = c
				break
			}
		}
		if found == nil {
			return nil
		}
		cmds = found.Sub
	}
	return found
}
