package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// CreateClass stores a class and enrolls its creator as teacher.
// ErrDuplicate if the workspace already has a class of that name.
func (s *Store) CreateClass(ctx context.Context, c plpbot.Class) (*plpbot.Class, error) {
	now := s.Now()
	c.ID = bson.NewObjectIDFromTimestamp(now).Hex()
	c.NameLower = strings.ToLower(c.Name)
	c.CreatedAt, c.UpdatedAt = now, now
	if _, err := s.db.Collection(colClasses).InsertOne(ctx, c); err != nil {
		return nil, fmt.Errorf("create class %q: %w", c.Name, translate(err))
	}
	if err := s.Enroll(ctx, c.ID, []string{c.CreatedBy}, plpbot.MemberTeacher); err != nil {
		return nil, err
	}
	return &c, nil
}

// Class returns a class by id.
func (s *Store) Class(ctx context.Context, id string) (*plpbot.Class, error) {
	return s.findClass(ctx, bson.D{{Key: "_id", Value: id}})
}

// ClassByName returns a workspace's class by name (case-insensitive).
func (s *Store) ClassByName(ctx context.Context, platform, workspace, name string) (*plpbot.Class, error) {
	return s.findClass(ctx, bson.D{
		{Key: "platform", Value: platform}, {Key: "workspace", Value: workspace},
		{Key: "name_lower", Value: strings.ToLower(name)},
	})
}

// ClassByChannel returns the class linked to a channel.
func (s *Store) ClassByChannel(ctx context.Context, platform, workspace, channelID string) (*plpbot.Class, error) {
	return s.findClass(ctx, bson.D{
		{Key: "platform", Value: platform}, {Key: "workspace", Value: workspace},
		{Key: "channel_id", Value: channelID},
	})
}

func (s *Store) findClass(ctx context.Context, filter bson.D) (*plpbot.Class, error) {
	var c plpbot.Class
	if err := s.db.Collection(colClasses).FindOne(ctx, filter).Decode(&c); err != nil {
		return nil, fmt.Errorf("load class: %w", translate(err))
	}
	return &c, nil
}

// ClassesByID returns the classes with the given ids, in no particular
// order (an unknown id is left out). One read.
func (s *Store) ClassesByID(ctx context.Context, ids []string) ([]plpbot.Class, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colClasses).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, fmt.Errorf("load classes: %w", err)
	}
	var out []plpbot.Class
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("load classes: %w", err)
	}
	return out, nil
}

// AllClasses returns every class (the scheduler plans per class).
func (s *Store) AllClasses(ctx context.Context) ([]plpbot.Class, error) {
	cur, err := s.db.Collection(colClasses).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	var out []plpbot.Class
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	return out, nil
}

// SetClassSchedule sets a class's reflection or summary cron ("reflections"
// or "summaries"); "" restores the default.
func (s *Store) SetClassSchedule(ctx context.Context, classID, kind, spec string) (*plpbot.Class, error) {
	field := map[string]string{"reflections": "reflections_cron", "summaries": "summaries_cron"}[kind]
	if field == "" {
		return nil, fmt.Errorf("set class schedule %q: %w", kind, ErrNotFound)
	}
	var c plpbot.Class
	err := s.db.Collection(colClasses).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: classID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: spec}, {Key: "updated_at", Value: s.Now()}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("set class schedule: %w", translate(err))
	}
	return &c, nil
}

// ClassesOf returns the classes a user belongs to with the given membership
// role ("" = any), ordered by name.
func (s *Store) ClassesOf(ctx context.Context, userID, role string) ([]plpbot.Class, error) {
	ids, err := s.enrolledClassIDs(ctx, userID, role)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	cur, err := s.db.Collection(colClasses).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetSort(bson.D{{Key: "name_lower", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	var out []plpbot.Class
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	return out, nil
}

func (s *Store) enrolledClassIDs(ctx context.Context, userID, role string) ([]string, error) {
	filter := bson.D{{Key: "user_id", Value: userID}}
	if role != "" {
		filter = append(filter, bson.E{Key: "role", Value: role})
	}
	return s.enrollmentIDs(ctx, filter, "class_id", func(e plpbot.Enrollment) string { return e.ClassID })
}

// enrollmentIDs returns one field of the enrollments matching filter.
func (s *Store) enrollmentIDs(ctx context.Context, filter bson.D, field string, pick func(plpbot.Enrollment) string) ([]string, error) {
	cur, err := s.db.Collection(colEnrollments).Find(ctx, filter,
		options.Find().SetBatchSize(rosterBatch).SetProjection(bson.D{{Key: field, Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	var es []plpbot.Enrollment
	if err := cur.All(ctx, &es); err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = pick(e)
	}
	return ids, nil
}

// Enroll adds users to a class with a membership role; enrolling someone
// twice changes nothing but their role. The new memberships are inserted
// and the existing ones' role set, in one update for all (never one each:
// see the note in byid.go); then the class's teacher lists
// (teachers.go): a new teacher is added to its students', a new student
// gets its teachers, and someone who taught the class and is now a student
// of it is taken off.
func (s *Store) Enroll(ctx context.Context, classID string, userIDs []string, role string) error {
	if len(userIDs) == 0 {
		return nil
	}
	now := s.Now()
	models := make([]mongo.WriteModel, 0, len(userIDs))
	for _, uid := range userIDs {
		models = append(models, mongo.NewInsertOneModel().SetDocument(plpbot.Enrollment{
			ID: plpbot.EnrollmentID(classID, uid), ClassID: classID, UserID: uid, Role: role, CreatedAt: now}))
	}
	_, err := s.db.Collection(colEnrollments).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	members, err := alreadyThere(err, userIDs) // enrolled before: their role is set
	if err != nil {
		return fmt.Errorf("enroll in class %s: %w", classID, err)
	}
	if len(members) > 0 {
		ids := make([]string, len(members))
		gone := make([]membership, len(members))
		for i, uid := range members {
			ids[i], gone[i] = plpbot.EnrollmentID(classID, uid), membership{class: classID, user: uid}
		}
		if _, err := s.db.Collection(colEnrollments).UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "role", Value: role}}}}); err != nil {
			return fmt.Errorf("enroll in class %s: %w", classID, err)
		}
		// Only a member already there can have been a teacher of it.
		if role == plpbot.MemberStudent {
			if err := s.pullTeachers(ctx, gone); err != nil {
				return fmt.Errorf("enroll in class %s: %w", classID, err)
			}
		}
	}
	if err := s.addTeachersTo(ctx, []string{classID}); err != nil {
		return fmt.Errorf("enroll in class %s: %w", classID, err)
	}
	return nil
}

// alreadyThere reads the error of inserting one membership for each of
// userIDs: the users whose membership existed (duplicate keys), or the
// error if anything else went wrong.
func alreadyThere(err error, userIDs []string) ([]string, error) {
	var bwe mongo.BulkWriteException
	if err == nil || !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, err
	}
	there := make([]string, 0, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return nil, err
		}
		there = append(there, userIDs[we.Index])
	}
	return there, nil
}

// Unenroll removes a user from a class, and a teacher from its students'
// teacher lists. ErrNotFound if they weren't in it.
func (s *Store) Unenroll(ctx context.Context, classID, userID string) error {
	var gone plpbot.Enrollment
	err := s.db.Collection(colEnrollments).FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: plpbot.EnrollmentID(classID, userID)}}).Decode(&gone)
	if err != nil {
		return fmt.Errorf("unenroll: %w", translate(err))
	}
	if gone.Role != plpbot.MemberStudent {
		if err := s.pullTeachers(ctx, []membership{{class: classID, user: userID}}); err != nil {
			return fmt.Errorf("unenroll: %w", err)
		}
	}
	return nil
}

// ClassMembers returns the ids of a class's members with a membership role.
func (s *Store) ClassMembers(ctx context.Context, classID, role string) ([]string, error) {
	return s.enrollmentIDs(ctx, bson.D{{Key: "class_id", Value: classID}, {Key: "role", Value: role}},
		"user_id", func(e plpbot.Enrollment) string { return e.UserID })
}

// ClassEnrollments returns every enrollment of a class, teachers and
// students, in one read (one batch, however large the class).
func (s *Store) ClassEnrollments(ctx context.Context, classID string) ([]plpbot.Enrollment, error) {
	cur, err := s.db.Collection(colEnrollments).Find(ctx, bson.D{{Key: "class_id", Value: classID}},
		options.Find().SetBatchSize(rosterBatch))
	if err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	var es []plpbot.Enrollment
	if err := cur.All(ctx, &es); err != nil {
		return nil, fmt.Errorf("list enrollments: %w", err)
	}
	return es, nil
}

// Teaches reports whether staffID teaches a class that studentID is in, in
// one read: both people's enrollments, matched by class here.
func (s *Store) Teaches(ctx context.Context, staffID, studentID string) (bool, error) {
	cur, err := s.db.Collection(colEnrollments).Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "user_id", Value: staffID}, {Key: "role", Value: plpbot.MemberTeacher}},
		bson.D{{Key: "user_id", Value: studentID}, {Key: "role", Value: plpbot.MemberStudent}},
	}}}, options.Find().SetProjection(bson.D{{Key: "class_id", Value: 1}, {Key: "user_id", Value: 1}, {Key: "role", Value: 1}}))
	if err != nil {
		return false, fmt.Errorf("check class membership: %w", err)
	}
	var es []plpbot.Enrollment
	if err := cur.All(ctx, &es); err != nil {
		return false, fmt.Errorf("check class membership: %w", err)
	}
	teaches := map[string]bool{}
	for _, e := range es {
		if e.UserID == staffID && e.Role == plpbot.MemberTeacher {
			teaches[e.ClassID] = true
		}
	}
	for _, e := range es {
		if e.UserID == studentID && e.Role == plpbot.MemberStudent && teaches[e.ClassID] {
			return true, nil
		}
	}
	return false, nil
}

// Roster returns a row per student of a class, ordered by name.
func (s *Store) Roster(ctx context.Context, classID string) ([]plpbot.RosterRow, error) {
	ids, err := s.ClassMembers(ctx, classID, plpbot.MemberStudent)
	if err != nil {
		return nil, err
	}
	return s.RosterOf(ctx, ids)
}

// RosterAndGoals is Roster with the students' goals in full (but their
// feedback), ordered by
// student and number (RosterAndGoalsOf).
func (s *Store) RosterAndGoals(ctx context.Context, classID string) ([]plpbot.RosterRow, []plpbot.Goal, error) {
	ids, err := s.ClassMembers(ctx, classID, plpbot.MemberStudent)
	if err != nil {
		return nil, nil, err
	}
	return s.RosterAndGoalsOf(ctx, ids)
}

// SchoolRoster returns a row per student of a workspace (for admins): the
// workspace's students and the goals of its ids, read together.
func (s *Store) SchoolRoster(ctx context.Context, platform, workspace string) ([]plpbot.RosterRow, error) {
	prefix := Identity{Platform: platform, Workspace: workspace}.UserID()
	people, goals, err := s.readStudents(ctx, studentsRead{
		users: bson.D{
			{Key: "platform", Value: platform}, {Key: "workspace", Value: workspace}, {Key: "role", Value: plpbot.RoleStudent},
		},
		userProjection: rosterProjection,
		goals:          students{prefixes: []string{prefix}},
	})
	if err != nil {
		return nil, fmt.Errorf("school roster: %w", err)
	}
	return rowsOf(people, goals), nil
}

// RosterOf builds roster rows for the given students: their records and
// their goals' figures, read together.
func (s *Store) RosterOf(ctx context.Context, ids []string) ([]plpbot.RosterRow, error) {
	rows, _, err := s.rosterOf(ctx, ids, false)
	return rows, err
}

// RosterAndGoalsOf is RosterOf for a view that also needs the students'
// goals in full but their feedback (a class summary, a class chart): one read of goals
// serves both. The goals are ordered by student and number, as GoalsOf's.
func (s *Store) RosterAndGoalsOf(ctx context.Context, ids []string) ([]plpbot.RosterRow, []plpbot.Goal, error) {
	return s.rosterOf(ctx, ids, true)
}

func (s *Store) rosterOf(ctx context.Context, ids []string, full bool) ([]plpbot.RosterRow, []plpbot.Goal, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	people, goals, err := s.readStudents(ctx, studentsRead{
		users:          bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		userProjection: rosterProjection,
		goals:          students{ids: ids}, full: full,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("roster: %w", err)
	}
	return rowsOf(people, goals), goalsOfPeople(people, goals), nil
}

// rosterBatch is the cursor batch size of roster queries: large, so a
// school's roster comes back in few round trips.
const rosterBatch = 10000

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
