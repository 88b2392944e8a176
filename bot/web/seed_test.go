package web_test

import (
	"context"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/plpbot/plpbot/bot/web"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// days is n days before today, at 16:00.
func days(n int) time.Time { return today.AddDate(0, 0, -n).Add(time.Hour) }

// Names of the seeded school.
const (
	className = "Period 3 English"
	teacher   = "rivera"
	otherT    = "ng"
)

// seed fills the school: admin; Ms Rivera teaching Period 3 English to
// sam, alex, jo, kim and lee, five weeks in; Mr Ng teaching nobody. Sam
// checks in steadily on two goals and has feedback, a flag, a past
// conference with notes and one coming up; alex feels unsure; jo has
// never checked in; kim has gone quiet; lee is away.
func (s *school) seed() {
	s.t.Helper()
	s.run("admin", "plan") // the first console user is the admin
	s.run("admin", "role @"+teacher+" teacher")
	s.run("admin", "role @"+otherT+" teacher")
	s.at(days(35), func() {
		s.run(teacher, "class create "+className)
		s.run(teacher, "class add @sam @alex @jo @kim @lee")
		s.run("sam", "goal add Read three novels category:academic by:2027-05-30 why:I want to enjoy reading again")
		s.run("sam", "goal add Run a 5k without stopping category:personal")
		s.run("sam", "step add 1 Finish Beloved")
		s.run("sam", "step add 1 Pick the second novel")
		s.run("alex", "goal add Learn to code a game category:career")
		s.run("jo", "goal add Write a short story category:academic")
		s.run("kim", "goal add Practise piano daily category:personal")
		s.run("lee", "goal add Learn 500 Spanish words category:academic")
	})
	for i, pct := range []int{10, 20, 25, 40} {
		s.at(days(28-7*i), func() { s.run("sam", "checkin 1 "+strconv.Itoa(pct)+"% chapter by chapter confidence:4") })
	}
	s.at(days(20), func() { s.run("kim", "checkin 1 30%") })
	s.at(days(13), func() { s.run("lee", "checkin 1 50%") })
	s.at(days(6), func() { s.run("sam", "checkin 2 15%") })
	s.at(days(2), func() {
		s.run("alex", "checkin 1 10% stuck on loops confidence:1")
		s.run("sam", "reflect I learned that reading before bed helps me focus")
		s.run("sam", "step done 1.1")
	})
	s.at(days(10), func() {
		s.run(teacher, "conference @sam "+days(9).Format("2006-01-02")+" 10:30 reading plan")
	})
	s.at(days(8), func() { s.run(teacher, "conference done 1 Agreed on two new steps") })
	s.run(teacher, "feedback @sam 1 Great pace — try a harder book next")
	s.run(teacher, "flag @sam iep reading support")
	s.run(teacher, "conference @sam 2026-12-02 10:30 goals check")
	s.run("sam", "conference agenda I want help choosing electives")
	s.run("lee", "away until 2026-12-07 family trip")
}

// classURL is the page of the seeded class.
func (s *school) classURL() string {
	s.t.Helper()
	c, err := s.store.ClassByName(context.Background(), "console", "", className)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.srv.URL + web.Prefix + "class/" + url.PathEscape(c.ID)
}

// studentURL is the page of console user name.
func (s *school) studentURL(name string) string {
	return s.srv.URL + web.Prefix + "student/" + url.PathEscape("console::"+name)
}
