package plpbot

import (
	"strings"
	"time"
)

// Term is a span of the school year (a semester, a trimester, a year) that
// classes belong to. It runs from the first instant of Starts to the end of
// Ends, in the class's time zone. When it is over, its classes are
// archived: no reflection prompts or class summaries go out for them, and
// staff can still read them. A student's plan is not a class's: it stays,
// and next term's classes carry it on.
type Term struct {
	ID        string `bson:"_id"`
	Name      string `bson:"name"`
	NameLower string `bson:"name_lower"`
	Platform  string `bson:"platform"`
	Workspace string `bson:"workspace"`
	// Starts and Ends are the first and last days, as midnight UTC.
	Starts time.Time `bson:"starts"`
	Ends   time.Time `bson:"ends"`
	// SourcedID is the OneRoster academicSessions sourcedId when the roster
	// import keeps the term; "" for a term added in chat.
	SourcedID string    `bson:"sourced_id,omitempty"`
	CreatedBy string    `bson:"created_by,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
}

// Term limits.
const (
	// MaxTermNameLen bounds a term's name.
	MaxTermNameLen = 100
	// MaxTermLength is the longest a term may run: a school year and a
	// summer, so a typo in the year is caught.
	MaxTermLength = 400 * 24 * time.Hour
)

// Validate checks the name and that the term ends on or after its first
// day and within MaxTermLength.
func (t *Term) Validate() error {
	if err := ValidateText("term name", strings.TrimSpace(t.Name), MaxTermNameLen, true); err != nil {
		return err
	}
	switch {
	case t.Starts.IsZero() || t.Ends.IsZero():
		return fieldErrorf("from", "A term needs a first and a last day.")
	case t.Ends.Before(t.Starts):
		return fieldErrorf("to", "The term ends (%s) before it starts (%s).", t.Ends.Format(time.DateOnly), t.Starts.Format(time.DateOnly))
	case t.Ends.Sub(t.Starts) > MaxTermLength:
		return fieldErrorf("to", "From %s to %s is more than a school year. Check the years.", t.Starts.Format(time.DateOnly), t.Ends.Format(time.DateOnly))
	}
	return nil
}

// EndsAt is the instant the term is over in loc: midnight at the end of
// its last day.
func (t *Term) EndsAt(loc *time.Location) time.Time {
	d := t.Ends.UTC().AddDate(0, 0, 1)
	return WallTime(d.Year(), d.Month(), d.Day(), 0, 0, loc)
}

// Over reports whether the term has ended at now, in loc.
func (t *Term) Over(now time.Time, loc *time.Location) bool { return !now.Before(t.EndsAt(loc)) }

// ClassArchivedFrom is when class c is archived: when its term (nil for
// none) is over in the class's zone loc, or when the school's SIS ended
// the class (ClassSIS.Ended), whichever comes first; zero if neither.
func ClassArchivedFrom(c *Class, term *Term, loc *time.Location) time.Time {
	var at time.Time
	if term != nil {
		at = term.EndsAt(loc)
	}
	if c.SIS != nil && !c.SIS.Ended.IsZero() && (at.IsZero() || c.SIS.Ended.Before(at)) {
		at = c.SIS.Ended
	}
	return at
}

// ClassArchived reports whether class c, of term (nil for none), is
// archived at now (ClassArchivedFrom). An archived class gets no
// reflection prompts or summaries; staff can still read it.
func ClassArchived(c *Class, term *Term, now time.Time, loc *time.Location) bool {
	at := ClassArchivedFrom(c, term, loc)
	return !at.IsZero() && !now.Before(at)
}
