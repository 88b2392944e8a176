package plpbot

import (
	"time"
)

// Role is what a person may do in the school.
type Role string

// Roles, from least to most access.
const (
	RoleStudent   Role = "student"
	RoleTeacher   Role = "teacher"
	RoleCounselor Role = "counselor"
	RoleAdmin     Role = "admin"
)

// Roles lists every role in the order people read them.
var Roles = []Role{RoleStudent, RoleTeacher, RoleCounselor, RoleAdmin}

// IsStaff reports whether r is a teacher, counselor or admin.
func (r Role) IsStaff() bool { return r == RoleTeacher || r == RoleCounselor || r == RoleAdmin }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// Profile is a student's learner profile: interests, strengths, needs and
// how they learn best.
type Profile struct {
	Interests string `bson:"interests,omitempty"`
	Strengths string `bson:"strengths,omitempty"`
	Grow      string `bson:"grow,omitempty"`   // areas to grow
	Learn     string `bson:"learn,omitempty"`  // how I learn best
	Career    string `bson:"career,omitempty"` // career interests
}

// ProfileFields are the profile parts a student can set, by the name they
// type, in the order help lists them.
var ProfileFields = []string{"interests", "strengths", "grow", "learn", "career"}

// Validate checks every field's length and characters.
func (p *Profile) Validate() error {
	for _, f := range []struct{ name, text string }{
		{"interests", p.Interests}, {"strengths", p.Strengths}, {"grow", p.Grow},
		{"learn", p.Learn}, {"career", p.Career},
	} {
		if err := ValidateText(f.name, f.text, MaxTextLen, false); err != nil {
			return err
		}
	}
	return nil
}

// Person is someone plpbot knows on one platform: a student or a member of
// staff. ID is "platform:workspace:platform_id".
//
// A plan's figures (goal numbers, progress, the latest check-in) live on
// the goals alone. A record written by an older plpbot may still hold
// copies of them (goal_seq, gs, last_checkin): nothing reads them.
type Person struct {
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
	// AwayLog is every away period, oldest first: weeks spent away freeze a
	// streak instead of breaking it.
	AwayLog []AwayPeriod `bson:"away_log,omitempty"`
	// CantDM is why the platform refused DMs to this person for good ("" if
	// it doesn't). Only the platform's own permanent refusal sets it; a DM
	// from the person clears it.
	CantDM string `bson:"cant_dm,omitempty"`
	// DMChannel is the platform's id of the bot's DM conversation with the
	// person (Slack's D…), once known: the bot finds it once, not before
	// every message. It is a delivery detail, never shown.
	DMChannel string `bson:"dm_channel,omitempty"`
	// Draft is a DM the person sent that read both as a command and as a
	// reflection, kept until they choose which it was (plpbot asks rather
	// than guesses; /plp keep saves it). DraftAt is when it came.
	Draft   string    `bson:"draft,omitempty"`
	DraftAt time.Time `bson:"draft_at,omitempty"`
	// Flagged is true when staff recorded an intervention flag (staff-only).
	Flagged   bool      `bson:"flagged,omitempty"`
	Grade     string    `bson:"grade,omitempty"` // grade level (NormalizeGrade), "" if unknown; caseloads by grade read it at the moment of use
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
	// SIS holds what the school's student information system says of the
	// person when a roster import brought them (nil otherwise): the import
	// owns it, keyed by its sourcedId, and never touches the plan.
	SIS *PersonSIS `bson:"sis,omitempty"`
}

// Away reports whether the person is away at t: from setting it until the
// morning they said they are back. Away people get no prompts or nudges and
// their streak freezes.
func (p *Person) Away(t time.Time) bool { return IsAway(p.AwayUntil, t) }

// IsAway is the away rule on its own, for views that carry only the date:
// away until a time means away at every instant before it.
func IsAway(until, t time.Time) bool { return !until.IsZero() && t.Before(until) }

// Location returns the person's time zone, or fallback if unknown or invalid.
func (p *Person) Location(fallback *time.Location) *time.Location {
	if p.TimeZone != "" {
		if loc, err := time.LoadLocation(p.TimeZone); err == nil {
			return loc
		}
	}
	return fallback
}

// DraftKeptFor is how long an undecided DM waits for its sender's choice.
const DraftKeptFor = 24 * time.Hour

// AwayPeriod is a span a person was (or is) away: [From, Until).
type AwayPeriod struct {
	From  time.Time `bson:"from"`
	Until time.Time `bson:"until"`
}

// Overlaps reports whether the period overlaps [from, to).
func (p AwayPeriod) Overlaps(from, to time.Time) bool {
	return p.From.Before(to) && p.Until.After(from)
}
