package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage/storagetest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// benchNow is the fixed clock of the benchmarks.
var benchNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// BenchmarkCheckIn handles "/plp checkin 1 N%" end to end — actor
// resolution, parsing, routing, the store's writes and the reply — on the
// embedded database, for one student with one goal. Each check-in is a new
// one (another percent, a quarter of an hour after the last), so each is
// stored: the same check-in again would be a repeat, which plpbot stores
// once. Compare it with BenchmarkRawInsert: the target is under 2×
// one raw insert. On the embedded database the goal's read, the insert and
// the goal's update are one transaction on the file (embedded.Server.Write).
func BenchmarkCheckIn(b *testing.B) {
	now := benchNow
	clock := func() time.Time { return now }
	store := storagetest.New(b, clock)
	h := handlers.New(store, handlers.Options{Now: clock})
	ctx := context.Background()
	req := func(line string) *bot.Request {
		return &bot.Request{Actor: bot.Identity{Platform: bot.Console, UserID: "sam", Name: "sam"}, Text: line, Slash: true}
	}
	if _, err := h.Handle(ctx, req("goal add Read three novels")); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		now = now.Add(15 * time.Minute)
		if _, err := h.Handle(ctx, req(fmt.Sprintf("checkin 1 %d%%", i%100))); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n, err := storagetest.Collection(b, store, "checkins").CountDocuments(ctx, bson.D{})
	if err != nil || n != int64(i) {
		b.Fatalf("%d check-ins stored (%v), want %d", n, err, i)
	}
}

// BenchmarkCheckInVsRawInsert alternates the two on one database — a new
// check-in through the command, then one raw insert of a check-in document
// into the same collection — and reports each one's mean time and their
// ratio (×insert; the target is under 2). Side by side, a busy
// machine slows both alike, where two benchmarks run one after the other
// can each meet a different load.
func BenchmarkCheckInVsRawInsert(b *testing.B) {
	now := benchNow
	clock := func() time.Time { return now }
	store := storagetest.New(b, clock)
	h := handlers.New(store, handlers.Options{Now: clock})
	coll := storagetest.Collection(b, store, "checkins")
	ctx := context.Background()
	req := func(line string) *bot.Request {
		return &bot.Request{Actor: bot.Identity{Platform: bot.Console, UserID: "sam", Name: "sam"}, Text: line, Slash: true}
	}
	if _, err := h.Handle(ctx, req("goal add Read three novels")); err != nil {
		b.Fatal(err)
	}
	var command, insert time.Duration
	i := 0
	for b.Loop() {
		i++
		now = now.Add(15 * time.Minute)
		start := time.Now()
		if _, err := h.Handle(ctx, req(fmt.Sprintf("checkin 1 %d%%", i%100))); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := coll.InsertOne(ctx, plpbot.CheckIn{ID: fmt.Sprintf("raw-%d", i), UserID: "console::sam", GoalNumber: 1, Percent: 40, At: now}); err != nil {
			b.Fatal(err)
		}
		command, insert = command+mid.Sub(start), insert+time.Since(mid)
	}
	b.ReportMetric(float64(command.Microseconds())/float64(i), "µs/checkin")
	b.ReportMetric(float64(insert.Microseconds())/float64(i), "µs/insert")
	b.ReportMetric(float64(command)/float64(insert), "×insert")
}

// BenchmarkRawInsert inserts the same check-in document straight into the
// check-ins collection of the same database (same indexes): the floor the
// command is measured against.
func BenchmarkRawInsert(b *testing.B) {
	store := storagetest.New(b, func() time.Time { return benchNow })
	coll := storagetest.Collection(b, store, "checkins")
	ctx := context.Background()
	for b.Loop() {
		doc := plpbot.CheckIn{UserID: "console::sam", GoalNumber: 1, Percent: 40, At: benchNow}
		if _, err := coll.InsertOne(ctx, doc); err != nil {
			b.Fatal(err)
		}
	}
}
