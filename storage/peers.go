package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colPeers holds one document per live member of a group of replicas that
// share something, such as one Slack workspace's rate limits:
// {_id: group/member, group, until}. A member that stops renewing drops out
// when its until passes.
const colPeers = "peers"

// peer is a member's presence in a group.
type peer struct {
	ID    string    `bson:"_id"`
	Group string    `bson:"group"`
	Until time.Time `bson:"until"`
}

// Present marks member of group alive until until, deletes the group's
// members whose time ran out by now, and returns how many members the
// group has now, member included (at least 1). Replicas call it every few
// seconds to learn how many share a limit with them.
func (s *Store) Present(ctx context.Context, group, member string, now, until time.Time) (int, error) {
	coll := s.db.Collection(colPeers)
	id := group + "/" + member
	if _, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: peer{ID: id, Group: group, Until: until.UTC()}}},
		options.UpdateOne().SetUpsert(true)); err != nil {
		return 0, fmt.Errorf("mark %s present in %s: %w", member, group, err)
	}
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "group", Value: group},
		{Key: "until", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}}); err != nil {
		return 0, fmt.Errorf("drop stale members of %s: %w", group, err)
	}
	n, err := coll.CountDocuments(ctx, bson.D{{Key: "group", Value: group}})
	if err != nil {
		return 0, fmt.Errorf("count members of %s: %w", group, err)
	}
	return max(int(n), 1), nil
}

// Leave removes member from group at once, so the others take its share
// without waiting for its time to run out.
func (s *Store) Leave(ctx context.Context, group, member string) error {
	if _, err := s.db.Collection(colPeers).DeleteOne(ctx, bson.D{{Key: "_id", Value: group + "/" + member}}); err != nil {
		return fmt.Errorf("leave %s: %w", group, err)
	}
	return nil
}
