package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Identity is a person's key on one platform.
type Identity struct {
	Platform   string
	Workspace  string
	PlatformID string
}

// UserID returns the stable id of the user with this identity.
func (id Identity) UserID() string {
	return id.Platform + ":" + id.Workspace + ":" + id.PlatformID
}

// UserHints are what a platform knows of a person; empty fields are ignored.
type UserHints struct {
	Name     string
	TimeZone string
	Locale   string
}

// EnsureUser returns the user with identity id, creating a student on first
// sight. An identity linked to a roster person (Link) returns that person,
// with the identity as their address. Non-empty hints update the stored
// name, time zone and locale (a roster person's name is the SIS's). The
// second result is true when the user was created now. One round trip for
// a known chat account; a linked one costs two more.
func (s *Store) EnsureUser(ctx context.Context, id Identity, hints UserHints) (*plpbot.Person, bool, error) {
	// Most requests come from people we know whose details haven't changed:
	// a read by _id answers them without a write, or none at all when they
	// were read a moment ago (actorCache).
	if u, ok := s.actors.get(id.UserID()); ok && cachedUpToDate(u, id, hints) {
		return u, false, nil
	}
	read := time.Now()
	var known struct {
		plpbot.Person `bson:",inline"`
		LastSeen      time.Time `bson:"last_seen,omitempty"` // for retention (noteSeen)
	}
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id.UserID()}}).Decode(&known)
	if err == nil && upToDate(&known.Person, hints) {
		s.noteSeen(ctx, known.ID, known.LastSeen)
		s.actors.put(known.ID, &known.Person, read)
		return &known.Person, false, nil
	}
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, fmt.Errorf("load user %s: %w", id.UserID(), err)
	}
	if err != nil { // not a chat account of its own: maybe one linked to a roster person
		u, lerr := s.linkedUser(ctx, id, hints, read)
		if !errors.Is(lerr, ErrNotFound) {
			return u, false, lerr
		}
	}
	now := s.Now()
	name := hints.Name
	if name == "" {
		name = id.PlatformID
	}
	set := bson.D{{Key: "updated_at", Value: now}, {Key: "last_seen", Value: now}}
	onInsert := bson.D{
		{Key: "platform", Value: id.Platform},
		{Key: "workspace", Value: id.Workspace},
		{Key: "platform_id", Value: id.PlatformID},
		{Key: "role", Value: plpbot.RoleStudent},
		{Key: "profile", Value: plpbot.Profile{}},
		{Key: "shoutouts", Value: false},
		{Key: "created_at", Value: now},
	}
	if hints.Name != "" {
		set = append(set, bson.E{Key: "name", Value: hints.Name}, bson.E{Key: "name_lower", Value: strings.ToLower(hints.Name)})
	} else {
		onInsert = append(onInsert, bson.E{Key: "name", Value: name}, bson.E{Key: "name_lower", Value: strings.ToLower(name)})
	}
	if hints.TimeZone != "" {
		set = append(set, bson.E{Key: "tz", Value: hints.TimeZone})
	}
	if hints.Locale != "" {
		set = append(set, bson.E{Key: "locale", Value: hints.Locale})
	}
	if err != nil { // the read found no one: insert, so exactly one caller creates
		u := plpbot.Person{
			ID: id.UserID(), Platform: id.Platform, Workspace: id.Workspace, PlatformID: id.PlatformID,
			Name: name, NameLower: strings.ToLower(name), TimeZone: hints.TimeZone, Locale: hints.Locale,
			Role: plpbot.RoleStudent, CreatedAt: now, UpdatedAt: now,
		}
		_, err := s.db.Collection(colUsers).InsertOne(ctx, u)
		if err == nil {
			return &u, true, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, false, fmt.Errorf("create user %s: %w", id.UserID(), err)
		}
		// A concurrent request created them first: update below.
	}
	var u plpbot.Person
	err = s.db.Collection(colUsers).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id.UserID()}},
		bson.D{{Key: "$set", Value: set}, {Key: "$setOnInsert", Value: onInsert}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
	).Decode(&u)
	if err != nil {
		return nil, false, fmt.Errorf("ensure user %s: %w", id.UserID(), translate(err))
	}
	return &u, false, nil
}

// cachedUpToDate reports whether u, cached under chat account id, needs
// no write: as upToDate, and for a roster person the account linked to them
// (whose name the SIS owns) still their address (linkedUser).
func cachedUpToDate(u *plpbot.Person, id Identity, h UserHints) bool {
	if u.ID == id.UserID() {
		return upToDate(u, h)
	}
	h.Name = ""
	return addressed(u, id) && upToDate(u, h)
}

// upToDate reports whether hints would change nothing about u.
func upToDate(u *plpbot.Person, h UserHints) bool {
	return (h.Name == "" || h.Name == u.Name) &&
		(h.TimeZone == "" || h.TimeZone == u.TimeZone) &&
		(h.Locale == "" || h.Locale == u.Locale)
}

// User returns the user with the given id. The id of a chat account that
// is linked to a roster person (Link) returns that person, so a mention of
// any of their accounts finds their one plan.
//
// A link read lately is taken as known (linkCache): the person is read at
// once, by their own id.
func (s *Store) User(ctx context.Context, id string) (*plpbot.Person, error) {
	var u plpbot.Person
	if person, ok := s.links.get(id); ok {
		err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: person}}).Decode(&u)
		if err == nil {
			return &u, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("load user %s: %w", id, err)
		}
		s.links.drop(func(chatID, _ string) bool { return chatID == id }) // the person is gone: read the account afresh
	}
	read := time.Now()
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) && !plpbot.IsRosterID(id) {
		var l link
		if s.db.Collection(colLinks).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&l) == nil {
			s.links.put(id, l.Person, read)
			err = s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: l.Person}}).Decode(&u)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("load user %s: %w", id, translate(err))
	}
	return &u, nil
}

// PersonID returns the id under which the person chat account chatID is
// stored, as far as this process knows without a read: the roster person
// it is linked to, if that link was read lately, else chatID itself. Reads
// keyed on a mentioned person's id can be sent with it before User answers.
func (s *Store) PersonID(chatID string) (id string, linked bool) {
	if person, ok := s.links.get(chatID); ok {
		return person, true
	}
	return chatID, false
}

// Users returns the users with the given ids, in no particular order.
func (s *Store) Users(ctx context.Context, ids []string) ([]plpbot.Person, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	var out []plpbot.Person
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	return out, nil
}

// CountAdmins counts the admins of a workspace.
func (s *Store) CountAdmins(ctx context.Context, platform, workspace string) (int64, error) {
	n, err := s.db.Collection(colUsers).CountDocuments(ctx, bson.D{
		{Key: "platform", Value: platform},
		{Key: "workspace", Value: workspace},
		{Key: "role", Value: plpbot.RoleAdmin},
	})
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// setUser applies $set fields to one user and returns the updated user.
func (s *Store) setUser(ctx context.Context, id string, set bson.D) (*plpbot.Person, error) {
	s.actors.drop(id)
	set = append(set, bson.E{Key: "updated_at", Value: s.Now()})
	var u plpbot.Person
	err := s.db.Collection(colUsers).FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$set", Value: set}},
		options.FindOneAndUpdate().SetReturnDocument(options.After),
	).Decode(&u)
	if err != nil {
		return nil, fmt.Errorf("update user %s: %w", id, translate(err))
	}
	return &u, nil
}

// SetRole gives a user a role.
func (s *Store) SetRole(ctx context.Context, id string, role plpbot.Role) (*plpbot.Person, error) {
	return s.setUser(ctx, id, bson.D{{Key: "role", Value: role}})
}

// profilePaths are the document paths of the profile fields, by the name
// people type (plpbot.ProfileFields).
var profilePaths = map[string]string{
	"interests": "profile.interests",
	"strengths": "profile.strengths",
	"grow":      "profile.grow",
	"learn":     "profile.learn",
	"career":    "profile.career",
}

// SetProfileField sets one learner-profile field (one of plpbot.ProfileFields).
func (s *Store) SetProfileField(ctx context.Context, id, field, text string) (*plpbot.Person, error) {
	path, ok := profilePaths[field]
	if !ok {
		return nil, fmt.Errorf("set profile field %q: %w", field, ErrNotFound)
	}
	return s.setUser(ctx, id, bson.D{{Key: path, Value: text}})
}

// SetShoutouts records whether a student agrees to be named in class shout-outs.
func (s *Store) SetShoutouts(ctx context.Context, id string, on bool) (*plpbot.Person, error) {
	return s.setUser(ctx, id, bson.D{{Key: "shoutouts", Value: on}})
}

// SetTimeZone sets a user's IANA time zone.
func (s *Store) SetTimeZone(ctx context.Context, id, tz string) (*plpbot.Person, error) {
	return s.setUser(ctx, id, bson.D{{Key: "tz", Value: tz}})
}

// SetAway marks a user away until a time (zero clears it).
func (s *Store) SetAway(ctx context.Context, id string, until time.Time, note string) (*plpbot.Person, error) {
	return s.setUser(ctx, id, bson.D{{Key: "away_until", Value: until}, {Key: "away_note", Value: note}})
}

// SetCantDM records why DMs to a user are refused ("" clears it).
func (s *Store) SetCantDM(ctx context.Context, id, reason string) (*plpbot.Person, error) {
	return s.setUser(ctx, id, bson.D{{Key: "cant_dm", Value: reason}})
}
