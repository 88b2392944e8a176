package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// insertCheckIns adds cs to the history and the roster summary of g, its
// goal as it is after the check-in; the two writes go concurrently. A
// check-in already in the history (a retry, or the goal's last one put
// again) is not stored twice.
func (s *Store) insertCheckIns(ctx context.Context, g *plpbot.Goal, at time.Time, cs ...plpbot.CheckIn) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.noteGoal(ctx, g, at)
	}()
	err := s.insertHistory(ctx, cs...)
	<-done
	return err
}

// insertHistory inserts check-ins in one request, skipping those already
// stored (same id).
func (s *Store) insertHistory(ctx context.Context, cs ...plpbot.CheckIn) error {
	docs := make([]any, len(cs))
	for i := range cs {
		docs[i] = cs[i]
	}
	_, err := s.db.Collection(colCheckIns).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil || onlyDuplicates(err) || mongo.IsDuplicateKeyError(err) && len(cs) == 1 {
		return nil
	}
	return fmt.Errorf("insert check-in: %w", err)
}

// checkInID is a check-in's id, the same for the same check-in (who, goal,
// percent, confidence, note) made again within plpbot.RepeatWindow: a
// retry after a lost answer is stored once.
func checkInID(c plpbot.CheckIn) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d\x00%s\x00%d", c.UserID, c.GoalNumber, c.Percent, c.Confidence, c.Note,
		c.At.Truncate(plpbot.RepeatWindow).Unix())
	return "ci_" + hex.EncodeToString(h.Sum(nil)[:12])
}

// goalWithLast is a goal as stored with the latest check-in that moved it
// (kept on the goal until the next one, so it reaches the history even if
// its own insert was cut off).
type goalWithLast struct {
	plpbot.Goal `bson:",inline"`
	Last        *plpbot.CheckIn `bson:"last_ci,omitempty"`
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
	c.ID = checkInID(c)
	id := plpbot.GoalID(c.UserID, c.GoalNumber)
	var g goalWithLast
	err := s.db.Collection(colGoals).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "status", Value: plpbot.GoalActive},
			{Key: "last_checkin", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: c.At}}}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "progress", Value: c.Percent},
			{Key: "last_checkin", Value: c.At},
			{Key: "updated_at", Value: c.At},
			{Key: "last_ci", Value: c},
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
	history := []plpbot.CheckIn{c}
	if g.Last != nil && g.Last.ID != c.ID {
		history = append(history, *g.Last) // in case its own insert was cut off
	}
	if err := s.insertCheckIns(ctx, &g.Goal, c.At, history...); err != nil {
		// The check-in is on the goal already: saved, and in the history
		// with the next one at the latest.
		s.log.WarnContext(ctx, "check-in kept on its goal for now", slog.String("user", c.UserID), slog.Any("err", err))
	}
	return &g.Goal, prev, nil
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
	if err := s.insertHistory(ctx, c); err != nil {
		return nil, 0, err
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
