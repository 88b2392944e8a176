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

// awayLog is the user-document field holding past and current away periods.
// It lives on the user document so that Forget removes it with the user.
const awayLog = "away_log"

// StartAway marks a user away from from until until with a note, and adds
// the period to their away history (one round trip).
func (s *Store) StartAway(ctx context.Context, id string, from, until time.Time, note string) (*plpbot.Person, error) {
	s.actors.drop(id)
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
	s.actors.drop(id)
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
