package plpbot

import (
	"slices"
	"time"
)

// Intervention flag kinds. A PLP sits beside an intervention plan, never
// in its place: flags only tell staff that one exists.
const (
	FlagIEP   = "iep"
	Flag504   = "504"
	FlagOther = "other"
)

// FlagKinds lists the flag kinds.
var FlagKinds = []string{FlagIEP, Flag504, FlagOther}

// Flag is a staff-only intervention flag (IEP, 504, other). It is never
// shown to students, in channels or in exports; see CanSeeFlags.
type Flag struct {
	ID        string    `bson:"_id,omitempty"`
	StudentID string    `bson:"student_id"`
	Kind      string    `bson:"kind"`
	Note      string    `bson:"note,omitempty"`
	ByID      string    `bson:"by_id"`
	At        time.Time `bson:"at"`
}

// Validate checks the flag's kind and note.
func (f *Flag) Validate() error {
	if !slices.Contains(FlagKinds, f.Kind) {
		return fieldErrorf("kind", "A flag is iep, 504 or other, not %q.", f.Kind)
	}
	return ValidateText("note", f.Note, MaxTextLen, false)
}
