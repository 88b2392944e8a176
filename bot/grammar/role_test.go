package grammar

import (
	"strings"
	"testing"
)

// TestArgRole: a role mention (Discord's <@&id>, typed or sent as a role
// option's id) binds to the role id; a person or a word is refused with
// how to mention a role.
func TestArgRole(t *testing.T) {
	g := &Grammar{Commands: []*Command{{Name: "sync", Summary: "Sync",
		Args: []Arg{{Name: "role", Kind: ArgRole, Keyed: true, Description: "Whose members"}}}}}
	for line, want := range map[string]string{
		"sync role:<@&123456789012345678>": "123456789012345678",
		"sync role:42":                     "42",
		"sync":                             "",
	} {
		inv, err := g.Parse(line)
		if err != nil || inv.Arg("role") != want {
			t.Errorf("Parse(%q) role = %q, %v; want %q", line, inv.Arg("role"), err, want)
		}
	}
	for _, line := range []string{"sync role:<@123>", "sync role:@Period", "sync role:<@&12"} {
		_, err := g.Parse(line)
		if err == nil || !strings.Contains(err.Error(), "isn't a role") {
			t.Errorf("Parse(%q) = %v, want a refusal that says how to mention a role", line, err)
		}
	}
	inv, err := g.Bind([]string{"sync"}, map[string]string{"role": "987"}, nil)
	if err != nil || inv.Arg("role") != "987" {
		t.Errorf("Bind role option = %q, %v", inv.Arg("role"), err)
	}
	if got := g.Usage([]string{"sync"}); !strings.Contains(got, "role:@Role") {
		t.Errorf("usage %q doesn't show role:@Role", got)
	}
}
