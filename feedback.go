package plpbot

import (
	"cmp"
	"slices"
	"time"
)

// MaxFeedbackPerGoal is the most feedback one goal keeps. Feedback is
// stored on its goal, so the goal stays a document of bounded size: past
// this, feedback on the goal is refused (never trimmed: each piece is the
// audit log's record of a staff member's access) and belongs in a
// conference or on a fresh goal.
const MaxFeedbackPerGoal = 100

// Feedback is a staff comment on a student's goal. The student sees it.
// It is kept on its goal (Goal.Feedback), oldest first.
type Feedback struct {
	ID         string    `bson:"_id,omitempty"`
	StudentID  string    `bson:"student_id"`
	StaffID    string    `bson:"staff_id"`
	StaffName  string    `bson:"staff_name"`
	GoalNumber int       `bson:"goal"`
	Text       string    `bson:"text"`
	At         time.Time `bson:"at"`
}

// Validate checks the feedback's text.
func (f *Feedback) Validate() error { return ValidateText("feedback", f.Text, MaxTextLen, true) }

// FeedbackOn returns the feedback on goals given at or after since (zero:
// ever), newest first, at most limit (0: all). Feedback of the same time
// comes last-given first.
func FeedbackOn(goals []Goal, since time.Time, limit int) []Feedback {
	var out []Feedback
	for _, g := range goals {
		for _, f := range g.Feedback {
			if !f.At.Before(since) {
				out = append(out, f)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Feedback) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
