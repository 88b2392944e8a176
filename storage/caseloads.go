package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colCaseloads holds one plpbot.Caseload per counselor, keyed by the
// counselor's id: the access check reads it by _id, one indexed query.
const colCaseloads = "caseloads"

// Caseload returns a counselor's caseload, empty (but never nil) when they
// have none. One read by _id.
func (s *Store) Caseload(ctx context.Context, counselor *plpbot.Person) (*plpbot.Caseload, error) {
	var c plpbot.Caseload
	err := s.db.Collection(colCaseloads).FindOne(ctx, bson.D{{Key: "_id", Value: counselor.ID}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return &plpbot.Caseload{CounselorID: counselor.ID, Platform: counselor.Platform, Workspace: counselor.Workspace}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load caseload of %s: %w", counselor.ID, err)
	}
	return &c, nil
}

// CaseloadChange is one change an admin makes to a caseload: it adds or
// removes (not both at once: MongoDB refuses two operators on one list).
// Adding a student by name also takes back an earlier removal; removing one
// by name drops them from the named list and keeps them off whatever the
// rules say.
type CaseloadChange struct {
	AddGrades, RemoveGrades       []string
	AddLastNames, RemoveLastNames []plpbot.NameRange
	AddStudents, RemoveStudents   []string
}

// ChangeCaseload applies ch to counselor's caseload (creating it) and
// returns the caseload as it is now. One upsert.
func (s *Store) ChangeCaseload(ctx context.Context, counselor *plpbot.Person, ch CaseloadChange) (*plpbot.Caseload, error) {
	defer s.caseloads.drop(nil)
	add, pull := bson.D{}, bson.D{}
	each := func(d *bson.D, field string, vals any, n int) {
		if n > 0 {
			*d = append(*d, bson.E{Key: field, Value: bson.D{{Key: "$each", Value: vals}}})
		}
	}
	all := func(d *bson.D, field string, vals any, n int) {
		if n > 0 {
			*d = append(*d, bson.E{Key: field, Value: vals})
		}
	}
	each(&add, "grades", ch.AddGrades, len(ch.AddGrades))
	each(&add, "last", ch.AddLastNames, len(ch.AddLastNames))
	each(&add, "added", ch.AddStudents, len(ch.AddStudents))
	each(&add, "removed", ch.RemoveStudents, len(ch.RemoveStudents))
	all(&pull, "grades", ch.RemoveGrades, len(ch.RemoveGrades))
	all(&pull, "last", ch.RemoveLastNames, len(ch.RemoveLastNames))
	all(&pull, "added", ch.RemoveStudents, len(ch.RemoveStudents))
	all(&pull, "removed", ch.AddStudents, len(ch.AddStudents))
	update := bson.D{
		{Key: "$set", Value: bson.D{{Key: "updated_at", Value: s.Now()}}},
		{Key: "$setOnInsert", Value: bson.D{{Key: "platform", Value: counselor.Platform}, {Key: "workspace", Value: counselor.Workspace}}},
	}
	if len(add) > 0 {
		update = append(update, bson.E{Key: "$addToSet", Value: add})
	}
	if len(pull) > 0 {
		update = append(update, bson.E{Key: "$pullAll", Value: pull})
	}
	var c plpbot.Caseload
	err := s.db.Collection(colCaseloads).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: counselor.ID}}, update,
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("change caseload of %s: %w", counselor.ID, translate(err))
	}
	return &c, nil
}

// SetGrade sets a person's grade level (plpbot.NormalizeGrade; "" clears it).
func (s *Store) SetGrade(ctx context.Context, id, grade string) (*plpbot.Person, error) {
	return s.setUser(ctx, id, bson.D{{Key: "grade", Value: grade}})
}

// caseloadProjection is what deciding caseload membership and a roster row
// read of a user.
var caseloadProjection = func() bson.D {
	p := append(bson.D{}, rosterProjection...)
	return append(p, bson.E{Key: "grade", Value: 1}, bson.E{Key: "sis.grades", Value: 1}, bson.E{Key: "role", Value: 1},
		bson.E{Key: "platform", Value: 1}, bson.E{Key: "workspace", Value: 1}, bson.E{Key: "tz", Value: 1})
}()

// CaseloadStudents returns the students on c now (plpbot.Caseload.Includes),
// each with what a roster row needs. Without last-name rules it reads only
// the students the grades (set in chat, or as the SIS spells them) and
// names pick; with them, every student of the school once: the
// workspace's and those the roster import brought.
func (s *Store) CaseloadStudents(ctx context.Context, c *plpbot.Caseload) ([]plpbot.Person, error) {
	return s.CaseloadAnd(ctx, c, nil)
}

// CaseloadAnd returns, in one read, the students on c now (as
// CaseloadStudents, c nil for none) and the people ids, each with what a
// roster row and Caseload.Includes need: a counselor's "who's due" wants
// their caseload and the students they teach or meet at once. The caller
// asks Includes which are on the caseload.
func (s *Store) CaseloadAnd(ctx context.Context, c *plpbot.Caseload, ids []string) ([]plpbot.Person, error) {
	var or bson.A
	if c != nil && !c.Empty() {
		or = append(or, caseloadFilter(c))
	}
	if len(ids) > 0 {
		or = append(or, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	}
	if len(or) == 0 {
		return nil, nil
	}
	filter := bson.D{{Key: "$or", Value: or}}
	if len(or) == 1 {
		filter = or[0].(bson.D)
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, filter,
		options.Find().SetBatchSize(rosterBatch).SetProjection(caseloadProjection))
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	defer cur.Close(ctx)
	wanted := make(map[string]bool, len(ids))
	for _, id := range ids {
		wanted[id] = true
	}
	var out []plpbot.Person
	for cur.Next(ctx) {
		var u plpbot.Person
		if err := cur.Decode(&u); err != nil {
			return nil, fmt.Errorf("caseload: %w", err)
		}
		if wanted[u.ID] || c.Includes(&u) {
			out = append(out, u)
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	return out, nil
}

// rosterPrefix starts the id of every person the roster import brought,
// linked or not.
var rosterPrefix = plpbot.RosterID("")

// caseloadFilter selects the students c may include (c.Includes decides).
func caseloadFilter(c *plpbot.Caseload) bson.D {
	filter := bson.D{{Key: "role", Value: plpbot.RoleStudent}}
	if len(c.LastNames) > 0 {
		// "roster:" ≤ id < "roster;"
		return append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "platform", Value: c.Platform}, {Key: "workspace", Value: c.Workspace}},
			bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: rosterPrefix}, {Key: "$lt", Value: rosterPrefix[:len(rosterPrefix)-1] + ";"}}}},
		}})
	}
	or := bson.A{}
	if len(c.Grades) > 0 {
		var spellings []string
		for _, g := range c.Grades {
			spellings = append(spellings, plpbot.GradeSpellings(g)...)
		}
		or = append(or, bson.D{{Key: "grade", Value: bson.D{{Key: "$in", Value: c.Grades}}}},
			bson.D{{Key: "sis.grades", Value: bson.D{{Key: "$in", Value: spellings}}}})
	}
	if len(c.Added) > 0 {
		or = append(or, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: c.Added}}}})
	}
	return append(filter, bson.E{Key: "$or", Value: or})
}

// CaseloadRoster returns a roster row per student on c now, ordered by
// name. The goals of the school (its workspace's students and the roster
// import's) are read with the students, as the caseload's rules pick
// students only once they are read.
func (s *Store) CaseloadRoster(ctx context.Context, c *plpbot.Caseload) ([]plpbot.RosterRow, error) {
	if c.Empty() {
		return nil, nil
	}
	school := Identity{Platform: c.Platform, Workspace: c.Workspace}.UserID()
	people, goals, err := s.readStudents(ctx, studentsRead{
		users: caseloadFilter(c), userProjection: caseloadProjection,
		goals: students{prefixes: []string{school, rosterPrefix}},
		keep:  c.Includes,
	})
	if err != nil {
		return nil, fmt.Errorf("caseload of %s: %w", c.CounselorID, err)
	}
	return rowsOf(people, goals), nil
}

// forgetInCaseloads deletes a counselor's caseload and takes a student off
// every caseload's named lists.
func (s *Store) forgetInCaseloads(ctx context.Context, id string) error {
	defer s.caseloads.drop(nil)
	if _, err := s.db.Collection(colCaseloads).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
		return fmt.Errorf("forget %s in caseloads: %w", id, err)
	}
	_, err := s.db.Collection(colCaseloads).UpdateMany(ctx,
		bson.D{{Key: "$or", Value: bson.A{bson.D{{Key: "added", Value: id}}, bson.D{{Key: "removed", Value: id}}}}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "added", Value: id}, {Key: "removed", Value: id}}}})
	if err != nil {
		return fmt.Errorf("forget %s in caseloads: %w", id, err)
	}
	return nil
}

// ChatCaseloads returns the roster counselors (by their RosterID) whose
// caseload admins keep in chat (no SourcedID): the roster import leaves
// those as they are. One read of a handful of documents.
func (s *Store) ChatCaseloads(ctx context.Context) (map[string]bool, error) {
	rosterPrefix := plpbot.RosterID("")
	cur, err := s.db.Collection(colCaseloads).Find(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$gte", Value: rosterPrefix}, {Key: "$lt", Value: rosterPrefix[:len(rosterPrefix)-1] + ";"}}},
		{Key: "sourced_id", Value: bson.D{{Key: "$exists", Value: false}}},
	}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("caseloads kept in chat: %w", err)
	}
	var ids []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return nil, fmt.Errorf("caseloads kept in chat: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, x := range ids {
		out[x.ID] = true
	}
	return out, nil
}

// caseloadUpdates put the students a roster import adds on their
// counselors' caseloads (creating a caseload, marked as the import's with
// its SourcedID) and take off those it removes: $addToSet and $pullAll on
// the named list only, so rules and students an admin named stay.
func caseloadUpdates(changes []CaseloadWrite, now time.Time) []mongo.WriteModel {
	var out []mongo.WriteModel
	for _, w := range changes {
		c := &w.Caseload
		if len(w.Add) > 0 {
			out = append(out, updateByID(c.CounselorID, bson.D{
				{Key: "$addToSet", Value: bson.D{{Key: "added", Value: bson.D{{Key: "$each", Value: w.Add}}}}},
				{Key: "$set", Value: bson.D{{Key: "sourced_id", Value: c.SourcedID}, {Key: "updated_at", Value: now}}},
				{Key: "$setOnInsert", Value: bson.D{{Key: "platform", Value: c.Platform}, {Key: "workspace", Value: c.Workspace}}},
			}).SetUpsert(true))
		}
		if len(w.Remove) > 0 {
			out = append(out, updateByID(c.CounselorID, bson.D{
				{Key: "$pullAll", Value: bson.D{{Key: "added", Value: w.Remove}}},
				{Key: "$set", Value: bson.D{{Key: "updated_at", Value: now}}},
			}))
		}
	}
	return out
}
