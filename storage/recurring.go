package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// occurrenceID is the _id of a series' occurrence at at. Deriving it from
// the series and the time makes rolling forward idempotent: two replicas, or
// the scheduler and a teacher's "conference done", racing to create the same
// occurrence insert the same _id and exactly one succeeds.
func occurrenceID(series int, at time.Time) string {
	sum := sha256.Sum256([]byte("conference-series|" + strconv.Itoa(series) + "|" + strconv.FormatInt(at.Unix(), 10)))
	return hex.EncodeToString(sum[:12])
}

// RollConference makes sure standing conference c has its next occurrence
// (after now), creating it if need be, and marks c rolled. It returns the
// next occurrence and whether this call created it. A one-off, or a series
// that was ended, returns nil.
func (s *Store) RollConference(ctx context.Context, c *plpbot.Conference, now time.Time) (*plpbot.Conference, bool, error) {
	at := c.NextAt(now)
	if at.IsZero() {
		return nil, false, nil
	}
	series := c.SeriesNumber()
	next := plpbot.Conference{
		ID: occurrenceID(series, at), StudentID: c.StudentID, StudentName: c.StudentName,
		TeacherID: c.TeacherID, TeacherName: c.TeacherName, At: at, Agenda: []plpbot.AgendaItem{},
		Status: plpbot.ConferenceScheduled, Every: c.Every, Series: series, Zone: c.Zone, Topic: c.Topic,
	}
	stamp := s.Now()
	if next.Topic != "" {
		next.Agenda = []plpbot.AgendaItem{{Text: next.Topic, ByID: c.TeacherID, ByName: c.TeacherName, At: stamp}}
	}
	next.CreatedAt, next.UpdatedAt = stamp, stamp
	coll := s.db.Collection(colConferences)
	created := false
	err := retryDuplicate(numberAttempts, func() error {
		var have plpbot.Conference
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: next.ID}}).Decode(&have)
		if err == nil {
			next = have
			return nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return fmt.Errorf("find occurrence: %w", err)
		}
		n, err := s.nextSeq(ctx, colConferences)
		if err != nil {
			return err
		}
		next.Number = n
		if _, err := coll.InsertOne(ctx, next); err != nil {
			// A duplicate _id means someone else rolled it: the next try finds it.
			return fmt.Errorf("insert occurrence: %w", err)
		}
		created = true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("roll conference %d: %w", c.Number, translate(err))
	}
	if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "rolled", Value: true}, {Key: "updated_at", Value: stamp}}}}); err != nil {
		return nil, false, fmt.Errorf("roll conference %d: %w", c.Number, err)
	}
	return &next, created, nil
}

// ConferencesToRoll returns up to limit standing conferences whose next
// occurrence is owed at now: the latest of a series that is done, cancelled
// (just this once) or whose time has come, and that was not rolled yet.
func (s *Store) ConferencesToRoll(ctx context.Context, now time.Time, limit int) ([]plpbot.Conference, error) {
	filter := bson.D{
		{Key: "every", Value: bson.D{{Key: "$in", Value: bson.A{plpbot.EveryWeek, plpbot.EveryTwoWeeks}}}},
		{Key: "rolled", Value: bson.D{{Key: "$ne", Value: true}}},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
			bson.D{{Key: "status", Value: bson.D{{Key: "$ne", Value: plpbot.ConferenceScheduled}}}},
		}},
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.db.Collection(colConferences).Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("conferences to roll: %w", err)
	}
	var out []plpbot.Conference
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("conferences to roll: %w", err)
	}
	return out, nil
}

// StopSeries ends the standing series of conference n without changing n
// itself: no further occurrence is booked.
func (s *Store) StopSeries(ctx context.Context, n int) error {
	_, err := s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "every", Value: ""}, {Key: "rolled", Value: true}, {Key: "updated_at", Value: s.Now()},
	}}})
	return err
}

// EndConferenceSeries cancels conference n and ends its standing series:
// no further occurrence is scheduled.
func (s *Store) EndConferenceSeries(ctx context.Context, n int) (*plpbot.Conference, error) {
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: plpbot.ConferenceCancelled}, {Key: "every", Value: ""}, {Key: "updated_at", Value: s.Now()},
	}}})
}
