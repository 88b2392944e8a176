package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// AddFlag stores a flag.
func (s *Store) AddFlag(ctx context.Context, f plpbot.Flag) error {
	if f.At.IsZero() {
		f.At = s.Now()
	}
	f.ID = newID()
	if _, err := s.db.Collection(colFlags).InsertOne(ctx, f); err != nil {
		return fmt.Errorf("insert flag: %w", err)
	}
	if _, err := s.setUser(ctx, f.StudentID, bson.D{{Key: "flagged", Value: true}}); err != nil {
		return fmt.Errorf("mark flagged: %w", err)
	}
	return nil
}

// Flags returns a student's flags, newest first.
func (s *Store) Flags(ctx context.Context, studentID string) ([]plpbot.Flag, error) {
	var out []plpbot.Flag
	if err := s.findSince(ctx, colFlags, "student_id", studentID, time.Time{}, 0, &out); err != nil {
		return nil, fmt.Errorf("list flags: %w", err)
	}
	return out, nil
}
