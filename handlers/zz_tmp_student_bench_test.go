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
	b.Run("UserRead", func(b *testing.B) {
		for b.Loop() {
			store.User(ctx, u.ID)
		}
	})
	b.Run("RecordActiveCheckIn", func(b *testing.B) {
		for b.Loop() {
			store.RecordActiveCheckIn(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40})
		}
	})
	b.Run("ReadActorThenCheckIn", func(b *testing.B) {
		for b.Loop() {
			store.User(ctx, u.ID)
			store.RecordActiveCheckIn(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40})
		}
	})
}
