package roster

import (
	"fmt"
	"sort"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/oneroster"
)

// memberRoles maps enrollment roles to class membership roles; plpbot
// keeps students and teachers (administrators see every class anyway, and
// proctors' enrollments are not kept).
var memberRoles = map[string]string{"student": plpbot.MemberStudent, "teacher": plpbot.MemberTeacher}

// buildEnrollments works out the memberships the roster asks for, by
// document id: those stored that the set leaves as they are, then the
// set's rows. A membership ends with its row, when a bulk file stops
// listing it, and when its class or person ends.
func (p *plan) buildEnrollments() {
	p.enrolls = make(map[string]plpbot.Enrollment, len(p.state.Enrollments)+len(p.set.Enrollments))
	inSet := make(map[string]bool, len(p.set.Enrollments))
	for _, e := range p.set.Enrollments {
		inSet[e.SourcedID] = true
	}
	if p.mode(oneroster.FileEnrollments) != oneroster.Bulk {
		for _, e := range p.state.Enrollments {
			if !inSet[e.SourcedID] {
				p.enrolls[e.ID] = e
			}
		}
	}
	lines := map[string]int{}
	for _, r := range p.set.Enrollments {
		e, ok := p.enrollmentOf(r)
		if !ok {
			continue
		}
		if first, dup := lines[e.ID]; dup {
			p.problem(oneroster.FileEnrollments, r.Line, fmt.Sprintf("user %q is already in class %q (line %d): one enrollment each", r.User, r.Class, first))
			continue
		}
		lines[e.ID] = r.Line
		p.enrolls[e.ID] = e
	}
	p.endWithClassOrPerson()
}

// enrollmentOf is the membership an active row of a student or teacher
// asks for (false for a deleted row or one plpbot doesn't keep).
func (p *plan) enrollmentOf(r oneroster.Enrollment) (plpbot.Enrollment, bool) {
	if r.Deleted {
		return plpbot.Enrollment{}, false
	}
	if p.isCounselorRow(r) { // the class's students go on their caseload (counselorLinks)
		if r.Role == "student" {
			p.ignored++
		}
		return plpbot.Enrollment{}, false
	}
	role, kept := memberRoles[r.Role]
	person, class := p.people[r.User], p.classes[r.Class]
	if !kept || person == nil || class == nil {
		p.ignored++
		return plpbot.Enrollment{}, false
	}
	return plpbot.Enrollment{ID: plpbot.EnrollmentID(class.ID, person.ID), ClassID: class.ID, UserID: person.ID,
		Role: role, SourcedID: r.SourcedID, Primary: r.Primary && role == plpbot.MemberTeacher}, true
}

// endWithClassOrPerson drops the memberships of ended classes and people.
func (p *plan) endWithClassOrPerson() {
	ended := map[string]bool{}
	for _, c := range p.classes {
		if !c.SIS.Ended.IsZero() {
			ended[c.ID] = true
		}
	}
	for _, d := range p.people {
		if !d.SIS.Ended.IsZero() {
			ended[d.ID] = true
		}
	}
	for id, e := range p.enrolls {
		if ended[e.ClassID] || ended[e.UserID] {
			delete(p.enrolls, id)
		}
	}
}

// diffEnrollments compares the desired memberships with the stored ones,
// and audits each person's: who was added to or removed from which class.
func (p *plan) diffEnrollments() {
	stored := make(map[string]plpbot.Enrollment, len(p.state.Enrollments))
	for _, e := range p.state.Enrollments {
		stored[e.ID] = e
	}
	names := map[string]string{}
	for _, c := range p.classes {
		names[c.ID] = c.Name
	}
	added, removed := map[string][]string{}, map[string][]string{}
	c := p.count(KindEnrollments)
	for _, id := range sortedKeys(p.enrolls) {
		e := p.enrolls[id]
		old, had := stored[id]
		switch {
		case !had:
			c.Created++
			p.dirty = true
			p.writes.Enroll = append(p.writes.Enroll, e)
			added[e.UserID] = append(added[e.UserID], names[e.ClassID])
		case old.Role != e.Role || old.Primary != e.Primary || old.SourcedID != e.SourcedID:
			c.Updated++
			p.dirty = true
			p.writes.Reenroll = append(p.writes.Reenroll, e)
		default:
			c.Unchanged++
		}
	}
	for _, id := range sortedKeys(stored) {
		if _, kept := p.enrolls[id]; !kept {
			e := stored[id]
			c.Ended++
			p.dirty = true
			p.writes.Unenroll = append(p.writes.Unenroll, id)
			removed[e.UserID] = append(removed[e.UserID], names[e.ClassID])
		}
	}
	p.auditMemberships("class_add", added)
	p.auditMemberships("class_remove", removed)
}

// importActorID and importActorName name the roster import in the audit
// log and as the creator of the classes it brings.
const (
	importActorID   = "system:roster-import"
	importActorName = "Roster import (OneRoster)"
)

// auditMemberships writes one audit entry per person whose memberships
// changed, naming the classes: adding someone to a class changes who may
// read a student's plan.
func (p *plan) auditMemberships(action string, byPerson map[string][]string) {
	for _, uid := range sortedKeys(byPerson) {
		classes := byPerson[uid]
		sort.Strings(classes)
		p.writes.Audit = append(p.writes.Audit, plpbot.AuditEntry{ActorID: importActorID, ActorName: importActorName,
			Action: action, SubjectID: uid, Detail: strings.Join(classes, ", "), At: p.now})
	}
}
