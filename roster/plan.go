package roster

import (
	"maps"
	"slices"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/oneroster"
	"github.com/plpbot/plpbot/storage"
)

// plan is one import worked out: the state the set asks for, compared with
// the state stored, as the writes that make one the other, and the counts
// the report shows.
type plan struct {
	set   *oneroster.Set
	state *storage.RosterState
	now   time.Time

	records map[string]storage.RosterRecord // desired context records, by id
	stored  map[string]storage.RosterRecord
	kinds   map[string]userKind          // users' sourcedId → what they are to plpbot
	people  map[string]*plpbot.Person    // desired people, by sourcedId
	classes map[string]*plpbot.Class     // desired classes, by sourcedId
	enrolls map[string]plpbot.Enrollment // desired memberships, by document id
	userRow map[string]*oneroster.User   // the set's users rows, by sourcedId
	namedBy map[string][]string          // student → guardians whose rows name them

	terms        map[string]*plpbot.Term     // desired terms, by id
	sessionLines map[string]int              // the set's sessions' lines, by sourcedId
	caseloads    map[string]*plpbot.Caseload // the roster's part of caseloads, by counselor id
	chatKept     map[string]bool             // counselors whose caseload admins keep in chat
	keptInChat   int                         // roster caseloads left alone for that

	writes   storage.RosterWrites
	dirty    bool // the roster state differs from the stored one
	counts   map[Kind]*Count
	ignored  int
	problems []oneroster.Problem
}

// newPlan starts the plan of importing set over state; chatKept are the
// counselors whose caseload admins keep in chat (storage.ChatCaseloads).
func newPlan(set *oneroster.Set, state *storage.RosterState, chatKept map[string]bool, now time.Time) *plan {
	return &plan{set: set, state: state, chatKept: chatKept, now: now.UTC(), counts: map[Kind]*Count{}}
}

// build works out the whole plan; problems it finds are in p.problems.
func (p *plan) build() {
	p.contextRecords()
	p.userKinds()
	p.guardianRecords()
	p.counselorLinks()
	p.diffRecords()
	p.buildPeople()
	p.buildClasses()
	p.buildTerms()
	p.buildEnrollments()
	p.buildCaseloads()
	p.diffPeople()
	p.diffTerms()
	p.diffClasses()
	p.diffEnrollments()
	p.diffCaseloads()
}

// next is the roster state the plan leads to: every person, class and
// term (the ended ones too), the memberships kept, the roster's part of
// each caseload it keeps, the context records.
func (p *plan) next() *storage.RosterState {
	st := &storage.RosterState{}
	for _, sid := range sortedKeys(p.people) {
		st.People = append(st.People, *p.people[sid])
	}
	for _, sid := range sortedKeys(p.classes) {
		st.Classes = append(st.Classes, *p.classes[sid])
	}
	for _, id := range sortedKeys(p.enrolls) {
		st.Enrollments = append(st.Enrollments, p.enrolls[id])
	}
	for _, id := range sortedKeys(p.terms) {
		st.Terms = append(st.Terms, *p.terms[id])
	}
	for _, id := range sortedKeys(p.caseloads) {
		if c := p.caseloads[id]; len(c.Added) > 0 {
			st.Caseloads = append(st.Caseloads, *c)
		}
	}
	for _, id := range sortedKeys(p.records) {
		st.Records = append(st.Records, p.records[id])
	}
	return st
}

// count returns the counter of a kind.
func (p *plan) count(k Kind) *Count {
	c := p.counts[k]
	if c == nil {
		c = &Count{}
		p.counts[k] = c
	}
	return c
}

// endedAt keeps the time something already ended, or ends it now.
func (p *plan) endedAt(was time.Time) time.Time {
	if !was.IsZero() {
		return was
	}
	return p.now
}

// sortedKeys returns a map's keys in order, so plans don't depend on map
// iteration order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// mode is how the set delivers a file.
func (p *plan) mode(file string) oneroster.Mode { return p.set.Manifest.Mode(file) }

// problem records a problem found while planning.
func (p *plan) problem(file string, line int, msg string) {
	p.problems = append(p.problems, oneroster.Problem{File: file + ".csv", Line: line, Message: msg})
}
