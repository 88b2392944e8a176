// Package storagetest gives tests a real MongoDB wire-protocol database: one
// embedded FerretDB per test binary (started in TestMain) and a fresh,
// randomly named database per test, dropped when the test ends.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/embedded"
)

// uri and server are the test binary's database server, set by Main. Test-support
// packages are the one place a package variable is the simplest honest
// design: testing.M offers no other way to hand tests a shared server.
var (
	uri    string
	server *embedded.Server // nil when testing against $PLPBOT_TEST_MONGODB_URI
)

// Main starts the embedded database (or uses $PLPBOT_TEST_MONGODB_URI, to
// run the same tests against a real MongoDB), runs the tests and exits.
// Call it from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if u := os.Getenv("PLPBOT_TEST_MONGODB_URI"); u != "" {
		uri = u
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "plpbot-test-db-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "storagetest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(context.Background(), dir, embedded.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "storagetest:", err)
		return 1
	}
	defer srv.Close()
	uri, server = srv.URI(), srv
	return m.Run()
}

// URI returns the test database server's URI (Main must have run).
func URI() string { return uri }

// Options returns storage options for a fresh database on the test server.
func Options(tb testing.TB) storage.Options {
	tb.Helper()
	if uri == "" {
		tb.Fatal("storagetest: call storagetest.Main(m) from TestMain")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return storage.Options{
		URI:      uri,
		Database: "t_" + hex.EncodeToString(b[:]),
		Logger:   slog.New(slog.DiscardHandler),
	}
}

// New opens a Store on a fresh database that is dropped when tb ends.
// now, if not nil, is the store's clock.
func New(tb testing.TB, now func() time.Time) *storage.Store {
	tb.Helper()
	opts := Options(tb)
	opts.Now = now
	ctx := context.Background()
	s, err := storage.Open(ctx, opts)
	if err != nil {
		tb.Fatalf("open test store: %v", err)
	}
	if server != nil {
		if err := server.IndexIDs(ctx, opts.Database, storage.Collections()); err != nil {
			tb.Fatalf("index test store: %v", err)
		}
	}
	tb.Cleanup(func() {
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}
