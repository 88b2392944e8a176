package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

const colLeases = "leases"

// Lease is a named, expiring right held by one replica, such as being the
// scheduler's planner.
type Lease struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	Epoch int       `bson:"epoch"`
	Until time.Time `bson:"until"`
}

// AcquireLease makes owner the holder of lease name until now+ttl if nobody
// else holds it at now, or renews it if owner already does. It reports
// whether owner holds the lease. Taking over an expired lease goes through a
// unique claim per epoch, so two replicas can't both win it.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error) {
	now = now.UTC()
	coll := s.db.Collection(colLeases)
	var l Lease
	err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&l)
	if errors.Is(err, mongo.ErrNoDocuments) {
		won, err := s.claim(ctx, "lease:"+name+"#1", owner, now)
		if err != nil || !won {
			return false, err
		}
		_, err = coll.InsertOne(ctx, Lease{ID: name, Owner: owner, Epoch: 1, Until: now.Add(ttl)})
		if mongo.IsDuplicateKeyError(err) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("create lease %s: %w", name, err)
		}
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("load lease %s: %w", name, err)
	}
	epoch := l.Epoch
	switch {
	case l.Owner == owner && l.Until.After(now):
		// Renew within the same epoch.
	case l.Until.After(now):
		return false, nil
	default:
		epoch++
		won, err := s.claim(ctx, "lease:"+name+"#"+strconv.Itoa(epoch), owner, now)
		if err != nil || !won {
			return false, err
		}
	}
	res, err := coll.UpdateOne(ctx,
		bson.D{{Key: "_id", Value: name}, {Key: "epoch", Value: l.Epoch}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: owner}, {Key: "epoch", Value: epoch}, {Key: "until", Value: now.Add(ttl)}}}})
	if err != nil {
		return false, fmt.Errorf("update lease %s: %w", name, err)
	}
	return res.MatchedCount == 1, nil
}

// ReleaseLease gives up lease name if owner holds it, so another replica
// can take over at once on shutdown.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := s.db.Collection(colLeases).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: name}, {Key: "owner", Value: owner}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "until", Value: time.Time{}}}}})
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}
