package storage

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// SetDMChannel records the bot's DM conversation with a user (see
// plpbot.Person.DMChannel), by _id in one round trip. A user who is no
// longer stored (forgotten meanwhile) is not an error: there is nobody left
// to keep it for, and nothing is created.
func (s *Store) SetDMChannel(ctx context.Context, id, channel string) error {
	_, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "dm_channel", Value: channel}}}})
	if err != nil {
		return fmt.Errorf("keep DM channel of %s: %w", id, err)
	}
	return nil
}
