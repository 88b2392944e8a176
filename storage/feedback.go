package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
)

// AddFeedback stores feedback.
func (s *Store) AddFeedback(ctx context.Context, f plpbot.Feedback) (*plpbot.Feedback, error) {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	f.ID = newID()
	_, err := s.db.Collection(colFeedback).InsertOne(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("insert feedback: %w", err)
	}
	return &f, nil
}

// FeedbackFor returns feedback given to a student at or after since, newest first.
func (s *Store) FeedbackFor(ctx context.Context, studentID string, since time.Time, limit int) ([]plpbot.Feedback, error) {
	var out []plpbot.Feedback
	if err := s.findSince(ctx, colFeedback, "student_id", studentID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list feedback: %w", err)
	}
	return out, nil
}
