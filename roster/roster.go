// Package roster brings a school's roster from its student information
// system into plpbot: people, classes, terms, class memberships and
// counselors' caseloads, read from a OneRoster CSV export (package
// oneroster) and applied to storage.
//
// Validate first, apply second: the whole set is read and checked — each
// row, then every reference across files and into what earlier imports
// stored — and with any problem nothing is written. Everything is keyed by
// the SIS's sourcedId, and each record is compared with what is stored
// before anything is written, so importing the same files twice writes
// nothing, a changed row updates only what changed, and a record marked
// tobedeleted (or missing from a bulk file) ends: a class is archived, a
// membership ends, a person is marked as gone from the roster. A student's
// plan is never deleted by an import.
//
// People the roster brings are not linked to a chat account yet: each is a
// person with the id RosterID(sourcedId) on the platform "roster", whom
// plpbot cannot DM, until a chat account is linked to them (storage.Link:
// by email or username on first use, or by staff). The report counts
// those not linked as unmatched.
package roster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/plpbot/plpbot/roster/oneroster"
	"github.com/plpbot/plpbot/storage"
)

// Importer imports OneRoster sets into a store.
type Importer struct {
	store *storage.Store
	log   *slog.Logger
}

// New returns an Importer writing to store.
func New(store *storage.Store, log *slog.Logger) *Importer {
	if log == nil {
		log = slog.Default()
	}
	return &Importer{store: store, log: log}
}

// Options change what Import does.
type Options struct {
	// DryRun reads, checks and compares, and reports what would change,
	// writing nothing.
	DryRun bool
}

// ErrInvalid is what Import's error wraps when the set has problems (the
// report lists them) and nothing was applied.
var ErrInvalid = errors.New("the roster has problems; nothing was imported")

// Import reads the OneRoster set at path (a folder or a .zip), checks it,
// compares it with what is stored and, unless it has a problem or
// opts.DryRun, writes the difference. The report says what was (or would
// be) created, updated and ended, per kind, who is not linked to a chat
// account, and every problem. With problems, the error wraps ErrInvalid.
func (im *Importer) Import(ctx context.Context, path string, opts Options) (*Report, error) {
	rep := &Report{Source: path, DryRun: opts.DryRun}
	src, err := oneroster.Open(path)
	if err != nil {
		var p *oneroster.Problem
		if errors.As(err, &p) {
			rep.Problems = []oneroster.Problem{*p}
			return rep, ErrInvalid
		}
		return rep, fmt.Errorf("open %s: %w", path, err)
	}
	// What is stored loads while the files are read: one is the
	// database's work, the other ours.
	type loaded struct {
		state    *storage.RosterState
		chatKept map[string]bool
		err      error
	}
	stored := make(chan loaded, 1)
	go func() {
		st, err := im.store.RosterState(ctx)
		var kept map[string]bool
		if err == nil {
			kept, err = im.store.ChatCaseloads(ctx)
		}
		stored <- loaded{st, kept, err}
	}()
	set, problems := oneroster.Read(ctx, src)
	src.Close()
	rep.Manifest = set.Manifest
	got := <-stored
	if len(problems) > 0 {
		rep.Problems = problems
		return rep, ErrInvalid
	}
	if got.err != nil {
		return rep, got.err
	}
	state := got.state
	known := newKnown(state)
	if problems = oneroster.Check(set, known); len(problems) > 0 {
		rep.Problems = problems
		return rep, ErrInvalid
	}
	p := newPlan(set, state, got.chatKept, im.store.Now())
	p.build()
	linked, err := im.store.LinkedPeople(ctx)
	if err != nil {
		return rep, err
	}
	rep.fill(p, linked)
	if len(p.problems) > 0 {
		return rep, ErrInvalid
	}
	if opts.DryRun || !p.dirty {
		return rep, nil
	}
	if err := im.store.ApplyRoster(ctx, &p.writes, p.next()); err != nil {
		return rep, err
	}
	rep.Writes = p.writes.Len()
	im.log.DebugContext(ctx, "roster imported", slog.String("source", path), slog.Int("documents", rep.Writes))
	return rep, nil
}
