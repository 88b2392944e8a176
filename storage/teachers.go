package storage

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
)

// A student's enrollment keeps the ids of its class's teachers
// (teacher_ids), so one read of the enrollments finds every student a
// member of staff teaches (TaughtBy), where otherwise two reads follow each
// other: their classes, then those classes' students.
//
// The list is an index, not a grant: TaughtBy keeps a student only where
// the staff member's own teacher enrollment of that class is read too, so
// an id left behind grants nothing. Every write that changes who is in a
// class keeps the lists: Enroll, Unenroll, ApplyRoster, a chat account
// folded into a roster person (Link), and Forget. Teachers are added to a
// list (never set), so two changes at once can't lose one; a teacher is
// taken off only by the change that ends their membership. A change cut
// off half-way is made whole by the next change to that class, which reads
// the class whole; a database from before the lists gets them once, when
// plpbot opens it (backfillTeacherLists).
const fieldTeacherIDs = "teacher_ids"

// Taught is whom a member of staff teaches now, as one read of the
// enrollments says.
type Taught struct {
	// Classes are the classes they teach.
	Classes []string
	// Students maps each student of those classes to the classes of
	// Classes they are in.
	Students map[string][]string
}

// Teaches reports whether studentID is in one of the classes (the
// Teaches of plpbot.Ties).
func (t *Taught) Teaches(studentID string) bool { return len(t.Students[studentID]) > 0 }

// StudentIDs lists the students, sorted.
func (t *Taught) StudentIDs() []string {
	ids := make([]string, 0, len(t.Students))
	for id := range t.Students {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// StudentsOf lists the students of classID, one of Classes, sorted.
func (t *Taught) StudentsOf(classID string) []string {
	var ids []string
	for id, classes := range t.Students {
		if slices.Contains(classes, classID) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TaughtBy returns the classes staffID teaches and their students, in one
// read however many classes: staffID's own teacher enrollments, which
// decide, and the student enrollments that name them (teacher_ids), each
// kept only if its class is one of the first.
func (s *Store) TaughtBy(ctx context.Context, staffID string) (*Taught, error) {
	cur, err := s.db.Collection(colEnrollments).Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "user_id", Value: staffID}, {Key: "role", Value: plpbot.MemberTeacher}},
		bson.D{{Key: fieldTeacherIDs, Value: staffID}, {Key: "role", Value: plpbot.MemberStudent}},
	}}}, options.Find().SetBatchSize(rosterBatch).
		SetProjection(bson.D{{Key: "class_id", Value: 1}, {Key: "user_id", Value: 1}, {Key: "role", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("classes taught by %s: %w", staffID, err)
	}
	var es []plpbot.Enrollment
	if err := cur.All(ctx, &es); err != nil {
		return nil, fmt.Errorf("classes taught by %s: %w", staffID, err)
	}
	t := &Taught{Students: map[string][]string{}}
	teaches := map[string]bool{}
	for _, e := range es {
		if e.UserID == staffID && e.Role == plpbot.MemberTeacher && !teaches[e.ClassID] {
			teaches[e.ClassID] = true
			t.Classes = append(t.Classes, e.ClassID)
		}
	}
	for _, e := range es {
		if e.Role == plpbot.MemberStudent && teaches[e.ClassID] {
			t.Students[e.UserID] = append(t.Students[e.UserID], e.ClassID)
		}
	}
	slices.Sort(t.Classes)
	return t, nil
}

// membership is one person's place in one class.
type membership struct{ class, user string }

// pullTeachers takes each of gone off the teacher lists of its class's
// enrollments: they no longer teach it (removed, now a student of it, or
// moved to another account). One update per class.
func (s *Store) pullTeachers(ctx context.Context, gone []membership) error {
	byClass := map[string][]string{}
	var order []string
	for _, m := range gone {
		if _, ok := byClass[m.class]; !ok {
			order = append(order, m.class)
		}
		byClass[m.class] = append(byClass[m.class], m.user)
	}
	models := make([]mongo.WriteModel, 0, len(order))
	for _, c := range order {
		users := byClass[c]
		models = append(models, mongo.NewUpdateManyModel().
			SetFilter(bson.D{{Key: "class_id", Value: c}, {Key: fieldTeacherIDs, Value: bson.D{{Key: "$in", Value: users}}}}).
			SetUpdate(bson.D{{Key: "$pullAll", Value: bson.D{{Key: fieldTeacherIDs, Value: users}}}}))
	}
	return s.writeTeacherLists(ctx, models)
}

// addTeachersTo gives the student enrollments of classIDs the teachers of
// their class they lack (addTeachers).
func (s *Store) addTeachersTo(ctx context.Context, classIDs []string) error {
	if len(classIDs) == 0 {
		return nil
	}
	slices.Sort(classIDs)
	_, _, err := s.addTeachers(ctx, bson.D{{Key: "class_id", Value: bson.D{{Key: "$in", Value: slices.Compact(classIDs)}}}})
	return err
}

// teacherListBatch is how many teacher-list updates one command carries.
const teacherListBatch = 1000

// enrollmentList is what keeping teacher lists reads of an enrollment.
type enrollmentList struct {
	ID       string   `bson:"_id"`
	ClassID  string   `bson:"class_id"`
	Role     string   `bson:"role"`
	UserID   string   `bson:"user_id"`
	Teachers []string `bson:"teacher_ids"`
}

// addTeachers gives each student enrollment that classes (a filter on
// class_id; empty for all) picks the teachers of its class it lacks, and
// clears the list of an enrollment that is not a student's. One read,
// streamed a class at a time (sorted by class), and a write only of what
// is missing, in batches: memory stays flat however many classes. It
// returns how many enrollments it read and how many it changed.
func (s *Store) addTeachers(ctx context.Context, classes bson.D) (read, fixed int, err error) {
	cur, err := s.db.Collection(colEnrollments).Find(ctx, classes, options.Find().SetBatchSize(rosterBatch).
		SetSort(bson.D{{Key: "class_id", Value: 1}}).
		SetProjection(bson.D{{Key: "class_id", Value: 1}, {Key: "role", Value: 1}, {Key: "user_id", Value: 1}, {Key: fieldTeacherIDs, Value: 1}}))
	if err != nil {
		return 0, 0, fmt.Errorf("teacher lists: %w", err)
	}
	defer cur.Close(ctx)
	var class []enrollmentList // the enrollments of one class
	var models []mongo.WriteModel
	for cur.Next(ctx) {
		var e enrollmentList
		if err := cur.Decode(&e); err != nil {
			return read, fixed, fmt.Errorf("teacher lists: %w", err)
		}
		read++
		if len(class) > 0 && class[0].ClassID != e.ClassID {
			models, class = append(models, teacherListFixes(class)...), class[:0]
			if len(models) >= teacherListBatch {
				if err := s.writeTeacherLists(ctx, models); err != nil {
					return read, fixed, err
				}
				fixed, models = fixed+len(models), models[:0]
			}
		}
		class = append(class, e)
	}
	if err := cur.Err(); err != nil {
		return read, fixed, fmt.Errorf("teacher lists: %w", err)
	}
	models = append(models, teacherListFixes(class)...)
	if err := s.writeTeacherLists(ctx, models); err != nil {
		return read, fixed, err
	}
	return read, fixed + len(models), nil
}

// RepairTeacherLists gives every student enrollment the teachers of its
// class it lacks (and clears the lists of non-students), as the start-up
// backfill does: a change to a class cut off half-way (a crash between its
// writes) leaves a list short until then, and a student missing from
// their teacher's unnamed roster. The scheduler runs it nightly. It
// returns how many enrollments it read and how many it fixed.
func (s *Store) RepairTeacherLists(ctx context.Context) (read, fixed int, err error) {
	return s.addTeachers(ctx, bson.D{})
}

// teacherListsDone is the settings document that records that the
// enrollments of the database got their teacher lists (backfillTeacherLists).
const teacherListsDone = "teacher_lists"

// backfillTeacherLists gives, once per database, the enrollments written
// before they carried their class's teachers their lists, then records it
// (settings): every change since keeps them. Two replicas starting at once
// both fill in (adding is harmless twice); a start cut off before the
// record fills in again. Reading every enrollment takes about a second per
// 10,000 on the embedded database, so it is not done at every start. A
// database with no enrollments yet needs nothing, and is not written to.
func (s *Store) backfillTeacherLists(ctx context.Context) error {
	settings := s.db.Collection(colSettings)
	n, err := settings.CountDocuments(ctx, bson.D{{Key: "_id", Value: teacherListsDone}})
	if err != nil || n > 0 {
		return translate(err)
	}
	start := time.Now()
	read, fixed, err := s.addTeachers(ctx, bson.D{})
	if err != nil || read == 0 {
		return err
	}
	_, err = settings.InsertOne(ctx, bson.D{{Key: "_id", Value: teacherListsDone}, {Key: "at", Value: s.Now()}})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("fill in teacher lists: %w", err)
	}
	if fixed > 0 {
		s.log.InfoContext(ctx, "gave student enrollments their class's teachers (once)",
			slog.Int("enrollments", fixed), slog.Duration("took", time.Since(start)))
	}
	return nil
}

// teacherListFixes are the updates that bring the teacher lists of one
// class's enrollments in line with its teachers: a student's gets the ones
// it lacks; anyone else's is cleared. Each update names one enrollment by
// _id, the one lookup the embedded database answers from an index; it
// updates "many" (of one), so its read runs to its end (see the note on
// one-document updates in byid.go).
func teacherListFixes(class []enrollmentList) []mongo.WriteModel {
	var teachers []string
	for _, e := range class {
		if e.Role == plpbot.MemberTeacher {
			teachers = append(teachers, e.UserID)
		}
	}
	var out []mongo.WriteModel
	for _, e := range class {
		var update bson.D
		switch missing := slices.DeleteFunc(slices.Clone(teachers), func(t string) bool { return slices.Contains(e.Teachers, t) }); {
		case e.Role != plpbot.MemberStudent && e.Teachers != nil:
			update = bson.D{{Key: "$unset", Value: bson.D{{Key: fieldTeacherIDs, Value: ""}}}}
		case e.Role == plpbot.MemberStudent && len(missing) > 0:
			update = bson.D{{Key: "$addToSet", Value: bson.D{{Key: fieldTeacherIDs, Value: bson.D{{Key: "$each", Value: missing}}}}}}
		default:
			continue
		}
		out = append(out, updateByID(e.ID, update))
	}
	return out
}

// listedEnrollment is an enrollment as written with its teacher list.
type listedEnrollment struct {
	plpbot.Enrollment `bson:",inline"`
	Teachers          []string `bson:"teacher_ids,omitempty"`
}

// classTeachers returns the teachers of each class among memberships, by
// class id.
func classTeachers(memberships []plpbot.Enrollment) map[string][]string {
	out := map[string][]string{}
	for _, e := range memberships {
		if e.Role == plpbot.MemberTeacher {
			out[e.ClassID] = append(out[e.ClassID], e.UserID)
		}
	}
	return out
}

// writeTeacherLists sends teacher-list updates, unordered, at most
// teacherListBatch to a command. Each is an update of "many" (see the note
// on one-document updates in byid.go).
func (s *Store) writeTeacherLists(ctx context.Context, models []mongo.WriteModel) error {
	for lo := 0; lo < len(models); lo += teacherListBatch {
		batch := models[lo:min(lo+teacherListBatch, len(models))]
		if _, err := s.db.Collection(colEnrollments).BulkWrite(ctx, batch, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("teacher lists: %w", err)
		}
	}
	return nil
}

// forgetInTeacherLists takes a forgotten person off every teacher list.
func (s *Store) forgetInTeacherLists(ctx context.Context, id string) error {
	_, err := s.db.Collection(colEnrollments).UpdateMany(ctx, bson.D{{Key: fieldTeacherIDs, Value: id}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: fieldTeacherIDs, Value: id}}}})
	if err != nil {
		return fmt.Errorf("forget %s in teacher lists: %w", id, err)
	}
	return nil
}

// teachingEnding returns the teacher memberships among the enrollment ids
// an import is about to end, so their teachers can be taken off the lists
// once they are gone.
func (s *Store) teachingEnding(ctx context.Context, ids []string) ([]membership, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colEnrollments).Find(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "role", Value: plpbot.MemberTeacher},
	}, options.Find().SetProjection(bson.D{{Key: "class_id", Value: 1}, {Key: "user_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("memberships ending: %w", err)
	}
	var es []plpbot.Enrollment
	if err := cur.All(ctx, &es); err != nil {
		return nil, fmt.Errorf("memberships ending: %w", err)
	}
	out := make([]membership, len(es))
	for i, e := range es {
		out[i] = membership{class: e.ClassID, user: e.UserID}
	}
	return out, nil
}
