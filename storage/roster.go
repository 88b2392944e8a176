package storage

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
)

// colRosterRecords holds the SIS records plpbot keeps for context: orgs,
// academic sessions, courses, a student's guardians and (OneRoster 1.2)
// roles. People, classes and enrollments the roster brings live in their
// own collections, keyed by their sourcedId.
const colRosterRecords = "roster_records"

// RosterRecord is one SIS record kept for context, as the roster import
// read it: the columns plpbot keeps, by their OneRoster names.
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

// RosterState is everything a roster import brought before, as stored:
// the people, classes and enrollments that carry a sourcedId, and the
// context records. An import compares against it and writes only what
// differs.
type RosterState struct {
	People      []plpbot.Person
	Classes     []plpbot.Class
	Enrollments []plpbot.Enrollment
	Records     []RosterRecord
}

// rosterBatchSize is the cursor batch of RosterState's reads.
const rosterBatchSize = 5000

// RosterState loads what earlier imports stored, one query per collection.
func (s *Store) RosterState(ctx context.Context) (*RosterState, error) {
	st := &RosterState{}
	hasSIS := bson.D{{Key: "sis", Value: bson.D{{Key: "$exists", Value: true}}}}
	loads := []struct {
		coll   string
		filter bson.D
		out    any
	}{
		{colUsers, hasSIS, &st.People},
		{colClasses, hasSIS, &st.Classes},
		{colEnrollments, bson.D{{Key: "sourced_id", Value: bson.D{{Key: "$exists", Value: true}}}}, &st.Enrollments},
		{colRosterRecords, bson.D{}, &st.Records},
	}
	for _, l := range loads {
		cur, err := s.db.Collection(l.coll).Find(ctx, l.filter, options.Find().SetBatchSize(rosterBatchSize))
		if err != nil {
			return nil, fmt.Errorf("load roster %s: %w", l.coll, err)
		}
		if err := cur.All(ctx, l.out); err != nil {
			return nil, fmt.Errorf("load roster %s: %w", l.coll, err)
		}
	}
	return st, nil
}

// RosterWrites are the changes of one import, each already compared with
// the RosterState: only what differs is here, so an import that changes
// nothing writes nothing.
type RosterWrites struct {
	// NewPeople and NewClasses are inserted whole.
	NewPeople  []plpbot.Person
	NewClasses []plpbot.Class
	// People and Classes are updated: the import's own fields only (name,
	// role and SIS for a person; name and SIS for a class), never the plan,
	// the class's channel or schedules.
	People  []plpbot.Person
	Classes []plpbot.Class
	// Enroll are memberships to insert; Reenroll to update (role, primary,
	// sourcedId); Unenroll the ids of memberships that end.
	Enroll   []plpbot.Enrollment
	Reenroll []plpbot.Enrollment
	Unenroll []string
	// Records are context records to store (new or changed), whole.
	Records []RosterRecord
	// Audit is appended to the audit log once the rest is written.
	Audit []plpbot.AuditEntry
}

// Len is the number of documents the writes touch.
func (w *RosterWrites) Len() int {
	return len(w.NewPeople) + len(w.NewClasses) + len(w.People) + len(w.Classes) + len(w.Enroll) +
		len(w.Reenroll) + len(w.Unenroll) + len(w.Records) + len(w.Audit)
}

// ApplyRoster writes an import's changes: one unordered bulk write per
// collection, context records first, then classes and people, then
// memberships, then the audit entries. There are no transactions here (the
// embedded database has none): if a write fails part-way, running the same
// import again completes it, since it writes only what still differs.
func (s *Store) ApplyRoster(ctx context.Context, w *RosterWrites) error {
	now := s.Now()
	steps := []struct {
		coll   string
		models []mongo.WriteModel
	}{
		{colRosterRecords, recordModels(w.Records)},
		{colClasses, classModels(w.NewClasses, w.Classes, now)},
		{colUsers, personModels(w.NewPeople, w.People, now)},
		{colEnrollments, enrollmentModels(w.Enroll, w.Reenroll, w.Unenroll)},
	}
	for _, st := range steps {
		if len(st.models) == 0 {
			continue
		}
		if _, err := s.db.Collection(st.coll).BulkWrite(ctx, st.models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("roster import: write %s: %w", st.coll, translate(err))
		}
	}
	return s.AuditMany(ctx, w.Audit)
}

func recordModels(recs []RosterRecord) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(recs))
	for _, r := range recs {
		out = append(out, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: r.ID}}).
			SetReplacement(r).SetUpsert(true))
	}
	return out
}

func classModels(created, changed []plpbot.Class, now time.Time) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(created)+len(changed))
	for _, c := range created {
		c.CreatedAt, c.UpdatedAt = now, now
		out = append(out, mongo.NewInsertOneModel().SetDocument(c))
	}
	for _, c := range changed {
		out = append(out, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: c.ID}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{
				{Key: "name", Value: c.Name}, {Key: "name_lower", Value: c.NameLower},
				{Key: "workspace", Value: c.Workspace}, {Key: "sis", Value: c.SIS}, {Key: "updated_at", Value: now},
			}}}))
	}
	return out
}

func personModels(created, changed []plpbot.Person, now time.Time) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(created)+len(changed))
	for _, p := range created {
		p.CreatedAt, p.UpdatedAt = now, now
		out = append(out, mongo.NewInsertOneModel().SetDocument(p))
	}
	for _, p := range changed {
		out = append(out, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: p.ID}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{
				{Key: "name", Value: p.Name}, {Key: "name_lower", Value: p.NameLower},
				{Key: "role", Value: p.Role}, {Key: "sis", Value: p.SIS}, {Key: "updated_at", Value: now},
			}}}))
	}
	return out
}

func enrollmentModels(created, changed []plpbot.Enrollment, ended []string) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(created)+len(changed)+len(ended))
	for _, e := range created {
		out = append(out, mongo.NewInsertOneModel().SetDocument(e))
	}
	for _, e := range changed {
		out = append(out, mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: e.ID}}).
			SetUpdate(bson.D{{Key: "$set", Value: bson.D{
				{Key: "role", Value: e.Role}, {Key: "sourced_id", Value: e.SourcedID}, {Key: "primary", Value: e.Primary},
			}}}))
	}
	for _, id := range ended {
		out = append(out, mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}))
	}
	return out
}
