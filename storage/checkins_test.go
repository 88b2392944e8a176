package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
)

// TestCheckInsOfReadsAClassInOneQuery: the check-ins of the students asked
// for, since a time, oldest first, without their notes; nobody else's.
func TestCheckInsOfReadsAClassInOneQuery(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	a := mustUser(t, s, "UA", "Ana", plpbot.RoleStudent)
	b := mustUser(t, s, "UB", "Ben", plpbot.RoleStudent)
	other := mustUser(t, s, "UO", "Olu", plpbot.RoleStudent)
	for _, u := range []*plpbot.Person{a, b, other} {
		mustGoal(t, s, u.ID, "Read more")
	}
	checkIn := func(u *plpbot.Person, pct int) {
		t.Helper()
		_, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: pct, Note: "private note", Confidence: 3})
		must(t, "RecordCheckIn", err)
		clk.Advance(24 * time.Hour)
	}
	checkIn(a, 5) // before since
	since := clk.Now()
	checkIn(a, 10)
	checkIn(other, 50)
	checkIn(b, 20)
	checkIn(a, 30)

	got, err := s.CheckInsOf(ctx, []string{a.ID, b.ID}, since)
	must(t, "CheckInsOf", err)
	want := []struct {
		user string
		pct  int
	}{{a.ID, 10}, {b.ID, 20}, {a.ID, 30}}
	if len(got) != len(want) {
		t.Fatalf("got %d check-ins, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		c := got[i]
		if c.UserID != w.user || c.Percent != w.pct || c.GoalNumber != 1 || c.At.Before(since.Truncate(time.Millisecond)) {
			t.Errorf("check-in %d = %+v, want %s at %d%%", i, c, w.user, w.pct)
		}
		if c.Note != "" || c.Confidence != 0 {
			t.Errorf("check-in %d carries its note or confidence: %+v", i, c)
		}
	}
	if none, err := s.CheckInsOf(ctx, nil, since); err != nil || len(none) != 0 {
		t.Errorf("CheckInsOf(nobody) = %v, %v", none, err)
	}
}

// TestCheckInsApplyInTimeOrder: a check-in held up on the way, landing after
// a later one, is kept in the history but leaves the goal at the later
// check-in's percent.
func TestCheckInsApplyInTimeOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	sam := mustUser(t, s, "US", "Sam", plpbot.RoleStudent)
	g, err := s.AddGoal(ctx, plpbot.Goal{UserID: sam.ID, Title: "Read"})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	if _, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: g.UserID, GoalNumber: g.Number, Percent: 59, At: t0.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: g.UserID, GoalNumber: g.Number, Percent: 47, At: t0}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Goal(ctx, g.UserID, g.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Progress != 59 {
		t.Errorf("goal at %d%%, want 59%% (the later check-in's)", got.Progress)
	}
	cs, err := s.CheckIns(ctx, g.UserID, time.Time{}, 0)
	if err != nil || len(cs) != 2 {
		t.Errorf("check-ins: %d, %v; want both kept", len(cs), err)
	}
}
