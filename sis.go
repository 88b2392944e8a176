package plpbot

import (
	"strings"
	"time"
)

// PlatformRoster is the platform of people and classes a roster import
// brought: they exist before anyone links them to a chat account.
const PlatformRoster = "roster"

// CantDMUnlinked is Person.CantDM for someone the roster brought who has no
// chat account linked yet: nothing can reach them, so the scheduler plans
// nothing for them, and staff see "can't DM" beside their name until they
// are linked.
const CantDMUnlinked = "not linked to a chat account yet"

// RosterID is the id of the person or class with a SIS sourcedId: one id
// whatever chat accounts are later linked to it, so a student with both a
// Slack and a Discord account keeps one plan.
func RosterID(sourcedID string) string { return PlatformRoster + ":" + sourcedID }

// IsRosterID reports whether id is a RosterID: a person the roster brought
// who is not linked to a chat account.
func IsRosterID(id string) bool { return strings.HasPrefix(id, PlatformRoster+":") }

// PersonSIS is what the school's student information system says of a
// person. The roster import owns it and replaces it whole; nothing else
// writes it. The person's plan is never part of it.
type PersonSIS struct {
	// SourcedID is the person's id in the SIS (OneRoster sourcedId): the
	// key every import matches on.
	SourcedID string `bson:"sourced_id"`
	// Email and Username are as the SIS has them: what links the person to
	// a chat account (email on Slack, username on Discord and the console).
	Email    string `bson:"email,omitempty"`
	Username string `bson:"username,omitempty"`
	// IDs are the SIS's other ids for the person as TYPE:ID ("discord:sam"),
	// from OneRoster userIds.
	IDs []string `bson:"ids,omitempty"`
	// Grades are a student's grade levels ("09"), as the SIS lists them.
	Grades []string `bson:"grades,omitempty"`
	// Guardians are a student's parents and guardians. They are kept for
	// staff to read and are never contacted.
	Guardians []Guardian `bson:"guardians,omitempty"`
	// Ended is when the SIS stopped listing the person (zero while it does).
	// Their plan stays; only their class memberships end.
	Ended time.Time `bson:"ended,omitempty"`
}

// Guardian is a parent, guardian or relative of a student, as the SIS
// lists them. plpbot never messages guardians.
type Guardian struct {
	SourcedID    string `bson:"sourced_id"`
	Name         string `bson:"name"`
	Email        string `bson:"email,omitempty"`
	Relationship string `bson:"relationship"` // parent, guardian or relative
}

// ClassSIS is what the school's student information system says of a
// class. The roster import owns it; a class's channel and schedules stay
// the school's to set in chat.
type ClassSIS struct {
	SourcedID string `bson:"sourced_id"`
	// Title and Code are the SIS's title and class code; the class's Name is
	// the title, with the code added when another class of the school has
	// the same title.
	Title string `bson:"title"`
	Code  string `bson:"code,omitempty"`
	// School, Course and Terms are the sourcedIds of the class's school, its
	// course and the academic sessions (terms) it is taught in.
	School string   `bson:"school"`
	Course string   `bson:"course,omitempty"`
	Terms  []string `bson:"terms,omitempty"`
	// Ended is when the SIS ended (or stopped listing) the class: it is
	// archived, its memberships end, and it is kept for the record.
	Ended time.Time `bson:"ended,omitempty"`
}
