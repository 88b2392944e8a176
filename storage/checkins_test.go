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
