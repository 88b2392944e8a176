package storage_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestOldFeedbackMovesOntoGoals: feedback stored in its own collection,
// before feedback was kept on its goal, moves onto its goal when plpbot
// next opens the database, once: the plan shows it and the audit log lists
// what was its own entry, as before. A move cut off half-way (a piece on
// its goal whose document wasn't deleted yet) leaves one copy; feedback
// whose goal is gone stays where it was, for Forget; a second start moves
// nothing again.
func TestOldFeedbackMovesOntoGoals(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	rawGoal(t, s, "s1", 1)
	rawGoal(t, s, "s1", 2)
	old := func(id string, goal int, text string, audit bool, at time.Time) bson.D {
		d := bson.D{{Key: "_id", Value: id}, {Key: "student_id", Value: "s1"}, {Key: "staff_id", Value: "t1"},
			{Key: "staff_name", Value: "Ms. Lee"}, {Key: "goal", Value: goal}, {Key: "text", Value: text}, {Key: "at", Value: at}}
		if audit {
			d = append(d, bson.E{Key: "audit", Value: true})
		}
		return d
	}
	docs := []any{
		old("f1", 1, "FB-before audit", false, t0), // has an entry of its own
		old("f2", 1, "FB-its own entry", true, t0.Add(time.Hour)),
		old("f3", 2, "FB-half moved", true, t0.Add(2*time.Hour)),
		old("f4", 9, "FB-goal gone", true, t0.Add(3*time.Hour)),
	}
	_, err := storagetest.Collection(t, s, "feedback").InsertMany(ctx, docs)
	must(t, "seed old feedback", err)
	must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: "t1", ActorName: "Ms. Lee", Action: "feedback", SubjectID: "s1",
		Detail: "goal 1", At: t0}))
	// A start cut off after pushing f3 onto its goal, before deleting its document.
	_, err = storagetest.Collection(t, s, "goals").UpdateMany(ctx, bson.D{{Key: "_id", Value: plpbot.GoalID("s1", 2)}},
		bson.D{{Key: "$push", Value: bson.D{{Key: "feedback", Value: docs[2]}}}})
	must(t, "half-move f3", err)

	moved := storagetest.Replica(t, s, clk.Now) // opening the database moves it
	fb, err := moved.FeedbackFor(ctx, "s1", time.Time{}, 0)
	must(t, "FeedbackFor", err)
	var texts []string
	for _, f := range fb {
		texts = append(texts, f.Text)
	}
	if want := []string{"FB-half moved", "FB-its own entry", "FB-before audit"}; !slices.Equal(texts, want) {
		t.Errorf("s1's feedback after the move = %q, want %q (newest first, each once)", texts, want)
	}
	g, err := moved.Goal(ctx, "s1", 1)
	must(t, "Goal", err)
	if len(g.Feedback) != 2 || g.Feedback[0].ID != "f1" || g.Feedback[1].StaffName != "Ms. Lee" || g.Feedback[1].GoalNumber != 1 {
		t.Errorf("goal 1's feedback = %+v, want f1 and f2 as they were", g.Feedback)
	}
	log, err := moved.AuditLog(ctx, "s1", 0)
	must(t, "AuditLog", err)
	if got := actionsOf(log); !slices.Equal(got, []string{"feedback goal 2", "feedback goal 1", "feedback goal 1"}) {
		t.Errorf("s1's log after the move = %q, want f3's and f2's entries and f1's own", got)
	}
	left, err := storagetest.Collection(t, s, "feedback").Find(ctx, bson.D{})
	must(t, "read the feedback collection", err)
	var rest []plpbot.Feedback
	must(t, "read the feedback collection", left.All(ctx, &rest))
	if len(rest) != 1 || rest[0].ID != "f4" {
		t.Errorf("the feedback collection after the move holds %+v, want only f4, whose goal is gone", rest)
	}

	// A second start finds the move done and moves nothing again.
	_, err = storagetest.Collection(t, s, "feedback").InsertOne(ctx, old("f5", 1, "FB-late", true, t0.Add(4*time.Hour)))
	must(t, "insert f5", err)
	again := storagetest.Replica(t, s, clk.Now)
	if fb, err := again.FeedbackFor(ctx, "s1", time.Time{}, 0); err != nil || len(fb) != 3 {
		t.Errorf("s1's feedback after a second start = %d pieces (%v), want the 3 moved once", len(fb), err)
	}
}

// TestManyOldFeedbackMoves: more pieces of old feedback than the embedded
// database has connections move onto their goals at start, each once
// (the writes are updates of "many" by _id: see the note in byid.go).
func TestManyOldFeedbackMoves(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	var docs []any
	for i := range manyUpdates {
		stu := "s" + strconv.Itoa(i)
		rawGoal(t, s, stu, 1)
		docs = append(docs, plpbot.Feedback{ID: "f" + strconv.Itoa(i), StudentID: stu, StaffID: "t1", StaffName: "Ms. Lee",
			GoalNumber: 1, Text: "well done", At: t0})
	}
	_, err := storagetest.Collection(t, s, "feedback").InsertMany(ctx, docs)
	must(t, "seed old feedback", err)
	moved := storagetest.Replica(t, s, clk.Now)
	n := 0
	must(t, "EachAudit", moved.EachAudit(ctx, time.Time{}, func(*plpbot.AuditEntry) error { n++; return nil }))
	if left, err := storagetest.Collection(t, s, "feedback").CountDocuments(ctx, bson.D{}); err != nil || left != 0 || n != 0 {
		t.Errorf("after the move: %d left in the collection (%v), %d audit entries (none were theirs); want 0 and 0", left, err, n)
	}
	for _, stu := range []string{"s0", "s" + strconv.Itoa(manyUpdates-1)} {
		if fb, err := moved.FeedbackFor(ctx, stu, time.Time{}, 0); err != nil || len(fb) != 1 {
			t.Errorf("%s's feedback after the move = %+v, %v; want it once", stu, fb, err)
		}
	}
}
