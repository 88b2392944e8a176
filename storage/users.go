package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Role is what a person may do.
type Role string

// Roles, from least to most access.
const (
	RoleStudent   Role = "student"
	RoleTeacher   Role = "teacher"
	RoleCounselor Role = "counselor"
	RoleAdmin     Role = "admin"
)

// IsStaff reports whether r is a teacher, counselor or admin.
func (r Role) IsStaff() bool { return r == RoleTeacher || r == RoleCounselor || r == RoleAdmin }

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

// Profile is a student's learner profile.
type Profile struct {
	Interests string `bson:"interests,omitempty"`
	Strengths string `bson:"strengths,omitempty"`
	Grow      string `bson:"grow,omitempty"`   // areas to grow
	Learn     string `bson:"learn,omitempty"`  // how I learn best
	Career    string `bson:"career,omitempty"` // career interests
}

// User is a person plpbot knows: a student or a member of staff.
type User struct {
	ID         string    `bson:"_id"`
	Platform   string    `bson:"platform"`
	Workspace  string    `bson:"workspace"`
	PlatformID string    `bson:"platform_id"`
	Name       string    `bson:"name"`
	NameLower  string    `bson:"name_lower"`
	TimeZone   string    `bson:"tz,omitempty"`
	Locale     string    `bson:"locale,omitempty"`
	Role       Role      `bson:"role"`
	Profile    Profile   `bson:"profile"`
	Shoutouts  bool      `bson:"shoutouts"`
	AwayUntil  time.Time `bson:"away_until,omitempty"`
	AwayNote   string    `bson:"away_note,omitempty"`
	// CantDM is why the platform refuses DMs to this person ("" if it doesn't).
	CantDM  string `bson:"cant_dm,omitempty"`
	GoalSeq int    `bson:"goal_seq"`
	// GoalSummaries mirror each goal's status and progress ("g1", "g2", …)
	// for rosters; see noteGoal.
	GoalSummaries map[string]GoalSummary `bson:"gs,omitempty"`
	// LastCheckIn is the time of the student's latest check-in.
	LastCheckIn time.Time `bson:"last_checkin,omitempty"`
	// Flagged is true when staff recorded an intervention flag (staff-only).
	Flagged   bool      `bson:"flagged,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// Identity returns the user's platform identity.
func (u *User) Identity() Identity {
	return Identity{Platform: u.Platform, Workspace: u.Workspace, PlatformID: u.PlatformID}
}

// Away reports whether the user is away at t.
func (u *User) Away(t time.Time) bool { return !u.AwayUntil.IsZero() && t.Before(u.AwayUntil) }

// Location returns the user's time zone, or fallback if unknown or invalid.
func (u *User) Location(fallback *time.Location) *time.Location {
	if u.TimeZone != "" {
		if loc, err := time.LoadLocation(u.TimeZone); err == nil {
			return loc
		}
	}
	return fallback
}

// UserHints are what a platform knows of a person; empty fields are ignored.
type UserHints struct {
	Name     string
	TimeZone string
	Locale   string
}

// EnsureUser returns the user with identity id, creating a student on first
// sight. Non-empty hints update the stored name, time zone and locale. The
// second result is true when the user was created now. One round trip.
func (s *Store) EnsureUser(ctx context.Context, id Identity, hints UserHints) (*User, bool, error) {
	// Most requests come from people we know whose details haven't changed:
	// a read by _id answers them without a write.
	var known User
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id.UserID()}}).Decode(&known)
	if err == nil && known.upToDate(hints) {
		return &known, false, nil
	}
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, fmt.Errorf("load user %s: %w", id.UserID(), err)
	}
	now := s.Now()
	name := hints.Name
	if name == "" {
		name = id.PlatformID
	}
	set := bson.D{{Key: "updated_at", Value: now}}
	onInsert := bson.D{
		{Key: "platform", Value: id.Platform},
		{Key: "workspace", Value: id.Workspace},
		{Key: "platform_id", Value: id.PlatformID},
		{Key: "role", Value: RoleStudent},
		{Key: "profile", Value: Profile{}},
		{Key: "shoutouts", Value: false},
		{Key: "goal_seq", Value: 0},
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
		u := User{
			ID: id.UserID(), Platform: id.Platform, Workspace: id.Workspace, PlatformID: id.PlatformID,
			Name: name, NameLower: strings.ToLower(name), TimeZone: hints.TimeZone, Locale: hints.Locale,
			Role: RoleStudent, CreatedAt: now, UpdatedAt: now,
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
	var u User
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

// upToDate reports whether hints would change nothing.
func (u *User) upToDate(h UserHints) bool {
	return (h.Name == "" || h.Name == u.Name) &&
		(h.TimeZone == "" || h.TimeZone == u.TimeZone) &&
		(h.Locale == "" || h.Locale == u.Locale)
}

// User returns the user with the given id.
func (s *Store) User(ctx context.Context, id string) (*User, error) {
	var u User
	if err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&u); err != nil {
		return nil, fmt.Errorf("load user %s: %w", id, translate(err))
	}
	return &u, nil
}

// UserByName finds a user by display name (case-insensitive) in a workspace.
func (s *Store) UserByName(ctx context.Context, platform, workspace, name string) (*User, error) {
	var u User
	err := s.db.Collection(colUsers).FindOne(ctx, bson.D{
		{Key: "platform", Value: platform},
		{Key: "workspace", Value: workspace},
		{Key: "name_lower", Value: strings.ToLower(name)},
	}).Decode(&u)
	if err != nil {
		return nil, fmt.Errorf("find user %q: %w", name, translate(err))
	}
	return &u, nil
}

// Users returns the users with the given ids, in no particular order.
func (s *Store) Users(ctx context.Context, ids []string) ([]User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, fmt.Errorf("load users: %w", err)
	}
	var out []User
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
		{Key: "role", Value: RoleAdmin},
	})
	if err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}

// setUser applies $set fields to one user and returns the updated user.
func (s *Store) setUser(ctx context.Context, id string, set bson.D) (*User, error) {
	set = append(set, bson.E{Key: "updated_at", Value: s.Now()})
	var u User
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
func (s *Store) SetRole(ctx context.Context, id string, role Role) (*User, error) {
	return s.setUser(ctx, id, bson.D{{Key: "role", Value: role}})
}

// ProfileFields are the profile parts a student can set, by the name they type.
var ProfileFields = map[string]string{
	"interests": "profile.interests",
	"strengths": "profile.strengths",
	"grow":      "profile.grow",
	"learn":     "profile.learn",
	"career":    "profile.career",
}

// SetProfileField sets one learner-profile field (a key of ProfileFields).
func (s *Store) SetProfileField(ctx context.Context, id, field, text string) (*User, error) {
	path, ok := ProfileFields[field]
	if !ok {
		return nil, fmt.Errorf("set profile field %q: %w", field, ErrNotFound)
	}
	return s.setUser(ctx, id, bson.D{{Key: path, Value: text}})
}

// SetShoutouts records whether a student agrees to be named in class shout-outs.
func (s *Store) SetShoutouts(ctx context.Context, id string, on bool) (*User, error) {
	return s.setUser(ctx, id, bson.D{{Key: "shoutouts", Value: on}})
}

// SetTimeZone sets a user's IANA time zone.
func (s *Store) SetTimeZone(ctx context.Context, id, tz string) (*User, error) {
	return s.setUser(ctx, id, bson.D{{Key: "tz", Value: tz}})
}

// SetAway marks a user away until a time (zero clears it).
func (s *Store) SetAway(ctx context.Context, id string, until time.Time, note string) (*User, error) {
	return s.setUser(ctx, id, bson.D{{Key: "away_until", Value: until}, {Key: "away_note", Value: note}})
}

// SetCantDM records why DMs to a user are refused ("" clears it).
func (s *Store) SetCantDM(ctx context.Context, id, reason string) (*User, error) {
	return s.setUser(ctx, id, bson.D{{Key: "cant_dm", Value: reason}})
}

// Forget deletes every record of a person: their user document, goals,
// check-ins, reflections, feedback given to them, flags, enrollments and
// conferences where they are the student. Audit entries about them keep only
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
	if _, err := s.db.Collection(colAudit).UpdateMany(ctx,
		bson.D{{Key: "subject_id", Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "detail", Value: ""}}}}); err != nil {
		return fmt.Errorf("forget %s in audit: %w", id, err)
	}
	return nil
}
