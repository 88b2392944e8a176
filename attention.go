package plpbot

import (
	"fmt"
	"time"
)

// Concern is one reason a student is worth a look.
type Concern string

// Concerns, in the order a teacher reads them.
const (
	ConcernNoCheckInsYet Concern = "no_checkins_yet" // active goals, never a check-in
	ConcernQuiet         Concern = "quiet"           // see Quiet
	ConcernOverdue       Concern = "overdue"         // an active goal is past its date
	ConcernLowConfidence Concern = "low_confidence"  // latest check-in at LowConfidence or below
	ConcernCantDM        Concern = "cant_dm"         // the platform refuses DMs: no prompts arrive
	ConcernAway          Concern = "away"
)

// Attention is one concern about a student, with the goal it is about (0
// when it is about the student).
type Attention struct {
	Concern Concern
	Goal    int
}

// String says the concern in a few words a teacher reads at a glance.
func (a Attention) String() string {
	switch a.Concern {
	case ConcernNoCheckInsYet:
		return "No check-ins yet"
	case ConcernQuiet:
		return fmt.Sprintf("No check-in for %d+ days", int(QuietAfter/(24*time.Hour)))
	case ConcernOverdue:
		return fmt.Sprintf("Goal %d is past its date", a.Goal)
	case ConcernLowConfidence:
		return fmt.Sprintf("Feeling unsure about goal %d", a.Goal)
	case ConcernCantDM:
		return "Can't get DMs, so misses reminders"
	case ConcernAway:
		return "Away"
	}
	return string(a.Concern)
}

// NeedsAttention lists what is worth a look about student p at now, given
// their goals and their latest check-in (nil if none): no check-ins yet
// while having active goals, quiet (see Quiet), goals past their date, low
// confidence in the latest check-in, can't-DM, and away. An away student is
// not called quiet: they said why.
func NeedsAttention(p *Person, goals []Goal, latest *CheckIn, now time.Time) []Attention {
	var out []Attention
	active, last := 0, time.Time{}
	for i := range goals {
		if goals[i].LastCheckIn.After(last) {
			last = goals[i].LastCheckIn
		}
		if goals[i].Status == GoalActive {
			active++
		}
	}
	if latest != nil && latest.At.After(last) {
		last = latest.At
	}
	away := p.Away(now)
	switch {
	case last.IsZero() && active > 0:
		out = append(out, Attention{Concern: ConcernNoCheckInsYet})
	case !away && Quiet(last, now):
		out = append(out, Attention{Concern: ConcernQuiet})
	}
	for i := range goals {
		if goals[i].Overdue(now) {
			out = append(out, Attention{Concern: ConcernOverdue, Goal: goals[i].Number})
		}
	}
	if latest != nil && latest.Confidence != 0 && latest.Confidence <= LowConfidence {
		out = append(out, Attention{Concern: ConcernLowConfidence, Goal: latest.GoalNumber})
	}
	if p.CantDM != "" {
		out = append(out, Attention{Concern: ConcernCantDM})
	}
	if away {
		out = append(out, Attention{Concern: ConcernAway})
	}
	return out
}
