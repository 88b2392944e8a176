package roster_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// midSchool is a school with more than a hundred of each kind of record
// an import updates: 300 students, 160 classes and their teachers'
// enrollments, 1,400 enrollments in all.
func midSchool() rostertest.School {
	return rostertest.School{Version: "1.2", Students: 300, Teachers: 20, Counselors: 2, Admins: 1, Classes: 160,
		Enrollments: 1400, CounselorClasses: 20}
}

// importWithin imports path, failing the test if it takes longer than
// limit: on the embedded database an import that wedges it never returns
// on its own.
func importWithin(t *testing.T, s *storage.Store, path string, limit time.Duration) *roster.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	rep, err := roster.New(s, quiet).Import(ctx, path, roster.Options{})
	if err != nil {
		t.Fatalf("import after %v: %v\n%s", time.Since(start).Round(time.Millisecond), err, rep)
	}
	t.Logf("import: %v", time.Since(start).Round(time.Millisecond))
	return rep
}

// TestReimportUpdatesMany: a re-import that changes 150 students' names,
// every class's title and every teacher's enrollment (co-teaching: no
// longer primary) updates them all in seconds. The embedded database
// wedged on a command of 100 updates that each match a document (see the
// note in storage/byid.go), so this import never returned. A third import
// of the same files writes nothing.
func TestReimportUpdatesMany(t *testing.T) {
	s, c, w := newStore(t)
	ctx := context.Background()
	school := midSchool()
	files := school.Files()
	importWithin(t, s, writeSchool(t, files), time.Minute)
	c.Advance(24 * time.Hour)

	next := edit(files, "users.csv", func(rows [][]string) [][]string {
		for i := 1; i <= 150; i++ {
			rows[i][7] = fmt.Sprintf("Renamed %d", i-1) // 1.2: familyName
		}
		return rows
	})
	next = edit(next, "classes.csv", func(rows [][]string) [][]string {
		for _, r := range rows[1:] {
			r[3] = "Section " + r[0]
		}
		return rows
	})
	next = edit(next, "enrollments.csv", func(rows [][]string) [][]string {
		for _, r := range rows[1:] {
			if r[6] == "teacher" {
				r[7] = "false"
			}
		}
		return rows
	})
	path := writeSchool(t, next)
	rep := importWithin(t, s, path, 30*time.Second)

	if got := rep.Counts[roster.KindStudents]; got.Updated != 150 {
		t.Errorf("students: %+v, want 150 updated", got)
	}
	if got := rep.Counts[roster.KindClasses]; got.Updated != 160 {
		t.Errorf("classes: %+v, want 160 updated", got)
	}
	if got := rep.Counts[roster.KindEnrollments]; got.Updated != 160 {
		t.Errorf("enrollments: %+v, want 160 updated", got)
	}
	if u, err := s.User(ctx, plpbot.RosterID(rostertest.StudentID(149))); err != nil || u.Name != "Student Renamed 149" {
		t.Errorf("student 149: %v, %q", err, u.Name)
	}
	if cl, err := s.Class(ctx, plpbot.RosterID(rostertest.ClassID(159))); err != nil || cl.Name != "Section class-159" {
		t.Errorf("class 159: %v, %q", err, cl.Name)
	}
	var e plpbot.Enrollment
	id := plpbot.EnrollmentID(plpbot.RosterID(rostertest.ClassID(159)), plpbot.RosterID(rostertest.StaffID(159%school.Teachers)))
	if err := storagetest.Collection(t, s, "enrollments").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&e); err != nil || e.Primary {
		t.Errorf("class 159's teacher: %v, %+v: want no longer primary", err, e)
	}

	w.n.Store(0)
	if rep := importWithin(t, s, path, 30*time.Second); rep.Changes() != 0 || w.n.Load() != 0 {
		t.Errorf("the same files again: %d changes, %d write commands; want none", rep.Changes(), w.n.Load())
	}
}

// TestRedoManyAfterFailedWrite: an import redone after one that wrote its
// records but failed before saving the roster state sends every record
// that is already there again as an update: 300 people, 160 classes and
// 1,400 memberships, which must not wedge the embedded database either.
func TestRedoManyAfterFailedWrite(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	path := writeSchool(t, midSchool().Files())
	importWithin(t, s, path, time.Minute)
	if _, err := storagetest.Collection(t, s, "roster_state").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	rep := importWithin(t, s, path, time.Minute)
	if got := rep.Counts[roster.KindStudents]; got.Created != 300 {
		t.Errorf("students: %+v", got)
	}
	if rep := importWithin(t, s, path, 30*time.Second); rep.Changes() != 0 {
		t.Errorf("a third import changed %d", rep.Changes())
	}
}
