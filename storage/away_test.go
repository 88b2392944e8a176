package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
)

// TestRecordCheckIn pins down what the check-in command relies on:
// a FindOneAndUpdate filtered on status that returns the document before
// the update, and nothing stored when the goal isn't active.
func TestRecordCheckIn(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	u := mustUser(t, s, "U1", "sam", "")
	mustGoal(t, s, u.ID, "Read three novels")
	mustGoal(t, s, u.ID, "Run a 5k")
	paused := plpbot.GoalPaused
	if _, err := s.EditGoal(ctx, u.ID, 2, storage.GoalEdit{Status: &paused}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		goal, pct, wantPrev int
		wantErr             error
	}{
		{1, 20, 0, nil},
		{1, 40, 20, nil},
		{2, 50, 0, storage.ErrNotFound}, // paused
		{3, 50, 0, storage.ErrNotFound}, // no such goal
	}
	for _, tt := range tests {
		clk.Advance(time.Minute)
		g, prev, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: u.ID, GoalNumber: tt.goal, Percent: tt.pct})
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("goal %d: err = %v, want %v", tt.goal, err, tt.wantErr)
		}
		if err == nil && (prev != tt.wantPrev || g.Progress != tt.pct || !g.LastCheckIn.Equal(clk.Now())) {
			t.Errorf("goal %d: prev %d progress %d last %v", tt.goal, prev, g.Progress, g.LastCheckIn)
		}
	}
	times, err := s.CheckInTimes(ctx, u.ID, time.Time{})
	if err != nil || len(times) != 2 || !times[0].After(times[1]) {
		t.Fatalf("CheckInTimes = %v, %v; want the 2 stored check-ins newest first", times, err)
	}
	if g, _ := s.Goal(ctx, u.ID, 2); g.Progress != 0 {
		t.Errorf("a paused goal's progress changed: %d", g.Progress)
	}
}

// TestAwayPeriods pins down $push onto a missing array, a numeric-index
// $set, $unset and a projected FindOne.
func TestAwayPeriods(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	u := mustUser(t, s, "U1", "sam", "")
	if ps, err := s.AwayPeriods(ctx, u.ID); err != nil || len(ps) != 0 {
		t.Fatalf("new user: %v %v", ps, err)
	}
	start := clk.Now().Truncate(time.Millisecond) // BSON dates keep milliseconds
	u, err := s.StartAway(ctx, u.ID, start, start.AddDate(0, 0, 7), "trip")
	if err != nil || !u.Away(start) || u.AwayNote != "trip" {
		t.Fatalf("StartAway: %+v %v", u, err)
	}
	clk.Advance(48 * time.Hour)
	u, err = s.EndAway(ctx, u.ID, start.Add(48*time.Hour))
	if err != nil || u.Away(clk.Now()) || !u.AwayUntil.IsZero() || u.AwayNote != "" {
		t.Fatalf("EndAway: %+v %v", u, err)
	}
	if _, err := s.StartAway(ctx, u.ID, clk.Now().AddDate(0, 0, 7), clk.Now().AddDate(0, 0, 9), ""); err != nil {
		t.Fatal(err)
	}
	ps, err := s.AwayPeriods(ctx, u.ID)
	if err != nil || len(ps) != 2 {
		t.Fatalf("AwayPeriods = %v, %v", ps, err)
	}
	if !ps[0].From.Equal(start) || !ps[0].Until.Equal(start.Add(48*time.Hour)) {
		t.Errorf("the ended period wasn't cut short: %+v", ps[0])
	}
	if _, err := s.AwayPeriods(ctx, "nobody"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := s.Forget(ctx, u.ID, storage.Eraser{ID: "admin", Name: "Admin"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AwayPeriods(ctx, u.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("away history survived Forget: %v", err)
	}
}
