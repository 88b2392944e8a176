package plpbot

import "time"

// Confidence bounds: a student may say how sure they feel, 1 (not yet) to
// 5 (very); 0 means they didn't say.
const (
	MinConfidence = 1
	MaxConfidence = 5
	// LowConfidence and below in a student's latest check-in is worth a
	// teacher's look.
	LowConfidence = 2
)

// CheckIn is a progress report on a goal.
type CheckIn struct {
	ID         string    `bson:"_id,omitempty"`
	UserID     string    `bson:"user_id"`
	GoalNumber int       `bson:"goal"`
	Percent    int       `bson:"percent"`
	Note       string    `bson:"note,omitempty"`
	Confidence int       `bson:"confidence,omitempty"` // 1..5, 0 = not given
	At         time.Time `bson:"at"`
}

// Validate checks a check-in: a goal number, progress 0–100, a note of at
// most MaxTextLen and confidence 1–5 when given.
func (c *CheckIn) Validate() error {
	switch {
	case c.GoalNumber < 1:
		return fieldErrorf("n", "Goal numbers start at 1.")
	case c.Percent < 0 || c.Percent > 100:
		return fieldErrorf("percent", "Progress is 0 to 100%%, not %d%%.", c.Percent)
	case c.Confidence != 0 && (c.Confidence < MinConfidence || c.Confidence > MaxConfidence):
		return fieldErrorf("confidence", "Confidence is %d to %d.", MinConfidence, MaxConfidence)
	}
	return ValidateText("note", c.Note, MaxTextLen, false)
}

// Reflection is a student's free-text reflection, optionally the answer to
// a prompt the scheduler sent. Text is only what the student wrote.
type Reflection struct {
	ID       string    `bson:"_id,omitempty"`
	UserID   string    `bson:"user_id"`
	Text     string    `bson:"text"`
	PromptID string    `bson:"prompt_id,omitempty"`
	Prompt   string    `bson:"prompt,omitempty"` // the prompt's title, for context
	At       time.Time `bson:"at"`
}

// Validate checks the reflection's text.
func (r *Reflection) Validate() error {
	return ValidateText("reflection", r.Text, MaxTextLen, true)
}
