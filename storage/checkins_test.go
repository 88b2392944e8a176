package storage_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
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
	eachCheckInPath(t, testCheckInsApplyInTimeOrder)
}

func testCheckInsApplyInTimeOrder(t *testing.T, s *storage.Store, _ *clock) {
	ctx := context.Background()
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

// eachCheckInPath runs test on a store that records check-ins in the
// database's files (the embedded database's way) and on one that sends
// them over the wire (MongoDB's).
func eachCheckInPath(t *testing.T, test func(*testing.T, *storage.Store, *clock)) {
	for _, wire := range []bool{false, true} {
		name := map[bool]string{false: "in the files", true: "over the wire"}[wire]
		t.Run(name, func(t *testing.T) {
			clk := newClock()
			opts := storagetest.Options(t)
			opts.Now = clk.Now
			if wire {
				opts.FerretDBDir = ""
			}
			test(t, storagetest.Open(t, opts), clk)
		})
	}
}

// TestCheckInInTheFilesAsOverTheWire makes the same check-ins both ways and
// finds the goals and the histories stored alike, field for field and type
// for type; in the files, the driver sends no command for them.
func TestCheckInInTheFilesAsOverTheWire(t *testing.T) {
	ctx := context.Background()
	var sent atomic.Int32
	stored := map[bool][]bson.Raw{}
	for _, wire := range []bool{false, true} {
		clk := newClock()
		opts := storagetest.Options(t)
		opts.Now = clk.Now
		opts.Monitor = &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) { sent.Add(1) }}
		if wire {
			opts.FerretDBDir = ""
		}
		s := storagetest.Open(t, opts)
		a := mustUser(t, s, "UA", "Ana", plpbot.RoleStudent)
		g := mustGoal(t, s, a.ID, "Read more")
		sent.Store(0)
		for i, pct := range []int{40, 40, 55, 30} {
			_, prev, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: a.ID, GoalNumber: g.Number, Percent: pct, Note: "note " + strconv.Itoa(i), Confidence: 3})
			must(t, "RecordCheckIn", err)
			if i > 0 && prev == 0 {
				t.Errorf("wire=%v: check-in %d: previous progress 0", wire, i)
			}
			clk.Advance(time.Hour)
		}
		if n := sent.Load(); !wire && n != 0 {
			t.Errorf("in the files: the driver sent %d commands for 4 check-ins, want 0", n)
		}
		for _, coll := range []string{"goals", "checkins"} {
			cur, err := storagetest.Collection(t, s, coll).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
			must(t, "find", err)
			var docs []bson.Raw
			must(t, "read", cur.All(ctx, &docs))
			stored[wire] = append(stored[wire], docs...)
		}
	}
	if len(stored[false]) != len(stored[true]) || len(stored[true]) != 5 { // 1 goal, 4 check-ins
		t.Fatalf("stored %d documents in the files, %d over the wire; want 5 each", len(stored[false]), len(stored[true]))
	}
	for i := range stored[true] {
		if !bytes.Equal(stored[false][i], stored[true][i]) {
			t.Errorf("document %d:\nin the files   %v\nover the wire  %v", i, stored[false][i], stored[true][i])
		}
	}
}

// TestCheckInCutAfterTheGoalLosesNothing: the connection is cut as the
// goal's update lands, before the check-in's insert (the answer may be lost
// too, so the student hears it wasn't saved). The check-in is not lost: the
// goal holds it until it reaches the history (at the next check-in at the
// latest), and the same check-in tried again is stored once.
func TestCheckInCutAfterTheGoalLosesNothing(t *testing.T) {
	for _, retry := range []bool{false, true} {
		clk := newClock()
		ctx, cut := context.WithCancel(context.Background())
		var armed atomic.Bool
		opts := storagetest.Options(t)
		opts.Now = clk.Now
		opts.FerretDBDir = "" // over the wire: in the files it is one transaction
		opts.Monitor = &event.CommandMonitor{Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			if e.CommandName == "findAndModify" && armed.Load() {
				cut()
			}
		}}
		s := storagetest.Open(t, opts)
		bg := context.Background()
		a := mustUser(t, s, "UA", "Ana", plpbot.RoleStudent)
		mustGoal(t, s, a.ID, "Read more")

		first := plpbot.CheckIn{UserID: a.ID, GoalNumber: 1, Percent: 40, Note: "chapter one"}
		armed.Store(true)
		_, _, err := s.RecordCheckIn(ctx, first) // cut after the goal's update
		armed.Store(false)
		t.Logf("retry=%v: the cut check-in: %v", retry, err)
		if retry {
			clk.Advance(time.Minute)
			if _, _, err := s.RecordCheckIn(bg, first); err != nil {
				t.Fatalf("RecordCheckIn again: %v", err)
			}
		}
		clk.Advance(time.Hour)
		if _, _, err := s.RecordCheckIn(bg, plpbot.CheckIn{UserID: a.ID, GoalNumber: 1, Percent: 60}); err != nil {
			t.Fatalf("RecordCheckIn later: %v", err)
		}
		got, err := s.CheckIns(bg, a.ID, time.Time{}, 0)
		must(t, "CheckIns", err)
		var pcts []int
		for _, c := range got {
			pcts = append(pcts, c.Percent)
		}
		if !slices.Equal(pcts, []int{60, 40}) {
			t.Errorf("retry=%v: history %v, want [60 40]: the cut check-in once, the later one once", retry, pcts)
		}
	}
}

// TestCheckInAgainOnAGoalNowDoneKeepsTheFirst: the check-in's insert goes
// with the goal's update, and is taken back when the goal refuses it; but
// the same check-in sent again after the goal was marked done (a retry of
// a lost answer) finds the first one already in the history, which stays.
func TestCheckInAgainOnAGoalNowDoneKeepsTheFirst(t *testing.T) {
	eachCheckInPath(t, testCheckInAgainOnAGoalNowDoneKeepsTheFirst)
}

func testCheckInAgainOnAGoalNowDoneKeepsTheFirst(t *testing.T, s *storage.Store, clk *clock) {
	ctx := context.Background()
	a := mustUser(t, s, "UA", "Ana", plpbot.RoleStudent)
	mustGoal(t, s, a.ID, "Read more")
	first := plpbot.CheckIn{UserID: a.ID, GoalNumber: 1, Percent: 90, Note: "nearly there"}
	_, _, err := s.RecordCheckIn(ctx, first)
	must(t, "RecordCheckIn", err)
	done := plpbot.GoalDone
	_, err = s.EditGoal(ctx, a.ID, 1, storage.GoalEdit{Status: &done})
	must(t, "EditGoal", err)
	clk.Advance(time.Minute)
	_, _, err = s.RecordCheckIn(ctx, first)
	isNotFound(t, "the same check-in on a done goal", err)
	_, _, err = s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: a.ID, GoalNumber: 1, Percent: 95})
	isNotFound(t, "a new check-in on a done goal", err)
	got, err := s.CheckIns(ctx, a.ID, time.Time{}, 0)
	must(t, "CheckIns", err)
	if len(got) != 1 || got[0].Percent != 90 {
		t.Errorf("history %+v, want the first check-in only", got)
	}
}
