package roster_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// quiet is the importer's logger in tests.
var quiet = slog.New(slog.DiscardHandler)

// t0 is the test clock: a school morning.
var t0 = time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)

// clock is a hand-moved clock.
type clock struct{ now atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.now.Store(t0.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }

// writes counts the write commands a store sends.
type writes struct{ n atomic.Int64 }

// writeCommands are the commands that change documents.
var writeCommands = map[string]bool{"insert": true, "update": true, "delete": true, "findAndModify": true}

func (w *writes) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if writeCommands[e.CommandName] {
			w.n.Add(1)
		}
	}}
}

// newStore opens a store on a fresh test database, counting its writes.
func newStore(t testing.TB) (*storage.Store, *clock, *writes) {
	t.Helper()
	c, w := newClock(), &writes{}
	opts := storagetest.Options(t)
	opts.Now, opts.Monitor = c.Now, w.monitor()
	return storagetest.Open(t, opts), c, w
}

// writeSchool writes a generated school as a folder and returns it.
func writeSchool(t testing.TB, files rostertest.Files) string {
	t.Helper()
	dir := t.TempDir()
	if err := files.WriteDir(dir, false); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mustImport imports path and fails the test on any problem.
func mustImport(t testing.TB, s *storage.Store, path string) *roster.Report {
	t.Helper()
	rep, err := roster.New(s, quiet).Import(context.Background(), path, roster.Options{})
	if err != nil {
		t.Fatalf("import %s: %v\n%s", filepath.Base(path), err, rep)
	}
	return rep
}

// mustRefuse imports path, wants it refused, and returns the problems.
func mustRefuse(t testing.TB, s *storage.Store, path string) []string {
	t.Helper()
	rep, err := roster.New(s, quiet).Import(context.Background(), path, roster.Options{})
	if !errors.Is(err, roster.ErrInvalid) {
		t.Fatalf("import: err = %v, want roster.ErrInvalid\n%s", err, rep)
	}
	out := make([]string, len(rep.Problems))
	for i := range rep.Problems {
		out[i] = rep.Problems[i].String()
	}
	if !strings.Contains(rep.String(), "nothing was imported") {
		t.Errorf("the report of a refused roster doesn't say nothing was imported:\n%s", rep)
	}
	return out
}

// edit returns files with one file's rows changed by f.
func edit(files rostertest.Files, name string, f func(rows [][]string) [][]string) rostertest.Files {
	out := rostertest.Files{}
	for k, v := range files {
		out[k] = v
	}
	out[name] = f(cloneRows(files[name]))
	return out
}

func cloneRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string(nil), r...)
	}
	return out
}

// without drops the rows whose first column (sourcedId) is in ids.
func without(ids ...string) func([][]string) [][]string {
	return func(rows [][]string) [][]string {
		out := rows[:1]
		for _, r := range rows[1:] {
			drop := false
			for _, id := range ids {
				drop = drop || r[0] == id
			}
			if !drop {
				out = append(out, r)
			}
		}
		return out
	}
}
