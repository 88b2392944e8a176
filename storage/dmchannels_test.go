package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot/storage"
)

func TestSetDMChannelKeepsItOnThePerson(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	u, _, err := s.EnsureUser(ctx, slackID("U1"), storage.UserHints{Name: "Ana"})
	must(t, "EnsureUser", err)
	clk.Advance(time.Hour)
	must(t, "SetDMChannel", s.SetDMChannel(ctx, u.ID, "DU1"))
	got, err := s.User(ctx, u.ID)
	must(t, "User", err)
	if got.DMChannel != "DU1" {
		t.Errorf("DMChannel = %q, want DU1", got.DMChannel)
	}
	// A delivery detail, not a change the person made.
	sameTime(t, "UpdatedAt", got.UpdatedAt, u.UpdatedAt)
	// Someone forgotten meanwhile: nothing to keep, nothing created.
	must(t, "SetDMChannel of nobody", s.SetDMChannel(ctx, "slack:T1:UGONE", "DGONE"))
	if _, err := s.User(ctx, "slack:T1:UGONE"); err == nil {
		t.Error("SetDMChannel created a person")
	}
}
