package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/embedded"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// insertHistory inserts check-ins in one request, skipping those already
// stored (same id).
func (s *Store) insertHistory(ctx context.Context, cs ...plpbot.CheckIn) error {
	docs := make([]any, len(cs))
	for i := range cs {
		docs[i] = cs[i]
	}
	_, err := s.db.Collection(colCheckIns).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil || onlyDuplicates(err) || mongo.IsDuplicateKeyError(err) && len(cs) == 1 {
		return nil
	}
	return fmt.Errorf("insert check-in: %w", err)
}

// checkInID is a check-in's id, the same for the same check-in (who, goal,
// percent, confidence, note) made again within plpbot.RepeatWindow: a
// retry after a lost answer is stored once.
func checkInID(c plpbot.CheckIn) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00%d\x00%s\x00%d", c.UserID, c.GoalNumber, c.Percent, c.Confidence, c.Note,
		c.At.Truncate(plpbot.RepeatWindow).Unix())
	return "ci_" + hex.EncodeToString(h.Sum(nil)[:12])
}

// goalWithLast is a goal as stored with the latest check-in that moved it
// (last_ci): the goal's own copy, kept with it in the same request, so a
// check-in whose insert into the history failed is not lost with it.
type goalWithLast struct {
	plpbot.Goal `bson:",inline"`
	Last        *plpbot.CheckIn `bson:"last_ci,omitempty"`
}

// CheckIns returns a student's check-ins at or after since, newest first,
// at most limit (0 = all).
func (s *Store) CheckIns(ctx context.Context, userID string, since time.Time, limit int) ([]plpbot.CheckIn, error) {
	var out []plpbot.CheckIn
	if err := s.findSince(ctx, colCheckIns, "user_id", userID, since, limit, &out); err != nil {
		return nil, fmt.Errorf("list check-ins: %w", err)
	}
	return out, nil
}

// MaxStreakCheckIns bounds how many check-in times CheckInTimes loads: a
// year of daily check-ins on a few goals, far more than a streak needs.
const MaxStreakCheckIns = 1000

// RecordCheckIn stores a check-in on an active goal and sets the goal's
// progress. It returns the goal as it is now and its progress before the
// check-in. Two requests, sent together: the goal's update (which also
// checks that the goal is active) and the check-in's insert into the
// history. ErrNotFound if the goal does not exist or is not active;
// nothing is stored then (the check-in, inserted meanwhile, is deleted).
// On the embedded database (or a FerretDB v1 in mongodb.ferretdb_dir) all
// is one transaction on its file instead (recordCheckInInFile).
//
// A goal's progress is that of its latest check-in by time (c.At), never of
// whichever write lands last: when a later check-in is already recorded
// (this one was held up on the way), c is kept in the history and the goal
// is left as the later one set it.
//
// The check-in's id comes from what it says and when (checkInID), so the
// same check-in sent again, after an answer that was lost, is stored once.
func (s *Store) RecordCheckIn(ctx context.Context, c plpbot.CheckIn) (*plpbot.Goal, int, error) {
	if c.At.IsZero() {
		c.At = s.Now()
	}
	c.ID = checkInID(c)
	if s.files != nil {
		g, prev, err := s.recordCheckInInFile(ctx, c)
		if !errors.Is(err, embedded.ErrUnsupported) && !errors.Is(err, embedded.ErrNoCollection) {
			return g, prev, err
		}
	}
	var (
		inserted  bool
		insertErr error
		done      = make(chan struct{})
	)
	go func() {
		defer close(done)
		inserted, insertErr = s.insertCheckIn(ctx, c)
	}()
	var g goalWithLast
	err := s.db.Collection(colGoals).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: plpbot.GoalID(c.UserID, c.GoalNumber)}, {Key: "status", Value: plpbot.GoalActive},
			{Key: "last_checkin", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: c.At}}}}}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "progress", Value: c.Percent},
			{Key: "last_checkin", Value: c.At},
			{Key: "updated_at", Value: c.At},
			{Key: "last_ci", Value: c},
		}}},
		options.FindOneAndUpdate().SetReturnDocument(options.Before),
	).Decode(&g)
	<-done
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return s.recordLateCheckIn(ctx, c, inserted, insertErr)
	case err != nil:
		if inserted {
			s.takeBackCheckIn(ctx, c) // the goal may not have it: nothing half-stored
		}
		return nil, 0, fmt.Errorf("check in on goal %d: %w", c.GoalNumber, translate(err))
	}
	if insertErr != nil {
		// The goal has it; the history must too, with the goal's previous
		// check-in in case its own insert was lost the same way.
		history := []plpbot.CheckIn{c}
		if g.Last != nil && g.Last.ID != c.ID {
			history = append(history, *g.Last)
		}
		s.putHistoryAgain(ctx, history...)
	}
	prev := g.Progress
	g.Progress, g.LastCheckIn, g.UpdatedAt = c.Percent, c.At, c.At
	return &g.Goal, prev, nil
}

// insertCheckIn inserts c into the history; inserted is false when it was
// there already (the same check-in sent again).
func (s *Store) insertCheckIn(ctx context.Context, c plpbot.CheckIn) (inserted bool, err error) {
	_, err = s.db.Collection(colCheckIns).InsertOne(ctx, c)
	switch {
	case err == nil:
		return true, nil
	case mongo.IsDuplicateKeyError(err):
		return false, nil
	}
	return false, fmt.Errorf("insert check-in: %w", err)
}

// fixUpTimeout bounds a write that repairs a check-in whose command failed
// half-way: it runs past the command's own deadline, but not for long.
const fixUpTimeout = 3 * time.Second

// fixUpContext is ctx without its cancellation, for fixUpTimeout.
func fixUpContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), fixUpTimeout)
}

// putHistoryAgain inserts check-ins already on their goal whose insert
// failed, once more; if that fails too, they stay on the goal (last_ci).
func (s *Store) putHistoryAgain(ctx context.Context, cs ...plpbot.CheckIn) {
	ctx, cancel := fixUpContext(ctx)
	defer cancel()
	if err := s.insertHistory(ctx, cs...); err != nil {
		s.log.WarnContext(ctx, "check-in kept on its goal but not in the history",
			slog.String("user", cs[0].UserID), slog.Int("goal", cs[0].GoalNumber), slog.Any("err", err))
	}
}

// takeBackCheckIn deletes c from the history, where it was inserted with a
// goal update that did not happen.
func (s *Store) takeBackCheckIn(ctx context.Context, c plpbot.CheckIn) {
	ctx, cancel := fixUpContext(ctx)
	defer cancel()
	if _, err := s.db.Collection(colCheckIns).DeleteOne(ctx, bson.D{{Key: "_id", Value: c.ID}}); err != nil {
		s.log.WarnContext(ctx, "take back a check-in its goal refused",
			slog.String("user", c.UserID), slog.Int("goal", c.GoalNumber), slog.Any("err", err))
	}
}

// recordLateCheckIn finishes a check-in whose goal update matched nothing:
// one older than the goal's latest check-in is kept in the history (the
// goal stays as the later one set it); otherwise the goal does not exist or
// is not active, the check-in is taken back out of the history if this
// call put it there, and the answer is ErrNotFound.
func (s *Store) recordLateCheckIn(ctx context.Context, c plpbot.CheckIn, inserted bool, insertErr error) (*plpbot.Goal, int, error) {
	g, err := s.Goal(ctx, c.UserID, c.GoalNumber)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, 0, fmt.Errorf("check in: %w", err)
	}
	if err != nil || g.Status != plpbot.GoalActive || !g.LastCheckIn.After(c.At) {
		if inserted {
			s.takeBackCheckIn(ctx, c)
		}
		return nil, 0, fmt.Errorf("check in on goal %d: %w", c.GoalNumber, ErrNotFound)
	}
	if insertErr != nil {
		if err := s.insertHistory(ctx, c); err != nil {
			return nil, 0, err
		}
	}
	return g, g.Progress, nil
}

// CheckInTimes returns when a student checked in at or after since, newest
// first, at most MaxStreakCheckIns; only the times are loaded.
func (s *Store) CheckInTimes(ctx context.Context, userID string, since time.Time) ([]time.Time, error) {
	filter := bson.D{{Key: "user_id", Value: userID}}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	cur, err := s.db.Collection(colCheckIns).Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}}).
		SetLimit(MaxStreakCheckIns).
		SetProjection(bson.D{{Key: "at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list check-in times: %w", err)
	}
	var docs []struct {
		At time.Time `bson:"at"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list check-in times: %w", err)
	}
	out := make([]time.Time, len(docs))
	for i, d := range docs {
		out[i] = d.At
	}
	return out, nil
}

// MaxClassCheckIns bounds how many check-ins CheckInsOf loads: a class of
// 40 checking in daily on three goals for a year is under 45,000.
const MaxClassCheckIns = 50000

// CheckInsOf returns the check-ins of several students (a class) at or
// after since, oldest first, in one query, for class figures by week: only
// who, which goal, the percent and when are loaded, never a note or a
// confidence. Past MaxClassCheckIns the oldest are left out.
func (s *Store) CheckInsOf(ctx context.Context, userIDs []string, since time.Time) ([]plpbot.CheckIn, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	filter := bson.D{{Key: "user_id", Value: bson.D{{Key: "$in", Value: userIDs}}}}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	cur, err := s.db.Collection(colCheckIns).Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}}).
		SetLimit(MaxClassCheckIns).
		SetProjection(bson.D{{Key: "user_id", Value: 1}, {Key: "goal", Value: 1}, {Key: "percent", Value: 1}, {Key: "at", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list check-ins of %d students: %w", len(userIDs), err)
	}
	var out []plpbot.CheckIn
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list check-ins of %d students: %w", len(userIDs), err)
	}
	slices.Reverse(out)
	return out, nil
}

// recordCheckInInFile is RecordCheckIn on the database's files: the
// goal read, the check-in inserted and the goal updated in one transaction
// on the database's file (embedded.Server.Write), so one commit and
// nothing half-stored. It answers as RecordCheckIn does.
func (s *Store) recordCheckInInFile(ctx context.Context, c plpbot.CheckIn) (*plpbot.Goal, int, error) {
	var (
		g    goalWithLast
		prev int
	)
	id := plpbot.GoalID(c.UserID, c.GoalNumber)
	err := s.files.Write(ctx, s.db.Name(), func(tx *embedded.FileTx) error {
		doc, err := tx.FindByID(ctx, colGoals, id)
		if err != nil {
			return err
		}
		if doc == nil {
			return ErrNotFound
		}
		if err := decodeDoc(doc, &g); err != nil {
			return err
		}
		if g.Status != plpbot.GoalActive {
			return ErrNotFound
		}
		if _, err := tx.Insert(ctx, colCheckIns, c); err != nil {
			return err
		}
		prev = g.Progress
		if g.LastCheckIn.After(c.At) {
			return nil // a later check-in set the goal: c goes in the history only
		}
		doc, err = setFields(doc, bson.D{{Key: "progress", Value: c.Percent}, {Key: "last_checkin", Value: c.At},
			{Key: "updated_at", Value: c.At}, {Key: "last_ci", Value: c}})
		if err != nil {
			return err
		}
		g.Progress, g.LastCheckIn, g.UpdatedAt = c.Percent, c.At, c.At
		return tx.ReplaceByID(ctx, colGoals, id, doc)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("check in on goal %d: %w", c.GoalNumber, err)
	}
	return &g.Goal, prev, nil
}

// decodeDoc decodes a document read as bson.D into out, as the driver would.
func decodeDoc(doc bson.D, out any) error {
	raw, err := bson.Marshal(doc)
	if err == nil {
		err = bson.Unmarshal(raw, out)
	}
	if err != nil {
		return fmt.Errorf("decode %T: %w", out, err)
	}
	return nil
}

// setFields is doc with set's fields set, as $set does: a field doc has
// keeps its place, a new one goes at the end; values are encoded as the
// driver encodes them.
func setFields(doc, set bson.D) (bson.D, error) {
	var typed bson.D
	if err := decodeDoc(set, &typed); err != nil {
		return nil, err
	}
	for _, e := range typed {
		i := slices.IndexFunc(doc, func(f bson.E) bool { return f.Key == e.Key })
		if i < 0 {
			doc = append(doc, e)
			continue
		}
		doc[i].Value = e.Value
	}
	return doc, nil
}
