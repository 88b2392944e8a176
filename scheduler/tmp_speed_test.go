package scheduler_test

import (
	"testing"
	"time"

	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
)

func TestTmpSpeed(t *testing.T) {
	e := newEnv(t, at(3, 6, 13, 0), scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "America/New_York", storage.RoleTeacher)
	c := e.class("Band", teacher, "America/New_York", "", "0 0 1 1 *")
	seedStudents(t, e.store, c.ID, 300, "America/New_York")
	e.tick(at(3, 6, 13, 0))
	now := at(3, 6, 14, 0)
	t0 := time.Now()
	if err := e.sched.Plan(e.ctx, now); err != nil {
		t.Fatal(err)
	}
	t.Logf("plan %s", time.Since(t0))
	t0 = time.Now()
	e.tick(now)
	t.Logf("tick %s", time.Since(t0))
}
