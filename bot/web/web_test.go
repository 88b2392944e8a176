package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot/web"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
)

// mustContain fails the test unless body has every one of wants.
func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", what, w)
		}
	}
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	home := s.srv.URL + web.Prefix
	for _, p := range []page{b.get(home), b.get(s.link(teacher)), b.get(home + "dash.css"), b.get(home + "nowhere")} {
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
			"Referrer-Policy":         "no-referrer",
			"X-Content-Type-Options":  "nosniff",
		} {
			if got := p.header.Get(k); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want it to contain %q (status %d)", k, got, want, p.status)
			}
		}
		if strings.Contains(p.body, "<script") || strings.Contains(p.body, "style=") || strings.Contains(p.body, "<style") {
			t.Errorf("a page has inline script or style:\n%s", p.body)
		}
	}
}

func TestSignInLinkWorksOnceAndPreviewsDontSpendIt(t *testing.T) {
	s := newSchool(t)
	s.seed()
	link := s.link(teacher)
	b := s.browser(t)
	// A chat app's preview fetches the link first: that must not use it up.
	if p := s.browser(t).get(link); p.status != http.StatusOK {
		t.Fatalf("preview: %d", p.status)
	}
	home := b.signIn(link)
	if home.status != http.StatusOK {
		t.Fatalf("home after sign-in: %d %s", home.status, home.body)
	}
	mustContain(t, "home", home.body, "Hello, rivera", className, "Needs attention")

	cookie := b.c.Jar.Cookies(mustParse(s.srv.URL + web.Prefix))
	if len(cookie) != 1 {
		t.Fatalf("cookies = %v", cookie)
	}
	again := s.browser(t).get(link)
	if again.status != http.StatusGone {
		t.Errorf("a used link: %d, want 410", again.status)
	}
	mustContain(t, "used link", again.body, "already been used", "/plp dashboard")
	if strings.Contains(again.body, "goroutine") || strings.Contains(again.body, ".go:") {
		t.Errorf("a used link shows internals: %s", again.body)
	}
}

func TestSessionCookieIsHttpOnlyAndLax(t *testing.T) {
	s := newSchool(t)
	s.seed()
	link := s.link("sam")
	b := s.browser(t)
	_ = b.get(link)
	u, _ := url.Parse(link)
	resp, err := b.c.PostForm(s.srv.URL+web.Prefix+"signin", url.Values{"t": {u.Query().Get("t")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	set := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/dash/"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, "Secure") {
		t.Errorf("Set-Cookie %q is Secure on plain http", set)
	}
}

func TestExpiredLinkAndSessionSayWhatToDo(t *testing.T) {
	s := newSchool(t)
	s.seed()
	link := s.link("sam")
	s.clock.Set(today.Add(handlers.SignInLinkTTL))
	p := s.browser(t).get(link)
	if p.status != http.StatusGone {
		t.Errorf("expired link: %d", p.status)
	}
	mustContain(t, "expired link", p.body, "expired", "/plp dashboard")

	b := s.browser(t)
	b.signIn(s.link("sam"))
	s.clock.Set(today.Add(handlers.SignInLinkTTL + web.DefaultSessionTTL))
	p = b.get(s.srv.URL + web.Prefix)
	if p.status != http.StatusUnauthorized {
		t.Errorf("expired session: %d", p.status)
	}
	mustContain(t, "expired session", p.body, "session has ended", "/plp dashboard")
}

func TestRoleChangeEndsSessions(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	b.signIn(s.link(otherT))
	s.run("admin", "role @"+otherT+" student")
	p := b.get(s.srv.URL + web.Prefix)
	if p.status != http.StatusUnauthorized {
		t.Fatalf("after a role change: %d", p.status)
	}
	mustContain(t, "after a role change", p.body, "role in plpbot changed", "/plp dashboard")
	// And it stays ended, even if the role comes back.
	s.run("admin", "role @"+otherT+" teacher")
	if p := b.get(s.srv.URL + web.Prefix); p.status != http.StatusUnauthorized {
		t.Errorf("the session came back: %d", p.status)
	}
}

func TestForgottenPersonIsSignedOut(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	b.signIn(s.link("kim"))
	if _, err := s.store.Forget(context.Background(), "console::kim", storage.Eraser{ID: "console::admin", Name: "admin"}); err != nil {
		t.Fatal(err)
	}
	p := b.get(s.srv.URL + web.Prefix)
	if p.status != http.StatusUnauthorized {
		t.Fatalf("after forget: %d %s", p.status, p.body)
	}
	mustContain(t, "after forget", p.body, "signed out", "/plp dashboard")
}

func TestStudentSeesOnlyTheirOwnPlan(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	home := b.signIn(s.link("sam"))
	mustContain(t, "sam's home", home.body, "Your plan, sam", "Read three novels", "Run a 5k without stopping",
		`role="img"`, "Great pace — try a harder book next", "I want help choosing electives", "Finish Beloved")
	for _, leak := range []string{"iep", "IEP", "reading support", "Staff only", "Agreed on two new steps"} {
		if strings.Contains(home.body, leak) {
			t.Errorf("a student sees %q on their own page", leak)
		}
	}
	if p := b.get(s.studentURL("sam")); p.status != http.StatusOK {
		t.Errorf("own page by id: %d", p.status)
	}
	other := b.get(s.studentURL("alex"))
	if other.status != http.StatusForbidden {
		t.Errorf("another student's page: %d", other.status)
	}
	mustContain(t, "another student's page", other.body, "Plans are private")
	if strings.Contains(other.body, "Learn to code a game") {
		t.Error("the refusal shows the other student's goal")
	}
	class := b.get(s.classURL())
	if class.status != http.StatusForbidden {
		t.Errorf("a class page: %d", class.status)
	}
	if strings.Contains(class.body, "alex") {
		t.Error("the refusal names a classmate")
	}
	if p := b.get(s.srv.URL + web.Prefix + "admin"); p.status != http.StatusForbidden {
		t.Errorf("the admin page: %d", p.status)
	}
}

func TestTeacherViewsAreAuditedAndOthersRefused(t *testing.T) {
	s := newSchool(t)
	s.seed()
	ctx := context.Background()
	b := s.browser(t)
	b.signIn(s.link(teacher))
	p := b.get(s.studentURL("sam"))
	if p.status != http.StatusOK {
		t.Fatalf("student page: %d", p.status)
	}
	mustContain(t, "sam's page for the teacher", p.body, "sam's plan", "IEP", "reading support", "Agreed on two new steps", "Give feedback")
	log, err := s.store.AuditLog(ctx, "console::sam", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].Action != "view_plan" || log[0].ActorID != "console::rivera" {
		t.Errorf("the latest audit entry about sam = %+v, want rivera's view_plan", log)
	}

	ng := s.browser(t)
	ng.signIn(s.link(otherT))
	if p := ng.get(s.studentURL("sam")); p.status != http.StatusForbidden {
		t.Errorf("a teacher who doesn't teach sam: %d", p.status)
	}
	if p := ng.get(s.classURL()); p.status != http.StatusForbidden {
		t.Errorf("a teacher who doesn't teach the class: %d", p.status)
	}
	log, _ = s.store.AuditLog(ctx, "console::sam", 1)
	if len(log) == 0 || log[0].Action != "refused:student" {
		t.Errorf("the refusal wasn't audited: %+v", log)
	}
}

func TestClassPageSortsAndAudits(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	b.signIn(s.link(teacher))
	order := func(body string) string {
		names := []string{"alex", "jo", "kim", "lee", "sam"}
		slicesSortByIndex(names, body)
		return strings.Join(names, " ")
	}
	byName := b.get(s.classURL())
	if byName.status != http.StatusOK {
		t.Fatalf("class page: %d", byName.status)
	}
	if got := order(byName.body); got != "alex jo kim lee sam" {
		t.Errorf("by name: %s", got)
	}
	byProgress := b.get(s.classURL() + "?sort=progress&dir=desc")
	if got := order(byProgress.body); got != "lee kim sam alex jo" {
		t.Errorf("by progress, highest first: %s", got)
	}
	mustContain(t, "class page", byName.body, `aria-sort="ascending"`, "Week by week", `role="img"`)
	log, _ := s.store.AuditLog(context.Background(), "console::jo", 1)
	if len(log) == 0 || log[0].Action != "roster" {
		t.Errorf("the class page wasn't audited as a roster read: %+v", log)
	}
}

// slicesSortByIndex orders names by where each first appears in a table
// row of body.
func slicesSortByIndex(names []string, body string) {
	idx := func(n string) int { return strings.Index(body, `">`+n+`</a></th>`) }
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && idx(names[j]) < idx(names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
}

func TestFeedbackFromTheDashboardReachesTheStudent(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	b.signIn(s.link(teacher))
	page := b.get(s.studentURL("sam"))
	token := csrf(t, page.body)

	// Without the form token: refused, nothing saved.
	if p := b.post(s.studentURL("sam")+"/feedback", url.Values{"goal": {"1"}, "text": {"Forged"}}); p.status != http.StatusForbidden {
		t.Errorf("without csrf: %d", p.status)
	}
	// An empty note: the form comes back saying what to fix.
	p := b.post(s.studentURL("sam")+"/feedback", url.Values{"csrf": {token}, "goal": {"2"}, "text": {"   "}})
	if p.status != http.StatusBadRequest {
		t.Errorf("empty feedback: %d", p.status)
	}
	mustContain(t, "empty feedback", p.body, `role="alert"`)

	s.clock.Set(today.Add(time.Minute))
	p = b.post(s.studentURL("sam")+"/feedback", url.Values{"csrf": {token}, "goal": {"2"}, "text": {"Lovely steady start on the 5k"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("feedback: %d %s", p.status, p.body)
	}
	after := b.get(s.srv.URL + p.loc)
	mustContain(t, "after feedback", after.body, "Sent to sam", "Lovely steady start on the 5k")
	mustContain(t, "the DM", s.dms.String(), "New feedback", "Lovely steady start on the 5k")
	fb, err := s.store.FeedbackFor(context.Background(), "console::sam", time.Time{}, 1)
	if err != nil || len(fb) != 1 || fb[0].Text != "Lovely steady start on the 5k" || fb[0].StaffID != "console::rivera" {
		t.Errorf("stored feedback = %+v, %v", fb, err)
	}
	// The same command as in chat: the feedback is the audit log's entry of
	// itself, listed once.
	log, err := s.store.AuditLog(context.Background(), "console::sam", 0)
	if err != nil {
		t.Fatal(err)
	}
	given := 0
	for _, e := range log {
		if e.Action == "feedback" && e.ActorID == "console::rivera" && e.Detail == "goal 2" && len(fb) == 1 && e.ID == fb[0].ID {
			given++
		}
	}
	if given != 1 {
		t.Errorf("the audit log lists the feedback %d times, want once: %+v", given, log)
	}
	forged := 0
	all, _ := s.store.FeedbackFor(context.Background(), "console::sam", time.Time{}, 0)
	for _, f := range all {
		if f.Text == "Forged" {
			forged++
		}
	}
	if forged != 0 {
		t.Error("feedback without the form token was saved")
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	home := b.signIn(s.link("sam"))
	p := b.post(s.srv.URL+web.Prefix+"signout", url.Values{"csrf": {csrf(t, home.body)}})
	mustContain(t, "signed out", p.body, "signed out")
	if p := b.get(s.srv.URL + web.Prefix); p.status != http.StatusUnauthorized {
		t.Errorf("after sign-out: %d", p.status)
	}
}

func TestAdminSearchesTheAuditLog(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	b.signIn(s.link("admin"))
	// rivera reads sam's plan in chat, then an admin looks it up.
	s.run(teacher, "student @sam")
	p := b.get(s.srv.URL + web.Prefix + "admin?person=sam")
	if p.status != http.StatusOK {
		t.Fatalf("admin: %d", p.status)
	}
	mustContain(t, "audit of sam", p.body, "Who read or changed sam", "view plan", "rivera", "Scheduled messages")
	p = b.get(s.srv.URL + web.Prefix + "admin?day=" + today.Format(time.DateOnly))
	mustContain(t, "audit of the day", p.body, "Everything on Wed 25 Nov 2026", "view plan")
	p = b.get(s.srv.URL + web.Prefix + "admin?day=2026-02-30")
	mustContain(t, "a bad date", p.body, "isn&#39;t a date I can read")
}

func TestConferencesPageIsTheChatList(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	b.signIn(s.link(teacher))
	p := b.get(s.srv.URL + web.Prefix + "conferences")
	if p.status != http.StatusOK {
		t.Fatalf("conferences: %d", p.status)
	}
	mustContain(t, "conferences", p.body, "Your conferences", "sam", "I want help choosing electives", "Agreed on two new steps")
}

func TestDashboardCommandWithoutAPublicURL(t *testing.T) {
	s := newSchool(t)
	h := handlers.New(s.store, handlers.Options{Now: s.clock.Now})
	_, err := h.Handle(context.Background(), consoleRequest("sam", "dashboard"))
	if err == nil || !strings.Contains(err.Error(), "isn't switched on") {
		t.Errorf("/plp dashboard without a URL: %v", err)
	}
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestCounselorHomeShowsTheCaseload: a counselor's home has a card for
// their caseload (its rules evaluated now), and its students count among
// those who need attention.
func TestCounselorHomeShowsTheCaseload(t *testing.T) {
	s := newSchool(t)
	s.seed()
	s.run("admin", "role @ms-diaz counselor")
	s.run("admin", "role @alex student grade:9")
	s.run("admin", "caseload @ms-diaz grade:9")
	b := s.browser(t)
	home := b.signIn(s.link("ms-diaz"))
	if home.status != http.StatusOK {
		t.Fatalf("counselor home: %d", home.status)
	}
	mustContain(t, "the counselor's home", home.body, "Your caseload", "alex")
	other := s.browser(t)
	if body := other.signIn(s.link(otherT)).body; strings.Contains(body, "Your caseload") {
		t.Errorf("a teacher's home shows a caseload:\n%s", body)
	}
}

// TestHomeFiltersClassesByTerm: when classes belong to terms, the staff
// home offers a term filter, and a term shows only its classes.
func TestHomeFiltersClassesByTerm(t *testing.T) {
	s := newSchool(t)
	s.seed()
	s.run("admin", "term add Fall 2026 2026-08-24 2026-12-18")
	s.run(teacher, "class term Fall 2026 class:"+className)
	s.run(teacher, "class create Chess Club")
	term, err := s.store.TermByName(context.Background(), "console", "", "Fall 2026")
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser(t)
	all := b.signIn(s.link(teacher))
	mustContain(t, "the home with every class", all.body, "Fall 2026", className, "Chess Club")
	fall := b.get(s.srv.URL + web.Prefix + "?term=" + term.ID)
	mustContain(t, "the home filtered by term", fall.body, className)
	if strings.Contains(fall.body, "Chess Club") {
		t.Errorf("the Fall 2026 filter shows a class of no term:\n%s", fall.body)
	}
}

// TestAdminPageListsRosterImports: the admin page shows the latest roster
// imports from chat, as the audit log recorded them.
func TestAdminPageListsRosterImports(t *testing.T) {
	s := newSchool(t)
	s.seed()
	b := s.browser(t)
	b.signIn(s.link("admin"))
	mustContain(t, "the admin page before any import", b.get(s.srv.URL+web.Prefix+"admin").body, "No roster imported from chat yet")
	if err := s.store.Audit(context.Background(), plpbot.AuditEntry{ActorID: "console::admin", ActorName: "admin",
		Action: "import", SubjectID: handlers.ImportSubject, Detail: "applied lincoln.zip (i1): 42 changes"}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the admin page after an import", b.get(s.srv.URL+web.Prefix+"admin").body, "admin: applied lincoln.zip (i1): 42 changes")
}
