package plpbot

// The access policy: who may see or change what. Chat commands, the
// scheduler and the dashboard all ask these functions, and they ask at the
// moment of use (when a message is sent, not when it was planned), with
// Ties looked up then.

// Ties are how a member of staff serves a student now, as the data says at
// the moment of the question.
type Ties struct {
	// Teaches is true when the staff member teaches a class the student is
	// in now.
	Teaches bool
	// Counsels is true when the student is on the staff member's caseload.
	Counsels bool
}

// Serves reports whether the staff member serves the student in any way.
func (t Ties) Serves() bool { return t.Teaches || t.Counsels }

// CanViewPlan reports whether actor may read student's plan (goals,
// check-ins, reflections, feedback, conferences). The rules: a person sees
// their own plan; an admin sees every student's; a teacher or counselor
// sees the plan of a student they serve now (t); nobody else sees it.
// Every read by someone other than the student is audited.
func CanViewPlan(actor, student *Person, t Ties) bool {
	switch {
	case actor.ID == student.ID, actor.Role == RoleAdmin:
		return true
	case actor.Role.IsStaff():
		return t.Serves()
	}
	return false
}

// CanSeeFlags reports whether actor may see student's intervention flags
// (IEP, 504). The rules: staff who may view the plan, and never anyone
// about themselves, whatever their role: a self-view never shows flags.
// Students, channels and exports never see flags.
func CanSeeFlags(actor, student *Person, t Ties) bool {
	return actor.ID != student.ID && actor.Role.IsStaff() && CanViewPlan(actor, student, t)
}

// CanActFor reports whether actor may act on student's plan as staff: give
// feedback, record a flag, book a conference, mark them away, export their
// plan. The rules: staff who may view the plan, acting on someone else.
func CanActFor(actor, student *Person, t Ties) bool {
	return actor.ID != student.ID && actor.Role.IsStaff() && CanViewPlan(actor, student, t)
}

// CanChangePlan reports whether actor may change owner's goals, steps,
// check-ins, reflections and profile. The rule: only the owner; staff
// respond through feedback and conferences instead.
func CanChangePlan(actor, owner *Person) bool { return actor.ID == owner.ID }

// CanReceiveAbout reports whether a scheduled message about student (a
// prep brief, a notes request, a standing 1:1's next booking) may go to
// recipient now. The rule: the recipient may view the student's plan at
// send time; a teacher who left the class or lost their role gets nothing.
func CanReceiveAbout(recipient, student *Person, t Ties) bool {
	return recipient.ID == student.ID || CanViewPlan(recipient, student, t)
}

// CanManageClass reports whether actor may change a class's members and
// schedules. The rules: an admin, or a teacher of that class (teaches).
func CanManageClass(actor *Person, teaches bool) bool {
	return actor.Role == RoleAdmin || (actor.Role.IsStaff() && teaches)
}

// CanManageConference reports whether actor may close, cancel or end c.
// The rules: an admin, or the staff member who holds it while they still
// serve the student (t).
func CanManageConference(actor *Person, c *Conference, t Ties) bool {
	return actor.Role == RoleAdmin || (actor.Role.IsStaff() && actor.ID == c.TeacherID && t.Serves())
}

// CanAdminister reports whether actor may grant roles, forget people and
// read the audit log. The rule: admins only.
func CanAdminister(actor *Person) bool { return actor.Role == RoleAdmin }
