package bot

import (
	"strconv"
	"strings"
	"time"
)

// Invocation is a parsed and validated command: what the command grammar
// (bot/grammar) returns from a command line or structured options, and what
// a Request carries to its handler. It lives here, not with the grammar, so
// Request can hold one without importing the command language.
type Invocation struct {
	// Path is the command path, such as ["goal", "add"].
	Path []string
	// Args holds validated, normalised values by argument name (percent as
	// digits, dates as YYYY-MM-DD, choices in lower case, switches as "true").
	Args map[string]string
	// Users holds mentioned people by argument name. Platform and Workspace
	// may be empty: the handler fills them from the actor.
	Users map[string][]Identity
}

// Name returns the path joined by spaces, such as "goal add".
func (inv *Invocation) Name() string { return strings.Join(inv.Path, " ") }

// Has reports whether argument name was given.
func (inv *Invocation) Has(name string) bool {
	if _, ok := inv.Args[name]; ok {
		return true
	}
	return len(inv.Users[name]) > 0
}

// Arg returns argument name, or "".
func (inv *Invocation) Arg(name string) string { return inv.Args[name] }

// Int returns a numeric argument, or 0.
func (inv *Invocation) Int(name string) int {
	n, _ := strconv.Atoi(inv.Args[name])
	return n
}

// Date returns a date argument as midnight UTC of that day, and whether it was given.
func (inv *Invocation) Date(name string) (time.Time, bool) {
	v, ok := inv.Args[name]
	if !ok {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, v)
	return d, err == nil
}

// User returns the first person of a user argument.
func (inv *Invocation) User(name string) (Identity, bool) {
	us := inv.Users[name]
	if len(us) == 0 {
		return Identity{}, false
	}
	return us[0], true
}
