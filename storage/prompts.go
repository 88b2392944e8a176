package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const colPrompts = "prompts"

// Prompt is a reflection prompt sent to a student; their next DM answers it.
type Prompt struct {
	ID         string    `bson:"_id"` // the outbox key: job|period|user
	UserID     string    `bson:"user_id"`
	Text       string    `bson:"text"`
	SentAt     time.Time `bson:"sent_at"`
	AnsweredAt time.Time `bson:"answered_at,omitempty"`
	FollowedUp bool      `bson:"followed_up"`
}

// PromptOpenFor is how long a prompt waits for its answer.
const PromptOpenFor = 7 * 24 * time.Hour

// SavePrompt records that a prompt was sent (idempotent by ID).
func (s *Store) SavePrompt(ctx context.Context, p Prompt) error {
	_, err := s.db.Collection(colPrompts).UpdateOne(ctx, bson.D{{Key: "_id", Value: p.ID}},
		bson.D{{Key: "$setOnInsert", Value: bson.D{
			{Key: "user_id", Value: p.UserID}, {Key: "text", Value: p.Text},
			{Key: "sent_at", Value: p.SentAt}, {Key: "followed_up", Value: false},
		}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("save prompt: %w", err)
	}
	return nil
}

// OpenPrompt returns the newest unanswered prompt sent to a student within
// PromptOpenFor before now; ErrNotFound if none.
func (s *Store) OpenPrompt(ctx context.Context, userID string, now time.Time) (*Prompt, error) {
	var p Prompt
	err := s.db.Collection(colPrompts).FindOne(ctx, bson.D{
		{Key: "user_id", Value: userID},
		{Key: "sent_at", Value: bson.D{{Key: "$gte", Value: now.Add(-PromptOpenFor)}}},
		{Key: "answered_at", Value: bson.D{{Key: "$exists", Value: false}}},
	}, options.FindOne().SetSort(bson.D{{Key: "sent_at", Value: -1}})).Decode(&p)
	if err != nil {
		return nil, fmt.Errorf("open prompt: %w", translate(err))
	}
	return &p, nil
}

// answerOpenPrompt marks the prompt OpenPrompt would return answered at at
// and returns it as it was: one request. ErrNotFound if none.
func (s *Store) answerOpenPrompt(ctx context.Context, userID string, at time.Time) (*Prompt, error) {
	var p Prompt
	err := s.db.Collection(colPrompts).FindOneAndUpdate(ctx, bson.D{
		{Key: "user_id", Value: userID},
		{Key: "sent_at", Value: bson.D{{Key: "$gte", Value: at.Add(-PromptOpenFor)}}},
		{Key: "answered_at", Value: bson.D{{Key: "$exists", Value: false}}},
	}, bson.D{{Key: "$set", Value: bson.D{{Key: "answered_at", Value: at}}}},
		options.FindOneAndUpdate().SetSort(bson.D{{Key: "sent_at", Value: -1}}).SetReturnDocument(options.Before)).Decode(&p)
	if err != nil {
		return nil, fmt.Errorf("answer open prompt: %w", translate(err))
	}
	return &p, nil
}

// reopenPrompt undoes answerOpenPrompt for an answer that was not saved.
func (s *Store) reopenPrompt(ctx context.Context, id string, at time.Time) {
	ctx, cancel := fixUpContext(ctx)
	defer cancel()
	_, err := s.db.Collection(colPrompts).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "answered_at", Value: at}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "answered_at", Value: ""}}}})
	if err != nil {
		s.log.WarnContext(ctx, "reopen a prompt whose answer was not saved", slog.String("prompt", id), slog.Any("err", err))
	}
}

// AnswerPrompt marks a prompt answered.
func (s *Store) AnswerPrompt(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.Collection(colPrompts).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "answered_at", Value: at}}}})
	if err != nil {
		return fmt.Errorf("answer prompt: %w", err)
	}
	return nil
}

// followupJob is the scheduler's job for a prompt's one follow-up: the
// follow-up of prompt "reflect|P|U" is the outbox item "followup|P|U".
const followupJob = "followup"

// PromptFollowUp returns the one follow-up the scheduler planned for prompt
// p (it plans it when the prompt is sent); ErrNotFound if there is none.
func (s *Store) PromptFollowUp(ctx context.Context, p *Prompt) (*OutboxItem, error) {
	_, rest, _ := strings.Cut(p.ID, "|")
	period, user, ok := strings.Cut(rest, "|")
	if !ok || user != p.UserID {
		return nil, fmt.Errorf("follow-up of prompt %q: %w", p.ID, ErrNotFound)
	}
	it, err := s.OutboxItemByID(ctx, OutboxKey(followupJob, period, user))
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("follow-up of prompt %s: %w", p.ID, err)
	}
	return it, err
}
