package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/embedded"
)

// seenEvery is how often a person's last_seen moves forward: once a day is
// all retention needs, and it keeps command use from costing a write.
const seenEvery = 24 * time.Hour

// noteSeen records that person id used plpbot now, if they were last seen
// more than seenEvery ago. It only logs a failure: a command must not fail
// for the retention clock's sake.
func (s *Store) noteSeen(ctx context.Context, id string, lastSeen time.Time) {
	now := s.Now()
	if now.Sub(lastSeen) < seenEvery {
		return
	}
	_, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last_seen", Value: now}}}})
	if err != nil {
		s.log.WarnContext(ctx, "note last seen", slog.String("user", id), slog.Any("err", err))
	}
}

// Inactive is someone the retention policy would purge.
type Inactive struct {
	ID         string
	Name       string
	Role       plpbot.Role
	LastActive time.Time
}

// activityFields are the times on a user document that say they, or staff
// about them, did something: joining, any change to their profile or role,
// using plpbot (last_seen, at most a day old; a check-in is a use).
type activityFields struct {
	ID        string      `bson:"_id"`
	Name      string      `bson:"name"`
	Role      plpbot.Role `bson:"role"`
	CreatedAt time.Time   `bson:"created_at"`
	UpdatedAt time.Time   `bson:"updated_at"`
	LastSeen  time.Time   `bson:"last_seen"`
}

// Inactive returns, by name, the people the retention policy purges when
// its period started at before: those in no class (as a student or a
// teacher) whose last activity — joining, a check-in, a reflection, a
// change to a goal or to their profile, or any use of plpbot — was before
// it. Admins are never purged automatically: a school must not lose the
// people who manage it to a clock.
func (s *Store) Inactive(ctx context.Context, before time.Time) ([]Inactive, error) {
	enrolled, err := s.enrolledUsers(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{
		{Key: "name", Value: 1}, {Key: "role", Value: 1}, {Key: "created_at", Value: 1}, {Key: "updated_at", Value: 1},
		{Key: "last_seen", Value: 1},
	}))
	if err != nil {
		return nil, fmt.Errorf("find inactive people: %w", err)
	}
	var users []activityFields
	if err := cur.All(ctx, &users); err != nil {
		return nil, fmt.Errorf("find inactive people: %w", err)
	}
	var out []Inactive
	for _, u := range users {
		last := latest(u.CreatedAt, u.UpdatedAt, u.LastSeen)
		if enrolled[u.ID] || u.Role == plpbot.RoleAdmin || !last.Before(before) {
			continue
		}
		// Only the few left need their records read.
		if last, err = s.lastRecordActivity(ctx, u.ID, last); err != nil {
			return nil, err
		}
		if last.Before(before) {
			out = append(out, Inactive{ID: u.ID, Name: u.Name, Role: u.Role, LastActive: last})
		}
	}
	slices.SortFunc(out, func(a, b Inactive) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// latest returns the latest of ts.
func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// enrolledUsers returns who is in a class, in any role.
func (s *Store) enrolledUsers(ctx context.Context) (map[string]bool, error) {
	cur, err := s.db.Collection(colEnrollments).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "user_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	var es []plpbot.Enrollment
	if err := cur.All(ctx, &es); err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	out := make(map[string]bool, len(es))
	for _, e := range es {
		out[e.UserID] = true
	}
	return out, nil
}

// lastRecordActivity returns the latest of last and the times of person
// id's reflections, check-ins and goal changes.
func (s *Store) lastRecordActivity(ctx context.Context, id string, last time.Time) (time.Time, error) {
	for _, r := range []struct{ coll, field string }{
		{colReflections, "at"}, {colCheckIns, "at"}, {colGoals, "updated_at"},
	} {
		ids, err := s.idsWhere(ctx, r.coll, embedded.Match{Field: "user_id", Values: []any{id}})
		if err != nil {
			return last, err
		}
		for _, rid := range ids {
			var doc bson.M
			err := s.db.Collection(r.coll).FindOne(ctx, bson.D{{Key: "_id", Value: rid}},
				options.FindOne().SetProjection(bson.D{{Key: r.field, Value: 1}})).Decode(&doc)
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			if err != nil {
				return last, fmt.Errorf("last activity of %s: %w", id, err)
			}
			if t, ok := doc[r.field].(bson.DateTime); ok {
				last = latest(last, t.Time())
			}
		}
	}
	return last, nil
}

// Purge forgets each of people as Forget does, erased by by, and scrubs
// the files once at the end. It returns how many it forgot.
func (s *Store) Purge(ctx context.Context, people []Inactive, by Eraser) (int, error) {
	n := 0
	for _, p := range people {
		if _, _, err := s.forget(ctx, p.ID, by); err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	return n, s.Scrub(ctx)
}
