package oneroster

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Read reads every file of the set plpbot uses, streaming each, and checks
// each row on its own: required columns and values, status and
// dateLastModified as the file's mode asks, dates, roles, duplicate
// sourcedIds. It returns the rows and the problems found (none: the set
// reads well; Check then looks across files). Files the manifest marks
// absent are not read; files plpbot doesn't use are ignored.
func Read(ctx context.Context, src *Source) (*Set, []Problem) {
	r := &reader{ctx: ctx, src: src, set: &Set{}, ps: &problems{}}
	if !r.manifest() {
		return r.set, r.ps.list
	}
	r.set.Orgs = readRows(r, FileOrgs, r.org)
	r.set.Sessions = readRows(r, FileSessions, r.session)
	r.set.Courses = readRows(r, FileCourses, r.course)
	r.set.Classes = readRows(r, FileClasses, r.class)
	r.set.Users = readRows(r, FileUsers, r.user)
	if r.set.Manifest.Version == V12 {
		r.set.Roles = readRows(r, FileRoles, r.role)
	}
	r.set.Enrollments = readRows(r, FileEnrollments, r.enrollment)
	if err := ctx.Err(); err != nil {
		r.ps.add(src.Name(), 0, "reading stopped: %v", err)
	}
	return r.set, r.ps.list
}

// reader is one Read.
type reader struct {
	ctx context.Context
	src *Source
	set *Set
	ps  *problems
}

const manifestFile = "manifest.csv"

// manifest reads manifest.csv into r.set.Manifest; false if the set can't
// be read on.
func (r *reader) manifest() bool {
	f, err := r.src.open(manifestFile)
	if err != nil {
		r.ps.add(manifestFile, 0, "%s", readFailure(err))
		return false
	}
	defer f.Close()
	t := newTable(manifestFile, f, r.ps)
	if t == nil {
		return false
	}
	if !t.has("propertyName") || !t.has("value") {
		r.ps.add(manifestFile, 1, "want the columns propertyName,value")
		return false
	}
	m := &r.set.Manifest
	m.Modes = map[string]Mode{}
	lines := map[string]int{}
	for t.next() {
		name, value := t.get("propertyName"), t.get("value")
		switch {
		case name == "oneroster.version":
			m.Version = version(value)
			if m.Version == "" {
				t.problem(t.line, "oneroster.version is %q: plpbot reads OneRoster 1.1 and 1.2", value)
			}
		case strings.HasPrefix(name, "file."):
			file := strings.TrimPrefix(name, "file.")
			mode := Mode(strings.ToLower(value))
			if mode != Bulk && mode != Delta && mode != Absent {
				t.problem(t.line, "%s is %q: want bulk, delta or absent", name, value)
				continue
			}
			m.Modes[file], lines[file] = mode, t.line
		}
	}
	if m.Version == "" && t.bad == 0 {
		r.ps.add(manifestFile, 0, "no oneroster.version row: add one, such as `oneroster.version,1.1`")
	}
	if len(r.ps.list) > 0 {
		return false
	}
	return r.filesMatchManifest(lines)
}

// version returns the OneRoster version value names ("1.2.1" is 1.2), or
// "" for one plpbot doesn't read.
func version(value string) string {
	for _, v := range []string{V11, V12} {
		if value == v || strings.HasPrefix(value, v+".") {
			return v
		}
	}
	return ""
}

// filesMatchManifest checks that the files the manifest names are in the
// set and that the files in the set are named, so no file is read with a
// guessed mode (which decides whether missing rows end).
func (r *reader) filesMatchManifest(lines map[string]int) bool {
	m := &r.set.Manifest
	ok := true
	for _, file := range Files {
		if file == FileRoles && m.Version != V12 {
			continue
		}
		name := file + ".csv"
		mode, named := m.Modes[file]
		switch {
		case named && mode != Absent && !r.src.Has(name):
			r.ps.add(manifestFile, lines[file], "file.%s is %s, but %s isn't in %s", file, mode, name, r.src.Name())
			ok = false
		case !named && r.src.Has(name):
			r.ps.add(manifestFile, 0, "%s is in the set but the manifest doesn't say how: add a row `file.%s,bulk` (the whole roster) or `file.%s,delta` (changes only)", name, file, file)
			ok = false
		}
	}
	return ok
}

// readRows reads one file of the set with parse, which turns the current
// row of t into a T (false: the row had a problem, already recorded).
func readRows[T any](r *reader, file string, parse func(t *table, row Row) (T, bool)) []T {
	mode := r.set.Manifest.Mode(file)
	if mode == Absent || r.ctx.Err() != nil {
		return nil
	}
	name := file + ".csv"
	f, err := r.src.open(name)
	if err != nil {
		r.ps.add(name, 0, "%s", readFailure(err))
		return nil
	}
	defer f.Close()
	t := newTable(name, f, r.ps)
	if t == nil || !r.header(t, file, mode) {
		return nil
	}
	var out []T
	seen := map[string]int{}
	n := 0
	for ; t.next(); n++ {
		if n%1024 == 0 && r.ctx.Err() != nil {
			return nil
		}
		row, ok := r.row(t, mode, seen)
		if !ok {
			continue
		}
		if v, ok := parse(t, row); ok {
			out = append(out, v)
		}
	}
	if n == 0 && t.bad == 0 {
		// The binding forbids it, and a bulk file with no rows would end
		// every record of its kind: an export that went wrong.
		r.ps.add(name, 0, "a header and no rows: OneRoster files must have rows (if there is nothing to send, mark it `file.%s,absent` in the manifest)", file)
	}
	return out
}

// header checks a file has the columns its version requires.
func (r *reader) header(t *table, file string, mode Mode) bool {
	cols := required[r.set.Manifest.Version][file]
	if mode == Delta {
		cols = append(slices.Clone(cols), "status", "dateLastModified")
	}
	ok := true
	for _, c := range cols {
		if !t.has(c) {
			r.ps.add(t.file, 1, "no %q column: OneRoster %s requires it", c, r.set.Manifest.Version)
			ok = false
		}
	}
	return ok
}

// row reads the columns every record has and checks them.
func (r *reader) row(t *table, mode Mode, seen map[string]int) (Row, bool) {
	row := Row{SourcedID: t.get("sourcedId"), Line: t.line}
	if row.SourcedID == "" {
		t.problem(t.line, "sourcedId is empty: every row needs one")
		return row, false
	}
	if first, dup := seen[row.SourcedID]; dup {
		t.problem(t.line, "sourcedId %q is already on line %d", row.SourcedID, first)
		return row, false
	}
	seen[row.SourcedID] = t.line
	ok := true
	switch status := strings.ToLower(t.get("status")); status {
	case "active":
	case "tobedeleted":
		row.Deleted = true
	case "":
		if mode == Delta {
			t.problem(t.line, "status is empty: a delta file gives each row's status, active or tobedeleted")
			ok = false
		}
	default:
		t.problem(t.line, "status is %q: want active or tobedeleted", t.get("status"))
		ok = false
	}
	switch modified := t.get("dateLastModified"); {
	case modified != "":
		at, good := parseDateTime(modified)
		if !good {
			t.problem(t.line, "dateLastModified %q isn't a date and time: want one such as 2026-09-01T08:00:00Z", modified)
			ok = false
		}
		row.Modified = at
	case mode == Delta:
		t.problem(t.line, "dateLastModified is empty: a delta file gives each row's date of change")
		ok = false
	}
	return row, ok
}

// need checks that the active row has values in cols.
func need(t *table, row Row, cols ...string) bool {
	if row.Deleted {
		return true
	}
	ok := true
	for _, c := range cols {
		if t.get(c) == "" {
			t.problem(t.line, "%s is empty: OneRoster requires it", c)
			ok = false
		}
	}
	return ok
}

// date reads an optional date column (YYYY-MM-DD); required makes an
// empty one a problem too.
func date(t *table, row Row, col string, required bool) (time.Time, bool) {
	v := t.get(col)
	if v == "" {
		if required && !row.Deleted {
			t.problem(t.line, "%s is empty: OneRoster requires it", col)
			return time.Time{}, false
		}
		return time.Time{}, true
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		t.problem(t.line, "%s %q isn't a date: want YYYY-MM-DD, such as 2026-09-01", col, v)
		return time.Time{}, false
	}
	return d, true
}

// dateTimeLayouts are the forms of dateLastModified accepted: ISO 8601
// with a zone (the binding's), without one (read as UTC), or a date alone.
var dateTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly}

func parseDateTime(v string) (time.Time, bool) {
	for _, l := range dateTimeLayouts {
		if at, err := time.Parse(l, v); err == nil {
			return at.UTC(), true
		}
	}
	return time.Time{}, false
}

// enum reads a column whose value must be one of values (matched without
// regard to case, returned as the binding spells it) or an "ext:"
// extension. An empty value is "" and fine unless the row needs it (need).
func enum(t *table, col string, values []string) (string, bool) {
	v := t.get(col)
	if v == "" || strings.HasPrefix(v, "ext:") {
		return v, true
	}
	for _, want := range values {
		if strings.EqualFold(v, want) {
			return want, true
		}
	}
	t.problem(t.line, "%s is %q: want one of %s", col, v, strings.Join(values, ", "))
	return v, false
}

// boolean reads an optional true/false column.
func boolean(t *table, col string) (bool, bool) {
	switch v := strings.ToLower(t.get(col)); v {
	case "true":
		return true, true
	case "false", "":
		return false, true
	}
	t.problem(t.line, "%s is %q: want true or false", col, t.get(col))
	return false, false
}
