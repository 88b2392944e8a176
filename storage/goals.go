package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// GoalStatus is where a goal stands.
type GoalStatus string

// Goal statuses.
const (
	GoalActive  GoalStatus = "active"
	GoalDone    GoalStatus = "done"
	GoalPaused  GoalStatus = "paused"
	GoalDropped GoalStatus = "dropped"
)

// Step is a milestone of a goal.
type Step struct {
	Text   string    `bson:"text"`
	Done   bool      `bson:"done"`
	DoneAt time.Time `bson:"done_at,omitempty"`
}

// Goal is one of a student's goals. Students address goals by Number.
type Goal struct {
	ID          string     `bson:"_id"`
	UserID      string     `bson:"user_id"`
	Number      int        `bson:"number"`
	Title       string     `bson:"title"`
	Category    string     `bson:"category"` // academic | personal | career
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
}

// NextStep returns the first step not done, or nil.
func (g *Goal) NextStep() *Step {
	for i := range g.Steps {
		if !g.Steps[i].Done {
			return &g.Steps[i]
		}
	}
	return nil
}

// Overdue reports whether an active goal's target date has passed at t.
func (g *Goal) Overdue(t time.Time) bool {
	return g.Status == GoalActive && !g.TargetDate.IsZero() && t.After(g.TargetDate.Add(24*time.Hour))
}

func goalID(userID string, n int) string { return userID + "#g" + strconv.Itoa(n) }

// AddGoal numbers and stores a new active goal for g.UserID (two round
// trips: the user's goal counter, then the insert).
func (s *Store) AddGoal(ctx context.Context, g Goal) (*Goal, error) {
	now := s.Now()
	if g.Status == "" {
		g.Status = GoalActive
	}
	if g.Category == "" {
		g.Category = "academic"
	}
	if g.Steps == nil {
		g.Steps = []Step{}
	}
	g.CreatedAt, g.UpdatedAt = now, now
	// A duplicate number means a concurrent add on FerretDB took it: retry.
	err := retryDuplicate(numberAttempts, func() error {
		var u struct {
			Seq int `bson:"goal_seq"`
		}
		err := s.db.Collection(colUsers).FindOneAndUpdate(ctx,
			bson.D{{Key: "_id", Value: g.UserID}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "goal_seq", Value: 1}}}},
			// No projection: FerretDB v1 does not implement one on findAndModify.
			options.FindOneAndUpdate().SetReturnDocument(options.After),
		).Decode(&u)
		if err != nil {
			return fmt.Errorf("number goal: %w", translate(err))
		}
		g.Number = u.Seq
		g.ID = goalID(g.UserID, g.Number)
		if _, err := s.db.Collection(colGoals).InsertOne(ctx, g); err != nil {
			return fmt.Errorf("insert goal: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	s.noteGoal(ctx, &g, time.Time{})
	return &g, nil
}

// Goals returns a student's goals ordered by number.
func (s *Store) Goals(ctx context.Context, userID string) ([]Goal, error) {
	cur, err := s.db.Collection(colGoals).Find(ctx, bson.D{{Key: "user_id", Value: userID}},
		options.Find().SetSort(bson.D{{Key: "number", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list goals: %w", err)
	}
	var out []Goal
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list goals: %w", err)
	}
	return out, nil
}

// Goal returns a student's goal number n.
func (s *Store) Goal(ctx context.Context, userID string, n int) (*Goal, error) {
	var g Goal
	if err := s.db.Collection(colGoals).FindOne(ctx, bson.D{{Key: "_id", Value: goalID(userID, n)}}).Decode(&g); err != nil {
		return nil, fmt.Errorf("load goal %d: %w", n, translate(err))
	}
	return &g, nil
}

// GoalEdit lists the fields to change; nil fields are left as they are.
type GoalEdit struct {
	Title      *string
	Category   *string
	Why        *string
	Tag        *string
	TargetDate *time.Time
	Status     *GoalStatus
	Progress   *int
}

// EditGoal changes a goal and returns it as it is now (one round trip).
func (s *Store) EditGoal(ctx context.Context, userID string, n int, e GoalEdit) (*Goal, error) {
	now := s.Now()
	set := bson.D{{Key: "updated_at", Value: now}}
	add := func(k string, v any) { set = append(set, bson.E{Key: k, Value: v}) }
	if e.Title != nil {
		add("title", *e.Title)
	}
	if e.Category != nil {
		add("category", *e.Category)
	}
	if e.Why != nil {
		add("why", *e.Why)
	}
	if e.Tag != nil {
		add("tag", *e.Tag)
	}
	if e.TargetDate != nil {
		add("target_date", *e.TargetDate)
	}
	if e.Progress != nil {
		add("progress", *e.Progress)
	}
	if e.Status != nil {
		add("status", *e.Status)
		if *e.Status == GoalDone {
			add("done_at", now)
			add("progress", 100)
		}
	}
	return s.updateGoal(ctx, bson.D{{Key: "_id", Value: goalID(userID, n)}}, bson.D{{Key: "$set", Value: set}})
}

func (s *Store) updateGoal(ctx context.Context, filter, update bson.D) (*Goal, error) {
	g, err := s.writeGoal(ctx, filter, update)
	if err != nil {
		return nil, err
	}
	s.noteGoal(ctx, g, time.Time{})
	return g, nil
}

// writeGoal updates one goal and returns it as it is now, without touching
// the roster summary.
func (s *Store) writeGoal(ctx context.Context, filter, update bson.D) (*Goal, error) {
	var g Goal
	err := s.db.Collection(colGoals).FindOneAndUpdate(ctx, filter, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&g)
	if err != nil {
		return nil, fmt.Errorf("update goal: %w", translate(err))
	}
	return &g, nil
}

// AddStep appends a step to a goal.
func (s *Store) AddStep(ctx context.Context, userID string, n int, text string) (*Goal, error) {
	return s.updateGoal(ctx,
		bson.D{{Key: "_id", Value: goalID(userID, n)}},
		bson.D{
			{Key: "$push", Value: bson.D{{Key: "steps", Value: Step{Text: text}}}},
			{Key: "$set", Value: bson.D{{Key: "updated_at", Value: s.Now()}}},
		})
}

// CompleteStep checks off step m (1-based) of goal n. ErrNotFound if the
// goal or the step does not exist.
func (s *Store) CompleteStep(ctx context.Context, userID string, n, m int) (*Goal, error) {
	if m < 1 {
		return nil, fmt.Errorf("complete step %d.%d: %w", n, m, ErrNotFound)
	}
	path := "steps." + strconv.Itoa(m-1)
	now := s.Now()
	return s.updateGoal(ctx,
		bson.D{{Key: "_id", Value: goalID(userID, n)}, {Key: path, Value: bson.D{{Key: "$exists", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: path + ".done", Value: true},
			{Key: path + ".done_at", Value: now},
			{Key: "updated_at", Value: now},
		}}})
}

// CheckIn is a progress report on a goal.
type CheckIn struct {
	ID         bson.ObjectID `bson:"_id,omitempty"`
	UserID     string        `bson:"user_id"`
	GoalNumber int           `bson:"goal"`
	Percent    int           `bson:"percent"`
	Note       string        `bson:"note,omitempty"`
	Confidence int           `bson:"confidence,omitempty"` // 1..5, 0 = not given
	At         time.Time     `bson:"at"`
}

// RecordCheckIn stores a check-in, sets the goal's progress and the
// student's roster summary. The goal is written first (it must exist); the
// check-in and the summary are then written concurrently, so the command
// costs about two round trips. It returns the goal as it is now;
// ErrNotFound if it doesn't exist.
func (s *Store) RecordCheckIn(ctx context.Context, c CheckIn) (*Goal, error) {
	if c.At.IsZero() {
		c.At = s.Now()
	}
	g, err := s.writeGoal(ctx,
		bson.D{{Key: "_id", Value: goalID(c.UserID, c.GoalNumber)}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "progress", Value: c.Percent},
			{Key: "last_checkin", Value: c.At},
			{Key: "updated_at", Value: c.At},
		}}})
	if err != nil {
		return nil, fmt.Errorf("check in: %w", err)
	}
	if err := s.insertCheckIn(ctx, g, c); err != nil {
		return nil, err
	}
	return g, nil
}

// insertCheckIn stores c and the roster summary of g, its goal as it is
// after the check-in. The two writes go concurrently, so a check-in waits
// for about two round trips (the goal's, then these), not three.
func (s *Store) insertCheckIn(ctx context.Context, g *Goal, c CheckIn) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.noteGoal(ctx, g, c.At)
	}()
	_, err := s.db.Collection(colCheckIns).InsertOne(ctx, c)
	<-done
	if err != nil {
		return fmt.Errorf("insert check-in: %w", err)
	}
	return nil
}

// CheckIns returns a student's check-ins at or after since, newest first,
// at most limit (0 = all).
func (s *Store) CheckIns(ctx context.Context, userID string, since time.Time, limit int) ([]CheckIn, error) {
	var out []CheckIn
	if err := s.findSince(ctx, colCheckIns, "user_id", userID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list check-ins: %w", err)
	}
	return out, nil
}

// findSince loads documents of one person at or after since, newest first.
func (s *Store) findSince(ctx context.Context, coll, key, id string, since time.Time, limit int, out any) error {
	filter := bson.D{{Key: key, Value: id}}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.db.Collection(coll).Find(ctx, filter, opts)
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}

// Reflection is a student's free-text reflection, optionally the answer to a
// prompt the scheduler sent.
type Reflection struct {
	ID       bson.ObjectID `bson:"_id,omitempty"`
	UserID   string        `bson:"user_id"`
	Text     string        `bson:"text"`
	PromptID string        `bson:"prompt_id,omitempty"`
	Prompt   string        `bson:"prompt,omitempty"`
	At       time.Time     `bson:"at"`
}

// AddReflection stores a reflection.
func (s *Store) AddReflection(ctx context.Context, r Reflection) (*Reflection, error) {
	if r.At.IsZero() {
		r.At = s.Now()
	}
	res, err := s.db.Collection(colReflections).InsertOne(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("insert reflection: %w", err)
	}
	r.ID, _ = res.InsertedID.(bson.ObjectID)
	return &r, nil
}

// Reflections returns a student's reflections at or after since, newest first.
func (s *Store) Reflections(ctx context.Context, userID string, since time.Time, limit int) ([]Reflection, error) {
	var out []Reflection
	if err := s.findSince(ctx, colReflections, "user_id", userID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list reflections: %w", err)
	}
	return out, nil
}

// Feedback is a staff comment on a student's goal.
type Feedback struct {
	ID         bson.ObjectID `bson:"_id,omitempty"`
	StudentID  string        `bson:"student_id"`
	StaffID    string        `bson:"staff_id"`
	StaffName  string        `bson:"staff_name"`
	GoalNumber int           `bson:"goal"`
	Text       string        `bson:"text"`
	At         time.Time     `bson:"at"`
}

// AddFeedback stores feedback.
func (s *Store) AddFeedback(ctx context.Context, f Feedback) (*Feedback, error) {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	res, err := s.db.Collection(colFeedback).InsertOne(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("insert feedback: %w", err)
	}
	f.ID, _ = res.InsertedID.(bson.ObjectID)
	return &f, nil
}

// FeedbackFor returns feedback given to a student at or after since, newest first.
func (s *Store) FeedbackFor(ctx context.Context, studentID string, since time.Time, limit int) ([]Feedback, error) {
	var out []Feedback
	if err := s.findSince(ctx, colFeedback, "student_id", studentID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return out, nil
}

// Flag is a staff-only intervention flag (IEP, 504, other). Never shown to
// students or in channels.
type Flag struct {
	ID        bson.ObjectID `bson:"_id,omitempty"`
	StudentID string        `bson:"student_id"`
	Kind      string        `bson:"kind"` // iep | 504 | other
	Note      string        `bson:"note,omitempty"`
	ByID      string        `bson:"by_id"`
	At        time.Time     `bson:"at"`
}

// AddFlag stores a flag.
func (s *Store) AddFlag(ctx context.Context, f Flag) error {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	if _, err := s.db.Collection(colFlags).InsertOne(ctx, f); err != nil {
		return fmt.Errorf("insert flag: %w", err)
	}
	if _, err := s.setUser(ctx, f.StudentID, bson.D{{Key: "flagged", Value: true}}); err != nil {
		return fmt.Errorf("mark flagged: %w", err)
	}
	return nil
}

// Flags returns a student's flags, newest first.
func (s *Store) Flags(ctx context.Context, studentID string) ([]Flag, error) {
	var out []Flag
	if err := s.findSince(ctx, colFlags, "student_id", studentID, time.Time{}, 0, &out); err != nil {
		return nil, fmt.Errorf("list flags: %w", err)
	}
	return out, nil
}
