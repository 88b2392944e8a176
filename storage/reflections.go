package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
)

// AddReflection stores a reflection.
func (s *Store) AddReflection(ctx context.Context, r plpbot.Reflection) (*plpbot.Reflection, error) {
	if r.At.IsZero() {
		r.At = s.Now()
	}
	r.ID = newID()
	_, err := s.db.Collection(colReflections).InsertOne(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("insert reflection: %w", err)
	}
	return &r, nil
}

// Reflections returns a student's reflections at or after since, newest first.
func (s *Store) Reflections(ctx context.Context, userID string, since time.Time, limit int) ([]plpbot.Reflection, error) {
	var out []plpbot.Reflection
	if err := s.findSince(ctx, colReflections, "user_id", userID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list reflections: %w", err)
	}
	return out, nil
}
