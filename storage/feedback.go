package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
)

// ActionFeedback is the audit action of feedback. Feedback names who gave
// it, to whom, on which goal and when, so the stored feedback is itself the
// audit log's entry of that access: AuditLog, AuditPage and EachAudit list
// it among the others, as "goal N" and never with its text, and no separate
// entry is written. Like the audit log, feedback is never changed or
// deleted but by Forget (TestAuditIsAppendOnly), which deletes it with its
// student and anonymises it with its giver, as it does their entries.
const ActionFeedback = "feedback"

// feedbackDoc is feedback as stored. Audit marks feedback that is its own
// audit entry: all feedback given to someone else since feedback was one.
// Feedback stored before then has a separate entry in the audit collection,
// and feedback one gives oneself is not audited: one's own records never are.
type feedbackDoc struct {
	plpbot.Feedback `bson:",inline"`
	Audit           bool `bson:"audit,omitempty"`
}

// feedbackEntry is what the audit log reads of feedback: never its text.
type feedbackEntry struct {
	ID        string    `bson:"_id"`
	StudentID string    `bson:"student_id"`
	StaffID   string    `bson:"staff_id"`
	StaffName string    `bson:"staff_name"`
	Goal      int       `bson:"goal"`
	At        time.Time `bson:"at"`
}

// feedbackEntryFields projects feedback onto a feedbackEntry.
var feedbackEntryFields = bson.D{{Key: "student_id", Value: 1}, {Key: "staff_id", Value: 1},
	{Key: "staff_name", Value: 1}, {Key: "goal", Value: 1}, {Key: "at", Value: 1}}

// entry is the audit entry the feedback stands for.
func (f *feedbackEntry) entry() plpbot.AuditEntry {
	return plpbot.AuditEntry{ID: f.ID, ActorID: f.StaffID, ActorName: f.StaffName, Action: ActionFeedback,
		SubjectID: f.StudentID, Detail: "goal " + strconv.Itoa(f.Goal), At: f.At}
}

// feedbackAuditFilter selects the feedback that is its own audit entry,
// about subjectID (empty: anyone), at or after since (zero: ever).
func feedbackAuditFilter(subjectID string, since time.Time) bson.D {
	filter := bson.D{}
	if subjectID != "" {
		filter = append(filter, bson.E{Key: "student_id", Value: subjectID})
	}
	return auditFilter(append(filter, bson.E{Key: "audit", Value: true}), since)
}

// AddFeedback stores feedback, in one insert that is also the audit log's
// entry of it (ActionFeedback): when it returns, the record that the staff
// member touched the student's goal is as durable as the feedback.
func (s *Store) AddFeedback(ctx context.Context, f plpbot.Feedback) (*plpbot.Feedback, error) {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	f.ID = newID()
	_, err := s.db.Collection(colFeedback).InsertOne(ctx, feedbackDoc{Feedback: f, Audit: f.StaffID != f.StudentID})
	if err != nil {
		return nil, fmt.Errorf("insert feedback: %w", err)
	}
	return &f, nil
}

// FeedbackFor returns feedback given to a student at or after since, newest first.
func (s *Store) FeedbackFor(ctx context.Context, studentID string, since time.Time, limit int) ([]plpbot.Feedback, error) {
	var out []plpbot.Feedback
	if err := s.findSince(ctx, colFeedback, "student_id", studentID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return out, nil
}
