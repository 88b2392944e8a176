package storage_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// teacherLists returns the teacher_ids of each enrollment whose list names
// someone, by enrollment id, sorted.
func teacherLists(t *testing.T, s *storage.Store) map[string][]string {
	t.Helper()
	cur, err := storagetest.Collection(t, s, "enrollments").Find(context.Background(), bson.D{{Key: "teacher_ids", Value: bson.D{{Key: "$exists", Value: true}}}})
	must(t, "find enrollments", err)
	var es []struct {
		ID       string   `bson:"_id"`
		Teachers []string `bson:"teacher_ids"`
	}
	must(t, "read enrollments", cur.All(context.Background(), &es))
	out := map[string][]string{}
	for _, e := range es {
		if len(e.Teachers) > 0 {
			slices.Sort(e.Teachers)
			out[e.ID] = e.Teachers
		}
	}
	return out
}

// taught returns the students staffID teaches (TaughtBy), sorted.
func taught(t *testing.T, s *storage.Store, staffID string) []string {
	t.Helper()
	tt, err := s.TaughtBy(context.Background(), staffID)
	must(t, "TaughtBy", err)
	return tt.StudentIDs()
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

// TestTeacherLists: every change of a class's members keeps its students'
// teacher lists, so TaughtBy finds a teacher's students in one read; and
// TaughtBy trusts only the teacher's own membership, so an id left on a
// list grants nothing.
func TestTeacherLists(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	lee := mustUser(t, s, "LEE", "Ms. Lee", plpbot.RoleTeacher)
	kim := mustUser(t, s, "KIM", "Mr. Kim", plpbot.RoleTeacher)
	sam := mustUser(t, s, "SAM", "Sam", "")
	alex := mustUser(t, s, "ALEX", "Alex", "")
	p3 := mustClass(t, s, "Period 3", lee.ID)
	p5 := mustClass(t, s, "Period 5", kim.ID)
	must(t, "Enroll", s.Enroll(ctx, p3.ID, []string{sam.ID, alex.ID}, plpbot.MemberStudent))
	must(t, "Enroll", s.Enroll(ctx, p5.ID, []string{alex.ID}, plpbot.MemberStudent))
	samP3, alexP3 := plpbot.EnrollmentID(p3.ID, sam.ID), plpbot.EnrollmentID(p3.ID, alex.ID)
	alexP5 := plpbot.EnrollmentID(p5.ID, alex.ID)

	step := func(what string, lists map[string][]string, teaches map[string][]string) {
		t.Helper()
		if got := teacherLists(t, s); fmt.Sprint(got) != fmt.Sprint(lists) {
			t.Errorf("%s: teacher lists %v, want %v", what, got, lists)
		}
		for who, want := range teaches {
			if got := taught(t, s, who); !slices.Equal(got, want) {
				t.Errorf("%s: %s teaches %v, want %v", what, who, got, want)
			}
		}
	}
	step("enrolled", map[string][]string{samP3: {lee.ID}, alexP3: {lee.ID}, alexP5: {kim.ID}},
		map[string][]string{lee.ID: sorted(sam.ID, alex.ID), kim.ID: {alex.ID}})

	must(t, "Enroll co-teacher", s.Enroll(ctx, p3.ID, []string{kim.ID}, plpbot.MemberTeacher))
	step("a co-teacher", map[string][]string{samP3: sorted(lee.ID, kim.ID), alexP3: sorted(lee.ID, kim.ID), alexP5: {kim.ID}},
		map[string][]string{kim.ID: sorted(sam.ID, alex.ID)})
	// Each class's own students, from the same read.
	if tt, _ := s.TaughtBy(ctx, kim.ID); !slices.Equal(tt.StudentsOf(p3.ID), sorted(sam.ID, alex.ID)) ||
		!slices.Equal(tt.StudentsOf(p5.ID), []string{alex.ID}) || tt.StudentsOf("no such class") != nil {
		t.Errorf("a co-teacher: the students of each class of TaughtBy(kim) = %+v", tt)
	}

	must(t, "Unenroll co-teacher", s.Unenroll(ctx, p3.ID, kim.ID))
	step("the co-teacher removed", map[string][]string{samP3: {lee.ID}, alexP3: {lee.ID}, alexP5: {kim.ID}},
		map[string][]string{kim.ID: {alex.ID}, lee.ID: sorted(sam.ID, alex.ID)})

	// Someone who taught the class and is now a student of it teaches no one there.
	must(t, "Enroll co-teacher", s.Enroll(ctx, p3.ID, []string{kim.ID}, plpbot.MemberTeacher))
	must(t, "Enroll as a student", s.Enroll(ctx, p3.ID, []string{kim.ID}, plpbot.MemberStudent))
	kimP3 := plpbot.EnrollmentID(p3.ID, kim.ID)
	step("the co-teacher now a student", map[string][]string{samP3: {lee.ID}, alexP3: {lee.ID}, alexP5: {kim.ID}, kimP3: {lee.ID}},
		map[string][]string{kim.ID: {alex.ID}, lee.ID: sorted(sam.ID, alex.ID, kim.ID)})
	must(t, "Unenroll", s.Unenroll(ctx, p3.ID, kim.ID))

	// A stale list names kim in Period 3 again: it grants nothing.
	_, err := storagetest.Collection(t, s, "enrollments").UpdateOne(ctx, bson.D{{Key: "_id", Value: samP3}},
		bson.D{{Key: "$addToSet", Value: bson.D{{Key: "teacher_ids", Value: kim.ID}}}})
	must(t, "plant a stale id", err)
	if got := taught(t, s, kim.ID); !slices.Equal(got, []string{alex.ID}) {
		t.Errorf("a stale teacher list: kim teaches %v, want only alex (Period 5)", got)
	}
	if tt, _ := s.TaughtBy(ctx, kim.ID); tt.Teaches(sam.ID) || !slices.Equal(tt.Classes, []string{p5.ID}) {
		t.Errorf("a stale teacher list: TaughtBy(kim) = %+v", tt)
	}

	// Forgetting a teacher takes them off every list.
	_, err = s.Forget(ctx, kim.ID, admin)
	must(t, "Forget", err)
	step("kim forgotten", map[string][]string{samP3: {lee.ID}, alexP3: {lee.ID}}, nil)
}

// TestEnrollAgainManyMembers: enrolling again a class of 150 who are in it
// already (a teacher pastes the whole list twice) changes their role only,
// at once: the embedded database wedges on a command of 100 updates that
// each match a document (see the note in byid.go).
func TestEnrollAgainManyMembers(t *testing.T) {
	s, _ := newStore(t)
	lee := mustUser(t, s, "LEE", "Ms. Lee", plpbot.RoleTeacher)
	class := mustClass(t, s, "Period 3", lee.ID)
	ids := make([]string, 150)
	for i := range ids {
		ids[i] = fmt.Sprintf("slack:T1:S%03d", i)
	}
	for round := range 2 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		start := time.Now()
		err := s.Enroll(ctx, class.ID, ids, plpbot.MemberStudent)
		cancel()
		must(t, fmt.Sprintf("Enroll, round %d", round+1), err)
		t.Logf("round %d: %v", round+1, time.Since(start).Round(time.Millisecond))
	}
	if got := taught(t, s, lee.ID); !slices.Equal(got, ids) {
		t.Errorf("lee teaches %d students, want 150", len(got))
	}
	must(t, "Enroll as teachers", s.Enroll(context.Background(), class.ID, ids[:120], plpbot.MemberTeacher))
	if n, err := s.ClassSizes(context.Background(), []string{class.ID}, plpbot.MemberTeacher); err != nil || n[class.ID] != 121 {
		t.Errorf("teachers after a role change: %v, %v; want 121", n, err)
	}
	if got := taught(t, s, ids[0]); len(got) != 30 {
		t.Errorf("a student made teacher teaches %d, want the 30 still students", len(got))
	}
}

// TestTeacherListsBackfill: enrollments written before they carried their
// teachers (a database plpbot has not opened since) get them when a store
// opens on the database, and the database records that it was done.
func TestTeacherListsBackfill(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	lee := mustUser(t, s, "LEE", "Ms. Lee", plpbot.RoleTeacher)
	settings := storagetest.Collection(t, s, "settings")
	_, err := settings.DeleteOne(ctx, bson.D{{Key: "_id", Value: "teacher_lists"}})
	must(t, "a database from before", err)
	var docs []any
	for _, e := range []plpbot.Enrollment{
		{ClassID: "c1", UserID: lee.ID, Role: plpbot.MemberTeacher},
		{ClassID: "c1", UserID: "slack:T1:SAM", Role: plpbot.MemberStudent},
		{ClassID: "c1", UserID: "slack:T1:ALEX", Role: plpbot.MemberStudent},
		{ClassID: "c2", UserID: "slack:T1:KIT", Role: plpbot.MemberStudent},
	} {
		e.ID = plpbot.EnrollmentID(e.ClassID, e.UserID)
		docs = append(docs, e)
	}
	_, err = storagetest.Collection(t, s, "enrollments").InsertMany(ctx, docs)
	must(t, "insert old enrollments", err)
	if got := taught(t, s, lee.ID); len(got) != 0 {
		t.Fatalf("before the backfill lee teaches %v", got)
	}
	s2 := storagetest.Replica(t, s, clk.Now)
	if got := taught(t, s2, lee.ID); !slices.Equal(got, sorted("slack:T1:SAM", "slack:T1:ALEX")) {
		t.Errorf("after the backfill lee teaches %v", got)
	}
	if n, err := settings.CountDocuments(ctx, bson.D{{Key: "_id", Value: "teacher_lists"}}); err != nil || n != 1 {
		t.Errorf("the backfill isn't recorded: %d, %v", n, err)
	}
}

// TestTeacherListsLink: a teacher's chat account folded into their roster
// person (Link) leaves their students' lists naming the person.
func TestTeacherListsLink(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	chat := mustUser(t, s, "LEE", "Ms. Lee", plpbot.RoleTeacher)
	sam := mustUser(t, s, "SAM", "Sam", "")
	class := mustClass(t, s, "Period 3", chat.ID)
	must(t, "Enroll", s.Enroll(ctx, class.ID, []string{sam.ID}, plpbot.MemberStudent))
	person := plpbot.RosterID("t-1")
	_, err := storagetest.Collection(t, s, "users").InsertOne(ctx, plpbot.Person{ID: person, Name: "Ms. Lee",
		Platform: plpbot.PlatformRoster, Role: plpbot.RoleTeacher, CantDM: plpbot.CantDMUnlinked})
	must(t, "insert roster person", err)
	_, err = s.Link(ctx, slackID("LEE"), person, "admin")
	must(t, "Link", err)
	if got := taught(t, s, person); !slices.Equal(got, []string{sam.ID}) {
		t.Errorf("the linked person teaches %v, want sam", got)
	}
	want := map[string][]string{plpbot.EnrollmentID(class.ID, sam.ID): {person}}
	if got := teacherLists(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("teacher lists after Link: %v, want %v", got, want)
	}
}

// TestTeacherListsRosterImport: an import's new, changed and ended
// memberships keep the lists: a new teacher is on them, one whose
// membership ended or who became a student of the class is off. A first
// import writes the lists with the memberships: no update follows.
func TestTeacherListsRosterImport(t *testing.T) {
	var updates atomic.Int64
	opts := storagetest.Options(t)
	opts.Now = newClock().Now
	opts.Monitor = &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if coll, _ := e.Command.Lookup(e.CommandName).StringValueOK(); e.CommandName == "update" && coll == "enrollments" {
			updates.Add(1)
		}
	}}
	s := storagetest.Open(t, opts)
	ctx := context.Background()
	enr := func(class, user, role string) plpbot.Enrollment {
		return plpbot.Enrollment{ID: plpbot.EnrollmentID(class, user), ClassID: class, UserID: user, Role: role}
	}
	c1, c2 := plpbot.RosterID("c1"), plpbot.RosterID("c2")
	t1, t2, s1, s2 := plpbot.RosterID("t1"), plpbot.RosterID("t2"), plpbot.RosterID("s1"), plpbot.RosterID("s2")
	first := []plpbot.Enrollment{enr(c1, t1, plpbot.MemberTeacher), enr(c1, t2, plpbot.MemberTeacher), enr(c1, s1, plpbot.MemberStudent),
		enr(c2, t2, plpbot.MemberTeacher), enr(c2, s2, plpbot.MemberStudent)}
	updates.Store(0)
	must(t, "first import", s.ApplyRoster(ctx, &storage.RosterWrites{Enroll: first}, &storage.RosterState{Enrollments: first}))
	if n := updates.Load(); n != 0 {
		t.Errorf("the first import sent %d updates of enrollments after inserting them, want none", n)
	}
	if got := taught(t, s, t2); !slices.Equal(got, sorted(s1, s2)) {
		t.Errorf("after the first import t2 teaches %v", got)
	}
	// t2 leaves c1; t1 becomes a student of c1 (a data fix in the SIS); s2 joins c1.
	second := &storage.RosterWrites{
		Enroll:   []plpbot.Enrollment{enr(c1, s2, plpbot.MemberStudent)},
		Reenroll: []plpbot.Enrollment{enr(c1, t1, plpbot.MemberStudent)},
		Unenroll: []string{plpbot.EnrollmentID(c1, t2)},
	}
	must(t, "second import", s.ApplyRoster(ctx, second, &storage.RosterState{}))
	for who, want := range map[string][]string{t1: nil, t2: {s2}} {
		if got := taught(t, s, who); !slices.Equal(got, want) {
			t.Errorf("after the second import %s teaches %v, want %v", who, got, want)
		}
	}
	want := map[string][]string{plpbot.EnrollmentID(c2, s2): {t2}}
	if got := teacherLists(t, s); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("teacher lists after the second import: %v, want %v", got, want)
	}
}
