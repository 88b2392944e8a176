package plpbot

import "time"

// Feedback is a staff comment on a student's goal. The student sees it.
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
