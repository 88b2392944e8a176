package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

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

// MaxStreakCheckIns bounds how many check-in times CheckInTimes loads: a
// year of daily check-ins on a few goals, far more than a streak needs.
const MaxStreakCheckIns = 1000

// RecordCheckIn stores a check-in on an active goal and sets the
// goal's progress. It returns the goal as it is now and its progress before
// the check-in. Two round trips: the goal update (which also checks that the
// goal is active) and the check-in insert, sent with the roster summary's
// update. ErrNotFound if the goal does not exist or is not active; nothing
// is stored then.
//
// A goal's progress is that of its latest check-in by time (c.At), never of
// whichever write lands last: when a later check-in is already recorded
// (this one was held up on the way), c is kept in the history and the goal
// is left as the later one set it.
func (s *Store) RecordCheckIn(ctx context.Context, c plpbot.CheckIn) (*plpbot.Goal, int, error) {
	if c.At.IsZero() {
		c.At = s.Now()
	}
	id := plpbot.GoalID(c.UserID, c.GoalNumber)
	var g plpbot.Goal
	err := s.db.Collection(colGoals).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: plpbot.GoalActive},
			{Key: "last_checkin", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: c.At}}}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "progress", Value: c.Percent},
			{Key: "last_checkin", Value: c.At},
			{Key: "updated_at", Value: c.At},
		}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before),
	).Decode(&g)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return s.recordLateCheckIn(ctx, c)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("check in on goal %d: %w", c.GoalNumber, translate(err))
	}
	prev := g.Progress
	g.Progress, g.LastCheckIn, g.UpdatedAt = c.Percent, c.At, c.At
	if err := s.insertCheckIn(ctx, &g, c); err != nil {
		return nil, 0, err
	}
	return &g, prev, nil
}

// recordLateCheckIn keeps c, older than the goal's latest check-in, in the
// history without changing the goal; ErrNotFound if the goal does not exist
// or is not active.
func (s *Store) recordLateCheckIn(ctx context.Context, c plpbot.CheckIn) (*plpbot.Goal, int, error) {
	g, err := s.Goal(ctx, c.UserID, c.GoalNumber)
	if err != nil {
		return nil, 0, fmt.Errorf("check in: %w", err)
	}
	if g.Status != plpbot.GoalActive || !g.LastCheckIn.After(c.At) {
		return nil, 0, fmt.Errorf("check in on goal %d: %w", c.GoalNumber, ErrNotFound)
	}
	c.ID = newID()
	if _, err := s.db.Collection(colCheckIns).InsertOne(ctx, c); err != nil {
		return nil, 0, fmt.Errorf("insert check-in: %w", err)
	}
	return g, g.Progress, nil
}

// CheckInTimes returns when a student checked in at or after since, newest
// first, at most MaxStreakCheckIns; only the times are loaded.
func (s *Store) CheckInTimes(ctx context.Context, userID string, since time.Time) ([]time.Time, error) {
	filter := bson.D{{Key: "user_id", Value: userID}}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	cur, err := s.db.Collection(colCheckIns).Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}}).
		SetLimit(MaxStreakCheckIns).
		SetProjection(bson.D{{Key: "at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list check-in times: %w", err)
	}
	var docs []struct {
		At time.Time `bson:"at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list check-in times: %w", err)
	}
	out := make([]time.Time, len(docs))
	for i, d := range docs {
		out[i] = d.At
	}
	return out, nil
}

// MaxClassCheckIns bounds how many check-ins CheckInsOf loads: a class of
// 40 checking in daily on three goals for a year is under 45,000.
const MaxClassCheckIns = 50000

// CheckInsOf returns the check-ins of several students (a class) at or
// after since, oldest first, in one query, for class figures by week: only
// who, which goal, the percent and when are loaded, never a note or a
// confidence. Past MaxClassCheckIns the oldest are left out.
func (s *Store) CheckInsOf(ctx context.Context, userIDs []string, since time.Time) ([]plpbot.CheckIn, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	filter := bson.D{{Key: "user_id", Value: bson.D{{Key: "$in", Value: userIDs}}}}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	cur, err := s.db.Collection(colCheckIns).Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}}).
		SetLimit(MaxClassCheckIns).
		SetProjection(bson.D{{Key: "user_id", Value: 1}, {Key: "goal", Value: 1}, {Key: "percent", Value: 1}, {Key: "at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list check-ins of %d students: %w", len(userIDs), err)
	}
	var out []plpbot.CheckIn
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list check-ins of %d students: %w", len(userIDs), err)
	}
	slices.Reverse(out)
	return out, nil
}
