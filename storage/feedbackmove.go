package storage

import (
	"context"
	"fmt"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
)

// feedbackMoved is the settings document that records that the feedback
// collection's documents were moved onto their goals (moveFeedbackToGoals).
const feedbackMoved = "feedback_on_goals"

// moveFeedbackToGoals moves, once per database, the feedback stored in its
// own collection (before feedback was kept on its goal) onto its goal, as
// it was (its id, time and audit mark), oldest first, then records it
// (settings). Moving, not changing: each piece is pushed onto its goal
// only if the goal doesn't hold it yet, and its document is deleted only
// once it is there, so a start cut off half-way, or two replicas starting
// at once, move each piece once. Feedback whose goal is gone (which
// nothing but a half-done Forget leaves) stays where it is, for Forget.
// A database with no such feedback needs nothing and is not written to.
func (s *Store) moveFeedbackToGoals(ctx context.Context) error {
	settings := s.db.Collection(colSettings)
	n, err := settings.CountDocuments(ctx, bson.D{{Key: "_id", Value: feedbackMoved}})
	if err != nil || n > 0 {
		return translate(err)
	}
	cur, err := s.db.Collection(colFeedback).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return fmt.Errorf("move feedback onto goals: %w", err)
	}
	var docs []feedbackDoc
	if err := cur.All(ctx, &docs); err != nil {
		return fmt.Errorf("move feedback onto goals: %w", err)
	}
	if len(docs) == 0 {
		return nil
	}
	moved, err := s.pushOldFeedback(ctx, docs)
	if err != nil {
		return err
	}
	if _, err := settings.InsertOne(ctx, bson.D{{Key: "_id", Value: feedbackMoved}, {Key: "at", Value: s.Now()}}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("move feedback onto goals: %w", err)
	}
	s.log.InfoContext(ctx, "moved feedback onto its goals (once)", slog.Int("moved", len(moved)), slog.Int("left", len(docs)-len(moved)))
	return nil
}

// pushOldFeedback pushes each of docs onto its goal unless the goal holds
// it already, one update of "many" by _id each (byid.go), in order, then
// deletes the documents now on their goals. It returns their ids.
func (s *Store) pushOldFeedback(ctx context.Context, docs []feedbackDoc) ([]any, error) {
	goals := s.db.Collection(colGoals)
	var moved []any
	for _, d := range docs {
		id := plpbot.GoalID(d.StudentID, d.GoalNumber)
		if _, err := goals.UpdateMany(ctx,
			bson.D{{Key: "_id", Value: id}, {Key: fieldFeedback + "._id", Value: bson.D{{Key: "$ne", Value: d.ID}}}},
			bson.D{{Key: "$push", Value: bson.D{{Key: fieldFeedback, Value: d}}}}); err != nil {
			return nil, fmt.Errorf("move feedback onto goal %s: %w", id, err)
		}
		n, err := goals.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}, {Key: fieldFeedback + "._id", Value: d.ID}})
		if err != nil {
			return nil, fmt.Errorf("move feedback onto goal %s: %w", id, err)
		}
		if n > 0 {
			moved = append(moved, d.ID)
		}
	}
	if err := s.deleteIDs(ctx, colFeedback, moved); err != nil {
		return nil, fmt.Errorf("move feedback onto goals: %w", err)
	}
	return moved, nil
}
