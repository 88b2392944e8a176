package plpbot_test

import (
	"testing"

	"github.com/plpbot/plpbot"
)

// TestAccessPolicy is the access policy as a table: actor × relationship →
// what they may do.
func TestAccessPolicy(t *testing.T) {
	student := &plpbot.Person{ID: "s", Role: plpbot.RoleStudent}
	other := &plpbot.Person{ID: "o", Role: plpbot.RoleStudent}
	teacher := &plpbot.Person{ID: "t", Role: plpbot.RoleTeacher}
	counselor := &plpbot.Person{ID: "c", Role: plpbot.RoleCounselor}
	admin := &plpbot.Person{ID: "a", Role: plpbot.RoleAdmin}
	staffSelf := &plpbot.Person{ID: "s", Role: plpbot.RoleTeacher} // a student made staff
	teaches, counsels, none := plpbot.Ties{Teaches: true}, plpbot.Ties{Counsels: true}, plpbot.Ties{}
	for _, tt := range []struct {
		name                     string
		actor                    *plpbot.Person
		ties                     plpbot.Ties
		view, flags, act, change bool
	}{
		{"the student themselves", student, none, true, false, false, true},
		{"another student", other, none, false, false, false, false},
		{"another student, even 'tied'", other, teaches, false, false, false, false},
		{"their teacher now", teacher, teaches, true, true, true, false},
		{"a teacher who doesn't teach them", teacher, none, false, false, false, false},
		{"their counselor", counselor, counsels, true, true, true, false},
		{"a counselor without them on the caseload", counselor, none, false, false, false, false},
		{"an admin", admin, none, true, true, true, false},
		{"a student made staff, looking at themselves", staffSelf, none, true, false, false, true},
	} {
		if got := plpbot.CanViewPlan(tt.actor, student, tt.ties); got != tt.view {
			t.Errorf("%s: CanViewPlan = %v, want %v", tt.name, got, tt.view)
		}
		if got := plpbot.CanSeeFlags(tt.actor, student, tt.ties); got != tt.flags {
			t.Errorf("%s: CanSeeFlags = %v, want %v", tt.name, got, tt.flags)
		}
		if got := plpbot.CanActFor(tt.actor, student, tt.ties); got != tt.act {
			t.Errorf("%s: CanActFor = %v, want %v", tt.name, got, tt.act)
		}
		if got := plpbot.CanChangePlan(tt.actor, student); got != tt.change {
			t.Errorf("%s: CanChangePlan = %v, want %v", tt.name, got, tt.change)
		}
		if got := plpbot.CanReceiveAbout(tt.actor, student, tt.ties); got != tt.view {
			t.Errorf("%s: CanReceiveAbout = %v, want %v (as CanViewPlan)", tt.name, got, tt.view)
		}
	}
	c := &plpbot.Conference{TeacherID: teacher.ID, StudentID: student.ID}
	if !plpbot.CanManageConference(teacher, c, teaches) || plpbot.CanManageConference(teacher, c, none) ||
		plpbot.CanManageConference(counselor, c, counsels) || !plpbot.CanManageConference(admin, c, none) {
		t.Error("CanManageConference: want the holder while serving, or an admin")
	}
	if plpbot.CanAdminister(teacher) || !plpbot.CanAdminister(admin) {
		t.Error("CanAdminister: want admins only")
	}
	if !plpbot.CanManageClass(teacher, true) || plpbot.CanManageClass(teacher, false) || plpbot.CanManageClass(student, true) || !plpbot.CanManageClass(admin, false) {
		t.Error("CanManageClass: want its teachers or an admin")
	}
}
