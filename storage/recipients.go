package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Recipient is what planning needs to know of a person.
type Recipient struct {
	ID        string    `bson:"_id"`
	TimeZone  string    `bson:"tz,omitempty"`
	AwayUntil time.Time `bson:"away_until,omitempty"`
	CantDM    string    `bson:"cant_dm,omitempty"`
}

// Away reports whether the recipient is away at t.
func (r *Recipient) Away(t time.Time) bool { return plpbot.IsAway(r.AwayUntil, t) }

// recipientsScanAt is the number of ids from which Recipients reads the
// users collection once rather than matching a long $in list, which FerretDB
// v1 checks element by element for every document.
const recipientsScanAt = 2000

// Recipients returns the planning view of the users with the given ids, in
// no particular order, with one query whatever their number.
func (s *Store) Recipients(ctx context.Context, ids []string) ([]Recipient, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	filter := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}}
	if len(ids) >= recipientsScanAt && s.onFerretDB(ctx) {
		filter = bson.D{}
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, filter, options.Find().SetProjection(bson.D{
		{Key: "tz", Value: 1}, {Key: "away_until", Value: 1}, {Key: "cant_dm", Value: 1},
	}))
	if err != nil {
		return nil, fmt.Errorf("load recipients: %w", err)
	}
	defer cur.Close(ctx)
	out := make([]Recipient, 0, len(ids))
	for cur.Next(ctx) {
		var r Recipient
		if err := cur.Decode(&r); err != nil {
			return nil, fmt.Errorf("load recipients: %w", err)
		}
		if want[r.ID] {
			out = append(out, r)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("load recipients: %w", err)
	}
	return out, nil
}
