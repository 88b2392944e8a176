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
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/embedded"
)

// uri and server are the test binary's database server, set by Main. Test-support
// packages are the one place a package variable is the simplest honest
// design: testing.M offers no other way to hand tests a shared server.
var (
	uri    string
	server *embedded.Server // nil when testing against $PLPBOT_TEST_MONGODB_URI
	dir    string           // server's folder of SQLite files

	// databases maps each *storage.Store New opened to its database's name,
	// so Collection can reach the same database without the Store exposing it.
	databases sync.Map

	// raw is the test binary's own client to the server, opened by the first
	// Collection and disconnected by Main after the tests.
	raw struct {
		once   sync.Once
		client *mongo.Client
		err    error
	}
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
		return runTests(m)
	}
	var err error
	dir, err = os.MkdirTemp("", "plpbot-test-db-")
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
	return runTests(m)
}

// runTests runs the tests, then disconnects the client Collection opened,
// before the server it talks to stops.
func runTests(m *testing.M) int {
	code := m.Run()
	if raw.client != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := raw.client.Disconnect(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "storagetest: disconnect:", err)
		}
	}
	return code
}

// URI returns the test database server's URI (Main must have run).
func URI() string { return uri }

// Options returns storage options for a fresh database on the test server.
// On the embedded server they name its folder (FerretDBDir), as production
// does for a FerretDB of its own: the store indexes _id there and reads
// rosters' goal figures from the files, as on the embedded database.
func Options(tb testing.TB) storage.Options {
	tb.Helper()
	if uri == "" {
		tb.Fatal("storagetest: call storagetest.Main(m) from TestMain")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	opts := storage.Options{
		URI:      uri,
		Database: "t_" + hex.EncodeToString(b[:]),
		Logger:   slog.New(slog.DiscardHandler),
	}
	if server != nil {
		opts.FerretDBDir = dir
	}
	return opts
}

// New opens a Store on a fresh database that is dropped when tb ends.
// now, if not nil, is the store's clock.
func New(tb testing.TB, now func() time.Time) *storage.Store {
	tb.Helper()
	opts := Options(tb)
	opts.Now = now
	return Open(tb, opts)
}

// Open opens a Store with opts (from Options, then changed: a clock, a
// command monitor) as New does, dropping its database when tb ends.
func Open(tb testing.TB, opts storage.Options) *storage.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, opts)
	if err != nil {
		tb.Fatalf("open test store: %v", err)
	}
	if server != nil && opts.FerretDBDir == "" {
		if err := server.IndexIDs(ctx, opts.Database, storage.Collections()); err != nil {
			tb.Fatalf("index test store: %v", err)
		}
	}
	databases.Store(s, opts.Database)
	tb.Cleanup(func() {
		databases.Delete(s)
		_ = s.Drop(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// Replica opens another Store on the database of s (which must come from
// New), with its own client, as a second plpbot process sharing the
// database would; now, if not nil, is its clock. It is closed when tb ends;
// the database is dropped with s.
func Replica(tb testing.TB, s *storage.Store, now func() time.Time) *storage.Store {
	tb.Helper()
	db, ok := databases.Load(s)
	if !ok {
		tb.Fatal("storagetest.Replica: the store was not opened by storagetest.New, or its test has ended")
	}
	ctx := context.Background()
	r, err := storage.Open(ctx, storage.Options{URI: uri, Database: db.(string), Logger: slog.New(slog.DiscardHandler), Now: now})
	if err != nil {
		tb.Fatalf("open a replica's store: %v", err)
	}
	tb.Cleanup(func() { _ = r.Close(ctx) })
	return r
}

// Collection returns the collection called name in the database s uses, to
// seed or count raw documents past the Store's methods. s must come from New
// and be open: the collection is gone when s's test ends.
func Collection(tb testing.TB, s *storage.Store, name string) *mongo.Collection {
	tb.Helper()
	if d, ok := own.Load(s); ok {
		return d.(*mongo.Database).Collection(name)
	}
	db, ok := databases.Load(s)
	if !ok {
		tb.Fatal("storagetest.Collection: the store was not opened by storagetest.New, or its test has ended")
	}
	raw.once.Do(func() {
		raw.client, raw.err = mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(30 * time.Second))
	})
	if raw.err != nil {
		tb.Fatalf("storagetest.Collection: connect to the test database: %v", raw.err)
	}
	return raw.client.Database(db.(string)).Collection(name)
}

// OpenIn opens a store on an embedded database of its own in dir (for
// tests that read the database's files), closed when tb ends. Collection
// works on it too, through a client of its own.
func OpenIn(tb testing.TB, dir string, now func() time.Time) *storage.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, storage.Options{DataDir: dir, Logger: slog.New(slog.DiscardHandler), Now: now})
	if err != nil {
		tb.Fatalf("open an embedded database: %v", err)
	}
	u, err := embedded.SocketURI(dir)
	if err != nil {
		tb.Fatalf("embedded database socket: %v", err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(u).SetTimeout(30 * time.Second))
	if err != nil {
		tb.Fatalf("connect to the embedded database: %v", err)
	}
	own.Store(s, client.Database("plpbot"))
	tb.Cleanup(func() {
		own.Delete(s)
		_ = client.Disconnect(ctx)
		_ = s.Close(ctx)
	})
	return s
}

// own holds the raw database of each store opened by OpenIn.
var own sync.Map // *storage.Store → *mongo.Database
