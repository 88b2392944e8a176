package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/plpbot/plpbot/bot/grammar"
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
// a DM) is still to come; it will call roster.Importer the same way.
func (m *Main) importRoster(ctx context.Context) error {
	rep, err := roster.New(m.Store, m.Logger).Import(ctx, m.ImportPath, roster.Options{DryRun: m.DryRun})
	fmt.Fprint(m.Stdout, rep.String())
	if errors.Is(err, roster.ErrInvalid) {
		return errRejected
	}
	if err != nil {
		return fmt.Errorf("import %s: %w", m.ImportPath, err)
	}
	return nil
}

// exitCode is the exit status of a run that ended with err.
func exitCode(err error) int {
	if errors.Is(err, errRejected) {
		return exitUsage
	}
	return exitFailed
}
