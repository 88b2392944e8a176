// Package oneroster reads and checks a OneRoster CSV set (1EdTech OneRoster
// 1.1 and 1.2, CSV binding): a folder or a .zip holding manifest.csv and
// the rostering files plpbot uses — orgs, academicSessions, courses,
// classes, users, enrollments and, in 1.2, roles.
//
// Files are streamed row by row with encoding/csv (RFC 4180 quoting, UTF-8
// with or without a byte order mark); a line or record longer than a limit
// and a file with too many problems stop that file's reading, so a huge
// file of garbage is refused quickly in bounded memory. Columns are found
// by their header name; columns plpbot doesn't use are ignored.
//
// Reading is the first half of an import: Read returns the rows and every
// problem with each row on its own, and Check adds the problems across files
// (an enrollment to an unknown class). Nothing here writes anything; the
// roster package applies a set only when no problem was found.
package oneroster

import "time"

// Mode says how the manifest delivers a file.
type Mode string

// Modes of a file in manifest.csv.
const (
	// Bulk: the file is the whole truth; a record missing from it is gone.
	Bulk Mode = "bulk"
	// Delta: the file carries changes only, each with a status.
	Delta Mode = "delta"
	// Absent: the file is not in the set.
	Absent Mode = "absent"
)

// Versions of OneRoster this package reads.
const (
	V11 = "1.1"
	V12 = "1.2"
)

// File names (without ".csv") of the rostering files plpbot reads.
const (
	FileOrgs        = "orgs"
	FileSessions    = "academicSessions"
	FileCourses     = "courses"
	FileClasses     = "classes"
	FileUsers       = "users"
	FileRoles       = "roles"
	FileEnrollments = "enrollments"
)

// Files lists the files plpbot reads, in the order they are read: each
// refers only to files before it.
var Files = []string{FileOrgs, FileSessions, FileCourses, FileClasses, FileUsers, FileRoles, FileEnrollments}

// Manifest is what manifest.csv says of the set.
type Manifest struct {
	// Version is the OneRoster version: V11 or V12.
	Version string
	// Modes is each file's mode, by file name (FileUsers …). A file the
	// manifest doesn't name is Absent.
	Modes map[string]Mode
}

// Mode returns how the set delivers a file.
func (m *Manifest) Mode(file string) Mode {
	if md, ok := m.Modes[file]; ok {
		return md
	}
	return Absent
}

// Row is what every record carries: its sourcedId, whether it is to be
// deleted (status tobedeleted), when the SIS last changed it, and the line
// of the file it starts on.
type Row struct {
	SourcedID string
	Deleted   bool
	Modified  time.Time
	Line      int
}

// Org is a row of orgs.csv: a school, district or other organisation.
type Org struct {
	Row
	Name, Type, Parent string
}

// Session is a row of academicSessions.csv: a school year, term,
// semester or grading period.
type Session struct {
	Row
	Title, Type, Parent, SchoolYear string
	Start, End                      time.Time
}

// Course is a row of courses.csv.
type Course struct {
	Row
	Title, Code, Org, SchoolYear string
}

// Class is a row of classes.csv: one section of a course.
type Class struct {
	Row
	Title, Code, Course, School string
	Terms                       []string
}

// User is a row of users.csv. Role is the 1.1 role column ("" in 1.2,
// where roles.csv gives roles).
type User struct {
	Row
	Role                                 string
	Username, Email                      string
	GivenName, FamilyName                string
	PreferredGivenName, PreferredFamName string
	IDs, Agents, Grades, Orgs            []string
}

// RoleRow is a row of 1.2's roles.csv: one role of a user in an org.
type RoleRow struct {
	Row
	User, Role, Org string
	Primary         bool // roleType primary (else secondary)
}

// Enrollment is a row of enrollments.csv: a user in a class.
type Enrollment struct {
	Row
	Class, School, User, Role string
	Primary                   bool
	Begin, End                time.Time
}

// Set is a whole OneRoster CSV set as read.
type Set struct {
	Manifest    Manifest
	Orgs        []Org
	Sessions    []Session
	Courses     []Course
	Classes     []Class
	Users       []User
	Roles       []RoleRow
	Enrollments []Enrollment
}
