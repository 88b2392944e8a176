package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const colJobRuns = "jobruns"

// JobRun is the last run of one recurring job (such as one class's
// reflection prompts), kept so that runs missed while the bot was down can be
// caught up or recorded as skipped: cron itself remembers nothing.
type JobRun struct {
	ID string `bson:"_id"` // such as "reflect|<class id>"
	// Last is the last scheduled run handled (planned or skipped), as a
	// wall-clock time in the job's zone written as if it were UTC, so that
	// daylight-saving changes neither skip nor repeat a run.
	Last        time.Time `bson:"last"`
	LastStatus  string    `bson:"last_status,omitempty"` // "planned", "skipped: late", ...
	Planned     int       `bson:"planned"`
	Skipped     int       `bson:"skipped"`
	LastSkipped time.Time `bson:"last_skipped,omitempty"`
	UpdatedAt   time.Time `bson:"updated_at"`
}

// JobRuns returns every job's last run, by id.
func (s *Store) JobRuns(ctx context.Context) (map[string]JobRun, error) {
	cur, err := s.db.Collection(colJobRuns).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	var rows []JobRun
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	out := make(map[string]JobRun, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// RecordJobRun moves job id's last run forward to last (never back) and
// counts planned and skipped runs.
func (s *Store) RecordJobRun(ctx context.Context, id string, last time.Time, status string, planned, skipped int) error {
	set := bson.D{{Key: "last_status", Value: status}, {Key: "updated_at", Value: s.Now()}}
	if skipped > 0 {
		set = append(set, bson.E{Key: "last_skipped", Value: last})
	}
	_, err := s.db.Collection(colJobRuns).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{
			{Key: "$max", Value: bson.D{{Key: "last", Value: last}}},
			{Key: "$set", Value: set},
			{Key: "$inc", Value: bson.D{{Key: "planned", Value: planned}, {Key: "skipped", Value: skipped}}},
		}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("record job run %s: %w", id, err)
	}
	return nil
}
