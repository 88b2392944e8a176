package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
)

// ActionFeedback is the audit action of feedback. Feedback names who gave
// it, to whom, on which goal and when, so the stored feedback is itself the
// audit log's entry of that access: AuditLog, AuditPage and EachAudit list
// it among the others, as "goal N" and never with its text, and no separate
// entry is written. Like the audit log, feedback is never changed or
// deleted but by Forget (TestAuditIsAppendOnly), which deletes it with its
// student's goals and anonymises it with its giver, as it does their
// entries: feedback is only ever pushed onto its goal.
const ActionFeedback = "feedback"

// fieldFeedback is the goal's array of feedback (plpbot.Goal.Feedback).
const fieldFeedback = "feedback"

// ErrFeedbackFull is the error of feedback on a goal that already keeps
// plpbot.MaxFeedbackPerGoal pieces.
var ErrFeedbackFull = errors.New("the goal keeps the most feedback it can")

// feedbackDoc is feedback as stored on its goal. Audit marks feedback that
// is its own audit entry: all feedback given to someone else since feedback
// was one. Feedback stored before then has a separate entry in the audit
// collection, and feedback one gives oneself is not audited: one's own
// records never are.
type feedbackDoc struct {
	plpbot.Feedback `bson:",inline"`
	Audit           bool `bson:"audit,omitempty"`
}

// goalFeedback is what the audit log and Forget read of a goal's feedback:
// whose goal it is, its number, and the feedback without its text
// (feedbackEntryFields).
type goalFeedback struct {
	ID       string          `bson:"_id"`
	UserID   string          `bson:"user_id"`
	Number   int             `bson:"number"`
	Feedback []feedbackEntry `bson:"feedback"`
}

// feedbackEntry is what the audit log reads of a piece of feedback: never
// its text.
type feedbackEntry struct {
	ID        string    `bson:"_id"`
	StaffID   string    `bson:"staff_id"`
	StaffName string    `bson:"staff_name"`
	At        time.Time `bson:"at"`
	Audit     bool      `bson:"audit"`
}

// feedbackEntryFields projects goals onto a goalFeedback: the feedback's
// text is left in the database.
var feedbackEntryFields = bson.D{{Key: "user_id", Value: 1}, {Key: "number", Value: 1},
	{Key: fieldFeedback + "._id", Value: 1}, {Key: fieldFeedback + ".staff_id", Value: 1},
	{Key: fieldFeedback + ".staff_name", Value: 1}, {Key: fieldFeedback + ".at", Value: 1},
	{Key: fieldFeedback + ".audit", Value: 1}}

// entries are the audit entries g's feedback stands for, at or after since
// (zero: ever), in the order given.
func (g *goalFeedback) entries(since time.Time) []plpbot.AuditEntry {
	var out []plpbot.AuditEntry
	for _, f := range g.Feedback {
		if f.Audit && !f.At.Before(since) {
			out = append(out, plpbot.AuditEntry{ID: f.ID, ActorID: f.StaffID, ActorName: f.StaffName, Action: ActionFeedback,
				SubjectID: g.UserID, Detail: "goal " + strconv.Itoa(g.Number), At: f.At})
		}
	}
	return out
}

// feedbackAuditFilter selects the goals of subjectID (empty: anyone's)
// with feedback, some of it at or after since (zero: ever).
func feedbackAuditFilter(subjectID string, since time.Time) bson.D {
	filter := bson.D{{Key: fieldFeedback, Value: bson.D{{Key: "$exists", Value: true}}}}
	if subjectID != "" {
		filter = append(filter, bson.E{Key: "user_id", Value: subjectID})
	}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: fieldFeedback + ".at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	return filter
}

// feedbackAudit reads the audit entries the feedback on the goals of
// subjectID (empty: anyone's) stands for, at or after since, in one find.
func (s *Store) feedbackAudit(ctx context.Context, subjectID string, since time.Time) ([]plpbot.AuditEntry, error) {
	cur, err := s.db.Collection(colGoals).Find(ctx, feedbackAuditFilter(subjectID, since),
		options.Find().SetProjection(feedbackEntryFields))
	if err != nil {
		return nil, err
	}
	var goals []goalFeedback
	if err := cur.All(ctx, &goals); err != nil {
		return nil, err
	}
	var out []plpbot.AuditEntry
	for i := range goals {
		out = append(out, goals[i].entries(since)...)
	}
	return out, nil
}

// AddFeedback stores feedback on its goal (f.StudentID's number
// f.GoalNumber) in one request, a push that also returns the goal as it is
// now: it finds the goal, stores the feedback and gives the title for the
// reply at once. The feedback is also the audit log's entry of it
// (ActionFeedback): when it returns, the record that the staff member
// touched the student's goal is as durable as the feedback. ErrNotFound if
// the student has no such goal, ErrFeedbackFull if it keeps
// plpbot.MaxFeedbackPerGoal pieces already; nothing is stored then.
func (s *Store) AddFeedback(ctx context.Context, f plpbot.Feedback) (*plpbot.Feedback, *plpbot.Goal, error) {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	f.ID = newID()
	id := plpbot.GoalID(f.StudentID, f.GoalNumber)
	full := fieldFeedback + "." + strconv.Itoa(plpbot.MaxFeedbackPerGoal-1)
	var g plpbot.Goal
	err := s.db.Collection(colGoals).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: full, Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$push", Value: bson.D{{Key: fieldFeedback, Value: feedbackDoc{Feedback: f, Audit: f.StaffID != f.StudentID}}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&g)
	if err = translate(err); errors.Is(err, ErrNotFound) {
		// No goal, or a full one: a second look tells which (rare).
		if _, gerr := s.Goal(ctx, f.StudentID, f.GoalNumber); gerr == nil {
			err = ErrFeedbackFull
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("add feedback on goal %d: %w", f.GoalNumber, err)
	}
	return &f, &g, nil
}

// FeedbackFor returns the feedback given to a student at or after since,
// newest first, at most limit (0: all), read from their goals. Views take
// it from the goals they read anyway (plpbot.FeedbackOn).
func (s *Store) FeedbackFor(ctx context.Context, studentID string, since time.Time, limit int) ([]plpbot.Feedback, error) {
	goals, err := s.Goals(ctx, studentID)
	if err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return plpbot.FeedbackOn(goals, since, limit), nil
}
