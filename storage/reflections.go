package storage

import (
	"context"
	"errors"
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

// Reflect stores r as a student's reflection and, if they have an open
// prompt (see OpenPrompt), as its answer: two requests, the prompt found
// and marked answered in one (so two reflections never answer the same
// prompt), then the insert. It returns the reflection and the prompt it
// answers (nil if none). If the insert fails the prompt is open again:
// nothing is half-stored.
func (s *Store) Reflect(ctx context.Context, r plpbot.Reflection) (*plpbot.Reflection, *Prompt, error) {
	if r.At.IsZero() {
		r.At = s.Now()
	}
	p, err := s.answerOpenPrompt(ctx, r.UserID, r.At)
	switch {
	case err == nil:
		r.PromptID, r.Prompt = p.ID, p.Text
	case !errors.Is(err, ErrNotFound):
		return nil, nil, err
	}
	saved, err := s.AddReflection(ctx, r)
	if err != nil {
		if p != nil {
			s.reopenPrompt(ctx, p.ID, r.At)
		}
		return nil, nil, err
	}
	return saved, p, nil
}

// Reflections returns a student's reflections at or after since, newest first.
func (s *Store) Reflections(ctx context.Context, userID string, since time.Time, limit int) ([]plpbot.Reflection, error) {
	var out []plpbot.Reflection
	if err := s.findSince(ctx, colReflections, "user_id", userID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list reflections: %w", err)
	}
	return out, nil
}
