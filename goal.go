package plpbot

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// GoalStatus is where a goal stands.
type GoalStatus string

// Goal statuses. Only an active goal takes check-ins and counts toward
// progress; a paused one waits, a done or dropped one is history.
const (
	GoalActive  GoalStatus = "active"
	GoalDone    GoalStatus = "done"
	GoalPaused  GoalStatus = "paused"
	GoalDropped GoalStatus = "dropped"
)

// Goal categories: a PLP's goals come from personal, academic and career
// interests.
const (
	CategoryAcademic = "academic"
	CategoryPersonal = "personal"
	CategoryCareer   = "career"
)

// Categories lists the goal categories in the order people read them.
var Categories = []string{CategoryAcademic, CategoryPersonal, CategoryCareer}

// Step is a milestone of a goal.
type Step struct {
	Text   string    `bson:"text"`
	Done   bool      `bson:"done"`
	DoneAt time.Time `bson:"done_at,omitempty"`
}

// Validate checks the step's text.
func (s *Step) Validate() error { return ValidateText("step", s.Text, MaxTitleLen, true) }

// Goal is one of a student's goals. Students address goals by Number, which
// counts up per student and is never reused.
type Goal struct {
	ID          string     `bson:"_id"`
	UserID      string     `bson:"user_id"`
	Number      int        `bson:"number"`
	Title       string     `bson:"title"`
	Category    string     `bson:"category"`
	Why         string     `bson:"why,omitempty"`
	Tag         string     `bson:"tag,omitempty"`
	TargetDate  time.Time  `bson:"target_date,omitempty"`
	Status      GoalStatus `bson:"status"`
	Progress    int        `bson:"progress"`
	Steps       []Step     `bson:"steps"`
	LastCheckIn time.Time  `bson:"last_checkin,omitempty"`
	DoneAt      time.Time  `bson:"done_at,omitempty"`
	CreatedAt   time.Time  `bson:"created_at"`
	UpdatedAt   time.Time  `bson:"updated_at"`
	// Feedback is the staff's feedback on the goal, oldest first, at most
	// MaxFeedbackPerGoal. Each piece is also the audit log's record of
	// that staff member's access to the plan.
	Feedback []Feedback `bson:"feedback,omitempty"`
}

// GoalID is the stored id of a student's goal number n.
func GoalID(userID string, n int) string { return userID + "#g" + strconv.Itoa(n) }

// Validate checks what a student typed for a goal: a title of at most
// MaxTitleLen, a known category, a why of at most MaxTextLen, a tag of at
// most MaxTagLen, and progress 0–100.
func (g *Goal) Validate() error {
	if err := ValidateText("title", g.Title, MaxTitleLen, true); err != nil {
		return err
	}
	if g.Category != "" && !slices.Contains(Categories, g.Category) {
		return fieldErrorf("category", "A goal's category is academic, personal or career, not %q.", g.Category)
	}
	if err := ValidateText("why", g.Why, MaxTextLen, false); err != nil {
		return err
	}
	if err := ValidateText("tag", g.Tag, MaxTagLen, false); err != nil {
		return err
	}
	if g.Progress < 0 || g.Progress > 100 {
		return fieldErrorf("percent", "Progress is 0 to 100%%, not %d%%.", g.Progress)
	}
	return nil
}

// NextStep returns the first step not done and its 1-based number, or nil
// and 0 when every step is done (or there are none). The next step is what
// a student is told to do next after a check-in.
func (g *Goal) NextStep() (*Step, int) {
	for i := range g.Steps {
		if !g.Steps[i].Done {
			return &g.Steps[i], i + 1
		}
	}
	return nil, 0
}

// Overdue reports whether an active goal's target date has passed at t: the
// whole target day (in UTC, as dates are stored) is still on time.
func (g *Goal) Overdue(t time.Time) bool {
	return g.Status == GoalActive && !g.TargetDate.IsZero() && t.After(g.TargetDate.Add(24*time.Hour))
}

// LastCheckInOf is a student's latest check-in, read from their goals: each
// goal keeps the time of the latest check-in that moved it, so the latest
// of those is the student's (zero if they never checked in).
func LastCheckInOf(goals []Goal) time.Time {
	var last time.Time
	for i := range goals {
		if goals[i].LastCheckIn.After(last) {
			last = goals[i].LastCheckIn
		}
	}
	return last
}

// RepeatWindow is how soon after adding something the same addition reads
// as a double tap rather than a second one.
const RepeatWindow = 10 * time.Minute

// SameTitle reports whether two goal titles are the same goal as a person
// would see it: case, surrounding and repeated spaces aside.
func SameTitle(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// IsRepeatOf reports whether adding a goal titled title at now repeats
// latest, the student's most recent goal: the same title within
// RepeatWindow. Such a repeat is not added again.
func IsRepeatOf(latest *Goal, title string, now time.Time) bool {
	return latest != nil && SameTitle(latest.Title, title) && now.Sub(latest.CreatedAt) < RepeatWindow
}
