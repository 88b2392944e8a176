package oneroster

import "slices"

// required lists, by version and file, the columns the OneRoster CSV
// binding marks required: their headers must be in the file. (The binding
// lists every column in a fixed order; plpbot finds columns by name and
// lets optional ones be left out.) status and dateLastModified are
// required of delta files only.
var required = map[string]map[string][]string{
	V11: {
		FileOrgs:        {"sourcedId", "name", "type"},
		FileSessions:    {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
		FileCourses:     {"sourcedId", "title", "orgSourcedId"},
		FileClasses:     {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
		FileUsers:       {"sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName"},
		FileEnrollments: {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
	},
	V12: {
		FileOrgs:        {"sourcedId", "name", "type"},
		FileSessions:    {"sourcedId", "title", "type", "startDate", "endDate", "schoolYear"},
		FileCourses:     {"sourcedId", "title", "orgSourcedId"},
		FileClasses:     {"sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"},
		FileUsers:       {"sourcedId", "enabledUser", "username", "givenName", "familyName"},
		FileRoles:       {"sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"},
		FileEnrollments: {"sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"},
	},
}

// Role values of users.csv (1.1), roles.csv (1.2) and enrollments.csv. A
// value starting "ext:" is an extension the binding allows; plpbot reads
// it as a role it doesn't use.
var (
	userRoles11 = []string{"administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher"}
	userRoles12 = []string{"aide", "counselor", "districtAdministrator", "guardian", "parent", "principal",
		"proctor", "relative", "siteAdministrator", "student", "systemAdministrator", "teacher"}
	enrollmentRoles = []string{"administrator", "proctor", "student", "teacher"}
	// enrollmentRoles12 adds counselor: the 1.2 binding's enrollment roles
	// are the four above (and extensions), but exports that put a
	// counselor in a homeroom or advisory section write "counselor" (or
	// "ext:counselor") as readily as "teacher". plpbot reads all three the
	// same way: the enrollment of a counselor brings the class's students
	// onto their caseload.
	enrollmentRoles12 = append(slices.Clone(enrollmentRoles), "counselor")
	roleTypes         = []string{"primary", "secondary"}
)

// GuardianRoles are the user roles of a student's family: kept as the
// student's guardians, never as people plpbot talks to.
var GuardianRoles = []string{"parent", "guardian", "relative"}

// CounselorEnrollmentRoles are the enrollment roles that say "this user is
// the class's counselor"; any enrollment of a 1.2 counselor (teacher,
// administrator, proctor) reads as one too.
var CounselorEnrollmentRoles = []string{"counselor", "ext:counselor"}
