package storage_test

// Benchmarks of the store on the embedded FerretDB. Run with
//
//	go test -run XXX -bench 'RawInsert|RecordCheckIn$|Roster40$' -benchtime 200x ./storage
//	go test -run XXX -bench SchoolRoster5000 -benchtime 3x ./storage
//
// (the school-sized one takes seconds per operation: see below).
//
// FerretDB v1's SQLite backend pushes only "_id" equality filters down to
// SQL; any other filter (user_id, student_id, class_id, $in) reads the whole
// collection and filters in Go. So the school-sized benchmarks below show
// which store methods grow with the size of the school rather than with the
// size of their answer.

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// BenchmarkRawInsertCheckIn is the floor for a check-in: one InsertOne of the
// document RecordCheckIn stores, into the same (indexed) collection.
func BenchmarkRawInsertCheckIn(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	coll := storagetest.Collection(b, s, "checkins")
	u := mustUser(b, s, "A", "Ava", "")
	b.ResetTimer()
	for b.Loop() {
		c := plpbot.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 50, Note: "halfway there", Confidence: 4, At: s.Now()}
		if _, err := coll.InsertOne(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordCheckIn is the store method behind /plp checkin: the goal
// read and updated and the check-in inserted — one transaction on the
// embedded database's file. Each check-in is a new one (a quarter of an
// hour after the last): the same one again would be a repeat, stored once.
func BenchmarkRecordCheckIn(b *testing.B) {
	ctx := context.Background()
	s, clk := newStore(b)
	u := mustUser(b, s, "A", "Ava", "")
	mustGoal(b, s, u.ID, "Math")
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		clk.Advance(15 * time.Minute)
		if _, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: i % 100, Note: "halfway there", Confidence: 4}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoster40 is /plp roster for a class of 40 students with 3 goals
// each, in a database holding only that class.
func BenchmarkRoster40(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	ids := seedStudents(b, s, "T1", 40, 3)
	classID := seedClass(b, s, ids)
	b.ResetTimer()
	for b.Loop() {
		rows, err := s.Roster(ctx, classID)
		if err != nil || len(rows) != 40 {
			b.Fatalf("Roster = %d rows, %v", len(rows), err)
		}
	}
}

// BenchmarkSchoolRoster5000 is the admin's school-wide roster over 5,000
// students with 3 goals and 2 check-ins each; its sub-benchmarks time, in the
// same school, the queries a busy day repeats, to show which ones scan.
func BenchmarkSchoolRoster5000(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	start := time.Now()
	ids := seedStudents(b, s, "T1", 5000, 3)
	classID := seedClass(b, s, ids[:40])
	b.Logf("seeded 5,000 students, 15,000 goals, 10,000 check-ins in %v", time.Since(start).Round(time.Millisecond))
	student := ids[2500]

	b.Run("SchoolRoster", func(b *testing.B) {
		for b.Loop() {
			rows, err := s.SchoolRoster(ctx, "slack", "T1")
			if err != nil || len(rows) != 5000 {
				b.Fatalf("SchoolRoster = %d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("Roster40", func(b *testing.B) {
		for b.Loop() {
			if rows, err := s.Roster(ctx, classID); err != nil || len(rows) != 40 {
				b.Fatalf("Roster = %d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("RecordCheckIn", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: student, GoalNumber: 2, Percent: 60}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Goal", func(b *testing.B) { // by _id
		for b.Loop() {
			if _, err := s.Goal(ctx, student, 2); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Goals", func(b *testing.B) { // by user_id
		for b.Loop() {
			if gs, err := s.Goals(ctx, student); err != nil || len(gs) != 3 {
				b.Fatalf("Goals = %d, %v", len(gs), err)
			}
		}
	})
	b.Run("Teaches", func(b *testing.B) { // enrollments by user_id, then _id $in
		for b.Loop() {
			if ok, err := s.Teaches(ctx, "slack:T1:teacher", ids[10]); err != nil || !ok {
				b.Fatalf("Teaches = %v, %v", ok, err)
			}
		}
	})
}

// seedStudents bulk-inserts n students of a Slack workspace, each with goals
// active goals and two check-ins, straight through the collections (the
// store's methods would take minutes for a school). Documents are the store's
// own types; goal ids follow the store's user id + "#g" + number scheme.
func seedStudents(b *testing.B, s *storage.Store, workspace string, n, goals int) []string {
	b.Helper()
	now := s.Now()
	ids := make([]string, n)
	var users, gs, cs []any
	for i := range n {
		id := storage.Identity{Platform: "slack", Workspace: workspace, PlatformID: "S" + strconv.Itoa(i)}
		name := fmt.Sprintf("Student %d", i)
		ids[i] = id.UserID()
		users = append(users, plpbot.Person{
			ID: id.UserID(), Platform: id.Platform, Workspace: id.Workspace, PlatformID: id.PlatformID,
			Name: name, NameLower: name, Role: plpbot.RoleStudent, CreatedAt: now, UpdatedAt: now,
		})
		for g := 1; g <= goals; g++ {
			gs = append(gs, plpbot.Goal{
				ID: id.UserID() + "#g" + strconv.Itoa(g), UserID: id.UserID(), Number: g, Title: "Goal " + strconv.Itoa(g),
				Category: "academic", Status: plpbot.GoalActive, Progress: (i + g) % 101, Steps: []plpbot.Step{{Text: "first step"}},
				LastCheckIn: now.Add(-time.Duration(i%72) * time.Hour), CreatedAt: now, UpdatedAt: now,
			})
		}
		for c := range 2 {
			cs = append(cs, plpbot.CheckIn{UserID: id.UserID(), GoalNumber: 1, Percent: 10 * c, At: now.Add(-time.Duration(c) * time.Hour)})
		}
	}
	bulkInsert(b, storagetest.Collection(b, s, "users"), users)
	bulkInsert(b, storagetest.Collection(b, s, "goals"), gs)
	bulkInsert(b, storagetest.Collection(b, s, "checkins"), cs)
	return ids
}

// seedClass creates a class taught by one teacher with the given students.
func seedClass(b *testing.B, s *storage.Store, students []string) string {
	b.Helper()
	ctx := context.Background()
	tch, _, err := s.EnsureUser(ctx, storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: "teacher"}, storage.UserHints{Name: "Ms. Rivera"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.SetRole(ctx, tch.ID, plpbot.RoleTeacher); err != nil {
		b.Fatal(err)
	}
	c := mustClass(b, s, "Bench", tch.ID)
	if err := s.Enroll(ctx, c.ID, students, plpbot.MemberStudent); err != nil {
		b.Fatal(err)
	}
	for _, id := range students[:len(students)/10] {
		if err := s.AddFlag(ctx, plpbot.Flag{StudentID: id, Kind: "504", ByID: tch.ID}); err != nil {
			b.Fatal(err)
		}
	}
	return c.ID
}

// bulkInsert inserts docs in unordered batches.
func bulkInsert(b *testing.B, coll *mongo.Collection, docs []any) {
	b.Helper()
	const batch = 1000
	for i := 0; i < len(docs); i += batch {
		end := min(i+batch, len(docs))
		if _, err := coll.InsertMany(context.Background(), docs[i:end], options.InsertMany().SetOrdered(false)); err != nil {
			b.Fatalf("seed %s: %v", coll.Name(), err)
		}
	}
}
