package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/plpbot/plpbot"
)

// colLinks maps chat identities to the roster people they are: its _id is
// the identity's UserID() ("slack:T1:U1"), so one chat account links to at
// most one person, and a person may have several (a Slack and a Discord
// account). Everything of the plan stays keyed by the person's id.
const colLinks = "links"

// link is one document of colLinks.
type link struct {
	ID       string    `bson:"_id"`
	Person   string    `bson:"person"`
	Platform string    `bson:"platform"`
	By       string    `bson:"by"` // how: "email", "username" or the id of the staff member
	At       time.Time `bson:"at"`
}

// Link errors, for the handlers to explain.
var (
	// ErrHasPlan: the chat account already has a plan of its own (goals,
	// check-ins, reflections or a profile); plpbot never merges two plans.
	ErrHasPlan = errors.New("the chat account already has a plan")
	// ErrLinkedElsewhere: the chat account is linked to another person.
	ErrLinkedElsewhere = errors.New("the chat account is linked to someone else")
	// ErrNotRoster: the person to link to is not one the roster brought.
	ErrNotRoster = errors.New("not a roster person")
)

// linkedUser returns the person the identity is linked to, with the
// identity as their current address (the account they last used, which DMs
// go to), or ErrNotFound when the identity is linked to nobody.
func (s *Store) linkedUser(ctx context.Context, id Identity, hints UserHints, read time.Time) (*plpbot.Person, error) {
	var l link
	err := s.db.Collection(colLinks).FindOne(ctx, bson.D{{Key: "_id", Value: id.UserID()}}).Decode(&l)
	if err != nil {
		return nil, fmt.Errorf("load link %s: %w", id.UserID(), translate(err))
	}
	var known struct {
		plpbot.Person `bson:",inline"`
		LastSeen      time.Time `bson:"last_seen,omitempty"`
	}
	s.links.put(id.UserID(), l.Person, read)
	if err := s.db.Collection(colUsers).FindOne(ctx, bson.D{{Key: "_id", Value: l.Person}}).Decode(&known); err != nil {
		return nil, fmt.Errorf("load linked user %s: %w", l.Person, translate(err))
	}
	u := &known.Person
	// The SIS owns a roster person's name: hints keep only zone and locale.
	hints.Name = ""
	if addressed(u, id) && upToDate(u, hints) {
		s.noteSeen(ctx, u.ID, known.LastSeen)
		s.actors.put(id.UserID(), u, read)
		return u, nil
	}
	return s.setUser(ctx, u.ID, addressSet(id, hints, s.Now()))
}

// addressed reports whether u's current address is id.
func addressed(u *plpbot.Person, id Identity) bool {
	return u.Platform == id.Platform && u.Workspace == id.Workspace && u.PlatformID == id.PlatformID && u.CantDM != plpbot.CantDMUnlinked
}

// addressSet makes id the person's address, clears "not linked yet", and
// applies the hints' zone and locale.
func addressSet(id Identity, hints UserHints, now time.Time) bson.D {
	set := bson.D{
		{Key: "platform", Value: id.Platform}, {Key: "workspace", Value: id.Workspace},
		{Key: "platform_id", Value: id.PlatformID}, {Key: "cant_dm", Value: ""}, {Key: "last_seen", Value: now},
	}
	if hints.TimeZone != "" {
		set = append(set, bson.E{Key: "tz", Value: hints.TimeZone})
	}
	if hints.Locale != "" {
		set = append(set, bson.E{Key: "locale", Value: hints.Locale})
	}
	return set
}

// Link links the chat identity id to the roster person personID, so that
// the identity's requests act on that person's plan from now on, and DMs
// go to it while it is the account the person last used. by says how
// ("email", "username" or the linking staff member's id).
//
// A chat account that plpbot already knows is folded into the person only
// if it has no plan of its own: its class memberships move to the person
// and its document goes. Otherwise Link returns ErrHasPlan and changes
// nothing (merging two plans is a person's job). ErrLinkedElsewhere if the
// identity is linked to another person, ErrNotRoster if personID is not a
// roster person, ErrNotFound if there is no such person. Linking again to
// the same person changes nothing.
func (s *Store) Link(ctx context.Context, id Identity, personID, by string) (*plpbot.Person, error) {
	if !plpbot.IsRosterID(personID) {
		return nil, fmt.Errorf("link %s: %w", personID, ErrNotRoster)
	}
	target, err := s.User(ctx, personID)
	if err != nil {
		return nil, err
	}
	var l link
	err = s.db.Collection(colLinks).FindOne(ctx, bson.D{{Key: "_id", Value: id.UserID()}}).Decode(&l)
	switch {
	case err == nil && l.Person == personID:
		return target, nil
	case err == nil:
		return nil, fmt.Errorf("link %s: %w (%s)", id.UserID(), ErrLinkedElsewhere, l.Person)
	case !errors.Is(err, mongo.ErrNoDocuments):
		return nil, fmt.Errorf("link %s: %w", id.UserID(), err)
	}
	if err := s.foldChatAccount(ctx, id.UserID(), personID); err != nil {
		return nil, err
	}
	s.actors.drop(id.UserID()) // the account was its own person until now
	_, err = s.db.Collection(colLinks).InsertOne(ctx, link{ID: id.UserID(), Person: personID, Platform: id.Platform, By: by, At: s.Now()})
	if mongo.IsDuplicateKeyError(err) {
		return nil, fmt.Errorf("link %s: %w", id.UserID(), ErrLinkedElsewhere)
	}
	if err != nil {
		return nil, fmt.Errorf("link %s: %w", id.UserID(), err)
	}
	if target.Platform != plpbot.PlatformRoster && target.CantDM != plpbot.CantDMUnlinked {
		return target, nil // already reachable elsewhere: the account they use next (EnsureUser) becomes the address
	}
	return s.setUser(ctx, personID, addressSet(id, UserHints{}, s.Now()))
}

// foldChatAccount removes the stored chat account chatID, which is about to
// be linked to personID, moving its class memberships; ErrHasPlan if it has
// a plan of its own. Nothing to do if plpbot doesn't know the account.
func (s *Store) foldChatAccount(ctx context.Context, chatID, personID string) error {
	u, err := s.User(ctx, chatID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	has, err := s.hasPlan(ctx, u)
	if err != nil {
		return err
	}
	if has {
		return fmt.Errorf("link %s: %w", chatID, ErrHasPlan)
	}
	classes, err := s.db.Collection(colEnrollments).Find(ctx, bson.D{{Key: "user_id", Value: chatID}})
	if err != nil {
		return fmt.Errorf("link %s: memberships: %w", chatID, err)
	}
	var es []plpbot.Enrollment
	if err := classes.All(ctx, &es); err != nil {
		return fmt.Errorf("link %s: memberships: %w", chatID, err)
	}
	var classIDs []string
	var gone []membership
	for _, e := range es {
		moved := e
		moved.ID, moved.UserID, moved.SourcedID = plpbot.EnrollmentID(e.ClassID, personID), personID, ""
		if _, err := s.db.Collection(colEnrollments).InsertOne(ctx, moved); err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("link %s: move membership: %w", chatID, err)
		}
		classIDs = append(classIDs, e.ClassID)
		gone = append(gone, membership{class: e.ClassID, user: chatID})
	}
	if _, err := s.db.Collection(colEnrollments).DeleteMany(ctx, bson.D{{Key: "user_id", Value: chatID}}); err != nil {
		return fmt.Errorf("link %s: memberships: %w", chatID, err)
	}
	// The classes' teacher lists name the person now, not the account.
	if err := s.pullTeachers(ctx, gone); err != nil {
		return fmt.Errorf("link %s: %w", chatID, err)
	}
	if err := s.addTeachersTo(ctx, classIDs); err != nil {
		return fmt.Errorf("link %s: %w", chatID, err)
	}
	if _, err := s.db.Collection(colUsers).DeleteOne(ctx, bson.D{{Key: "_id", Value: chatID}}); err != nil {
		return fmt.Errorf("link %s: %w", chatID, err)
	}
	return nil
}

// hasPlan reports whether u has anything of a plan: goals, a check-in, a
// reflection or a learner profile.
func (s *Store) hasPlan(ctx context.Context, u *plpbot.Person) (bool, error) {
	if u.Profile != (plpbot.Profile{}) {
		return true, nil
	}
	for _, coll := range []string{colGoals, colCheckIns, colReflections} {
		n, err := s.db.Collection(coll).CountDocuments(ctx, bson.D{{Key: "user_id", Value: u.ID}})
		if err != nil {
			return false, fmt.Errorf("check plan of %s: %w", u.ID, err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// Unlinked finds the one roster person, still on the roster and linked to
// no chat account on platform, whose SIS email is email (on Slack) or whose SIS
// username, or a "platform:name" SIS id, is username. Emails and usernames
// compare as given or in lower case. ErrNotFound when no one, or more than
// one person, matches: a guess would hand one student's plan to another.
func (s *Store) Unlinked(ctx context.Context, platform, email, username string) (*plpbot.Person, error) {
	var or bson.A
	if email != "" {
		or = append(or, bson.D{{Key: "sis.email", Value: bson.D{{Key: "$in", Value: variants(email)}}}})
	}
	if username != "" {
		or = append(or, bson.D{{Key: "sis.username", Value: bson.D{{Key: "$in", Value: variants(username)}}}})
		var ids bson.A
		for _, v := range variants(username) {
			ids = append(ids, platform+":"+v.(string))
		}
		or = append(or, bson.D{{Key: "sis.ids", Value: bson.D{{Key: "$in", Value: ids}}}})
	}
	if len(or) == 0 {
		return nil, ErrNotFound
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{
		{Key: "sis.sourced_id", Value: bson.D{{Key: "$exists", Value: true}}},
		{Key: "$or", Value: or},
	})
	if err != nil {
		return nil, fmt.Errorf("find roster person: %w", err)
	}
	var found []plpbot.Person
	if err := cur.All(ctx, &found); err != nil {
		return nil, fmt.Errorf("find roster person: %w", err)
	}
	var live []plpbot.Person
	for _, p := range found {
		if p.SIS == nil || !p.SIS.Ended.IsZero() {
			continue
		}
		n, err := s.db.Collection(colLinks).CountDocuments(ctx, bson.D{{Key: "person", Value: p.ID}, {Key: "platform", Value: platform}})
		if err != nil {
			return nil, fmt.Errorf("find roster person: %w", err)
		}
		if n == 0 {
			live = append(live, p)
		}
	}
	if len(live) != 1 {
		return nil, ErrNotFound
	}
	return &live[0], nil
}

func variants(s string) bson.A {
	s = strings.TrimSpace(s)
	if l := strings.ToLower(s); l != s {
		return bson.A{s, l}
	}
	return bson.A{s}
}

// LinkedPeople returns the ids of the people linked to a chat account.
func (s *Store) LinkedPeople(ctx context.Context) (map[string]bool, error) {
	cur, err := s.db.Collection(colLinks).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("load links: %w", err)
	}
	var ls []link
	if err := cur.All(ctx, &ls); err != nil {
		return nil, fmt.Errorf("load links: %w", err)
	}
	out := make(map[string]bool, len(ls))
	for _, l := range ls {
		out[l.Person] = true
	}
	return out, nil
}

// PendingPerson is a roster person, still on the roster, whom no chat
// account is linked to yet, with what earlier lookups at import found.
type PendingPerson struct {
	plpbot.Person `bson:",inline"`
	// Misses are the lookups that found nobody, by platform ("slack").
	Misses map[string]LinkMiss `bson:"link_misses,omitempty"`
}

// LinkMiss is a lookup of a roster person on one platform that found
// nobody (NoteLinkMiss).
type LinkMiss struct {
	// Handle is a digest of what was looked up (an email, a username), so a
	// changed one is looked up again; never the handle itself.
	Handle string    `bson:"h"`
	At     time.Time `bson:"at"`
}

// PendingPeople returns the roster people still on the roster whom no chat
// account is linked to, on any platform: the people the roster import
// looks up. One read of the people the roster brought and one of the links.
func (s *Store) PendingPeople(ctx context.Context) ([]PendingPerson, error) {
	linked, err := s.LinkedPeople(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{{Key: "sis.sourced_id", Value: bson.D{{Key: "$exists", Value: true}}}})
	if err != nil {
		return nil, fmt.Errorf("load roster people: %w", err)
	}
	var all []PendingPerson
	if err := cur.All(ctx, &all); err != nil {
		return nil, fmt.Errorf("load roster people: %w", err)
	}
	out := all[:0]
	for _, p := range all {
		if plpbot.IsRosterID(p.ID) && p.SIS != nil && p.SIS.Ended.IsZero() && !linked[p.ID] {
			out = append(out, p)
		}
	}
	return out, nil
}

// NoteLinkMiss records that looking the roster person personID up on
// platform by handle (a digest, see LinkMiss) found nobody, replacing the
// platform's earlier miss. It is kept on the person's document, so
// forgetting the person forgets it.
func (s *Store) NoteLinkMiss(ctx context.Context, personID, platform, handle string) error {
	_, err := s.db.Collection(colUsers).UpdateOne(ctx, bson.D{{Key: "_id", Value: personID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "link_misses." + platform, Value: LinkMiss{Handle: handle, At: s.Now()}}}}})
	if err != nil {
		return fmt.Errorf("note lookup of %s on %s: %w", personID, platform, err)
	}
	return nil
}
