package storage_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// BenchmarkForget5000 forgets one student at a time from a school of 5,000
// with realistic records (see seedSchool), on an embedded database of its
// own, as /plp forget @x confirm does: the deletes, the anonymising, the
// erasure record and the scrub of the files; scrub-s is the scrub alone
// (VACUUM and the WAL checkpoint), MB the database file. Run with
//
//	go test -run '^$' -bench Forget5000 -benchtime 5x -timeout 30m ./storage
func BenchmarkForget5000(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	s := openIn(b, dir, nil)
	ids := seedSchool(b, s, 5000)

	b.ResetTimer()
	i := 0
	for b.Loop() {
		done, err := s.Forget(ctx, ids[i], admin)
		if err != nil || done.Total() == 0 {
			b.Fatalf("Forget(%s) = %+v, %v", ids[i], done, err)
		}
		i++
	}
	b.StopTimer()
	// The scrub's share: VACUUM and the WAL checkpoint, on their own.
	start := time.Now()
	if err := s.Scrub(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(start).Seconds(), "scrub-s")
	if fi, err := os.Stat(filepath.Join(dir, "plpbot.sqlite")); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "MB")
	}
}

// openOwn opens a store on an embedded database of its own, in a fresh
// folder; now, if not nil, is its clock.
func openOwn(tb testing.TB, now func() time.Time) *storage.Store {
	tb.Helper()
	return openIn(tb, tb.TempDir(), now)
}

// openIn opens a store on an embedded database of its own in dir.
func openIn(tb testing.TB, dir string, now func() time.Time) *storage.Store {
	tb.Helper()
	return storagetest.OpenIn(tb, dir, now)
}

// seedSchool fills s with n students in classes of 25, each with a profile,
// three goals of three steps, twelve check-ins with notes, eight reflections,
// two pieces of feedback, a conference with two talking points and three
// audit entries, and an intervention flag on one in ten; a teacher per
// class. It returns the students' ids.
func seedSchool(b *testing.B, s *storage.Store, n int) []string {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	docs := map[string][]any{}
	flush := func() {
		for coll, ds := range docs {
			if len(ds) == 0 {
				continue
			}
			if _, err := storagetest.Collection(b, s, coll).InsertMany(ctx, ds); err != nil {
				b.Fatalf("seed %s: %v", coll, err)
			}
			docs[coll] = ds[:0]
		}
	}
	add := func(coll string, d any) { docs[coll] = append(docs[coll], d) }
	text := func(what string, i, size int) string {
		return (what + " " + strconv.Itoa(i) + ": " + strings.Repeat("I practised and it went better than last week. ", size/48+1))[:size]
	}
	var ids []string
	var teacher string
	var classID string
	for i := range n {
		if i%25 == 0 {
			teacher = storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: fmt.Sprintf("T%05d", i)}.UserID()
			classID = fmt.Sprintf("class%05d", i)
			add("users", plpbot.Person{ID: teacher, Platform: "slack", Workspace: "T1", Name: "Teacher " + strconv.Itoa(i),
				Role: plpbot.RoleTeacher, CreatedAt: now, UpdatedAt: now})
			add("classes", plpbot.Class{ID: classID, Name: "Class " + strconv.Itoa(i), NameLower: "class " + strconv.Itoa(i),
				Platform: "slack", Workspace: "T1", CreatedBy: teacher, CreatedAt: now, UpdatedAt: now})
			add("enrollments", plpbot.Enrollment{ID: plpbot.EnrollmentID(classID, teacher), ClassID: classID, UserID: teacher, Role: plpbot.MemberTeacher, CreatedAt: now})
		}
		id := storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: fmt.Sprintf("U%05d", i)}.UserID()
		ids = append(ids, id)
		name := fmt.Sprintf("Student %05d", i)
		add("users", plpbot.Person{ID: id, Platform: "slack", Workspace: "T1", PlatformID: fmt.Sprintf("U%05d", i),
			Name: name, NameLower: strings.ToLower(name), Role: plpbot.RoleStudent, CreatedAt: now, UpdatedAt: now,
			Profile: plpbot.Profile{Interests: text("interests", i, 120), Strengths: text("strengths", i, 120), Learn: text("learn", i, 120)},
			Flagged: i%10 == 0})
		add("enrollments", plpbot.Enrollment{ID: plpbot.EnrollmentID(classID, id), ClassID: classID, UserID: id, Role: plpbot.MemberStudent, CreatedAt: now})
		for g := 1; g <= 3; g++ {
			add("goals", plpbot.Goal{ID: plpbot.GoalID(id, g), UserID: id, Number: g, Title: text("goal", g, 60), Category: plpbot.CategoryAcademic,
				Why: text("why", g, 200), Status: plpbot.GoalActive, Progress: 40,
				Steps: []plpbot.Step{{Text: text("step", 1, 50)}, {Text: text("step", 2, 50)}, {Text: text("step", 3, 50)}}, CreatedAt: now, UpdatedAt: now})
		}
		for c := range 12 {
			add("checkins", plpbot.CheckIn{ID: fmt.Sprintf("%s#c%d", id, c), UserID: id, GoalNumber: c%3 + 1, Percent: c * 8, Note: text("note", c, 80), At: now.Add(-time.Duration(c) * 24 * time.Hour)})
		}
		for r := range 8 {
			add("reflections", plpbot.Reflection{ID: fmt.Sprintf("%s#r%d", id, r), UserID: id, Text: text("reflection", r, 300), At: now.Add(-time.Duration(r) * 24 * time.Hour)})
		}
		for f := range 2 {
			add("feedback", plpbot.Feedback{ID: fmt.Sprintf("%s#f%d", id, f), StudentID: id, StaffID: teacher, StaffName: "Teacher", GoalNumber: f + 1, Text: text("feedback", f, 150), At: now})
		}
		if i%10 == 0 {
			add("flags", plpbot.Flag{ID: id + "#flag", StudentID: id, Kind: plpbot.FlagIEP, Note: text("flag", i, 80), ByID: teacher, At: now})
		}
		add("conferences", plpbot.Conference{ID: id + "#conf", Number: i + 1, StudentID: id, StudentName: name, TeacherID: teacher, TeacherName: "Teacher",
			At: now.Add(7 * 24 * time.Hour), Status: plpbot.ConferenceScheduled, CreatedAt: now, UpdatedAt: now,
			Agenda: []plpbot.AgendaItem{{Text: text("agenda", 1, 80), ByID: teacher, ByName: "Teacher", At: now}, {Text: text("agenda", 2, 80), ByID: id, ByName: name, At: now}}})
		for a := range 3 {
			add("audit", plpbot.AuditEntry{ID: fmt.Sprintf("%s#a%d", id, a), ActorID: teacher, ActorName: "Teacher", Action: "view_plan", SubjectID: id, Detail: "since 2026-09-01", At: now})
		}
		if i%500 == 499 {
			flush()
		}
	}
	flush()
	return ids
}
