package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ConferenceStatus is where a conference stands.
type ConferenceStatus string

// Conference statuses.
const (
	ConferenceScheduled ConferenceStatus = "scheduled"
	ConferenceDone      ConferenceStatus = "done"
	ConferenceCancelled ConferenceStatus = "cancelled"
)

// AgendaItem is a talking point added by the student or the teacher.
type AgendaItem struct {
	Text   string    `bson:"text"`
	ByID   string    `bson:"by_id"`
	ByName string    `bson:"by_name"`
	At     time.Time `bson:"at"`
}

// Conference is a meeting between a student and a member of staff.
// Number is the short id people type.
type Conference struct {
	ID          bson.ObjectID    `bson:"_id,omitempty"`
	Number      int              `bson:"number"`
	StudentID   string           `bson:"student_id"`
	StudentName string           `bson:"student_name"`
	TeacherID   string           `bson:"teacher_id"`
	TeacherName string           `bson:"teacher_name"`
	At          time.Time        `bson:"at"` // UTC
	Agenda      []AgendaItem     `bson:"agenda"`
	Notes       string           `bson:"notes,omitempty"`
	Status      ConferenceStatus `bson:"status"`
	// Every is the interval of a standing conference ("1w", "2w"); "" = one-off.
	Every string `bson:"every,omitempty"`
	// Series is the number of a standing conference's first occurrence
	// (0 = one-off); every occurrence of the series carries it.
	Series int `bson:"series,omitempty"`
	// Zone is the teacher's time zone when the series was set up: occurrences
	// keep the same weekday and wall-clock time there across DST changes.
	Zone string `bson:"zone,omitempty"`
	// Topic is a standing conference's agenda, put on every occurrence.
	Topic string `bson:"topic,omitempty"`
	// Rolled is set once the next occurrence of a standing conference exists.
	Rolled    bool      `bson:"rolled,omitempty"`
	DoneAt    time.Time `bson:"done_at,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// ScheduleConference numbers and stores a scheduled conference.
func (s *Store) ScheduleConference(ctx context.Context, c Conference) (*Conference, error) {
	now := s.Now()
	c.Status = ConferenceScheduled
	c.At = c.At.UTC()
	if c.Agenda == nil {
		c.Agenda = []AgendaItem{}
	}
	c.CreatedAt, c.UpdatedAt = now, now
	// A duplicate number means a concurrent schedule on FerretDB took it: retry.
	err := retryDuplicate(numberAttempts, func() error {
		n, err := s.nextSeq(ctx, colConferences)
		if err != nil {
			return err
		}
		c.Number = n
		res, err := s.db.Collection(colConferences).InsertOne(ctx, c)
		if err != nil {
			return fmt.Errorf("insert conference: %w", err)
		}
		c.ID, _ = res.InsertedID.(bson.ObjectID)
		return nil
	})
	if err != nil {
		return nil, translate(err)
	}
	return &c, nil
}

// ConferenceByNumber returns conference n.
func (s *Store) ConferenceByNumber(ctx context.Context, n int) (*Conference, error) {
	var c Conference
	if err := s.db.Collection(colConferences).FindOne(ctx, bson.D{{Key: "number", Value: n}}).Decode(&c); err != nil {
		return nil, fmt.Errorf("load conference %d: %w", n, translate(err))
	}
	return &c, nil
}

// ConferenceQuery selects conferences; zero fields don't filter.
type ConferenceQuery struct {
	TeacherID string
	StudentID string
	Status    ConferenceStatus
	From, To  time.Time // At within [From, To)
	Limit     int
}

// Conferences returns the conferences matching q, earliest first.
func (s *Store) Conferences(ctx context.Context, q ConferenceQuery) ([]Conference, error) {
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
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "number", Value: 1}})
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit))
	}
	cur, err := s.db.Collection(colConferences).Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	var out []Conference
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	return out, nil
}

// AddAgendaItem appends a talking point to conference n.
func (s *Store) AddAgendaItem(ctx context.Context, n int, item AgendaItem) (*Conference, error) {
	if item.At.IsZero() {
		item.At = s.Now()
	}
	return s.updateConference(ctx, n, bson.D{
		{Key: "$push", Value: bson.D{{Key: "agenda", Value: item}}},
		{Key: "$set", Value: bson.D{{Key: "updated_at", Value: s.Now()}}},
	})
}

// CompleteConference marks conference n done with notes.
func (s *Store) CompleteConference(ctx context.Context, n int, notes string) (*Conference, error) {
	now := s.Now()
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: ConferenceDone}, {Key: "notes", Value: notes},
		{Key: "done_at", Value: now}, {Key: "updated_at", Value: now},
	}}})
}

// SetConferenceNotes records notes on conference n without changing its status.
func (s *Store) SetConferenceNotes(ctx context.Context, n int, notes string) (*Conference, error) {
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "notes", Value: notes}, {Key: "updated_at", Value: s.Now()},
	}}})
}

// CancelConference marks conference n cancelled.
func (s *Store) CancelConference(ctx context.Context, n int) (*Conference, error) {
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: ConferenceCancelled}, {Key: "updated_at", Value: s.Now()},
	}}})
}

// RescheduleConference moves conference n to a new time.
func (s *Store) RescheduleConference(ctx context.Context, n int, at time.Time) (*Conference, error) {
	return s.updateConference(ctx, n, bson.D{{Key: "$set", Value: bson.D{
		{Key: "at", Value: at.UTC()}, {Key: "status", Value: ConferenceScheduled}, {Key: "updated_at", Value: s.Now()},
	}}})
}

func (s *Store) updateConference(ctx context.Context, n int, update bson.D) (*Conference, error) {
	var c Conference
	err := s.db.Collection(colConferences).FindOneAndUpdate(ctx, bson.D{{Key: "number", Value: n}}, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("update conference %d: %w", n, translate(err))
	}
	return &c, nil
}

// AuditEntry records that someone read or changed a student's records.
type AuditEntry struct {
	ID        bson.ObjectID `bson:"_id,omitempty"`
	ActorID   string        `bson:"actor_id"`
	ActorName string        `bson:"actor_name"`
	Action    string        `bson:"action"` // "view_plan", "export", "forget", "flag", ...
	SubjectID string        `bson:"subject_id"`
	Detail    string        `bson:"detail,omitempty"`
	At        time.Time     `bson:"at"`
}

// Audit appends an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.Now()
	}
	if _, err := s.db.Collection(colAudit).InsertOne(ctx, e); err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// AuditLog returns the entries about a subject, newest first.
func (s *Store) AuditLog(ctx context.Context, subjectID string, limit int) ([]AuditEntry, error) {
	var out []AuditEntry
	if err := s.findSince(ctx, colAudit, "subject_id", subjectID, time.Time{}, limit, &out); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
