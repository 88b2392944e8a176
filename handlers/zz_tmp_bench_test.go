package handlers_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// What the command would cost if Handle read the actor instead of upserting it.
func BenchmarkTmpProposed(b *testing.B) {
	store := storagetest.New(b, func() time.Time { return benchNow })
	ctx := context.Background()
	id := storage.Identity{Platform: "console", PlatformID: "sam"}
	u, _, _ := store.EnsureUser(ctx, id, storage.UserHints{Name: "sam"})
	store.AddGoal(ctx, storage.Goal{UserID: u.ID, Title: "x"})
	for b.Loop() {
		if _, err := store.User(ctx, u.ID); err != nil {
			b.Fatal(err)
		}
		if _, _, err := store.RecordActiveCheckIn(ctx, storage.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 40}); err != nil {
			b.Fatal(err)
		}
	}
}
