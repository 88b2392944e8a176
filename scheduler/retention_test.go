package scheduler_test

import (
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestRetentionNightly(t *testing.T) {
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, ny)
	day := func(n, hour int) time.Time { return time.Date(2026, 3, 2+n, hour, 0, 0, 0, ny) }
	e := newEnv(t, start, scheduler.Options{TimeZone: "America/New_York", Retention: 30 * 24 * time.Hour})
	teacher := e.user("Ms Lee", "", plpbot.RoleTeacher)
	kept := e.user("Kept", "", plpbot.RoleStudent)
	e.class("Period 3", teacher, "America/New_York", "", "", kept)
	gone := e.user("Gone", "", plpbot.RoleStudent)
	e.clock.Set(day(0, 5))
	late := e.user("Late", "", plpbot.RoleStudent) // last active four hours after the others

	alive := func(u *plpbot.Person) bool {
		t.Helper()
		_, err := e.store.User(e.ctx, u.ID)
		return err == nil
	}
	// Day 30, 03:00: the night's run is due; Gone has been inactive for 30
	// days (720 hours: the clocks went forward on the way) since 02:00, Late
	// will be at 06:00.
	e.tick(day(30, 3))
	if alive(gone) || !alive(late) || !alive(kept) || !alive(teacher) {
		t.Fatalf("after the first night: gone %v, late %v, kept %v, teacher %v; want only Gone purged",
			alive(gone), alive(late), alive(kept), alive(teacher))
	}
	// Later that day Late is inactive too, but the job runs once a night.
	e.tick(day(30, 23))
	if !alive(late) {
		t.Fatal("the retention job ran twice in one day")
	}
	e.tick(day(31, 1))
	if !alive(late) {
		t.Fatal("the retention job ran before 02:00")
	}
	e.tick(day(31, 2))
	if alive(late) {
		t.Error("the next night's run did not purge Late")
	}
	if !alive(kept) || !alive(teacher) {
		t.Error("retention purged someone in a class")
	}
	erased, err := e.store.Erasures(e.ctx, late.ID)
	if err != nil || len(erased) != 1 || erased[0].ByName != storage.RetentionEraser.Name {
		t.Errorf("erasure record = %+v, %v; want one by the retention policy", erased, err)
	}
	runs, err := e.store.JobRuns(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := runs["retention|all"]; r.Planned != 2 || !r.Last.Equal(day(31, 2).UTC()) {
		t.Errorf("job run = %+v, want 2 purged, last on day 31 at 02:00", r)
	}
}

func TestRetentionOff(t *testing.T) {
	e := newEnv(t, time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), scheduler.Options{})
	gone := e.user("Gone", "", plpbot.RoleStudent)
	e.tick(time.Date(2030, 3, 2, 12, 0, 0, 0, time.UTC))
	if _, err := e.store.User(e.ctx, gone.ID); err != nil {
		t.Errorf("with retention off, someone was purged: %v", err)
	}
}

// TestTeacherListsRepairedNightly: a student enrollment whose teacher list
// was left short (a change cut off between its writes) puts the student
// back on their teacher's rosters at the next night's run, once a night.
func TestTeacherListsRepairedNightly(t *testing.T) {
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, ny)
	e := newEnv(t, start, scheduler.Options{TimeZone: "America/New_York"})
	teacher := e.user("Ms Lee", "", plpbot.RoleTeacher)
	sam := e.user("Sam", "", plpbot.RoleStudent)
	e.class("Period 3", teacher, "America/New_York", "", "", sam)
	_, err := storagetest.Collection(t, e.store, "enrollments").UpdateMany(e.ctx,
		bson.D{{Key: "user_id", Value: sam.ID}}, bson.D{{Key: "$unset", Value: bson.D{{Key: "teacher_ids", Value: ""}}}})
	if err != nil {
		t.Fatal(err)
	}
	teaches := func() bool {
		t.Helper()
		tt, err := e.store.TaughtBy(e.ctx, teacher.ID)
		if err != nil {
			t.Fatal(err)
		}
		return tt.Teaches(sam.ID)
	}
	if teaches() {
		t.Fatal("the list was not left short")
	}
	e.tick(time.Date(2026, 3, 2, 3, 0, 0, 0, ny))
	if !teaches() {
		t.Fatal("the night's run did not repair the teacher list")
	}
	runs, err := e.store.JobRuns(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r := runs["teacher-lists|all"]; r.Planned != 1 {
		t.Errorf("the run recorded %+v; want one enrollment fixed", r)
	}
}
