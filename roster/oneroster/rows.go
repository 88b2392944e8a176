package oneroster

func (r *reader) org(t *table, row Row) (Org, bool) {
	return Org{Row: row, Name: t.get("name"), Type: t.get("type"), Parent: t.get("parentSourcedId")},
		need(t, row, "name")
}

func (r *reader) session(t *table, row Row) (Session, bool) {
	s := Session{Row: row, Title: t.get("title"), Type: t.get("type"), Parent: t.get("parentSourcedId"),
		SchoolYear: t.get("schoolYear")}
	ok := need(t, row, "title")
	var okStart, okEnd bool
	s.Start, okStart = date(t, row, "startDate", true)
	s.End, okEnd = date(t, row, "endDate", true)
	if okStart && okEnd && !row.Deleted && s.End.Before(s.Start) {
		t.problem(t.line, "endDate %s is before startDate %s", s.End.Format("2006-01-02"), s.Start.Format("2006-01-02"))
		ok = false
	}
	return s, ok && okStart && okEnd
}

func (r *reader) course(t *table, row Row) (Course, bool) {
	return Course{Row: row, Title: t.get("title"), Code: t.get("courseCode"), Org: t.get("orgSourcedId"),
		SchoolYear: t.get("schoolYearSourcedId")}, need(t, row, "title", "orgSourcedId")
}

func (r *reader) class(t *table, row Row) (Class, bool) {
	return Class{Row: row, Title: t.get("title"), Code: t.get("classCode"), Course: t.get("courseSourcedId"),
			School: t.get("schoolSourcedId"), Terms: t.list("termSourcedIds")},
		need(t, row, "title", "courseSourcedId", "schoolSourcedId", "termSourcedIds")
}

func (r *reader) user(t *table, row Row) (User, bool) {
	u := User{Row: row, Username: t.get("username"), Email: t.get("email"),
		GivenName: t.get("givenName"), FamilyName: t.get("familyName"),
		PreferredGivenName: t.get("preferredGivenName"), PreferredFamName: t.get("preferredFamilyName"),
		IDs: t.list("userIds"), Agents: t.list("agentSourcedIds"), Grades: t.list("grades"),
		Orgs: t.list("orgSourcedIds")}
	ok := need(t, row, "givenName", "familyName")
	if r.set.Manifest.Version == V11 {
		var okRole bool
		u.Role, okRole = enum(t, "role", userRoles11)
		ok = need(t, row, "role") && okRole && ok
	}
	return u, ok
}

func (r *reader) role(t *table, row Row) (RoleRow, bool) {
	rr := RoleRow{Row: row, User: t.get("userSourcedId"), Org: t.get("orgSourcedId")}
	ok := need(t, row, "userSourcedId", "role", "roleType", "orgSourcedId")
	var okRole, okType bool
	rr.Role, okRole = enum(t, "role", userRoles12)
	var roleType string
	roleType, okType = enum(t, "roleType", roleTypes)
	rr.Primary = roleType == "primary"
	return rr, ok && okRole && okType
}

func (r *reader) enrollment(t *table, row Row) (Enrollment, bool) {
	e := Enrollment{Row: row, Class: t.get("classSourcedId"), School: t.get("schoolSourcedId"),
		User: t.get("userSourcedId")}
	ok := need(t, row, "classSourcedId", "schoolSourcedId", "userSourcedId", "role")
	var okRole, okPrimary, okBegin, okEnd bool
	roles := enrollmentRoles
	if r.set.Manifest.Version == V12 {
		roles = enrollmentRoles12
	}
	e.Role, okRole = enum(t, "role", roles)
	e.Primary, okPrimary = boolean(t, "primary")
	e.Begin, okBegin = date(t, row, "beginDate", false)
	e.End, okEnd = date(t, row, "endDate", false)
	return e, ok && okRole && okPrimary && okBegin && okEnd
}
