package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
)

// CheckInsFor returns the check-ins of several students at or after since,
// oldest first, in one query, for a teacher's dashboard: who, which goal,
// the percent, the confidence and when (what "needs attention" and the
// class charts read), never a note. Past MaxClassCheckIns the oldest are
// left out.
func (s *Store) CheckInsFor(ctx context.Context, userIDs []string, since time.Time) ([]plpbot.CheckIn, error) {
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
		SetBatchSize(rosterBatch).
		SetProjection(bson.D{{Key: "user_id", Value: 1}, {Key: "goal", Value: 1}, {Key: "percent", Value: 1},
			{Key: "confidence", Value: 1}, {Key: "at", Value: 1}}))
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

// PersonName is a person's id and name, for picking someone from a list.
type PersonName struct {
	ID   string
	Name string
	Role plpbot.Role
}

// PeopleNamed returns up to limit people of a workspace whose name
// contains part (in any case), ordered by name. The match is made here,
// not in the query, so typed text never becomes a query operator.
func (s *Store) PeopleNamed(ctx context.Context, platform, workspace, part string, limit int) ([]PersonName, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx,
		bson.D{{Key: "platform", Value: platform}, {Key: "workspace", Value: workspace}},
		options.Find().SetBatchSize(rosterBatch).SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "name_lower", Value: 1}, {Key: "role", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	defer cur.Close(ctx)
	part = strings.ToLower(strings.TrimSpace(part))
	var out []PersonName
	for cur.Next(ctx) {
		var p struct {
			ID        string      `bson:"_id"`
			Name      string      `bson:"name"`
			NameLower string      `bson:"name_lower"`
			Role      plpbot.Role `bson:"role"`
		}
		if err := cur.Decode(&p); err != nil {
			return nil, fmt.Errorf("find people: %w", err)
		}
		if strings.Contains(p.NameLower, part) || strings.Contains(strings.ToLower(p.Name), part) {
			out = append(out, PersonName{ID: p.ID, Name: p.Name, Role: p.Role})
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("find people: %w", err)
	}
	slices.SortFunc(out, func(a, b PersonName) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ClassRosters returns the roster of each of several classes, by class id,
// each ordered by name, and the goals of all their students (ordered by
// student and number, as GoalsOf's), in two steps whatever their number:
// the classes' student enrollments, then those students and their goals
// together (RosterAndGoalsOf); Roster takes two a class. A dashboard's home
// shows every class of a teacher at once.
func (s *Store) ClassRosters(ctx context.Context, classIDs []string) (map[string][]plpbot.RosterRow, []plpbot.Goal, error) {
	out := make(map[string][]plpbot.RosterRow, len(classIDs))
	if len(classIDs) == 0 {
		return out, nil, nil
	}
	cur, err := s.db.Collection(colEnrollments).Find(ctx, bson.D{
		{Key: "class_id", Value: bson.D{{Key: "$in", Value: classIDs}}}, {Key: "role", Value: plpbot.MemberStudent},
	}, options.Find().SetBatchSize(rosterBatch).SetProjection(bson.D{{Key: "class_id", Value: 1}, {Key: "user_id", Value: 1}}))
	if err != nil {
		return nil, nil, fmt.Errorf("class rosters: %w", err)
	}
	var es []plpbot.Enrollment
	if err := cur.All(ctx, &es); err != nil {
		return nil, nil, fmt.Errorf("class rosters: %w", err)
	}
	classesOf := map[string][]string{}
	var ids []string
	for _, e := range es {
		if _, ok := classesOf[e.UserID]; !ok {
			ids = append(ids, e.UserID)
		}
		classesOf[e.UserID] = append(classesOf[e.UserID], e.ClassID)
	}
	rows, goals, err := s.RosterAndGoalsOf(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		for _, c := range classesOf[r.UserID] {
			out[c] = append(out[c], r)
		}
	}
	return out, goals, nil
}
