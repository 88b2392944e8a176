package roster

import (
	"slices"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/oneroster"
)

// buildClasses works out the classes the roster asks for: those stored, as
// the set changes them, each named for its school.
func (p *plan) buildClasses() {
	p.classes = make(map[string]*plpbot.Class, len(p.state.Classes)+len(p.set.Classes))
	rows := make(map[string]*oneroster.Class, len(p.set.Classes))
	for i := range p.set.Classes {
		rows[p.set.Classes[i].SourcedID] = &p.set.Classes[i]
	}
	bulk := p.mode(oneroster.FileClasses) == oneroster.Bulk
	for i := range p.state.Classes {
		sc := &p.state.Classes[i]
		d := *sc
		sis := *sc.SIS
		d.SIS = &sis
		switch r := rows[sis.SourcedID]; {
		case r == nil && bulk, r != nil && r.Deleted:
			d.SIS.Ended = p.endedAt(sis.Ended)
		case r != nil:
			classFromRow(&d, r)
		}
		p.classes[sis.SourcedID] = &d
	}
	for _, r := range rows {
		if _, stored := p.classes[r.SourcedID]; stored || r.Deleted {
			continue
		}
		d := &plpbot.Class{ID: plpbot.RosterID(r.SourcedID), Platform: plpbot.PlatformRoster,
			CreatedBy: importActorID, SIS: &plpbot.ClassSIS{}}
		classFromRow(d, r)
		p.classes[r.SourcedID] = d
	}
	p.nameClasses()
}

func classFromRow(d *plpbot.Class, r *oneroster.Class) {
	d.SIS.SourcedID, d.SIS.Title, d.SIS.Code = r.SourcedID, r.Title, r.Code
	d.SIS.School, d.SIS.Course, d.SIS.Terms = r.School, r.Course, nilIfEmpty(r.Terms)
	d.SIS.Ended = time.Time{}
	d.Workspace = r.School
}

// nameClasses names each class by its title, unique in its school: when
// classes of a school share a title, each gets its class code (or, lacking
// a distinct one, its sourcedId) after the title: "Algebra I · ALG1-03".
// Class names are unique per workspace, and a roster class's workspace is
// its school.
func (p *plan) nameClasses() {
	groups := map[string][]*plpbot.Class{}
	for _, sid := range sortedKeys(p.classes) {
		c := p.classes[sid]
		key := c.SIS.School + "\x00" + strings.ToLower(c.SIS.Title)
		groups[key] = append(groups[key], c)
	}
	for _, g := range groups {
		codes := map[string]int{}
		for _, c := range g {
			codes[strings.ToLower(c.SIS.Code)]++
		}
		for _, c := range g {
			switch {
			case len(g) == 1:
				c.Name = c.SIS.Title
			case c.SIS.Code != "" && codes[strings.ToLower(c.SIS.Code)] == 1:
				c.Name = c.SIS.Title + " · " + c.SIS.Code
			default:
				c.Name = c.SIS.Title + " · " + c.SIS.SourcedID
			}
			c.NameLower = strings.ToLower(c.Name)
		}
	}
}

// diffClasses compares the desired classes with the stored ones.
func (p *plan) diffClasses() {
	stored := make(map[string]*plpbot.Class, len(p.state.Classes))
	for i := range p.state.Classes {
		stored[p.state.Classes[i].SIS.SourcedID] = &p.state.Classes[i]
	}
	c := p.count(KindClasses)
	for _, sid := range sortedKeys(p.classes) {
		d, old := p.classes[sid], stored[sid]
		switch {
		case old == nil:
			c.Created++
			p.dirty = true
			p.writes.NewClasses = append(p.writes.NewClasses, *d)
		case sameClass(old, d):
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
			p.writes.Classes = append(p.writes.Classes, *d)
		}
	}
}

func sameClass(a, b *plpbot.Class) bool {
	x, y := a.SIS, b.SIS
	return a.Name == b.Name && a.NameLower == b.NameLower && a.Workspace == b.Workspace && a.TermID == b.TermID &&
		x.SourcedID == y.SourcedID && x.Title == y.Title && x.Code == y.Code && x.School == y.School &&
		x.Course == y.Course && slices.Equal(x.Terms, y.Terms) && x.Ended.Equal(y.Ended)
}
