package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/embedded"
)

// FormerStaffName and FormerStaffID replace a forgotten person's name and id
// on the records they wrote about others (feedback, flags, classes,
// conferences, talking points, audit entries), which stay: they belong to
// the students' plans and to the school's record of disclosures.
const (
	FormerStaffName = "a former staff member"
	FormerStaffID   = "former-staff"
)

// Eraser is who erases someone: an admin, or the retention policy.
type Eraser struct {
	ID   string
	Name string
}

// RetentionEraser is the eraser of people purged for inactivity
// (privacy.retention_days).
var RetentionEraser = Eraser{ID: "plpbot:retention", Name: "the retention policy"}

// RecordCounts says what forgetting one person changes, on both sides:
// their own records, deleted, and others' records that name them as their
// author, anonymised. CountRecords previews it; Forget returns what it did.
type RecordCounts struct {
	// Their own records, deleted.
	Goals       int64
	CheckIns    int64
	Reflections int64
	Feedback    int64 // feedback given to them (on their goals)
	Flags       int64 // flags about them
	Classes     int64 // class memberships, as a student or a teacher
	Conferences int64 // conferences where they are the student
	Prompts     int64
	Messages    int64 // scheduled messages to them or about their conferences
	Audit       int64 // audit entries about them; one erasure record replaces them
	// Others' records that name them, anonymised.
	FeedbackGiven   int64
	FlagsRecorded   int64
	ClassesCreated  int64
	ConferencesHeld int64
	UpcomingHeld    int64 // of ConferencesHeld: scheduled ahead, now cancelled
	AgendaItems     int64 // talking points they added to others' conferences
	AuditActions    int64 // audit entries of what they did
}

// Total is the number of their own records deleted, not counting the user
// document itself.
func (c RecordCounts) Total() int64 {
	return c.Goals + c.CheckIns + c.Reflections + c.Feedback + c.Flags + c.Classes + c.Conferences +
		c.Prompts + c.Messages + c.Audit
}

// Anonymised is the number of others' records that stop naming them.
func (c RecordCounts) Anonymised() int64 {
	return c.FeedbackGiven + c.FlagsRecorded + c.ClassesCreated + c.ConferencesHeld + c.AgendaItems + c.AuditActions
}

// CountRecords previews Forget(id): what it would delete and anonymise,
// found exactly as Forget finds it.
func (s *Store) CountRecords(ctx context.Context, id string) (RecordCounts, error) {
	p, err := s.planErasure(ctx, id)
	if err != nil {
		return RecordCounts{}, err
	}
	return p.counts, nil
}

// Forget erases person id. It deletes their user document and every record
// of theirs (goals, check-ins, reflections, prompts, class memberships,
// feedback and flags about them, their conferences, their scheduled
// messages and those messages' claims, the audit entries about them, a
// counselor's caseload and their name on anyone's), and
// replaces their name and id with FormerStaffName and FormerStaffID on the
// records they wrote about others, ending the standing 1:1s they held and
// cancelling those ahead. One erasure record, written first, stands for
// them in the audit log: it names by, and them only by a keyed hash (see
// Erasures). On the embedded database the files are then scrubbed (Scrub).
//
// It returns what it changed. Forgetting someone unknown, or twice, changes
// nothing and is not an error.
func (s *Store) Forget(ctx context.Context, id string, by Eraser) (RecordCounts, error) {
	s.actors.drop(id)
	rc, erased, err := s.forget(ctx, id, by)
	if err != nil || !erased {
		return rc, err
	}
	return rc, s.Scrub(ctx)
}

// forgetRounds bounds how often forget looks again for records written
// while it ran (a check-in sent at that moment).
const forgetRounds = 3

// forget is Forget without the scrub, so that a batch scrubs once. erased
// is false when there was nothing of the person to erase.
func (s *Store) forget(ctx context.Context, id string, by Eraser) (done RecordCounts, erased bool, err error) {
	// Signed out first, so nothing reads their records while they go.
	if err := s.EndSessionsOf(ctx, id); err != nil {
		return done, false, err
	}
	for round := range forgetRounds {
		p, err := s.planErasure(ctx, id)
		if err != nil {
			return done, erased, err
		}
		if p.empty() {
			break
		}
		if round == 0 {
			detail := strconv.FormatInt(p.counts.Total(), 10) + " records deleted, " +
				strconv.FormatInt(p.counts.Anonymised(), 10) + " anonymised"
			if err := s.recordErasure(ctx, id, by, detail); err != nil {
				return done, erased, err
			}
		}
		erased = true
		rc, err := s.applyErasure(ctx, p)
		done = done.plus(rc)
		if err != nil {
			return done, erased, err
		}
	}
	if erased {
		// The SIS roster's last state holds them too (storage/roster.go).
		if err := s.forgetInRoster(ctx, id); err != nil {
			return done, erased, fmt.Errorf("forget %s in the roster: %w", id, err)
		}
		// A counselor's caseload, and their name on anyone's (caseloads.go).
		if err := s.forgetInCaseloads(ctx, id); err != nil {
			return done, erased, err
		}
		// A teacher's id on their students' enrollments (teachers.go).
		if err := s.forgetInTeacherLists(ctx, id); err != nil {
			return done, erased, err
		}
	}
	return done, erased, nil
}

// erasurePlan is everything forgetting one person touches, found once:
// CountRecords reports it, forget applies it.
type erasurePlan struct {
	id     string
	user   bool              // their user document exists
	own    []idSet           // their own records, to delete
	claims []any             // claims of their scheduled messages
	held   []heldConf        // conferences they held
	agenda []agendaRewrite   // others' conferences with talking points of theirs
	given  []feedbackRewrite // others' goals with feedback of theirs
	onOwn  int64             // feedback on their own goals, deleted with them
	others []authoredSet     // others' records naming them, besides conferences
	counts RecordCounts
}

// idSet is the ids of one kind of record in one collection.
type idSet struct {
	coll string
	ids  []any
	n    *int64
}

// authoredSet is one kind of others' records that name the person as their
// author, and the change that anonymises them.
type authoredSet struct {
	coll string
	ids  []any
	set  bson.D
	n    *int64
}

// heldConf is a conference the person held, and whether it is still ahead.
type heldConf struct {
	id       any
	upcoming bool
}

// agendaRewrite is an agenda with the person's talking points anonymised.
type agendaRewrite struct {
	id     any
	agenda []bson.D
}

// feedbackRewrite is a goal's feedback with the person's anonymised, as
// read: it is written back only while the goal holds no more than that.
type feedbackRewrite struct {
	id       any
	feedback []bson.D
}

func (p *erasurePlan) empty() bool {
	return !p.user && p.counts.Total()+p.counts.Anonymised() == 0
}

// plus adds two counts.
func (c RecordCounts) plus(d RecordCounts) RecordCounts {
	return RecordCounts{
		Goals: c.Goals + d.Goals, CheckIns: c.CheckIns + d.CheckIns, Reflections: c.Reflections + d.Reflections,
		Feedback: c.Feedback + d.Feedback, Flags: c.Flags + d.Flags, Classes: c.Classes + d.Classes,
		Conferences: c.Conferences + d.Conferences, Prompts: c.Prompts + d.Prompts, Messages: c.Messages + d.Messages,
		Audit: c.Audit + d.Audit, FeedbackGiven: c.FeedbackGiven + d.FeedbackGiven, FlagsRecorded: c.FlagsRecorded + d.FlagsRecorded,
		ClassesCreated: c.ClassesCreated + d.ClassesCreated, ConferencesHeld: c.ConferencesHeld + d.ConferencesHeld,
		UpcomingHeld: c.UpcomingHeld + d.UpcomingHeld, AgendaItems: c.AgendaItems + d.AgendaItems, AuditActions: c.AuditActions + d.AuditActions,
	}
}

// planErasure finds everything forgetting person id touches.
func (s *Store) planErasure(ctx context.Context, id string) (*erasurePlan, error) {
	p := &erasurePlan{id: id}
	n, err := s.db.Collection(colUsers).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return nil, fmt.Errorf("plan forgetting %s: %w", id, err)
	}
	p.user = n > 0
	if err := s.planOwn(ctx, p); err != nil {
		return nil, err
	}
	if err := s.planMessages(ctx, p); err != nil {
		return nil, err
	}
	if err := s.planAuthored(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// planOwn finds the person's own records.
func (s *Store) planOwn(ctx context.Context, p *erasurePlan) error {
	rc := &p.counts
	for _, o := range []struct {
		coll, field string
		n           *int64
	}{
		{colGoals, "user_id", &rc.Goals},
		{colCheckIns, "user_id", &rc.CheckIns},
		{colReflections, "user_id", &rc.Reflections},
		{colPrompts, "user_id", &rc.Prompts},
		{colEnrollments, "user_id", &rc.Classes},
		{colFeedback, "student_id", &rc.Feedback},
		{colFlags, "student_id", &rc.Flags},
		{colConferences, "student_id", &rc.Conferences},
		{colAudit, "subject_id", &rc.Audit},
	} {
		ids, err := s.idsWhere(ctx, o.coll, embedded.Match{Field: o.field, Values: []any{p.id}})
		if err != nil {
			return err
		}
		*o.n = int64(len(ids))
		p.own = append(p.own, idSet{coll: o.coll, ids: ids, n: o.n})
	}
	return s.planOwnFeedback(ctx, p)
}

// planOwnFeedback counts the feedback on the person's own goals, which
// goes with the goals.
func (s *Store) planOwnFeedback(ctx context.Context, p *erasurePlan) error {
	if len(p.ownIDs(colGoals)) == 0 {
		return nil
	}
	cur, err := s.db.Collection(colGoals).Find(ctx, feedbackAuditFilter(p.id, time.Time{}),
		options.Find().SetProjection(feedbackEntryFields))
	if err != nil {
		return fmt.Errorf("plan forgetting %s: %w", p.id, err)
	}
	var goals []goalFeedback
	if err := cur.All(ctx, &goals); err != nil {
		return fmt.Errorf("plan forgetting %s: %w", p.id, err)
	}
	for _, g := range goals {
		p.onOwn += int64(len(g.Feedback))
	}
	p.counts.Feedback += p.onOwn
	return nil
}

// ownIDs returns the ids of the person's own records in coll.
func (p *erasurePlan) ownIDs(coll string) []any {
	for _, o := range p.own {
		if o.coll == coll {
			return o.ids
		}
	}
	return nil
}

// planMessages finds the outbox items sent to the person or about their
// conferences, and the claims of every attempt to send them (a claim's _id
// is the item's and the attempt's).
func (s *Store) planMessages(ctx context.Context, p *erasurePlan) error {
	var nums []any
	for _, cid := range p.ownIDs(colConferences) {
		var c struct {
			Number int `bson:"number"`
		}
		if err := s.db.Collection(colConferences).FindOne(ctx, bson.D{{Key: "_id", Value: cid}}).Decode(&c); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			return fmt.Errorf("plan forgetting %s: %w", p.id, err)
		}
		nums = append(nums, c.Number)
	}
	ids, err := s.idsWhere(ctx, colOutbox,
		embedded.Match{Field: "recipient", Values: []any{p.id}}, embedded.Match{Field: "conference", Values: nums})
	if err != nil {
		return err
	}
	for _, iid := range ids {
		var it struct {
			ID      string `bson:"_id"`
			Attempt int    `bson:"attempt"`
		}
		if err := s.db.Collection(colOutbox).FindOne(ctx, bson.D{{Key: "_id", Value: iid}}).Decode(&it); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			return fmt.Errorf("plan forgetting %s: %w", p.id, err)
		}
		for a := 1; a <= it.Attempt; a++ {
			p.claims = append(p.claims, it.ID+"#"+strconv.Itoa(a))
		}
	}
	p.counts.Messages = int64(len(ids))
	p.own = append(p.own, idSet{coll: colOutbox, ids: ids, n: &p.counts.Messages})
	return nil
}

// planAuthored finds others' records that name the person as their author.
func (s *Store) planAuthored(ctx context.Context, p *erasurePlan) error {
	rc := &p.counts
	for _, a := range []struct {
		coll, field string
		set         bson.D
		n           *int64
	}{
		{colFeedback, "staff_id", bson.D{{Key: "staff_id", Value: FormerStaffID}, {Key: "staff_name", Value: FormerStaffName}}, &rc.FeedbackGiven},
		{colFlags, "by_id", bson.D{{Key: "by_id", Value: FormerStaffID}}, &rc.FlagsRecorded},
		{colClasses, "created_by", bson.D{{Key: "created_by", Value: FormerStaffID}}, &rc.ClassesCreated},
		{colAudit, "actor_id", bson.D{{Key: "actor_id", Value: FormerStaffID}, {Key: "actor_name", Value: FormerStaffName}}, &rc.AuditActions},
	} {
		ids, err := s.idsWhere(ctx, a.coll, embedded.Match{Field: a.field, Values: []any{p.id}})
		if err != nil {
			return err
		}
		ids = without(ids, p.ownIDs(a.coll))
		*a.n = int64(len(ids))
		p.others = append(p.others, authoredSet{coll: a.coll, ids: ids, set: a.set, n: a.n})
	}
	if err := s.planFeedbackGiven(ctx, p); err != nil {
		return err
	}
	return s.planConferencesHeld(ctx, p)
}

// planFeedbackGiven finds others' goals holding feedback the person gave,
// to rewrite with it anonymised (FerretDB v1 has no positional updates).
func (s *Store) planFeedbackGiven(ctx context.Context, p *erasurePlan) error {
	ids, err := s.idsWhere(ctx, colGoals, embedded.Match{Field: fieldFeedback + ".staff_id", Values: []any{p.id}})
	if err != nil {
		return err
	}
	for _, gid := range without(ids, p.ownIDs(colGoals)) {
		var g struct {
			Feedback []bson.D `bson:"feedback"`
		}
		if err := s.db.Collection(colGoals).FindOne(ctx, bson.D{{Key: "_id", Value: gid}}).Decode(&g); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			return fmt.Errorf("plan forgetting %s: %w", p.id, err)
		}
		if n := anonymiseItems(g.Feedback, p.id, "staff_id", "staff_name"); n > 0 {
			p.given = append(p.given, feedbackRewrite{id: gid, feedback: g.Feedback})
			p.counts.FeedbackGiven += int64(n)
		}
	}
	return nil
}

// planConferencesHeld finds the conferences the person held (to anonymise,
// and cancel those ahead) and others' conferences holding talking points
// of theirs (to rewrite: FerretDB v1 has no positional updates).
func (s *Store) planConferencesHeld(ctx context.Context, p *erasurePlan) error {
	ids, err := s.idsWhere(ctx, colConferences,
		embedded.Match{Field: "teacher_id", Values: []any{p.id}}, embedded.Match{Field: "agenda.by_id", Values: []any{p.id}})
	if err != nil {
		return err
	}
	now := s.Now()
	for _, cid := range without(ids, p.ownIDs(colConferences)) {
		var c struct {
			TeacherID string                  `bson:"teacher_id"`
			Status    plpbot.ConferenceStatus `bson:"status"`
			At        bson.DateTime           `bson:"at"`
			Agenda    []bson.D                `bson:"agenda"`
		}
		if err := s.db.Collection(colConferences).FindOne(ctx, bson.D{{Key: "_id", Value: cid}}).Decode(&c); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			return fmt.Errorf("plan forgetting %s: %w", p.id, err)
		}
		if c.TeacherID == p.id {
			upcoming := c.Status == plpbot.ConferenceScheduled && !c.At.Time().Before(now)
			p.held = append(p.held, heldConf{id: cid, upcoming: upcoming})
			p.counts.ConferencesHeld++
			if upcoming {
				p.counts.UpcomingHeld++
			}
		}
		if n := anonymiseAgenda(c.Agenda, p.id); n > 0 {
			p.agenda = append(p.agenda, agendaRewrite{id: cid, agenda: c.Agenda})
			p.counts.AgendaItems += int64(n)
		}
	}
	return nil
}

// anonymiseAgenda replaces id as the author of talking points in agenda,
// in place, and returns how many it changed.
func anonymiseAgenda(agenda []bson.D, id string) int {
	return anonymiseItems(agenda, id, "by_id", "by_name")
}

// anonymiseItems replaces id as the author of items (its id under idKey,
// its name under nameKey), in place, and returns how many it changed.
func anonymiseItems(items []bson.D, id, idKey, nameKey string) int {
	n := 0
	for _, item := range items {
		if !slices.ContainsFunc(item, func(e bson.E) bool { return e.Key == idKey && e.Value == id }) {
			continue
		}
		n++
		for i := range item {
			switch item[i].Key {
			case idKey:
				item[i].Value = FormerStaffID
			case nameKey:
				item[i].Value = FormerStaffName
			}
		}
	}
	return n
}

// applyErasure deletes and anonymises what p found, the user document
// last, so that an interrupted Forget can simply be run again.
func (s *Store) applyErasure(ctx context.Context, p *erasurePlan) (RecordCounts, error) {
	var rc RecordCounts
	if err := s.deleteIDs(ctx, colClaims, p.claims); err != nil {
		return rc, err
	}
	own := map[string]*int64{
		colGoals: &rc.Goals, colCheckIns: &rc.CheckIns, colReflections: &rc.Reflections, colPrompts: &rc.Prompts,
		colEnrollments: &rc.Classes, colFeedback: &rc.Feedback, colFlags: &rc.Flags, colConferences: &rc.Conferences,
		colAudit: &rc.Audit, colOutbox: &rc.Messages,
	}
	for _, o := range p.own {
		if err := s.deleteIDs(ctx, o.coll, o.ids); err != nil {
			return rc, fmt.Errorf("forget %s: %w", p.id, err)
		}
		*own[o.coll] += int64(len(o.ids))
	}
	rc.Feedback += p.onOwn
	if err := s.anonymise(ctx, p, &rc); err != nil {
		return rc, fmt.Errorf("forget %s: %w", p.id, err)
	}
	s.links.drop(func(_, person string) bool { return person == p.id })
	if _, err := s.db.Collection(colLinks).DeleteMany(ctx, bson.D{{Key: "person", Value: p.id}}); err != nil {
		return rc, fmt.Errorf("forget %s: links: %w", p.id, err)
	}
	if _, err := s.db.Collection(colUsers).DeleteOne(ctx, bson.D{{Key: "_id", Value: p.id}}); err != nil {
		return rc, fmt.Errorf("forget %s: %w", p.id, err)
	}
	return rc, nil
}

// anonymise applies the anonymising part of p.
func (s *Store) anonymise(ctx context.Context, p *erasurePlan, rc *RecordCounts) error {
	now := s.Now()
	for _, a := range p.others {
		if err := s.setIDs(ctx, a.coll, a.ids, a.set); err != nil {
			return err
		}
	}
	rc.FeedbackGiven, rc.FlagsRecorded = p.counts.FeedbackGiven, p.counts.FlagsRecorded
	rc.ClassesCreated, rc.AuditActions = p.counts.ClassesCreated, p.counts.AuditActions
	for _, a := range p.agenda {
		if err := s.setIDs(ctx, colConferences, []any{a.id}, bson.D{{Key: "agenda", Value: a.agenda}}); err != nil {
			return err
		}
	}
	rc.AgendaItems = p.counts.AgendaItems
	if err := s.rewriteFeedback(ctx, p.given); err != nil {
		return err
	}
	for _, c := range p.held {
		set := bson.D{{Key: "teacher_id", Value: FormerStaffID}, {Key: "teacher_name", Value: FormerStaffName},
			{Key: "every", Value: ""}, {Key: "updated_at", Value: now}}
		if c.upcoming {
			set = append(set, bson.E{Key: "status", Value: plpbot.ConferenceCancelled})
		}
		if err := s.setIDs(ctx, colConferences, []any{c.id}, set); err != nil {
			return err
		}
	}
	rc.ConferencesHeld, rc.UpcomingHeld = p.counts.ConferencesHeld, p.counts.UpcomingHeld
	return nil
}

// rewriteFeedback writes back goals' feedback as anonymised, in unordered
// bulk writes of updates of "many" by _id (byid.go), each applying only
// while its goal holds no feedback given since it was read (feedback is
// only ever pushed): otherwise it changes nothing, and forget's next round
// reads the goal again.
func (s *Store) rewriteFeedback(ctx context.Context, goals []feedbackRewrite) error {
	for lo := 0; lo < len(goals); lo += idsBatch {
		batch := goals[lo:min(lo+idsBatch, len(goals))]
		models := make([]mongo.WriteModel, len(batch))
		for i, g := range batch {
			more := fieldFeedback + "." + strconv.Itoa(len(g.feedback))
			models[i] = mongo.NewUpdateManyModel().
				SetFilter(bson.D{{Key: "_id", Value: g.id}, {Key: more, Value: bson.D{{Key: "$exists", Value: false}}}}).
				SetUpdate(bson.D{{Key: "$set", Value: bson.D{{Key: fieldFeedback, Value: g.feedback}}}})
		}
		if _, err := s.db.Collection(colGoals).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("write goals: %w", err)
		}
	}
	return nil
}
