package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// AddGoal numbers and stores a new active goal for g.UserID (two round
// trips: the user's goal counter, then the insert).
func (s *Store) AddGoal(ctx context.Context, g plpbot.Goal) (*plpbot.Goal, error) {
	now := s.Now()
	if g.Status == "" {
		g.Status = plpbot.GoalActive
	}
	if g.Category == "" {
		g.Category = "academic"
	}
	if g.Steps == nil {
		g.Steps = []plpbot.Step{}
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
		g.ID = plpbot.GoalID(g.UserID, g.Number)
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
func (s *Store) Goals(ctx context.Context, userID string) ([]plpbot.Goal, error) {
	cur, err := s.db.Collection(colGoals).Find(ctx, bson.D{{Key: "user_id", Value: userID}},
		options.Find().SetSort(bson.D{{Key: "number", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list goals: %w", err)
	}
	var out []plpbot.Goal
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list goals: %w", err)
	}
	return out, nil
}

// GoalsOf returns the goals of several students in one query, ordered by
// student and number (class summaries).
func (s *Store) GoalsOf(ctx context.Context, userIDs []string) ([]plpbot.Goal, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colGoals).Find(ctx, bson.D{{Key: "user_id", Value: bson.D{{Key: "$in", Value: userIDs}}}},
		options.Find().SetSort(bson.D{{Key: "user_id", Value: 1}, {Key: "number", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list goals of %d students: %w", len(userIDs), err)
	}
	var out []plpbot.Goal
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list goals of %d students: %w", len(userIDs), err)
	}
	return out, nil
}

// Goal returns a student's goal number n.
func (s *Store) Goal(ctx context.Context, userID string, n int) (*plpbot.Goal, error) {
	var g plpbot.Goal
	if err := s.db.Collection(colGoals).FindOne(ctx, bson.D{{Key: "_id", Value: plpbot.GoalID(userID, n)}}).Decode(&g); err != nil {
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
	Status     *plpbot.GoalStatus
	Progress   *int
}

// EditGoal changes a goal and returns it as it is now (one round trip).
func (s *Store) EditGoal(ctx context.Context, userID string, n int, e GoalEdit) (*plpbot.Goal, error) {
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
		if *e.Status == plpbot.GoalDone {
			add("done_at", now)
			add("progress", 100)
		}
	}
	return s.updateGoal(ctx, bson.D{{Key: "_id", Value: plpbot.GoalID(userID, n)}}, bson.D{{Key: "$set", Value: set}})
}

func (s *Store) updateGoal(ctx context.Context, filter, update bson.D) (*plpbot.Goal, error) {
	g, err := s.writeGoal(ctx, filter, update)
	if err != nil {
		return nil, err
	}
	s.noteGoal(ctx, g, time.Time{})
	return g, nil
}

// writeGoal updates one goal and returns it as it is now, without touching
// the roster summary.
func (s *Store) writeGoal(ctx context.Context, filter, update bson.D) (*plpbot.Goal, error) {
	var g plpbot.Goal
	err := s.db.Collection(colGoals).FindOneAndUpdate(ctx, filter, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&g)
	if err != nil {
		return nil, fmt.Errorf("update goal: %w", translate(err))
	}
	return &g, nil
}

// AddStep appends a step to a goal.
func (s *Store) AddStep(ctx context.Context, userID string, n int, text string) (*plpbot.Goal, error) {
	return s.updateGoal(ctx,
		bson.D{{Key: "_id", Value: plpbot.GoalID(userID, n)}},
		bson.D{
			{Key: "$push", Value: bson.D{{Key: "steps", Value: plpbot.Step{Text: text}}}},
			{Key: "$set", Value: bson.D{{Key: "updated_at", Value: s.Now()}}},
		})
}

// CompleteStep checks off step m (1-based) of goal n. ErrNotFound if the
// goal or the step does not exist.
func (s *Store) CompleteStep(ctx context.Context, userID string, n, m int) (*plpbot.Goal, error) {
	if m < 1 {
		return nil, fmt.Errorf("complete step %d.%d: %w", n, m, ErrNotFound)
	}
	path := "steps." + strconv.Itoa(m-1)
	now := s.Now()
	return s.updateGoal(ctx,
		bson.D{{Key: "_id", Value: plpbot.GoalID(userID, n)}, {Key: path, Value: bson.D{{Key: "$exists", Value: true}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: path + ".done", Value: true},
			{Key: path + ".done_at", Value: now},
			{Key: "updated_at", Value: now},
		}}})
}

// RecordCheckIn stores a check-in, sets the goal's progress and the
// student's roster summary. The goal is written first (it must exist); the
// check-in and the summary are then written concurrently, so the command
// costs about two round trips. It returns the goal as it is now;
// ErrNotFound if it doesn't exist.
func (s *Store) RecordCheckIn(ctx context.Context, c plpbot.CheckIn) (*plpbot.Goal, error) {
	if c.At.IsZero() {
		c.At = s.Now()
	}
	g, err := s.writeGoal(ctx,
		bson.D{{Key: "_id", Value: plpbot.GoalID(c.UserID, c.GoalNumber)}},
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
func (s *Store) insertCheckIn(ctx context.Context, g *plpbot.Goal, c plpbot.CheckIn) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.noteGoal(ctx, g, c.At)
	}()
	c.ID = newID()
	_, err := s.db.Collection(colCheckIns).InsertOne(ctx, c)
	<-done
	if err != nil {
		return fmt.Errorf("insert check-in: %w", err)
	}
	return nil
}

// CheckIns returns a student's check-ins at or after since, newest first,
// at most limit (0 = all).
func (s *Store) CheckIns(ctx context.Context, userID string, since time.Time, limit int) ([]plpbot.CheckIn, error) {
	var out []plpbot.CheckIn
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

// AddReflection stores a reflection.
func (s *Store) AddReflection(ctx context.Context, r plpbot.Reflection) (*plpbot.Reflection, error) {
	if r.At.IsZero() {
		r.At = s.Now()
	}
	r.ID = newID()
	_, err := s.db.Collection(colReflections).InsertOne(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("insert reflection: %w", err)
	}
	return &r, nil
}

// Reflections returns a student's reflections at or after since, newest first.
func (s *Store) Reflections(ctx context.Context, userID string, since time.Time, limit int) ([]plpbot.Reflection, error) {
	var out []plpbot.Reflection
	if err := s.findSince(ctx, colReflections, "user_id", userID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list reflections: %w", err)
	}
	return out, nil
}

// AddFeedback stores feedback.
func (s *Store) AddFeedback(ctx context.Context, f plpbot.Feedback) (*plpbot.Feedback, error) {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	f.ID = newID()
	_, err := s.db.Collection(colFeedback).InsertOne(ctx, f)
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

// AddFlag stores a flag.
func (s *Store) AddFlag(ctx context.Context, f plpbot.Flag) error {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	f.ID = newID()
	if _, err := s.db.Collection(colFlags).InsertOne(ctx, f); err != nil {
		return fmt.Errorf("insert flag: %w", err)
	}
	if _, err := s.setUser(ctx, f.StudentID, bson.D{{Key: "flagged", Value: true}}); err != nil {
		return fmt.Errorf("mark flagged: %w", err)
	}
	return nil
}

// Flags returns a student's flags, newest first.
func (s *Store) Flags(ctx context.Context, studentID string) ([]plpbot.Flag, error) {
	var out []plpbot.Flag
	if err := s.findSince(ctx, colFlags, "student_id", studentID, time.Time{}, 0, &out); err != nil {
		return nil, fmt.Errorf("list flags: %w", err)
	}
	return out, nil
}
