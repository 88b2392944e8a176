package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/plpbot/plpbot"
)

// QuietStudent is what nudge planning needs to know of a student who has
// not checked in for a while.
type QuietStudent struct {
	ID        string    `bson:"_id"`
	TimeZone  string    `bson:"tz,omitempty"`
	AwayUntil time.Time `bson:"away_until,omitempty"`
	CantDM    string    `bson:"cant_dm,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	// LastCheckIn is the student's latest check-in (plpbot.LastCheckInOf
	// their goals), zero if none.
	LastCheckIn time.Time `bson:"-"`
}

// QuietSince is when the student's current quiet spell began: their last
// check-in, or the end of an absence, or when they joined.
func (q *QuietStudent) QuietSince() time.Time {
	return plpbot.QuietSince(q.LastCheckIn, q.AwayUntil, q.CreatedAt)
}

// QuietStudents returns those of ids who are students, can get DMs and have
// been quiet (no check-in, no absence ending, not newly joined) since
// before. Two queries sent together however many ids: the students who
// could be quiet (the database picks them), and when their goals were last
// checked in on (plpbot.LastCheckInOf).
func (s *Store) QuietStudents(ctx context.Context, ids []string, before time.Time) ([]QuietStudent, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	before = before.UTC()
	notAfter := func(key string) bson.D {
		return bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: key, Value: bson.D{{Key: "$lt", Value: before}}}},
			bson.D{{Key: key, Value: bson.D{{Key: "$exists", Value: false}}}},
		}}}
	}
	var (
		out   []QuietStudent
		goals map[string][]plpbot.Goal
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		cur, err := s.db.Collection(colUsers).Find(gctx, bson.D{
			{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}},
			{Key: "role", Value: plpbot.RoleStudent},
			{Key: "created_at", Value: bson.D{{Key: "$lt", Value: before}}},
			{Key: "$and", Value: bson.A{notAfter("away_until"), bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: "cant_dm", Value: ""}},
				bson.D{{Key: "cant_dm", Value: bson.D{{Key: "$exists", Value: false}}}},
			}}}}},
		}, options.Find().SetBatchSize(rosterBatch).SetProjection(bson.D{
			{Key: "tz", Value: 1}, {Key: "away_until", Value: 1}, {Key: "cant_dm", Value: 1}, {Key: "created_at", Value: 1},
		}))
		if err != nil {
			return err
		}
		return cur.All(gctx, &out)
	})
	g.Go(func() (err error) {
		goals, err = s.goalSummaries(gctx, students{ids: ids})
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("find quiet students: %w", err)
	}
	quiet := out[:0]
	for _, q := range out {
		if q.LastCheckIn = plpbot.LastCheckInOf(goals[q.ID]); q.LastCheckIn.Before(before) {
			quiet = append(quiet, q)
		}
	}
	return quiet, nil
}
