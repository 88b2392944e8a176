package roster

import (
	"fmt"
	"slices"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/oneroster"
	"github.com/plpbot/plpbot/storage"
)

// Caseloads from the roster. OneRoster has no column that ties a
// counselor to students: roles.csv ties a user to an org (it makes someone
// a counselor, not whose), and agentSourcedIds are a user's family. What a
// school's SIS export carries is the counselor enrolled in a class — a
// homeroom or advisory section — with the enrollment role "teacher", or
// "counselor" / "ext:counselor". So an enrollment of a person whose role is
// counselor (a 1.2 roles.csv role) puts the students of that class on
// their caseload, instead of making them the class's teacher; an
// enrollment with a counselor role of anyone else is a problem.
//
// The import keeps its own part of each caseload: the students it put on
// it (plpbot.Caseload.Added, with SourcedID set), kept in the roster state
// and changed by adding and taking off only those, so the rules and
// students an admin adds in chat stay. A caseload an admin keeps in chat
// (SourcedID "") is never touched: the report counts it as kept in chat.

// The columns of a counselor's enrollment that its context record keeps.
const (
	linkClass = "classSourcedId"
	linkUser  = "userSourcedId"
	linkRole  = "role"
)

// counselorLinks keeps the enrollments of counselors as context records
// (file enrollments), so a later delta that only adds a student to the
// class still finds the class's counselor; deleted rows end theirs.
func (p *plan) counselorLinks() {
	var recs []record
	for _, e := range p.set.Enrollments {
		switch {
		case e.Deleted:
			recs = append(recs, record{row: e.Row})
		case p.kinds[e.User].role == plpbot.RoleCounselor:
			if e.Role != "student" {
				recs = append(recs, record{row: e.Row, fields: fields(linkClass, e.Class, linkUser, e.User, linkRole, e.Role)})
			}
		case slices.Contains(oneroster.CounselorEnrollmentRoles, e.Role):
			p.problem(oneroster.FileEnrollments, e.Line, fmt.Sprintf(
				"user %q is enrolled as the class's counselor, but %s: give them the counselor role in roles.csv (OneRoster 1.2), or enroll them as a teacher",
				e.User, p.whatIs(e.User)))
		}
	}
	p.merge(oneroster.FileEnrollments, recs)
}

// whatIs says what a user is, for a problem: "they are a teacher".
func (p *plan) whatIs(sid string) string {
	switch k := p.kinds[sid]; {
	case k.role != "":
		return "they are a " + string(k.role)
	case k.guardian != "":
		return "they are a " + k.guardian
	}
	return "they have no role plpbot keeps"
}

// isCounselorRow reports whether an enrollment row is a counselor's link
// rather than a class membership.
func (p *plan) isCounselorRow(e oneroster.Enrollment) bool {
	return p.kinds[e.User].role == plpbot.RoleCounselor
}

// buildCaseloads works out the roster's part of each counselor's caseload:
// the students of the classes they are enrolled in, as the memberships now
// stand (a student who left, or whose class ended, is off it).
func (p *plan) buildCaseloads() {
	students := map[string][]string{} // class id → students
	for _, id := range sortedKeys(p.enrolls) {
		if e := p.enrolls[id]; e.Role == plpbot.MemberStudent {
			students[e.ClassID] = append(students[e.ClassID], e.UserID)
		}
	}
	p.caseloads = map[string]*plpbot.Caseload{}
	for _, id := range sortedKeys(p.records) {
		r := p.records[id]
		if r.File != oneroster.FileEnrollments || !r.Ended.IsZero() {
			continue
		}
		couns, class := p.people[r.Fields[linkUser]], p.classes[r.Fields[linkClass]]
		if couns == nil || class == nil || couns.Role != plpbot.RoleCounselor ||
			!couns.SIS.Ended.IsZero() || !class.SIS.Ended.IsZero() {
			continue
		}
		c := p.caseloads[couns.ID]
		if c == nil {
			c = &plpbot.Caseload{CounselorID: couns.ID, Platform: couns.Platform, Workspace: couns.Workspace,
				SourcedID: couns.SIS.SourcedID}
			p.caseloads[couns.ID] = c
		}
		c.Added = append(c.Added, students[class.ID]...)
	}
	for _, c := range p.caseloads {
		slices.Sort(c.Added)
		c.Added = slices.Compact(c.Added)
	}
}

// diffCaseloads compares the roster's part of each caseload with what the
// import last put there, and audits each student who goes on or comes off
// a caseload: it changes who may read their plan.
func (p *plan) diffCaseloads() {
	stored := make(map[string]*plpbot.Caseload, len(p.state.Caseloads))
	for i := range p.state.Caseloads {
		stored[p.state.Caseloads[i].CounselorID] = &p.state.Caseloads[i]
	}
	ids := append(sortedKeys(p.caseloads), sortedKeys(stored)...)
	slices.Sort(ids)
	added, removed := map[string][]string{}, map[string][]string{}
	c := p.count(KindCaseloads)
	for _, id := range slices.Compact(ids) {
		d, old := p.caseloads[id], stored[id]
		if p.chatKept[id] {
			if d != nil {
				p.keptInChat++
			}
			delete(p.caseloads, id)
			continue
		}
		var want, had []string
		if d != nil {
			want = d.Added
		}
		if old != nil {
			had = old.Added
		}
		add, remove := minus(want, had), minus(had, want)
		switch {
		case len(add)+len(remove) == 0:
			if len(want) > 0 {
				c.Unchanged++
			}
			continue
		case len(had) == 0:
			c.Created++
		case len(want) == 0:
			c.Ended++
		default:
			c.Updated++
		}
		p.dirty = true
		w := storage.CaseloadWrite{Add: add, Remove: remove}
		if d != nil {
			w.Caseload = *d
		} else {
			w.Caseload = *old
		}
		p.writes.Caseloads = append(p.writes.Caseloads, w)
		name := p.counselorName(id)
		for _, s := range add {
			added[s] = append(added[s], name)
		}
		for _, s := range remove {
			removed[s] = append(removed[s], name)
		}
	}
	p.auditCaseloads("caseload_add", added)
	p.auditCaseloads("caseload_remove", removed)
}

// counselorName is how the audit log names a counselor.
func (p *plan) counselorName(id string) string {
	if d := p.people[strings.TrimPrefix(id, plpbot.RosterID(""))]; d != nil && d.ID == id {
		return d.Name
	}
	return id
}

// auditCaseloads writes one audit entry per student whose caseloads
// changed, naming the counselors, as an admin's change in chat is written.
func (p *plan) auditCaseloads(action string, byStudent map[string][]string) {
	for _, uid := range sortedKeys(byStudent) {
		names := byStudent[uid]
		slices.Sort(names)
		p.writes.Audit = append(p.writes.Audit, plpbot.AuditEntry{ActorID: importActorID, ActorName: importActorName,
			Action: action, SubjectID: uid, Detail: "caseload of " + strings.Join(names, ", "), At: p.now})
	}
}

// minus returns the sorted values of a (sorted) that b (sorted) lacks.
func minus(a, b []string) []string {
	var out []string
	for _, v := range a {
		if _, found := slices.BinarySearch(b, v); !found {
			out = append(out, v)
		}
	}
	return out
}
