package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot/web"
	"github.com/plpbot/plpbot/storage"
)

// benchSchool seeds, through the store (commands would take minutes), a
// teacher with classes of the given sizes: each student with two goals,
// six weekly check-ins on the first, two on the second, and a reflection.
// It returns the school, the teacher's signed-in browser and the classes.
func benchSchool(b *testing.B, sizes ...int) (*school, *http.Client, []*plpbot.Class) {
	b.Helper()
	ctx := context.Background()
	s := newSchool(b)
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	t, _, err := s.store.EnsureUser(ctx, storage.Identity{Platform: "console", PlatformID: "teacher"}, storage.UserHints{Name: "Ms Rivera"})
	must(err)
	_, err = s.store.SetRole(ctx, t.ID, plpbot.RoleTeacher)
	must(err)
	var classes []*plpbot.Class
	n := 0
	s.at(days(49), func() {
		for ci, size := range sizes {
			c, err := s.store.CreateClass(ctx, plpbot.Class{Name: fmt.Sprintf("Period %d", ci+1), Platform: "console", CreatedBy: t.ID})
			must(err)
			classes = append(classes, c)
			var ids []string
			for range size {
				n++
				u, _, err := s.store.EnsureUser(ctx, storage.Identity{Platform: "console", PlatformID: fmt.Sprintf("s%03d", n)},
					storage.UserHints{Name: fmt.Sprintf("Student %03d", n)})
				must(err)
				ids = append(ids, u.ID)
				_, err = s.store.AddGoal(ctx, plpbot.Goal{UserID: u.ID, Title: "Read three novels", Category: "academic"})
				must(err)
				_, err = s.store.AddGoal(ctx, plpbot.Goal{UserID: u.ID, Title: "Run a 5k", Category: "personal"})
				must(err)
			}
			must(s.store.Enroll(ctx, c.ID, ids, plpbot.MemberStudent))
		}
	})
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("console::s%03d", i)
		for w := range 6 {
			_, _, err := s.store.RecordCheckIn(ctx, plpbot.CheckIn{UserID: id, GoalNumber: 1, Percent: 10 + 10*w + i%7,
				Confidence: 1 + (i+w)%5, At: days(42 - 7*w + i%5)})
			must(err)
		}
		for w := range 2 {
			_, _, err := s.store.RecordCheckIn(ctx, plpbot.CheckIn{UserID: id, GoalNumber: 2, Percent: 20 + 30*w, At: days(20 - 7*w)})
			must(err)
		}
		_, err := s.store.AddReflection(ctx, plpbot.Reflection{UserID: id, Text: "Reading before bed helps me focus", At: days(3)})
		must(err)
	}
	br := s.browser(b)
	home := br.signIn(s.link("teacher"))
	if home.status != http.StatusOK {
		b.Fatalf("home: %d", home.status)
	}
	return s, br.c, classes
}

// getOK fetches u and fails the benchmark unless it is a 200.
func getOK(b *testing.B, c *http.Client, u string) {
	resp, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
}

// BenchmarkDashHome is the staff home of a teacher of 150 students (five
// classes of 30) on the embedded database: rosters, goals, check-ins,
// five charts, needs attention and its audit, rendered. Target: 300 ms.
func BenchmarkDashHome(b *testing.B) {
	s, c, _ := benchSchool(b, 30, 30, 30, 30, 30)
	loop(b, c, s.srv.URL+web.Prefix)
}

// BenchmarkDashClass is the page of a class of 40: roster, goals,
// check-ins, chart, the roster audit (40 entries), rendered. Target:
// 100 ms.
func BenchmarkDashClass(b *testing.B) {
	s, c, classes := benchSchool(b, 40)
	loop(b, c, s.srv.URL+web.Prefix+"class/"+classes[0].ID)
}

// loop fetches u b.N times, and reports the process's CPU time per page
// beside the wall clock (the embedded database runs in the process, so
// this is the whole cost; a busy shared machine inflates it far less).
func loop(b *testing.B, c *http.Client, u string) {
	getOK(b, c, u) // warm
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		getOK(b, c, u)
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}
