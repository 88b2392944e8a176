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
	s.actors.drop(g.UserID)
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
