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
// it already, in unordered bulk writes of updates of "many" by _id
// (byid.go), reads which goals now hold which, and deletes the documents
// now on their goals. It returns their ids.
func (s *Store) pushOldFeedback(ctx context.Context, docs []feedbackDoc) ([]any, error) {
	goals := s.db.Collection(colGoals)
	var moved []any
	for lo := 0; lo < len(docs); lo += idsBatch {
		batch := docs[lo:min(lo+idsBatch, len(docs))]
		models := make([]mongo.WriteModel, len(batch))
		ids := make(bson.A, len(batch))
		for i, d := range batch {
			models[i] = mongo.NewUpdateManyModel().
				SetFilter(bson.D{{Key: "_id", Value: plpbot.GoalID(d.StudentID, d.GoalNumber)},
					{Key: fieldFeedback + "._id", Value: bson.D{{Key: "$ne", Value: d.ID}}}}).
				SetUpdate(bson.D{{Key: "$push", Value: bson.D{{Key: fieldFeedback, Value: d}}}})
			ids[i] = d.ID
		}
		// Ordered: pieces on one goal go on in the order given.
		if _, err := goals.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(true)); err != nil {
			return nil, fmt.Errorf("move feedback onto goals: %w", err)
		}
		cur, err := goals.Find(ctx, bson.D{{Key: fieldFeedback + "._id", Value: bson.D{{Key: "$in", Value: ids}}}},
			options.Find().SetProjection(bson.D{{Key: fieldFeedback + "._id", Value: 1}}))
		if err != nil {
			return nil, fmt.Errorf("move feedback onto goals: %w", err)
		}
		var held []goalFeedback
		if err := cur.All(ctx, &held); err != nil {
			return nil, fmt.Errorf("move feedback onto goals: %w", err)
		}
		on := map[string]bool{}
		for _, g := range held {
			for _, f := range g.Feedback {
				on[f.ID] = true
			}
		}
		for _, d := range batch {
			if on[d.ID] {
				moved = append(moved, d.ID)
			}
		}
	}
	if err := s.deleteIDs(ctx, colFeedback, moved); err != nil {
		return nil, fmt.Errorf("move feedback onto goals: %w", err)
	}
	return moved, nil
}
