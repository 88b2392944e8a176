package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/plpbot/plpbot"
)

// The audit log is append-only for the bot: the methods here only insert
// and read. Only Forget (forget.go) may change or remove entries, and a test
// (TestAuditIsAppendOnly) holds every other file to that. Feedback is the
// log's entry of itself (ActionFeedback, feedback.go): the reads here list
// it with the others.

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

// AuditMany appends entries to the audit log in one unordered bulk write,
// such as one entry per student a roster shows. Entries without a time
// get the store's now.
func (s *Store) AuditMany(ctx context.Context, entries []plpbot.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	now := s.Now()
	docs := make([]any, len(entries))
	for i, e := range entries {
		if e.At.IsZero() {
			e.At = now
		}
		e.ID = newID()
		docs[i] = e
	}
	if _, err := s.db.Collection(colAudit).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return fmt.Errorf("write %d audit entries: %w", len(entries), err)
	}
	return nil
}

// AuditLog returns the entries about a subject, newest first (limit 0:
// all), the feedback they were given among them (ActionFeedback). Entries
// written at the same time come newest-written first.
func (s *Store) AuditLog(ctx context.Context, subjectID string, limit int) ([]plpbot.AuditEntry, error) {
	out, err := s.auditNewest(ctx, subjectID, time.Time{}, 0, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// AuditPage returns up to limit entries about a subject at or after since
// (zero: all), newest first, skipping the first skip; more reports whether
// older entries follow the page.
func (s *Store) AuditPage(ctx context.Context, subjectID string, since time.Time, skip, limit int) (page []plpbot.AuditEntry, more bool, err error) {
	page, err = s.auditNewest(ctx, subjectID, since, skip, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("read audit page: %w", err)
	}
	if len(page) > limit {
		return page[:limit], true, nil
	}
	return page, false, nil
}

// auditNewest reads entries about a subject since a time, newest first,
// and among entries of the same time the last written first (ids grow):
// the audit collection's, up to the end of the page, and the feedback on
// the subject's goals (ActionFeedback), read together and merged.
func (s *Store) auditNewest(ctx context.Context, subjectID string, since time.Time, skip, limit int) ([]plpbot.AuditEntry, error) {
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(skip + limit))
	}
	var entries, feedback []plpbot.AuditEntry
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		cur, err := s.db.Collection(colAudit).Find(gctx, auditFilter(bson.D{{Key: "subject_id", Value: subjectID}}, since), opts)
		if err != nil {
			return err
		}
		return cur.All(gctx, &entries)
	})
	g.Go(func() (err error) { feedback, err = s.feedbackAudit(gctx, subjectID, since); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	entries = append(entries, feedback...)
	slices.SortStableFunc(entries, func(a, b plpbot.AuditEntry) int { return auditOrder(b, a) })
	entries = entries[min(skip, len(entries)):]
	if limit > 0 && len(entries) > limit {
		entries = entries[:limit]
	}
	return entries, nil
}

// auditOrder orders entries oldest first, and among entries of the same
// time the first written first (ids grow).
func auditOrder(a, b plpbot.AuditEntry) int {
	if c := a.At.Compare(b.At); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// EachAudit calls fn with every audit entry at or after since (zero: all),
// the feedback among them (ActionFeedback), oldest first. The audit
// collection is read from a cursor as the walk goes, so the log is never
// held in memory whole; the feedback's entries (without its text, a few
// dozen bytes each) are read from the goals that hold them first, sorted,
// and merged in. An error from fn stops the walk and is returned.
func (s *Store) EachAudit(ctx context.Context, since time.Time, fn func(*plpbot.AuditEntry) error) error {
	feedback, err := s.feedbackAudit(ctx, "", since)
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	slices.SortStableFunc(feedback, auditOrder)
	cur, err := s.db.Collection(colAudit).Find(ctx, auditFilter(bson.D{}, since),
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	defer cur.Close(ctx)
	var (
		e  plpbot.AuditEntry
		ok bool
	)
	next := func() error {
		e, ok = plpbot.AuditEntry{}, cur.Next(ctx)
		if !ok {
			if err := cur.Err(); err != nil {
				return fmt.Errorf("read audit log: %w", err)
			}
			return nil
		}
		if err := cur.Decode(&e); err != nil {
			return fmt.Errorf("read audit entry: %w", err)
		}
		return nil
	}
	if err := next(); err != nil {
		return err
	}
	for ok || len(feedback) > 0 {
		if len(feedback) > 0 && (!ok || auditOrder(feedback[0], e) < 0) {
			if err := fn(&feedback[0]); err != nil {
				return err
			}
			feedback = feedback[1:]
			continue
		}
		if err := fn(&e); err != nil {
			return err
		}
		if err := next(); err != nil {
			return err
		}
	}
	return nil
}

// auditFilter adds "at or after since" to filter unless since is zero.
func auditFilter(filter bson.D, since time.Time) bson.D {
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	return filter
}
