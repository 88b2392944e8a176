package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// benchNow is the fixed clock of the benchmarks.
var benchNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// BenchmarkCheckIn handles "/plp checkin 1 40%" end to end — actor
// resolution, parsing, routing, the store's writes and the reply — on the
// embedded database, for one student with one goal. Compare it with
// BenchmarkRawInsert: the target is under 2× one raw insert.
func BenchmarkCheckIn(b *testing.B) {
	clock := func() time.Time { return benchNow }
	store := storagetest.New(b, clock)
	h := handlers.New(store, handlers.Options{Now: clock})
	ctx := context.Background()
	req := func(line string) *bot.Request {
		return &bot.Request{Actor: bot.Identity{Platform: bot.Console, UserID: "sam", Name: "sam"}, Text: line, Slash: true}
	}
	if _, err := h.Handle(ctx, req("goal add Read three novels")); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := h.Handle(ctx, req("checkin 1 40%")); err != nil {
			b.Fatal(err)
		}
	}
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
