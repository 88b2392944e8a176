package storage

import (
	"context"
	"fmt"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RecordCounts says how many records of each kind Forget would delete for
// one person, so an admin can confirm knowing exactly what goes.
type RecordCounts struct {
	Goals       int64
	CheckIns    int64
	Reflections int64
	Feedback    int64 // feedback given to them
	Flags       int64
	Classes     int64 // class memberships
	Conferences int64 // conferences where they are the student
	Prompts     int64
}

// Total is the number of records, not counting the user document itself.
func (c RecordCounts) Total() int64 {
	return c.Goals + c.CheckIns + c.Reflections + c.Feedback + c.Flags + c.Classes + c.Conferences + c.Prompts
}

// CountRecords counts what Forget(id) would delete, one indexed count per
// collection. It mirrors Forget's list.
func (s *Store) CountRecords(ctx context.Context, id string) (RecordCounts, error) {
	var rc RecordCounts
	byUser := bson.D{{Key: "user_id", Value: id}}
	byStudent := bson.D{{Key: "student_id", Value: id}}
	counts := []struct {
		coll   string
		filter bson.D
		into   *int64
	}{
		{colGoals, byUser, &rc.Goals},
		{colCheckIns, byUser, &rc.CheckIns},
		{colReflections, byUser, &rc.Reflections},
		{colPrompts, byUser, &rc.Prompts},
		{colEnrollments, byUser, &rc.Classes},
		{colFeedback, byStudent, &rc.Feedback},
		{colFlags, byStudent, &rc.Flags},
		{colConferences, byStudent, &rc.Conferences},
	}
	for _, c := range counts {
		n, err := s.db.Collection(c.coll).CountDocuments(ctx, c.filter)
		if err != nil {
			return RecordCounts{}, fmt.Errorf("count %s of %s: %w", c.coll, id, err)
		}
		*c.into = n
	}
	return rc, nil
}

// ClassesIn returns every class of a workspace, ordered by name (for admins).
func (s *Store) ClassesIn(ctx context.Context, platform, workspace string) ([]plpbot.Class, error) {
	cur, err := s.db.Collection(colClasses).Find(ctx,
		bson.D{{Key: "platform", Value: platform}, {Key: "workspace", Value: workspace}},
		options.Find().SetSort(bson.D{{Key: "name_lower", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list workspace classes: %w", err)
	}
	var out []plpbot.Class
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list workspace classes: %w", err)
	}
	return out, nil
}

// ClassSizes counts the members with a membership role of each class, by
// class id, in one grouped query. Classes without such members are absent.
func (s *Store) ClassSizes(ctx context.Context, classIDs []string, role string) (map[string]int, error) {
	out := make(map[string]int, len(classIDs))
	if len(classIDs) == 0 {
		return out, nil
	}
	cur, err := s.db.Collection(colEnrollments).Aggregate(ctx, bson.A{
		bson.D{{Key: "$match", Value: bson.D{
			{Key: "class_id", Value: bson.D{{Key: "$in", Value: classIDs}}},
			{Key: "role", Value: role},
		}}},
		bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: "$class_id"},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
		}}},
	})
	if err != nil {
		return nil, fmt.Errorf("count class members: %w", err)
	}
	var rows []struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count class members: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

// IsMember reports whether a user belongs to a class with a membership role.
func (s *Store) IsMember(ctx context.Context, classID, userID, role string) (bool, error) {
	n, err := s.db.Collection(colEnrollments).CountDocuments(ctx, bson.D{
		{Key: "_id", Value: plpbot.EnrollmentID(classID, userID)}, {Key: "role", Value: role},
	})
	if err != nil {
		return false, fmt.Errorf("check class membership: %w", err)
	}
	return n > 0, nil
}

// WorkspaceRoster is SchoolRoster under the name the staff commands use.
func (s *Store) WorkspaceRoster(ctx context.Context, platform, workspace string) ([]plpbot.RosterRow, error) {
	return s.SchoolRoster(ctx, platform, workspace)
}
