package storage

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func summaryKey(n int) string { return "gs.g" + strconv.Itoa(n) }

// noteGoal copies a goal's status and progress onto its student's user
// document (and the check-in time, if given). The goal itself is already
// stored, so a failure here is logged, not returned: a roster a little out of
// date is better than telling a student their check-in failed when it didn't.
func (s *Store) noteGoal(ctx context.Context, g *plpbot.Goal, checkIn time.Time) {
	s.actors.drop(g.UserID)
	summary := bson.E{Key: summaryKey(g.Number), Value: g.Summary()}
	users := s.db.Collection(colUsers)
	byID := bson.D{{Key: "_id", Value: g.UserID}}
	if !checkIn.IsZero() {
		// Move last_checkin forward only: a filter rather than $max, which
		// the embedded database runs about four times slower.
		res, err := users.UpdateOne(ctx,
			append(byID, bson.E{Key: "last_checkin", Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$gt", Value: checkIn}}}}}),
			bson.D{{Key: "$set", Value: bson.D{summary, {Key: "last_checkin", Value: checkIn}}}})
		if err == nil && res.MatchedCount == 1 {
			return
		}
		if err != nil {
			s.log.WarnContext(ctx, "update roster summary", slog.String("user", g.UserID), slog.Any("err", err))
			return
		}
		// A later check-in is already recorded: update the goal's summary only.
	}
	if _, err := users.UpdateOne(ctx, byID, bson.D{{Key: "$set", Value: bson.D{summary}}}); err != nil {
		s.log.WarnContext(ctx, "update roster summary", slog.String("user", g.UserID), slog.Any("err", err))
	}
}

// rosterProjection is what a roster reads of a user.
var rosterProjection = bson.D{
	{Key: "name", Value: 1}, {Key: "away_until", Value: 1}, {Key: "cant_dm", Value: 1},
	{Key: "shoutouts", Value: 1}, {Key: "gs", Value: 1}, {Key: "last_checkin", Value: 1}, {Key: "flagged", Value: 1},
}
