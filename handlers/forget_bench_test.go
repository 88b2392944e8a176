package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
)

// BenchmarkCheckInSecureDelete is BenchmarkCheckIn on FerretDB's SQLite
// backend with SQLite's secure_delete off (as before plpbot turned it on)
// and on (as storage/embedded runs it): what zeroing deleted and
// overwritten records costs a normal "/plp checkin" (it overwrites the
// goal and the student's roster summary). The two databases take turns
// within each iteration, so that load from elsewhere on the machine falls
// on both alike; it reports the time of each (off-ns/op, on-ns/op).
// Run with
//
//	go test -run '^$' -bench CheckInSecureDelete -benchtime 1000x -count 3 ./handlers
func BenchmarkCheckInSecureDelete(b *testing.B) {
	ctx := context.Background()
	req := func(line string) *bot.Request {
		return &bot.Request{Actor: bot.Identity{Platform: bot.Console, UserID: "sam", Name: "sam"}, Text: line, Slash: true}
	}
	hs := []*handlers.Handlers{
		benchHandlersOn(b, startFerretDB(b, "secure_delete(0)")),
		benchHandlersOn(b, startFerretDB(b, "secure_delete(1)")),
	}
	for _, h := range hs {
		if _, err := h.Handle(ctx, req("goal add Read three novels")); err != nil {
			b.Fatal(err)
		}
	}
	var spent [2]time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for i, h := range hs {
			start := time.Now()
			if _, err := h.Handle(ctx, req("checkin 1 40% finished the first book")); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(start)
		}
		n++
	}
	b.ReportMetric(float64(spent[0].Nanoseconds())/float64(n), "off-ns/op")
	b.ReportMetric(float64(spent[1].Nanoseconds())/float64(n), "on-ns/op")
	b.ReportMetric(100*(float64(spent[1])/float64(spent[0])-1), "%overhead")
}

// startFerretDB starts FerretDB on SQLite in a fresh folder, with one
// SQLite pragma on every connection, and returns its URI.
func startFerretDB(b *testing.B, pragma string) string {
	b.Helper()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(b.TempDir()) + "/?_pragma=" + pragma,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	return f.MongoDBURI()
}

// benchHandlersOn opens handlers over the database at uri.
func benchHandlersOn(b *testing.B, uri string) *handlers.Handlers {
	b.Helper()
	ctx := context.Background()
	clock := func() time.Time { return benchNow }
	s, err := storage.Open(ctx, storage.Options{URI: uri, Database: "bench", Now: clock, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(ctx) })
	return handlers.New(s, handlers.Options{Now: clock})
}
