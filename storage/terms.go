package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colTerms holds the school's terms (plpbot.Term), one per name in a
// workspace. The roster import fills SourcedID; terms added in chat leave
// it empty.
const colTerms = "terms"

// AddTerm stores a term. ErrDuplicate if the workspace has a term of that
// name already.
func (s *Store) AddTerm(ctx context.Context, t plpbot.Term) (*plpbot.Term, error) {
	now := s.Now()
	t.ID = newID()
	t.NameLower = strings.ToLower(t.Name)
	t.CreatedAt = now
	if _, err := s.db.Collection(colTerms).InsertOne(ctx, t); err != nil {
		return nil, fmt.Errorf("add term %q: %w", t.Name, translate(err))
	}
	return &t, nil
}

// TermByName returns a workspace's term by name (case-insensitive): its
// own, or else one the roster import keeps (the school's records serve
// every workspace).
func (s *Store) TermByName(ctx context.Context, platform, workspace, name string) (*plpbot.Term, error) {
	ts, err := s.findTerms(ctx, append(visibleTerms(platform, workspace), bson.E{Key: "name_lower", Value: strings.ToLower(name)}))
	if err != nil {
		return nil, fmt.Errorf("load term %q: %w", name, err)
	}
	for i := range ts {
		if ts[i].Platform == platform {
			return &ts[i], nil
		}
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("load term %q: %w", name, ErrNotFound)
	}
	return &ts[0], nil
}

// visibleTerms selects the terms people of a workspace use: the
// workspace's own and the roster's.
func visibleTerms(platform, workspace string) bson.D {
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "platform", Value: platform}, {Key: "workspace", Value: workspace}},
		bson.D{{Key: "platform", Value: plpbot.PlatformRoster}},
	}}}
}

// Term returns a term by id.
func (s *Store) Term(ctx context.Context, id string) (*plpbot.Term, error) {
	var t plpbot.Term
	if err := s.db.Collection(colTerms).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&t); err != nil {
		return nil, fmt.Errorf("load term %s: %w", id, translate(err))
	}
	return &t, nil
}

// Terms returns the terms of a workspace, earliest first: its own and
// those the roster import keeps.
func (s *Store) Terms(ctx context.Context, platform, workspace string) ([]plpbot.Term, error) {
	return s.findTerms(ctx, visibleTerms(platform, workspace))
}

// TermsByID returns every term (the scheduler's planning pass reads them
// all at once: a school has a handful), by id.
func (s *Store) TermsByID(ctx context.Context) (map[string]*plpbot.Term, error) {
	ts, err := s.findTerms(ctx, bson.D{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]*plpbot.Term, len(ts))
	for i := range ts {
		out[ts[i].ID] = &ts[i]
	}
	return out, nil
}

func (s *Store) findTerms(ctx context.Context, filter bson.D) ([]plpbot.Term, error) {
	cur, err := s.db.Collection(colTerms).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "starts", Value: 1}, {Key: "name_lower", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list terms: %w", err)
	}
	var out []plpbot.Term
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list terms: %w", err)
	}
	return out, nil
}

// SetClassTerm puts a class in a term ("" takes it out of any).
func (s *Store) SetClassTerm(ctx context.Context, classID, termID string) (*plpbot.Class, error) {
	var c plpbot.Class
	err := s.db.Collection(colClasses).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: classID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "term_id", Value: termID}, {Key: "updated_at", Value: s.Now()}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return nil, fmt.Errorf("set class term: %w", translate(err))
	}
	return &c, nil
}

// termInserts insert the terms a roster import brings.
func termInserts(created []plpbot.Term, now time.Time) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(created))
	for _, t := range created {
		t.NameLower, t.CreatedAt = strings.ToLower(t.Name), now
		out = append(out, mongo.NewInsertOneModel().SetDocument(t))
	}
	return out
}

// termUpdates set what a roster import owns of a term: its name and days.
func termUpdates(changed []plpbot.Term) []mongo.WriteModel {
	out := make([]mongo.WriteModel, 0, len(changed))
	for _, t := range changed {
		out = append(out, updateByID(t.ID, bson.D{{Key: "$set", Value: bson.D{
			{Key: "name", Value: t.Name}, {Key: "name_lower", Value: strings.ToLower(t.Name)},
			{Key: "starts", Value: t.Starts}, {Key: "ends", Value: t.Ends},
		}}}))
	}
	return out
}
