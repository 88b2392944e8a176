package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// colSeenEvents holds one document per platform event some replica has
// taken, so a retried or redelivered event reaching another replica is
// recognised: {_id: key, expires}. FerretDB has no TTL indexes, so a
// periodic sweep deletes the expired ones.
const colSeenEvents = "seen_events"

// MarkEventSeen records key (such as "slack:Ev0123") as taken and
// reports whether this is its first delivery: false means a replica, this
// one or another, already took it. The unique _id decides between replicas
// racing for the same key (conditional updates are not atomic on FerretDB).
// The mark lasts until SweepSeenEvents runs after expires.
func (s *Store) MarkEventSeen(ctx context.Context, key string, expires time.Time) (bool, error) {
	_, err := s.db.Collection(colSeenEvents).InsertOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "expires", Value: expires.UTC()}})
	switch {
	case err == nil:
		return true, nil
	case mongo.IsDuplicateKeyError(err):
		return false, nil
	}
	return false, fmt.Errorf("mark event %s seen: %w", key, err)
}

// SweepSeenEvents deletes the marks that expired by now and reports how
// many it deleted.
func (s *Store) SweepSeenEvents(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.Collection(colSeenEvents).DeleteMany(ctx,
		bson.D{{Key: "expires", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
	if err != nil {
		return 0, fmt.Errorf("sweep seen events: %w", err)
	}
	return res.DeletedCount, nil
}
