package handlers_test

import "testing"

// TestRosterFollowsGoalChanges checks that the roster (which reads the
// summaries kept on each student's user record) follows every kind of goal
// change a student makes.
func TestRosterFollowsGoalChanges(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	e.ok("sam", "goal add Run a 5k")
	e.ok("sam", "checkin 1 40%")
	e.ok("sam", "checkin 2 80%")
	out := e.ok("ms-lee", "roster")
	mustContain(t, out, "60%", "2 goals")
	mustNotContain(t, out, "no check-ins yet")

	e.ok("sam", "goal done 2")
	out = e.ok("ms-lee", "roster")
	mustContain(t, out, "40%", "1 goal")

	e.ok("sam", "goal drop 1")
	out = e.ok("ms-lee", "roster")
	mustContain(t, out, "no active goals")
}
