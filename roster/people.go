package roster

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/oneroster"
	"github.com/plpbot/plpbot/storage"
)

// userKind is what a SIS user is to plpbot: a person with a role, a
// student's guardian (relationship set), or someone plpbot doesn't keep.
type userKind struct {
	role     plpbot.Role
	guardian string // parent, guardian or relative
}

func (k userKind) person() bool { return k.role != "" }

// rank orders kinds when a 1.2 user has several roles: the one with the
// most access is the person's role in plpbot.
func (k userKind) rank() int {
	switch {
	case k.role != "":
		return 2 + slices.Index(plpbot.Roles, k.role)
	case k.guardian != "":
		return 1
	}
	return 0
}

// kindOf maps a OneRoster role (users.csv in 1.1, roles.csv in 1.2) to what
// the user is to plpbot. Administrators of any level are admins; aides and
// proctors teach (their access still comes only from the classes they are
// enrolled in); extension roles ("ext:…") are not kept.
func kindOf(role string) userKind {
	switch role {
	case "student":
		return userKind{role: plpbot.RoleStudent}
	case "teacher", "aide", "proctor":
		return userKind{role: plpbot.RoleTeacher}
	case "counselor":
		return userKind{role: plpbot.RoleCounselor}
	case "administrator", "principal", "siteAdministrator", "districtAdministrator", "systemAdministrator":
		return userKind{role: plpbot.RoleAdmin}
	case "parent", "guardian", "relative":
		return userKind{guardian: role}
	}
	return userKind{}
}

// userKinds works out what every user of the set and of the store is.
func (p *plan) userKinds() {
	p.kinds = map[string]userKind{}
	for _, sp := range p.state.People {
		p.kinds[sp.SIS.SourcedID] = userKind{role: sp.Role}
	}
	for _, r := range p.stored {
		if r.File == oneroster.FileUsers {
			p.kinds[r.SourcedID] = userKind{guardian: r.Fields["role"]}
		}
	}
	p.userRow = make(map[string]*oneroster.User, len(p.set.Users))
	for i := range p.set.Users {
		p.userRow[p.set.Users[i].SourcedID] = &p.set.Users[i]
	}
	if p.set.Manifest.Version == oneroster.V12 {
		p.kindsFromRoles()
		return
	}
	for _, u := range p.set.Users {
		if k := kindOf(u.Role); u.Role != "" || !u.Deleted {
			p.kinds[u.SourcedID] = k
		}
	}
}

// kindsFromRoles gives each 1.2 user the kind of their roles (primary ones
// first), as the merged roles records say.
func (p *plan) kindsFromRoles() {
	best := map[string]userKind{}
	primary := map[string]bool{}
	for _, id := range sortedKeys(p.records) {
		r := p.records[id]
		if r.File != oneroster.FileRoles || !r.Ended.IsZero() {
			continue
		}
		user, isPrimary := r.Fields["userSourcedId"], r.Fields["roleType"] == "primary"
		k := kindOf(r.Fields["role"])
		cur, seen := best[user]
		switch {
		case !seen, isPrimary && !primary[user], isPrimary == primary[user] && k.rank() > cur.rank():
			best[user], primary[user] = k, isPrimary
		}
	}
	for user, k := range best {
		p.kinds[user] = k
	}
	for _, u := range p.set.Users {
		if _, ok := best[u.SourcedID]; !ok && !u.Deleted {
			if _, stored := p.kinds[u.SourcedID]; !stored {
				p.problem(oneroster.FileUsers, u.Line, fmt.Sprintf("user %q has no role: roles.csv gives none", u.SourcedID))
			}
		}
	}
}

// guardianRecords keeps the set's guardians as context records: a
// student's guardians are read from them, and they are never contacted.
func (p *plan) guardianRecords() {
	var recs []record
	for _, u := range p.set.Users {
		k := p.kinds[u.SourcedID]
		if k.guardian == "" {
			continue
		}
		var lists map[string][]string
		if len(u.Agents) > 0 {
			lists = map[string][]string{"agentSourcedIds": u.Agents}
		}
		recs = append(recs, record{row: u.Row, lists: lists, fields: fields("name", displayName(&u),
			"email", u.Email, "role", k.guardian)})
	}
	p.merge(oneroster.FileUsers, recs)
	p.namedBy = map[string][]string{}
	for _, id := range sortedKeys(p.records) {
		r := p.records[id]
		if r.File != oneroster.FileUsers || !r.Ended.IsZero() {
			continue
		}
		for _, student := range r.Lists["agentSourcedIds"] {
			p.namedBy[student] = append(p.namedBy[student], r.SourcedID)
		}
	}
}

// displayName is how plpbot names a user: preferred names first (1.2).
func displayName(u *oneroster.User) string {
	given, family := u.GivenName, u.FamilyName
	if u.PreferredGivenName != "" {
		given = u.PreferredGivenName
	}
	if u.PreferredFamName != "" {
		family = u.PreferredFamName
	}
	if name := strings.TrimSpace(given + " " + family); name != "" {
		return name
	}
	return u.SourcedID
}

// buildPeople works out the people the roster asks for: those stored, as
// the set changes them.
func (p *plan) buildPeople() {
	p.people = make(map[string]*plpbot.Person, len(p.state.People)+len(p.set.Users))
	bulk := p.mode(oneroster.FileUsers) == oneroster.Bulk
	for i := range p.state.People {
		sp := &p.state.People[i]
		d := *sp
		sis := *sp.SIS
		d.SIS = &sis
		sid := sis.SourcedID
		k := p.kinds[sid]
		u := p.userRow[sid]
		switch {
		case !k.person(), (u == nil && bulk), u != nil && u.Deleted:
			d.SIS.Ended = p.endedAt(sis.Ended)
		case u != nil:
			p.fromRow(&d, u)
			fallthrough
		default:
			d.Role = k.role
		}
		p.people[sid] = &d
	}
	for i := range p.set.Users {
		u := &p.set.Users[i]
		k := p.kinds[u.SourcedID]
		if _, stored := p.people[u.SourcedID]; stored || u.Deleted || !k.person() {
			continue
		}
		d := &plpbot.Person{ID: plpbot.RosterID(u.SourcedID), Platform: plpbot.PlatformRoster,
			PlatformID: u.SourcedID, Role: k.role, CantDM: plpbot.CantDMUnlinked, SIS: &plpbot.PersonSIS{}}
		p.fromRow(d, u)
		p.people[u.SourcedID] = d
	}
	for sid, d := range p.people {
		if d.Role == plpbot.RoleStudent {
			d.SIS.Guardians = p.guardiansOf(sid, d)
		} else {
			d.SIS.Guardians = nil
		}
	}
}

// fromRow sets what a users row says of a person: name, email, username,
// other ids, grades; a person listed again is no longer ended.
func (p *plan) fromRow(d *plpbot.Person, u *oneroster.User) {
	d.Name = displayName(u)
	d.NameLower = strings.ToLower(d.Name)
	d.SIS.SourcedID, d.SIS.Email, d.SIS.Username = u.SourcedID, u.Email, u.Username
	d.SIS.IDs, d.SIS.Grades, d.SIS.Ended = userIDs(u.IDs), nilIfEmpty(u.Grades), time.Time{}
}

// userIDs reads OneRoster userIds ("{discord:sam}") as TYPE:ID.
func userIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(strings.Trim(id, "{}")); id != "" {
			out = append(out, id)
		}
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// guardiansOf lists a student's guardians: those the student's row names
// (or, with no row, those stored), then those whose rows name the student,
// each as their current record says. Ended guardians are left out.
func (p *plan) guardiansOf(sid string, d *plpbot.Person) []plpbot.Guardian {
	var ids []string
	if u := p.userRow[sid]; u != nil {
		ids = slices.Clone(u.Agents)
	} else {
		for _, g := range d.SIS.Guardians {
			ids = append(ids, g.SourcedID)
		}
	}
	ids = append(ids, p.namedBy[sid]...)
	var out []plpbot.Guardian
	seen := map[string]bool{}
	for _, gid := range ids {
		r, ok := p.records[storage.RosterRecordID(oneroster.FileUsers, gid)]
		if !ok || seen[gid] || !r.Ended.IsZero() {
			continue
		}
		seen[gid] = true
		out = append(out, plpbot.Guardian{SourcedID: gid, Name: r.Fields["name"], Email: r.Fields["email"],
			Relationship: r.Fields["role"]})
	}
	return out
}
