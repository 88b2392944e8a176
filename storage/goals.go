package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"
)

// AddGoal numbers and stores a new active goal for g.UserID: the student's
// record (ErrNotFound if there is none) and their latest goal, read
// together, then the insert (AddGoalAfter).
func (s *Store) AddGoal(ctx context.Context, g plpbot.Goal) (*plpbot.Goal, error) {
	var last int
	eg, gctx := errgroup.WithContext(ctx)
	eg.Go(func() error { _, err := s.User(gctx, g.UserID); return err })
	eg.Go(func() (err error) { last, err = s.latestNumber(gctx, g.UserID); return err })
	if err := eg.Wait(); err != nil {
		return nil, fmt.Errorf("add goal: %w", err)
	}
	return s.AddGoalAfter(ctx, g, last)
}

// AddGoalAfter is AddGoal for a student whose latest goal is known to be
// number last (0: they have none), as the repeat check of /plp goal add
// has just read it: one request, the goal inserted as number last+1. Its
// _id is made of the student and the number, so if that number is taken
// (the student added a goal from another device meanwhile) the insert
// fails, and the goal takes the number after the latest read again.
func (s *Store) AddGoalAfter(ctx context.Context, g plpbot.Goal, last int) (*plpbot.Goal, error) {
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
	first := true
	err := retryDuplicate(numberAttempts, func() error {
		if !first {
			n, err := s.latestNumber(ctx, g.UserID)
			if err != nil {
				return err
			}
			last = max(n, last+1) // a read that lags the insert that failed still moves on
		}
		first = false
		g.Number = last + 1
		g.ID = plpbot.GoalID(g.UserID, g.Number)
		if _, err := s.db.Collection(colGoals).InsertOne(ctx, g); err != nil {
			return fmt.Errorf("insert goal %d: %w", g.Number, err)
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return &g, nil
}

// LatestGoal returns a student's goal with the highest number, the one
// they added last, with what a repeat check and the next number need: its
// number, title and when it was added (and whose it is). ErrNotFound if
// they have none. Where plpbot can read the database's files (see
// goalSummaries) SQLite answers from the index on user_id; elsewhere it is
// one find on the index (user_id, number).
func (s *Store) LatestGoal(ctx context.Context, userID string) (*plpbot.Goal, error) {
	rows, ok, err := s.readFiles(ctx, colGoals, students{ids: []string{userID}}.matches(), "number", "title", "created_at")
	if ok {
		if err != nil {
			return nil, fmt.Errorf("latest goal: %w", err)
		}
		var latest *plpbot.Goal
		for _, r := range rows {
			title, _ := r[1].(string)
			g := plpbot.Goal{UserID: userID, Number: int(number(r[0])), Title: title, CreatedAt: time.UnixMilli(number(r[2])).UTC()}
			if latest == nil || g.Number > latest.Number {
				latest = &g
			}
		}
		if latest == nil {
			return nil, fmt.Errorf("latest goal: %w", ErrNotFound)
		}
		return latest, nil
	}
	var g plpbot.Goal
	err = s.db.Collection(colGoals).FindOne(ctx, bson.D{{Key: "user_id", Value: userID}},
		options.FindOne().SetSort(bson.D{{Key: "number", Value: -1}}).SetProjection(bson.D{
			{Key: "user_id", Value: 1}, {Key: "number", Value: 1}, {Key: "title", Value: 1}, {Key: "created_at", Value: 1},
		})).Decode(&g)
	if err != nil {
		return nil, fmt.Errorf("latest goal: %w", translate(err))
	}
	return &g, nil
}

// latestNumber is the number of a student's latest goal, 0 if none.
func (s *Store) latestNumber(ctx context.Context, userID string) (int, error) {
	g, err := s.LatestGoal(ctx, userID)
	switch {
	case errors.Is(err, ErrNotFound):
		return 0, nil
	case err != nil:
		return 0, err
	}
	return g.Number, nil
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

// withoutFeedback projects goals without their feedback, for the views of
// many students' goals (summaries, charts, the dashboard's home), which
// don't show it.
var withoutFeedback = bson.D{{Key: fieldFeedback, Value: 0}}

// GoalsOf returns the goals of several students in one query, ordered by
// student and number (class summaries), without their feedback.
func (s *Store) GoalsOf(ctx context.Context, userIDs []string) ([]plpbot.Goal, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colGoals).Find(ctx, bson.D{{Key: "user_id", Value: bson.D{{Key: "$in", Value: userIDs}}}},
		options.Find().SetSort(bson.D{{Key: "user_id", Value: 1}, {Key: "number", Value: 1}}).SetProjection(withoutFeedback))
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

// updateGoal updates one goal and returns it as it is now (one request).
func (s *Store) updateGoal(ctx context.Context, filter, update bson.D) (*plpbot.Goal, error) {
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
