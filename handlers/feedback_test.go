package handlers_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestTeacherFeedbackByTies: a teacher's feedback is decided by the ties
// alone, so the student's record is not read: the reply names the student
// as the mention shows them, the DM goes to the account mentioned, and the
// feedback is kept on the goal. A student of someone else's class is
// refused as before, audited, and nothing is stored.
func TestTeacherFeedbackByTies(t *testing.T) {
	e := slackSchool(t)
	for _, uid := range []string{"USAM1", "USAM2"} {
		if _, err := e.run(uid, "goal add Read more"); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := e.run("ULEE", "feedback <@USAM1|Sammy> 1 Lovely start")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Sent to Sammy", "Read more", "saved in their plan")
	var dm *bot.Message
	for i := range msgs {
		if msgs[i].To != nil {
			dm = &msgs[i]
		}
	}
	if dm == nil || dm.To.Platform != bot.Slack || dm.To.Workspace != "T1" || dm.To.UserID != "USAM1" {
		t.Fatalf("the DM goes to %+v, want the account mentioned (slack T1 USAM1)", dm)
	}
	mustContain(t, dm.PlainText(), "Ms Lee left feedback on Read more: Lovely start")
	g, err := e.store.Goal(context.Background(), "slack:T1:USAM1", 1)
	if err != nil || len(g.Feedback) != 1 || g.Feedback[0].Text != "Lovely start" || g.Feedback[0].StaffID != "slack:T1:ULEE" {
		t.Fatalf("goal 1 of USAM1 = %+v, %v; want the feedback kept on it", g, err)
	}

	_, err = e.run("ULEE", "feedback <@USAM2> 1 Not mine")
	if ue, ok := bot.AsUserError(err); !ok || ue.Code != bot.EForbidden {
		t.Fatalf("feedback on someone else's student = %v, want a refusal", err)
	}
	mustContain(t, bot.ErrorMessage(err).PlainText(), "Sam isn't in any of your classes")
	if g, err := e.store.Goal(context.Background(), "slack:T1:USAM2", 1); err != nil || len(g.Feedback) != 0 {
		t.Errorf("refused feedback was stored: %+v, %v", g, err)
	}
	log, err := e.store.AuditLog(context.Background(), "slack:T1:USAM2", 0)
	if err != nil || len(log) != 1 || log[0].Action != "refused:feedback" {
		t.Errorf("USAM2's audit log = %+v, %v; want the refusal", log, err)
	}
}

// TestFeedbackPerGoalIsCapped: a goal keeps at most
// plpbot.MaxFeedbackPerGoal pieces of feedback; more is refused kindly,
// with what to do instead, and nothing is stored or trimmed.
func TestFeedbackPerGoalIsCapped(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	full := make(bson.A, plpbot.MaxFeedbackPerGoal)
	for i := range full {
		full[i] = plpbot.Feedback{ID: bson.NewObjectID().Hex(), StudentID: staffUID("sam"), StaffID: staffUID("ms-lee"),
			StaffName: "ms-lee", GoalNumber: 1, Text: "more", At: e.now}
	}
	_, err := storagetest.Collection(t, e.store, "goals").UpdateMany(context.Background(),
		bson.D{{Key: "_id", Value: plpbot.GoalID(staffUID("sam"), 1)}},
		bson.D{{Key: "$push", Value: bson.D{{Key: "feedback", Value: bson.D{{Key: "$each", Value: full}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	before := e.staffCounts()
	mustContain(t, e.staffFails("ms-lee", "feedback @sam 1 One more", bot.EInvalid),
		"Goal 1 already holds 100 pieces of feedback", "/plp conference @sam")
	e.staffSame(before, "feedback on a full goal")
}

// TestOldFeedbackStillShows: feedback an earlier plpbot kept in its own
// collection is on its goal once plpbot starts again: the student sees it
// in their plan, and /plp audit lists it.
func TestOldFeedbackStillShows(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	_, err := storagetest.Collection(t, e.store, "feedback").InsertOne(context.Background(), bson.D{
		{Key: "_id", Value: "old1"}, {Key: "student_id", Value: staffUID("sam")}, {Key: "staff_id", Value: staffUID("ms-lee")},
		{Key: "staff_name", Value: "ms-lee"}, {Key: "goal", Value: 1}, {Key: "text", Value: "FB-from before"},
		{Key: "at", Value: e.now.Add(-time.Hour)}, {Key: "audit", Value: true}})
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return e.now }
	restarted := &env{t: t, store: storagetest.Replica(t, e.store, clock), now: e.now}
	restarted.h = handlers.New(restarted.store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"})
	mustContain(t, restarted.ok("sam", "goal show 1"), "FB-from before")
	out := restarted.ok("admin", "audit @sam")
	mustContain(t, out, "ms-lee · gave feedback: goal 1")
	mustNotContain(t, out, "FB-from before")
}

// TestCounselorFeedbackByCaseload: a counselor's feedback to a student on
// their caseload is stored, its caseload kept in memory a moment as their
// role is; a change to the caseload applies at once (the student taken
// off is refused, audited, nothing stored); and a counselor who also
// teaches a student off their caseload still reaches them through the
// class.
func TestCounselorFeedbackByCaseload(t *testing.T) {
	e := newEnv(t)
	e.setupClass("Sam")
	e.ok("Ana", "plan")
	e.ok("Sam", "goal add Read more")
	e.ok("Ana", "goal add Run a 5k")
	e.ok("admin", "role @mx-rivera counselor")
	e.ok("admin", "caseload @mx-rivera add @sam @ana")
	mustContain(t, e.ok("mx-rivera", "feedback @sam 1 Great start"), "saved in their plan", "Read more")
	mustContain(t, e.ok("mx-rivera", "feedback @ana 1 Keep it up"), "saved in their plan", "Run a 5k")

	e.ok("admin", "caseload @mx-rivera remove @ana")
	e.fails("mx-rivera", "feedback @ana 1 Still here?", bot.EForbidden)
	g, err := e.store.Goal(context.Background(), "console::ana", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Feedback) != 1 {
		t.Errorf("Ana's goal holds %d pieces of feedback, want 1: the one before she left the caseload", len(g.Feedback))
	}
	mustContain(t, e.ok("admin", "audit @ana"), "refused")

	e.ok("admin", "caseload @mx-rivera remove @sam")
	e.ok("ms-lee", "class add @mx-rivera") // now a co-teacher of Sam's class
	mustContain(t, e.ok("mx-rivera", "feedback @sam 1 From class"), "saved in their plan")
}
