package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestPresentCountsLiveMembers: members renewing their presence are
// counted, one whose time ran out or who left is not, and groups are apart.
func TestPresentCountsLiveMembers(t *testing.T) {
	ctx := context.Background()
	s := storagetest.New(t, nil)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ttl := 20 * time.Second
	present := func(group, member string, at time.Time) int {
		t.Helper()
		n, err := s.Present(ctx, group, member, at, at.Add(ttl))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := present("slack", "a", now); n != 1 {
		t.Fatalf("alone: %d members, want 1", n)
	}
	if n := present("slack", "b", now.Add(time.Second)); n != 2 {
		t.Fatalf("with a second replica: %d members, want 2", n)
	}
	if n := present("other", "c", now.Add(time.Second)); n != 1 {
		t.Fatalf("another group: %d members, want 1", n)
	}
	// a stops renewing: 25 s later it no longer counts.
	if n := present("slack", "b", now.Add(25*time.Second)); n != 1 {
		t.Fatalf("after a's time ran out: %d members, want 1", n)
	}
	if n := present("slack", "a", now.Add(26*time.Second)); n != 2 {
		t.Fatalf("a back: %d members, want 2", n)
	}
	if err := s.Leave(ctx, "slack", "a"); err != nil {
		t.Fatal(err)
	}
	if n := present("slack", "b", now.Add(27*time.Second)); n != 1 {
		t.Fatalf("after a left: %d members, want 1", n)
	}
}
