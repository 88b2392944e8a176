package storage_test

import (
	"context"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// BenchmarkCaseload2000 times, in a school of 2,000 students of whom 500
// are in grade 9, what a counselor's caseload costs: the access check's one
// read by _id (every staff read of a student asks it), and the caseload's
// roster by grade (the students of grade 9, matched in one query) and by
// last name (every student of the workspace read once, matched in Go),
// beside the school-wide roster of the same 2,000.
//
//	go test -run '^$' -bench Caseload2000 -benchtime 20x ./storage
func BenchmarkCaseload2000(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	ids := seedStudents(b, s, "T1", 2000, 3)
	if _, err := storagetest.Collection(b, s, "users").UpdateMany(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids[:500]}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "grade", Value: "9"}}}}); err != nil {
		b.Fatal(err)
	}
	couns := mustUser(b, s, "C", "Mx Rivera", plpbot.RoleCounselor)
	byGrade, err := s.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddGrades: []string{"9"}})
	if err != nil {
		b.Fatal(err)
	}
	az, _ := plpbot.ParseNameRange("A-Z") // "Student 12" has the last name "12": no one, after reading everyone
	byName := &plpbot.Caseload{CounselorID: couns.ID, Platform: "slack", Workspace: "T1", LastNames: []plpbot.NameRange{az}}

	b.Run("AccessCheck", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Caseload(ctx, couns); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RosterByGrade500", func(b *testing.B) {
		for b.Loop() {
			if rows, err := s.CaseloadRoster(ctx, byGrade); err != nil || len(rows) != 500 {
				b.Fatalf("CaseloadRoster = %d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("RosterByLastName", func(b *testing.B) {
		for b.Loop() {
			if rows, err := s.CaseloadRoster(ctx, byName); err != nil || len(rows) != 0 {
				b.Fatalf("CaseloadRoster = %d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("SchoolRoster2000", func(b *testing.B) { // the same reads, for scale
		for b.Loop() {
			if rows, err := s.SchoolRoster(ctx, "slack", "T1"); err != nil || len(rows) != 2000 {
				b.Fatalf("SchoolRoster = %d rows, %v", len(rows), err)
			}
		}
	})
}
