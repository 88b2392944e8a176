package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ScheduleConference numbers and stores a scheduled conference.
func (s *Store) ScheduleConference(ctx context.Context, c plpbot.Conference) (*plpbot.Conference, error) {
	now := s.Now()
	c.Status = plpbot.ConferenceScheduled
	c.At = c.At.UTC()
	if c.Agenda == nil {
		c.Agenda = []plpbot.AgendaItem{}
	}
	c.CreatedAt, c.UpdatedAt = now, now
	// A duplicate number means a concurrent schedule on FerretDB took it: retry.
	err := retryDuplicate(numberAttempts, func() error {
		n, err := s.nextSeq(ctx, colConferences)
		if err != nil {
			return err
		}
		c.Number = n
		c.ID = newID()
		_, err = s.db.Collection(colConferences).InsertOne(ctx, c)
		if err != nil {
			return fmt.Errorf("insert conference: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return &c, nil
}

// ConferenceByNumber returns conference n.
func (s *Store) ConferenceByNumber(ctx context.Context, n int) (*plpbot.Conference, error) {
	var c plpbot.Conference
	if err := s.db.Collection(colConferences).FindOne(ctx, bson.D{{Key: "number", Value: n}}).Decode(&c); err != nil {
		return nil, fmt.Errorf("load conference %d: %w", n, translate(err))
	}
	return &c, nil
}

// ConferenceQuery selects conferences; zero fields don't filter.
type ConferenceQuery struct {
	TeacherID string
	StudentID string
	Status    plpbot.ConferenceStatus
	From, To  time.Time // At within [From, To)
	Limit     int
}

// Conferences returns the conferences matching q, earliest first.
func (s *Store) Conferences(ctx context.Context, q ConferenceQuery) ([]plpbot.Conference, error) {
	filter := bson.D{}
	if q.TeacherID != "" {
		filter = append(filter, bson.E{Key: "teacher_id", Value: q.TeacherID})
	}
	if q.StudentID != "" {
		filter = append(filter, bson.E{Key: "student_id", Value: q.StudentID})
	}
	if q.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: q.Status})
	}
	at := bson.D{}
	if !q.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: q.From})
	}
	if !q.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: q.To})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	// One batch, however many: a staff list reads all of a year's.
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "number", Value: 1}}).SetBatchSize(rosterBatch)
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit))
	}
	cur, err := s.db.Collection(colConferences).Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	var out []plpbot.Conference
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	return out, nil
}

// AddAgendaItem appends a talking point to conference n.
func (s *Store) AddAgendaItem(ctx context.Context, n int, item plpbot.AgendaItem) (*plpbot.Conference, error) {
	if item.At.IsZero() {
		item.At = s.Now()
	}
	return s.updateConference(ctx, n, bson.D{
		{Key: "$push", Value: bson.D{{Key: "agenda", Value: item}}},
		{Key: "$set", Value: bson.D{{Key: "updated_at", Value: s.Now()}}},
	})
}

// CompleteConference marks conference n done with notes.
func (s *Store) CompleteConference(ctx context.Context, n int, notes string) (*plpbot.Conference, error) {
	now := s.Now()
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: plpbot.ConferenceDone}, {Key: "notes", Value: notes},
		{Key: "done_at", Value: now}, {Key: "updated_at", Value: now},
	}}})
}

// SetConferenceNotes records notes on conference n without changing its status.
func (s *Store) SetConferenceNotes(ctx context.Context, n int, notes string) (*plpbot.Conference, error) {
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "notes", Value: notes}, {Key: "updated_at", Value: s.Now()},
	}}})
}

// CancelConference marks conference n cancelled.
func (s *Store) CancelConference(ctx context.Context, n int) (*plpbot.Conference, error) {
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: plpbot.ConferenceCancelled}, {Key: "updated_at", Value: s.Now()},
	}}})
}

// RescheduleConference moves conference n to a new time.
func (s *Store) RescheduleConference(ctx context.Context, n int, at time.Time) (*plpbot.Conference, error) {
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "at", Value: at.UTC()}, {Key: "status", Value: plpbot.ConferenceScheduled}, {Key: "updated_at", Value: s.Now()},
	}}})
}

func (s *Store) updateConference(ctx context.Context, n int, update bson.D) (*plpbot.Conference, error) {
	var c plpbot.Conference
	err := s.db.Collection(colConferences).FindOneAndUpdate(ctx, bson.D{{Key: "number", Value: n}}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("update conference %d: %w", n, translate(err))
	}
	return &c, nil
}
