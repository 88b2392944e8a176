package roster

import (
	"maps"
	"slices"
	"time"

	"github.com/plpbot/plpbot/roster/oneroster"
	"github.com/plpbot/plpbot/storage"
)

// record is a row to keep as a context record: its columns by name.
type record struct {
	row    oneroster.Row
	fields map[string]string
	lists  map[string][]string
}

// fields keeps the non-empty values of name/value pairs.
func fields(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			m[kv[i]] = kv[i+1]
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// contextRecords merges the set's orgs, sessions, courses and roles into
// the stored records.
func (p *plan) contextRecords() {
	p.stored = make(map[string]storage.RosterRecord, len(p.state.Records))
	for _, r := range p.state.Records {
		p.stored[r.ID] = r
	}
	p.records = maps.Clone(p.stored)
	var recs []record
	for _, o := range p.set.Orgs {
		recs = append(recs, record{row: o.Row, fields: fields("name", o.Name, "type", o.Type, "parentSourcedId", o.Parent)})
	}
	p.merge(oneroster.FileOrgs, recs)
	recs = recs[:0]
	for _, s := range p.set.Sessions {
		recs = append(recs, record{row: s.Row, fields: fields("title", s.Title, "type", s.Type,
			"startDate", dateString(s.Start), "endDate", dateString(s.End), "parentSourcedId", s.Parent, "schoolYear", s.SchoolYear)})
	}
	p.merge(oneroster.FileSessions, recs)
	recs = recs[:0]
	for _, c := range p.set.Courses {
		recs = append(recs, record{row: c.Row, fields: fields("title", c.Title, "courseCode", c.Code,
			"orgSourcedId", c.Org, "schoolYearSourcedId", c.SchoolYear)})
	}
	p.merge(oneroster.FileCourses, recs)
	recs = recs[:0]
	for _, r := range p.set.Roles {
		roleType := "secondary"
		if r.Primary {
			roleType = "primary"
		}
		recs = append(recs, record{row: r.Row, fields: fields("userSourcedId", r.User, "role", r.Role,
			"roleType", roleType, "orgSourcedId", r.Org)})
	}
	p.merge(oneroster.FileRoles, recs)
}

// merge applies the rows of a file to the desired records: a row replaces
// its record, a deleted row ends it, and a bulk file ends the records it
// no longer lists.
func (p *plan) merge(file string, recs []record) {
	mode := p.mode(file)
	if mode == oneroster.Absent {
		return
	}
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		id := storage.RosterRecordID(file, r.row.SourcedID)
		seen[id] = true
		old, had := p.stored[id]
		if r.row.Deleted {
			if had {
				old.Ended = p.endedAt(old.Ended)
				p.records[id] = old
			}
			continue
		}
		p.records[id] = storage.RosterRecord{ID: id, File: file, SourcedID: r.row.SourcedID, Fields: r.fields, Lists: r.lists}
	}
	if mode != oneroster.Bulk {
		return
	}
	for id, old := range p.stored {
		if old.File == file && !seen[id] {
			old.Ended = p.endedAt(old.Ended)
			p.records[id] = old
		}
	}
}

// recordKinds are the report's kinds of context records, by file. Sessions
// are counted as the terms made of them (diffTerms), counselors'
// enrollments as the caseloads they make (diffCaseloads).
var recordKinds = map[string]Kind{
	oneroster.FileOrgs: KindOrgs, oneroster.FileCourses: KindCourses, oneroster.FileUsers: KindGuardians,
}

// diffRecords compares the desired context records with the stored ones.
func (p *plan) diffRecords() {
	for _, id := range slices.Sorted(maps.Keys(p.records)) {
		r := p.records[id]
		old, had := p.stored[id]
		kind, shown := recordKinds[r.File]
		c := &Count{}
		if shown {
			c = p.count(kind)
		}
		switch {
		case !had && !r.Ended.IsZero():
			delete(p.records, id) // deleted before plpbot ever kept it
			continue
		case !had:
			c.Created++
		case sameRecord(old, r):
			if r.Ended.IsZero() {
				c.Unchanged++
			}
			continue
		case old.Ended.IsZero() && !r.Ended.IsZero():
			c.Ended++
		default:
			c.Updated++
		}
		p.dirty = true
	}
}

func sameRecord(a, b storage.RosterRecord) bool {
	if !a.Ended.Equal(b.Ended) || !maps.Equal(a.Fields, b.Fields) || len(a.Lists) != len(b.Lists) {
		return false
	}
	for k, v := range a.Lists {
		if !slices.Equal(v, b.Lists[k]) {
			return false
		}
	}
	return true
}

// dateString writes a date as YYYY-MM-DD ("" for none).
func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
