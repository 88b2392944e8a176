package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
)

// colRosterState holds the roster as the last import left it: every
// person, class and membership it brought (as it wrote them) and the SIS
// records it keeps for context, packed into a few large documents. An
// import compares against it, so reading what is stored costs a handful of
// documents rather than one per student and enrollment.
const colRosterState = "roster_state"

// RosterRecord is one SIS record kept for context (an org, an academic
// session, a course, a student's guardian, a 1.2 role), as the roster
// import read it: the columns plpbot keeps, by their OneRoster names.
type RosterRecord struct {
	ID        string              `bson:"_id"` // File + ":" + SourcedID
	File      string              `bson:"file"`
	SourcedID string              `bson:"sourced_id"`
	Fields    map[string]string   `bson:"fields,omitempty"`
	Lists     map[string][]string `bson:"lists,omitempty"`
	// Ended is when the SIS deleted the record (zero while it is listed).
	Ended time.Time `bson:"ended,omitempty"`
}

// RosterRecordID is the id of the record of a file with a sourcedId.
func RosterRecordID(file, sourcedID string) string { return file + ":" + sourcedID }

// RosterState is the roster as the last import left it: the people and
// classes it brought (ended ones too), the memberships it keeps, the terms
// it made of academic sessions, the caseloads it keeps (each with only the
// students the import put on it), and the context records. An import
// compares the files with it and writes only what differs.
type RosterState struct {
	People      []plpbot.Person     `bson:"people,omitempty"`
	Classes     []plpbot.Class      `bson:"classes,omitempty"`
	Enrollments []plpbot.Enrollment `bson:"enrollments,omitempty"`
	Terms       []plpbot.Term       `bson:"terms,omitempty"`
	Caseloads   []plpbot.Caseload   `bson:"caseloads,omitempty"`
	Records     []RosterRecord      `bson:"records,omitempty"`
}

// rosterChunk is one document of colRosterState: a slice of one kind of
// the state, kept as one BSON binary value. The embedded database decodes
// a document field by field, which is slow for thousands of
// subdocuments, and never needs to look inside these.
type rosterChunk struct {
	ID   string `bson:"_id"`
	Data []byte `bson:"data"`
}

// rosterChunkSize is how many items a chunk holds: documents well under
// the 16 MB limit (a person with guardians is under 1 KB).
const rosterChunkSize = 2000

// RosterState loads the roster as the last import left it.
func (s *Store) RosterState(ctx context.Context) (*RosterState, error) {
	cur, err := s.db.Collection(colRosterState).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("load roster: %w", err)
	}
	defer cur.Close(ctx)
	st := &RosterState{}
	for cur.Next(ctx) {
		var c rosterChunk
		if err := cur.Decode(&c); err != nil {
			return nil, fmt.Errorf("load roster: %w", err)
		}
		var part RosterState
		if err := bson.Unmarshal(c.Data, &part); err != nil {
			return nil, fmt.Errorf("load roster %s: %w", c.ID, err)
		}
		st.People = append(st.People, part.People...)
		st.Classes = append(st.Classes, part.Classes...)
		st.Enrollments = append(st.Enrollments, part.Enrollments...)
		st.Terms = append(st.Terms, part.Terms...)
		st.Caseloads = append(st.Caseloads, part.Caseloads...)
		st.Records = append(st.Records, part.Records...)
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("load roster: %w", err)
	}
	return st, nil
}

// chunks packs a state into documents, in a fixed order.
func (st *RosterState) chunks() ([]rosterChunk, error) {
	var out []rosterChunk
	var err error
	add := func(kind string, n int, part func(lo, hi int) RosterState) {
		for lo := 0; lo < n && err == nil; lo += rosterChunkSize {
			var data []byte
			p := part(lo, min(lo+rosterChunkSize, n))
			data, err = bson.Marshal(&p)
			out = append(out, rosterChunk{ID: fmt.Sprintf("%s:%06d", kind, lo/rosterChunkSize), Data: data})
		}
	}
	add("people", len(st.People), func(lo, hi int) RosterState { return RosterState{People: st.People[lo:hi]} })
	add("classes", len(st.Classes), func(lo, hi int) RosterState { return RosterState{Classes: st.Classes[lo:hi]} })
	add("enrollments", len(st.Enrollments), func(lo, hi int) RosterState { return RosterState{Enrollments: st.Enrollments[lo:hi]} })
	add("terms", len(st.Terms), func(lo, hi int) RosterState { return RosterState{Terms: st.Terms[lo:hi]} })
	add("caseloads", len(st.Caseloads), func(lo, hi int) RosterState { return RosterState{Caseloads: st.Caseloads[lo:hi]} })
	add("records", len(st.Records), func(lo, hi int) RosterState { return RosterState{Records: st.Records[lo:hi]} })
	return out, err
}

// RosterWrites are the changes of one import, each already compared with
// the RosterState: only what differs is here, so an import that changes
// nothing writes nothing.
type RosterWrites struct {
	// NewPeople, NewClasses and NewTerms are inserted whole.
	NewPeople  []plpbot.Person
	NewClasses []plpbot.Class
	NewTerms   []plpbot.Term
	// People, Classes and Terms are updated: the import's own fields only
	// (name, role and SIS for a person; name, term and SIS for a class;
	// name and dates for a term), never the plan, the class's channel or
	// schedules.
	People  []plpbot.Person
	Classes []plpbot.Class
	Terms   []plpbot.Term
	// Enroll are memberships to insert; Reenroll to update (role, primary,
	// sourcedId); Unenroll the ids of memberships that end.
	Enroll   []plpbot.Enrollment
	Reenroll []plpbot.Enrollment
	Unenroll []string
	// Caseloads are the changes to the caseloads the import keeps.
	Caseloads []CaseloadWrite
	// Audit is appended to the audit log once the rest is written.
	Audit []plpbot.AuditEntry
}

// CaseloadWrite is what an import changes of a counselor's caseload: the
// students it puts on it and those it takes off (plpbot.Caseload.Added).
// Whatever else is on the caseload — rules, and students an admin named
// in chat — stays as it is.
type CaseloadWrite struct {
	// Caseload names the counselor (CounselorID, SourcedID) and, for a
	// caseload not stored yet, its Platform and Workspace.
	Caseload    plpbot.Caseload
	Add, Remove []string
}

// Len is the number of documents the writes touch.
func (w *RosterWrites) Len() int {
	return len(w.NewPeople) + len(w.NewClasses) + len(w.NewTerms) + len(w.People) + len(w.Classes) + len(w.Terms) +
		len(w.Enroll) + len(w.Reenroll) + len(w.Unenroll) + len(w.Caseloads) + len(w.Audit)
}

// ApplyRoster writes an import's changes, then the roster state they lead
// to (next): one unordered bulk write per collection — terms, classes,
// people, memberships, caseloads — then the audit entries, then the state.
// Terms come first, so a class never names a term that isn't there. There are no
// transactions here (the embedded database has none): if a write fails
// part-way, the state is not saved, and running the same import again
// redoes the writes, an insert that finds its document already there
// updating it instead.
func (s *Store) ApplyRoster(ctx context.Context, w *RosterWrites, next *RosterState) error {
	defer s.caseloads.drop(nil)
	now := s.Now()
	gone, err := s.teachingEnding(ctx, w.Unenroll)
	if err != nil {
		return fmt.Errorf("roster import: %w", err)
	}
	steps := []struct {
		coll string
		// inserts come first; fallbacks[i] is inserts[i] as an update.
		inserts, fallbacks, rest []mongo.WriteModel
	}{
		{colTerms, termInserts(w.NewTerms, now), termUpdates(w.NewTerms), termUpdates(w.Terms)},
		{colClasses, classInserts(w.NewClasses, now), classUpdates(w.NewClasses, now), classUpdates(w.Classes, now)},
		{colUsers, personInserts(w.NewPeople, now), personUpdates(w.NewPeople, now), personUpdates(w.People, now)},
		{colEnrollments, enrollmentInserts(w.Enroll, classTeachers(next.Enrollments)), enrollmentUpdates(w.Enroll),
			append(enrollmentUpdates(w.Reenroll), enrollmentDeletes(w.Unenroll)...)},
		{colCaseloads, nil, nil, caseloadUpdates(w.Caseloads, now)},
	}
	for _, st := range steps {
		if err := s.bulkWrite(ctx, st.coll, append(st.inserts, st.rest...), st.fallbacks); err != nil {
			return fmt.Errorf("roster import: write %s: %w", st.coll, err)
		}
	}
	if err := s.rosterTeacherLists(ctx, w, gone); err != nil {
		return fmt.Errorf("roster import: %w", err)
	}
	if err := s.AuditMany(ctx, w.Audit); err != nil {
		return err
	}
	return s.saveRosterState(ctx, next)
}

// rosterTeacherLists keeps the classes' teacher lists (teachers.go) after
// an import changed memberships: the teachers whose membership ended
// (gone) or who are now students of the class are taken off, and the
// classes with new or changed memberships have their teachers added where
// the inserts didn't carry them (a teacher added in chat, a new teacher
// of students already there).
func (s *Store) rosterTeacherLists(ctx context.Context, w *RosterWrites, gone []membership) error {
	// A class this import created has only the memberships it inserted,
	// which carried their lists: only older classes are read again.
	created := make(map[string]bool, len(w.NewClasses))
	for _, c := range w.NewClasses {
		created[c.ID] = true
	}
	var classes []string
	for _, e := range w.Enroll {
		if !created[e.ClassID] {
			classes = append(classes, e.ClassID)
		}
	}
	for _, e := range w.Reenroll {
		classes = append(classes, e.ClassID)
		if e.Role == plpbot.MemberStudent {
			gone = append(gone, membership{class: e.ClassID, user: e.UserID})
		}
	}
	if err := s.pullTeachers(ctx, gone); err != nil {
		return err
	}
	return s.addTeachersTo(ctx, classes)
}

// bulkWrite sends models unordered, in batches. The first len(asUpdate)
// models are inserts: one whose document exists already, from an import
// that failed before saving its state, is sent again as its update
// asUpdate[i]; one whose update then matches nothing collided with another
// document (a class name).
func (s *Store) bulkWrite(ctx context.Context, coll string, models, asUpdate []mongo.WriteModel) error {
	if len(models) == 0 {
		return nil
	}
	for lo := 0; lo < len(models); lo += rosterWriteBatch {
		hi := min(lo+rosterWriteBatch, len(models))
		var upd []mongo.WriteModel
		if lo < len(asUpdate) {
			upd = asUpdate[lo:min(hi, len(asUpdate))]
		}
		if err := s.bulkWriteBatch(ctx, coll, models[lo:hi], upd); err != nil {
			return err
		}
	}
	return nil
}

// rosterWriteBatch is how many writes go in one bulk write: the database
// holds a batch in memory, so batches keep an import's memory flat.
const rosterWriteBatch = 2000

func (s *Store) bulkWriteBatch(ctx context.Context, coll string, models, asUpdate []mongo.WriteModel) error {
	_, err := s.db.Collection(coll).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if err == nil || !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return err
	}
	var retry []mongo.WriteModel
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) || we.Index >= len(asUpdate) {
			return err
		}
		retry = append(retry, asUpdate[we.Index])
	}
	res, rerr := s.db.Collection(coll).BulkWrite(ctx, retry, options.BulkWrite().SetOrdered(false))
	if rerr != nil {
		return rerr
	}
	if int(res.MatchedCount) != len(retry) {
		return fmt.Errorf("%w: %d of %d records clash with others (such as two classes of one name)", ErrDuplicate, len(retry)-int(res.MatchedCount), len(retry))
	}
	return nil
}

// saveRosterState replaces the stored roster state with st.
func (s *Store) saveRosterState(ctx context.Context, st *RosterState) error {
	chunks, err := st.chunks()
	if err != nil {
		return fmt.Errorf("save roster state: %w", err)
	}
	models := make([]mongo.WriteModel, 0, len(chunks))
	ids := bson.A{}
	for _, c := range chunks {
		models = append(models, updateByID(c.ID, bson.D{{Key: "$set", Value: bson.D{{Key: "data", Value: c.Data}}}}).
			SetUpsert(true))
		ids = append(ids, c.ID)
	}
	coll := s.db.Collection(colRosterState)
	if len(models) > 0 {
		if _, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("save roster state: %w", err)
		}
	}
	if _, err := coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$nin", Value: ids}}}}); err != nil {
		return fmt.Errorf("save roster state: %w", err)
	}
	return nil
}

func classInserts(created []plpbot.Class, now time.Time) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(created))
	for _, c := range created {
		c.CreatedAt, c.UpdatedAt = now, now
		out = append(out, mongo.NewInsertOneModel().SetDocument(c))
	}
	return out
}

// classUpdates set the import's own fields of a class: its name, school,
// term and SIS record, never its channel or schedules.
func classUpdates(changed []plpbot.Class, now time.Time) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(changed))
	for _, c := range changed {
		out = append(out, updateByID(c.ID, bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: c.Name}, {Key: "name_lower", Value: c.NameLower},
			{Key: "workspace", Value: c.Workspace}, {Key: "term_id", Value: c.TermID}, {Key: "sis", Value: c.SIS},
			{Key: "updated_at", Value: now},
		}}}))
	}
	return out
}

func personInserts(created []plpbot.Person, now time.Time) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(created))
	for _, p := range created {
		p.CreatedAt, p.UpdatedAt = now, now
		out = append(out, mongo.NewInsertOneModel().SetDocument(p))
	}
	return out
}

// personUpdates set the import's own fields of a person: name, role and
// SIS record, never the plan.
func personUpdates(changed []plpbot.Person, now time.Time) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(changed))
	for _, p := range changed {
		out = append(out, updateByID(p.ID, bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: p.Name}, {Key: "name_lower", Value: p.NameLower},
			{Key: "role", Value: p.Role}, {Key: "sis", Value: p.SIS}, {Key: "updated_at", Value: now},
		}}}))
	}
	return out
}

// enrollmentInserts are the new memberships, a student's with the
// teachers the import gives its class (teachers, by class id), so a first
// import leaves no teacher list to write after (teachers.go).
func enrollmentInserts(created []plpbot.Enrollment, teachers map[string][]string) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(created))
	for _, e := range created {
		doc := listedEnrollment{Enrollment: e}
		if e.Role == plpbot.MemberStudent {
			doc.Teachers = teachers[e.ClassID]
		}
		out = append(out, mongo.NewInsertOneModel().SetDocument(doc))
	}
	return out
}

func enrollmentUpdates(changed []plpbot.Enrollment) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(changed))
	for _, e := range changed {
		out = append(out, updateByID(e.ID, bson.D{{Key: "$set", Value: bson.D{
			{Key: "role", Value: e.Role}, {Key: "sourced_id", Value: e.SourcedID}, {Key: "primary", Value: e.Primary},
		}}}))
	}
	return out
}

func enrollmentDeletes(ended []string) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(ended))
	for _, id := range ended {
		out = append(out, mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}))
	}
	return out
}

// forgetInRoster removes a person from the roster state, with their
// memberships and caseload (or their place on others'), when Forget erases
// them: the state keeps no copy of what was forgotten. If the SIS still lists them, the next import brings them
// back as someone new, with an empty plan.
func (s *Store) forgetInRoster(ctx context.Context, id string) error {
	st, err := s.RosterState(ctx)
	if err != nil {
		return err
	}
	changed := false
	n := len(st.People) + len(st.Enrollments) + len(st.Caseloads)
	st.People = slices.DeleteFunc(st.People, func(p plpbot.Person) bool { return p.ID == id })
	st.Enrollments = slices.DeleteFunc(st.Enrollments, func(e plpbot.Enrollment) bool { return e.UserID == id })
	st.Caseloads = slices.DeleteFunc(st.Caseloads, func(c plpbot.Caseload) bool { return c.CounselorID == id })
	for i := range st.Caseloads {
		if c := &st.Caseloads[i]; slices.Contains(c.Added, id) {
			c.Added, changed = slices.DeleteFunc(slices.Clone(c.Added), func(s string) bool { return s == id }), true
		}
	}
	if !changed && len(st.People)+len(st.Enrollments)+len(st.Caseloads) == n {
		return nil
	}
	return s.saveRosterState(ctx, st)
}
