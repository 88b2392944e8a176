package roster

import (
	"slices"

	"github.com/plpbot/plpbot"
)

// diffPeople compares the desired people with the stored ones; a stored
// person whose role changes is audited.
func (p *plan) diffPeople() {
	stored := make(map[string]*plpbot.Person, len(p.state.People))
	for i := range p.state.People {
		stored[p.state.People[i].SIS.SourcedID] = &p.state.People[i]
	}
	for _, sid := range sortedKeys(p.people) {
		d, old := p.people[sid], stored[sid]
		c := p.count(KindStaff)
		if d.Role == plpbot.RoleStudent {
			c = p.count(KindStudents)
		}
		switch {
		case old == nil:
			c.Created++
			p.dirty = true
			p.writes.NewPeople = append(p.writes.NewPeople, *d)
		case samePerson(old, d):
			if d.SIS.Ended.IsZero() {
				c.Unchanged++
			}
		default:
			p.dirty = true
			if old.SIS.Ended.IsZero() && !d.SIS.Ended.IsZero() {
				c.Ended++
			} else {
				c.Updated++
			}
			if old.Role != d.Role {
				p.writes.Audit = append(p.writes.Audit, plpbot.AuditEntry{ActorID: importActorID,
					ActorName: importActorName, Action: "role", SubjectID: d.ID, Detail: string(d.Role), At: p.now})
			}
			p.writes.People = append(p.writes.People, *d)
		}
	}
}

func samePerson(a, b *plpbot.Person) bool {
	x, y := a.SIS, b.SIS
	return a.Name == b.Name && a.NameLower == b.NameLower && a.Role == b.Role &&
		x.SourcedID == y.SourcedID && x.Email == y.Email && x.Username == y.Username &&
		slices.Equal(x.IDs, y.IDs) && slices.Equal(x.Grades, y.Grades) &&
		slices.Equal(x.Guardians, y.Guardians) && x.Ended.Equal(y.Ended)
}
