package handlers_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// BenchmarkRosterClass40 is "/plp roster" for a teacher's class of 40
// students with two goals each, handled end to end on the embedded database.
func BenchmarkRosterClass40(b *testing.B) {
	benchRoster(b, 40, "ms-lee")
}

// BenchmarkRosterSchool5000 is an admin's "/plp roster" of a whole school:
// 5,000 students with two goals each.
func BenchmarkRosterSchool5000(b *testing.B) {
	benchRoster(b, 5000, "admin")
}

func benchRoster(b *testing.B, students int, who string) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := storagetest.New(b, clock)
	h := handlers.New(store, handlers.Options{Now: clock})
	run := func(name, line string) []bot.Message {
		msgs, err := h.Handle(ctx, &bot.Request{Actor: id(name), Text: line, Slash: true, Place: bot.Place{Kind: bot.InDM}})
		if err != nil {
			b.Fatalf("%s: /plp %s: %v", name, line, err)
		}
		return msgs
	}
	run("admin", "plan")
	run("admin", "role @ms-lee teacher")
	run("ms-lee", "class create Period 3")
	cl, err := store.ClassByName(ctx, "console", "", "Period 3")
	if err != nil {
		b.Fatal(err)
	}
	benchSeed(b, store, cl.ID, staffUID("ms-lee"), students, now)

	msgs := run(who, "roster")
	if got := len(msgs); got != 1 {
		b.Fatalf("roster returned %d messages", got)
	}
	if want := strconv.Itoa(students) + " students"; !strings.Contains(msgs[0].PlainText(), want) {
		b.Fatalf("roster lacks %q:\n%.500s", want, msgs[0].PlainText())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		run(who, "roster")
	}
}

// seededEnrollment is a student's enrollment as the store writes it: with
// the ids of its class's teachers (storage/teachers.go).
type seededEnrollment struct {
	plpbot.Enrollment `bson:",inline"`
	Teachers          []string `bson:"teacher_ids"`
}

// benchSeed inserts n students enrolled in class classID (taught by
// teacherID), two goals each and a flag on every tenth, in bulk through
// the store's collections.
func benchSeed(b *testing.B, store *storage.Store, classID, teacherID string, n int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	const batch = 1000
	var users, goals, enrollments, flags []any
	flush := func() {
		for coll, docs := range map[string][]any{"users": users, "goals": goals, "enrollments": enrollments, "flags": flags} {
			if len(docs) == 0 {
				continue
			}
			if _, err := storagetest.Collection(b, store, coll).InsertMany(ctx, docs); err != nil {
				b.Fatalf("seed %s: %v", coll, err)
			}
		}
		users, goals, enrollments, flags = users[:0], goals[:0], enrollments[:0], flags[:0]
	}
	for i := range n {
		name := fmt.Sprintf("student%05d", i)
		uid := storage.Identity{Platform: "console", PlatformID: name}.UserID()
		users = append(users, plpbot.Person{
			ID: uid, Platform: "console", PlatformID: name, Name: name, NameLower: name,
			Role: plpbot.RoleStudent, CreatedAt: now, UpdatedAt: now, Flagged: i%10 == 0,
		})
		for g := 1; g <= 2; g++ {
			goals = append(goals, plpbot.Goal{
				ID: uid + "#g" + strconv.Itoa(g), UserID: uid, Number: g, Title: "Goal " + strconv.Itoa(g),
				Category: "academic", Status: plpbot.GoalActive, Progress: (i*7 + g*13) % 101, Steps: []plpbot.Step{},
				LastCheckIn: now.Add(-time.Duration(i%20) * 24 * time.Hour), CreatedAt: now, UpdatedAt: now,
			})
		}
		enrollments = append(enrollments, seededEnrollment{
			Enrollment: plpbot.Enrollment{ID: classID + "|" + uid, ClassID: classID, UserID: uid, Role: plpbot.MemberStudent, CreatedAt: now},
			Teachers:   []string{teacherID},
		})
		if i%10 == 0 {
			flags = append(flags, plpbot.Flag{StudentID: uid, Kind: "other", ByID: "seed", At: now})
		}
		if len(users) == batch {
			flush()
		}
	}
	flush()
}
