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

// Store methods the student commands need beyond the core model: a check-in
// that validates and records in as few round trips as possible, the dates a
// weekly streak is computed from, and a history of away periods so that a
// week spent away freezes a streak instead of breaking it.

// MaxStreakCheckIns bounds how many check-in times CheckInTimes loads: a
// year of daily check-ins on a few goals, far more than a streak needs.
const MaxStreakCheckIns = 1000

// RecordActiveCheckIn stores a check-in on an active goal and sets the
// goal's progress. It returns the goal as it is now and its progress before
// the check-in. Two round trips: the goal update (which also checks that the
// goal is active) and the check-in insert. ErrNotFound if the goal does not
// exist or is not active; nothing is stored then.
func (s *Store) RecordActiveCheckIn(ctx context.Context, c plpbot.CheckIn) (*plpbot.Goal, int, error) {
	if c.At.IsZero() {
		c.At = s.Now()
	}
	var g plpbot.Goal
	err := s.db.Collection(colGoals).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: plpbot.GoalID(c.UserID, c.GoalNumber)}, {Key: "status", Value: plpbot.GoalActive}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "progress", Value: c.Percent},
			{Key: "last_checkin", Value: c.At},
			{Key: "updated_at", Value: c.At},
		}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before),
	).Decode(&g)
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

// awayLog is the user-document field holding past and current away periods.
// It lives on the user document so that Forget removes it with the user.
const awayLog = "away_log"

// StartAway marks a user away from from until until with a note, and adds
// the period to their away history (one round trip).
func (s *Store) StartAway(ctx context.Context, id string, from, until time.Time, note string) (*plpbot.Person, error) {
	var u plpbot.Person
	err := s.db.Collection(colUsers).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$set", Value: bson.D{
				{Key: "away_until", Value: until.UTC()},
				{Key: "away_note", Value: note},
				{Key: "updated_at", Value: s.Now()},
			}},
			{Key: "$push", Value: bson.D{{Key: awayLog, Value: plpbot.AwayPeriod{From: from.UTC(), Until: until.UTC()}}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After),
	).Decode(&u)
	if err != nil {
		return nil, fmt.Errorf("start away for %s: %w", id, translate(err))
	}
	return &u, nil
}

// EndAway clears a user's away status at at and ends their latest away
// period there if it was still running (two round trips).
func (s *Store) EndAway(ctx context.Context, id string, at time.Time) (*plpbot.Person, error) {
	periods, err := s.AwayPeriods(ctx, id)
	if err != nil {
		return nil, err
	}
	set := bson.D{{Key: "updated_at", Value: s.Now()}}
	if n := len(periods); n > 0 && periods[n-1].Until.After(at) {
		set = append(set, bson.E{Key: awayLog + "." + strconv.Itoa(n-1) + ".until", Value: at.UTC()})
	}
	var u plpbot.Person
	err = s.db.Collection(colUsers).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$set", Value: set},
			{Key: "$unset", Value: bson.D{{Key: "away_until", Value: ""}, {Key: "away_note", Value: ""}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After),
	).Decode(&u)
	if err != nil {
		return nil, fmt.Errorf("end away for %s: %w", id, translate(err))
	}
	return &u, nil
}

// AwayPeriods returns a user's away history, oldest first (one projected
// read of the user document).
func (s *Store) AwayPeriods(ctx context.Context, id string) ([]plpbot.AwayPeriod, error) {
	var doc struct {
		Log []plpbot.AwayPeriod `bson:"away_log"`
	}
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: awayLog, Value: 1}})).Decode(&doc)
	if err != nil {
		return nil, fmt.Errorf("load away periods of %s: %w", id, translate(err))
	}
	return doc.Log, nil
}
