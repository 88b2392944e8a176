package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func BenchmarkTmpParts(b *testing.B) {
	store := storagetest.New(b, func() time.Time { return benchNow })
	ctx := context.Background()
	id := storage.Identity{Platform: "console", PlatformID: "sam"}
	u, _, _ := store.EnsureUser(ctx, id, storage.UserHints{Name: "sam"})
	store.AddGoal(ctx, storage.Goal{UserID: u.ID, Title: "x"})
	b.Run("EnsureUser", func(b *testing.B) {
		for b.Loop() {
			store.EnsureUser(ctx, id, storage.UserHints{Name: "sam"})
		}
	})
	b.Run("User", func(b *testing.B) {
		for b.Loop() {
			store.User(ctx, u.ID)
		}
	})
	b.Run("Goal", func(b *testing.B) {
		for b.Loop() {
			store.Goal(ctx, u.ID, 1)
		}
	})
	b.Run("RecordActiveCheckIn", func(b *testing.B) {
		for b.Loop() {
			store.RecordActiveCheckIn(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40})
		}
	})
	b.Run("RecordCheckIn", func(b *testing.B) {
		for b.Loop() {
			store.RecordCheckIn(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40})
		}
	})
}

func BenchmarkTmpParallel(b *testing.B) {
	store := storagetest.New(b, func() time.Time { return benchNow })
	ctx := context.Background()
	id := storage.Identity{Platform: "console", PlatformID: "sam"}
	u, _, _ := store.EnsureUser(ctx, id, storage.UserHints{Name: "sam"})
	store.AddGoal(ctx, storage.Goal{UserID: u.ID, Title: "x"})
	coll := store.Collection("checkins")
	b.Run("two-inserts-seq", func(b *testing.B) {
		for b.Loop() {
			coll.InsertOne(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40, At: benchNow})
			coll.InsertOne(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40, At: benchNow})
		}
	})
	b.Run("two-inserts-par", func(b *testing.B) {
		for b.Loop() {
			done := make(chan struct{})
			go func() {
				coll.InsertOne(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40, At: benchNow})
				close(done)
			}()
			coll.InsertOne(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40, At: benchNow})
			<-done
		}
	})
	b.Run("checkin-par", func(b *testing.B) {
		for b.Loop() {
			done := make(chan struct{})
			go func() {
				coll.InsertOne(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40, At: benchNow})
				close(done)
			}()
			store.EditGoal(ctx, u.ID, 1, storage.GoalEdit{})
			<-done
		}
	})
}
