package storage

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Forget deletes every record of a person: their user document, goals,
// check-ins, reflections, feedback given to them, flags, enrollments,
// conferences where they are the student, their caseload and their name on
// anyone's. Audit entries about them keep only
// the fact that a record was erased (subject id), as FERPA's disclosure log
// requires; the entries' free text is removed.
func (s *Store) Forget(ctx context.Context, id string) error {
	byUser := bson.D{{Key: "user_id", Value: id}}
	byStudent := bson.D{{Key: "student_id", Value: id}}
	deletes := []struct {
		coll   string
		filter bson.D
	}{
		{colGoals, byUser},
		{colCheckIns, byUser},
		{colReflections, byUser},
		{colPrompts, byUser},
		{colEnrollments, byUser},
		{colFeedback, byStudent},
		{colFlags, byStudent},
		{colConferences, byStudent},
		{colUsers, bson.D{{Key: "_id", Value: id}}},
	}
	for _, d := range deletes {
		if _, err := s.db.Collection(d.coll).DeleteMany(ctx, d.filter); err != nil {
			return fmt.Errorf("forget %s in %s: %w", id, d.coll, err)
		}
	}
	if err := s.forgetInCaseloads(ctx, id); err != nil {
		return err
	}
	if _, err := s.db.Collection(colAudit).UpdateMany(ctx,
		bson.D{{Key: "subject_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "detail", Value: ""}}}}); err != nil {
		return fmt.Errorf("forget %s in audit: %w", id, err)
	}
	return nil
}

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
