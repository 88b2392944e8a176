package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// QuietStudent is what nudge planning needs to know of a student who has
// not checked in for a while.
type QuietStudent struct {
	ID          string    `bson:"_id"`
	TimeZone    string    `bson:"tz,omitempty"`
	AwayUntil   time.Time `bson:"away_until,omitempty"`
	CantDM      string    `bson:"cant_dm,omitempty"`
	LastCheckIn time.Time `bson:"last_checkin,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
}

// QuietSince is when the student's current quiet spell began: their last
// check-in, or the end of an absence, or when they joined.
func (q *QuietStudent) QuietSince() time.Time {
	return plpbot.QuietSince(q.LastCheckIn, q.AwayUntil, q.CreatedAt)
}

// QuietStudents returns those of ids who are students, can get DMs and have
// been quiet (no check-in, no absence ending, not newly joined) since before.
// The database does the selecting; one query however many ids.
func (s *Store) QuietStudents(ctx context.Context, ids []string, before time.Time) ([]QuietStudent, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	before = before.UTC()
	notAfter := func(key string) bson.D {
		return bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: key, Value: bson.D{{Key: "$lt", Value: before}}}},
			bson.D{{Key: key, Value: bson.D{{Key: "$exists", Value: false}}}},
		}}}
	}
	filter := bson.D{
		{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}},
		{Key: "role", Value: plpbot.RoleStudent},
		{Key: "created_at", Value: bson.D{{Key: "$lt", Value: before}}},
		{Key: "$and", Value: bson.A{notAfter("last_checkin"), notAfter("away_until"), bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: "cant_dm", Value: ""}},
			bson.D{{Key: "cant_dm", Value: bson.D{{Key: "$exists", Value: false}}}},
		}}}}},
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, filter, options.Find().SetProjection(bson.D{
		{Key: "tz", Value: 1}, {Key: "away_until", Value: 1}, {Key: "cant_dm", Value: 1},
		{Key: "last_checkin", Value: 1}, {Key: "created_at", Value: 1},
	}))
	if err != nil {
		return nil, fmt.Errorf("find quiet students: %w", err)
	}
	var out []QuietStudent
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("find quiet students: %w", err)
	}
	return out, nil
}
