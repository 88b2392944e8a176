package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
)

// SetDraft keeps a DM whose meaning its sender is asked to choose,
// replacing any earlier one (one round trip).
func (s *Store) SetDraft(ctx context.Context, id, text string, at time.Time) error {
	s.actors.drop(id)
	if _, err := s.setUser(ctx, id, bson.D{{Key: "draft", Value: text}, {Key: "draft_at", Value: at.UTC()}}); err != nil {
		return fmt.Errorf("keep draft: %w", err)
	}
	return nil
}

// TakeDraft removes and returns a person's kept DM if it is younger than
// plpbot.DraftKeptFor at now; ErrNotFound if there is none (one round trip).
func (s *Store) TakeDraft(ctx context.Context, id string, now time.Time) (string, error) {
	s.actors.drop(id)
	var before plpbot.Person
	err := s.db.Collection(colUsers).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "draft_at", Value: bson.D{{Key: "$gte", Value: now.Add(-plpbot.DraftKeptFor).UTC()}}}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "draft", Value: ""}, {Key: "draft_at", Value: ""}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before),
	).Decode(&before)
	if err != nil {
		return "", fmt.Errorf("take draft: %w", translate(err))
	}
	return before.Draft, nil
}
