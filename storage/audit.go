package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
)

// Audit appends an entry to the audit log.
func (s *Store) Audit(ctx context.Context, e plpbot.AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.Now()
	}
	e.ID = newID()
	if _, err := s.db.Collection(colAudit).InsertOne(ctx, e); err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// AuditLog returns the entries about a subject, newest first.
func (s *Store) AuditLog(ctx context.Context, subjectID string, limit int) ([]plpbot.AuditEntry, error) {
	var out []plpbot.AuditEntry
	if err := s.findSince(ctx, colAudit, "subject_id", subjectID, time.Time{}, limit, &out); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
