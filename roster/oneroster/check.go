package oneroster

import "slices"

// Known answers for the records already imported, so a delta file may
// refer to them: Has reports whether a record of a file ("classes") with a
// sourcedId is stored and not ended; Any whether any record of that file is.
type Known interface {
	Has(file, sourcedID string) bool
	Any(file string) bool
}

// Check looks across the files of a set read without problems: every
// reference of an active row must name a record that this set has and
// doesn't delete or, when the referenced file is a delta or absent, one
// already imported. A bulk file is the whole truth, so a reference into
// one must be in it. References to orgs, sessions and courses, which plpbot
// keeps only for context, are checked only when the set or the store has
// any of them.
func Check(set *Set, known Known) []Problem {
	c := &checker{set: set, known: known, ps: &problems{}, index: map[string]map[string]bool{}}
	c.indexRows()
	c.contextRefs()
	for _, u := range set.Users {
		if !u.Deleted {
			c.refs(FileUsers, u.Line, "user", FileOrgs, u.Orgs)
			c.refs(FileUsers, u.Line, "user", FileUsers, u.Agents)
		}
	}
	for _, r := range set.Roles {
		if !r.Deleted {
			c.ref(FileRoles, r.Line, "role", FileUsers, r.User)
			c.ref(FileRoles, r.Line, "role", FileOrgs, r.Org)
		}
	}
	for _, e := range set.Enrollments {
		if !e.Deleted {
			c.ref(FileEnrollments, e.Line, "enrollment", FileClasses, e.Class)
			c.ref(FileEnrollments, e.Line, "enrollment", FileUsers, e.User)
			c.ref(FileEnrollments, e.Line, "enrollment", FileOrgs, e.School)
		}
	}
	return c.ps.list
}

// contextRefs checks the references of orgs, sessions, courses and classes.
func (c *checker) contextRefs() {
	for _, o := range c.set.Orgs {
		if !o.Deleted && o.Parent != "" {
			c.ref(FileOrgs, o.Line, "org", FileOrgs, o.Parent)
		}
	}
	for _, s := range c.set.Sessions {
		if !s.Deleted && s.Parent != "" {
			c.ref(FileSessions, s.Line, "session", FileSessions, s.Parent)
		}
	}
	for _, co := range c.set.Courses {
		if !co.Deleted {
			c.ref(FileCourses, co.Line, "course", FileOrgs, co.Org)
			if co.SchoolYear != "" {
				c.ref(FileCourses, co.Line, "course", FileSessions, co.SchoolYear)
			}
		}
	}
	for _, cl := range c.set.Classes {
		if !cl.Deleted {
			c.ref(FileClasses, cl.Line, "class", FileCourses, cl.Course)
			c.ref(FileClasses, cl.Line, "class", FileOrgs, cl.School)
			c.refs(FileClasses, cl.Line, "class", FileSessions, cl.Terms)
		}
	}
}

type checker struct {
	set   *Set
	known Known
	ps    *problems
	index map[string]map[string]bool // file → sourcedId → deleted
}

func (c *checker) indexRows() {
	add := func(file string, rows []Row) {
		m := make(map[string]bool, len(rows))
		for _, r := range rows {
			m[r.SourcedID] = r.Deleted
		}
		c.index[file] = m
	}
	add(FileOrgs, rowsOf(c.set.Orgs, func(o Org) Row { return o.Row }))
	add(FileSessions, rowsOf(c.set.Sessions, func(s Session) Row { return s.Row }))
	add(FileCourses, rowsOf(c.set.Courses, func(co Course) Row { return co.Row }))
	add(FileClasses, rowsOf(c.set.Classes, func(cl Class) Row { return cl.Row }))
	add(FileUsers, rowsOf(c.set.Users, func(u User) Row { return u.Row }))
}

func rowsOf[T any](items []T, row func(T) Row) []Row {
	out := make([]Row, len(items))
	for i, it := range items {
		out[i] = row(it)
	}
	return out
}

// contextFiles are the files plpbot keeps for context only.
var contextFiles = []string{FileOrgs, FileSessions, FileCourses}

// singular names a record of a file in a problem.
var singular = map[string]string{
	FileOrgs: "org", FileSessions: "academic session", FileCourses: "course",
	FileClasses: "class", FileUsers: "user",
}

func (c *checker) refs(file string, line int, what, target string, ids []string) {
	for _, id := range ids {
		c.ref(file, line, what, target, id)
	}
}

// ref checks that the record on line of file (a what) may refer to the
// record id of target.
func (c *checker) ref(file string, line int, what, target, id string) {
	mode := c.set.Manifest.Mode(target)
	if slices.Contains(contextFiles, target) && mode == Absent && !c.known.Any(target) {
		return
	}
	deleted, in := c.index[target][id]
	switch {
	case in && !deleted:
		return
	case in:
		c.ps.add(file+".csv", line, "%s references %s %q, which %s.csv marks tobedeleted", what, singular[target], id, target)
	case mode != Bulk && c.known.Has(target, id):
		return
	default:
		c.ps.add(file+".csv", line, "%s references unknown %s %q", what, singular[target], id)
	}
}
