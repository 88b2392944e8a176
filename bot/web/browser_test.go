package web_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shots is where the browser tests keep their screenshots (one a page);
// empty: a temporary folder. `-shots ../../docs` refreshes the README's.
var shots = flag.String("shots", "", "keep the browser tests' screenshots in this folder (such as ../../docs)")

// Phone and desktop viewports, in CSS pixels.
const (
	phoneW, phoneH     = 412, 915
	desktopW, desktopH = 1280, 900
	// stepTimeout bounds one browser step: a page here renders in well
	// under a second.
	stepTimeout = 15 * time.Second
)

// chromiumPath finds Chromium: $PLPBOT_CHROMIUM, else Debian's chromium or
// another Chrome on the PATH.
func chromiumPath() string {
	if p := os.Getenv("PLPBOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newChromium starts a headless Chromium for the test, with an empty
// profile and nothing that reaches the network on its own. Without
// Chromium the test is skipped, except in CI, which must run it.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is missing, and CI must run the browser tests: .ci/run installs it (apt-get install -y chromium)")
		}
		t.Skip("no Chromium, so the browser tests are skipped: install it with `sudo apt-get install chromium` (or set PLPBOT_CHROMIUM to a Chrome)")
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(desktopW, desktopH),
	)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return ctx
}

// tab is one person's browser: a browser context of its own (its own
// cookies) in the shared Chromium.
type tab struct {
	t   *testing.T
	ctx context.Context
}

func openTab(t *testing.T, chrome context.Context) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(chrome, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return &tab{t: t, ctx: ctx}
}

// do runs steps, each bounded.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// text is the visible text of the first element matching css.
func (b *tab) text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("read %s: %v", css, err)
	}
	return s
}

// chartTitles are the accessible names of the page's charts: their <title>s.
func (b *tab) chartTitles() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('svg[role="img"] > title')).map(t => t.textContent)`))
	if err != nil {
		b.t.Fatalf("read chart titles: %v", err)
	}
	return titles
}

// shoot saves the viewport, at w×h, as name.png among the screenshots.
func (b *tab) shoot(name string, w, h int64) {
	b.t.Helper()
	dir := *shots
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "plpbot-dashboard-shots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		b.t.Fatalf("viewport: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// signIn opens a sign-in link and presses its button, as a person does,
// and waits for the page that sel finds.
func (b *tab) signIn(link, sel string) {
	b.t.Helper()
	b.do("sign in",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/dash/signin"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/dash/signin"] button`)),
		chromedp.WaitVisible(chromedp.CSS(sel)),
	)
}

// has fails the test unless text has every one of wants.
func has(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: %q is not on the page:\n%s", what, w, text)
		}
	}
}

// hasChart fails the test unless a chart's alt text starts with prefix.
func hasChart(t *testing.T, what string, titles []string, prefix string) {
	t.Helper()
	for _, ti := range titles {
		if strings.HasPrefix(ti, prefix) {
			return
		}
	}
	t.Errorf("%s: no chart whose alt text starts %q among %q", what, prefix, titles)
}

// A teacher signs in through a link and goes through every page: home
// (needs attention, the class's trend), the class (sorting), a student
// (charts, flags, giving feedback), conferences.
func TestBrowserTeacher(t *testing.T) {
	chrome := newChromium(t)
	s := newSchool(t)
	s.seed()
	b := openTab(t, chrome)

	b.do("phone", chromedp.EmulateViewport(phoneW, phoneH))
	b.signIn(s.link(teacher), "#attention")
	main := b.text("main")
	has(t, "home", main, "Hello, rivera", "Needs attention", "Your classes", className,
		"alex", "Feeling unsure about goal 1", "jo", "No check-ins yet", "kim", "No check-in for 14+ days", "lee", "Away")
	hasChart(t, "home", b.chartTitles(), className+", week by week")
	b.shoot("dashboard-home-phone", phoneW, phoneH)

	b.do("class page", chromedp.Navigate(s.classURL()), chromedp.WaitVisible(chromedp.CSS("table")))
	has(t, "class", b.text("main"), "5 students", "sam", "Never", "Away until", "Week by week")
	b.do("sort by progress",
		chromedp.Click(chromedp.CSS(`th a[href$="sort=progress"]`)),
		chromedp.WaitVisible(chromedp.CSS(`th[aria-sort="ascending"] a[href$="sort=progress&dir=desc"]`)))
	first := b.text("tbody tr th")
	if first != "jo" {
		t.Errorf("sorted by progress, lowest first: the first row is %q, want jo", first)
	}
	b.shoot("dashboard-class-desktop", desktopW, 700)

	b.do("student page", chromedp.EmulateViewport(phoneW, phoneH), chromedp.Navigate(s.studentURL("sam")), chromedp.WaitVisible(chromedp.CSS("#goals")))
	main = b.text("main")
	has(t, "student", main, "sam's plan", "Intervention flags", "IEP", "Read three novels", "Finish Beloved",
		"I learned that reading before bed helps me focus", "Agreed on two new steps", "I want help choosing electives")
	titles := b.chartTitles()
	hasChart(t, "student", titles, "Read three novels: 40%")
	hasChart(t, "student", titles, "Run a 5k without stopping: 15%")
	b.shoot("dashboard-student-phone", phoneW, phoneH)

	b.do("give feedback",
		chromedp.SetValue(chromedp.CSS("#fb-goal"), "1"),
		chromedp.SendKeys(chromedp.CSS("#fb-text"), "Try a harder book next"),
		chromedp.Click(chromedp.CSS("#feedback button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#feedback .ok")))
	has(t, "after feedback", b.text("#feedback .ok"), "Sent to sam")
	has(t, "the DM", s.dms.String(), "Try a harder book next")

	b.do("conferences", chromedp.Navigate(s.srv.URL+"/dash/conferences"), chromedp.WaitVisible(chromedp.CSS(".message")))
	has(t, "conferences", b.text("main"), "Your conferences", "sam", "I want help choosing electives")
	b.shoot("dashboard-conferences-phone", phoneW, phoneH)
}

// A student sees their own plan, with its charts, and is refused another
// student's page and any class page.
func TestBrowserStudent(t *testing.T) {
	chrome := newChromium(t)
	s := newSchool(t)
	s.seed()
	b := openTab(t, chrome)
	b.do("phone", chromedp.EmulateViewport(phoneW, phoneH))
	b.signIn(s.link("sam"), "#goals")
	main := b.text("main")
	has(t, "sam's home", main, "Your plan, sam", "Read three novels", "Great pace — try a harder book next", "Coming up")
	for _, leak := range []string{"IEP", "reading support", "Give feedback"} {
		if strings.Contains(main, leak) {
			t.Errorf("a student sees %q", leak)
		}
	}
	titles := b.chartTitles()
	hasChart(t, "sam's home", titles, "sam's progress")
	hasChart(t, "sam's home", titles, "Read three novels: 40%")
	b.shoot("dashboard-student-home-phone", phoneW, phoneH)

	b.do("another student's page", chromedp.Navigate(s.studentURL("alex")), chromedp.WaitVisible(chromedp.CSS(".problem")))
	got := b.text("main")
	has(t, "another student's page", got, "Plans are private", "home page")
	if strings.Contains(got, "Learn to code a game") {
		t.Error("the refusal shows alex's goal")
	}
	b.do("a class page", chromedp.Navigate(s.classURL()), chromedp.WaitVisible(chromedp.CSS(".problem")))
	has(t, "a class page", b.text("main"), "Class pages are for teachers")
	b.shoot("dashboard-refused-phone", phoneW, 600)
}

// An admin reads the audit log and the outbox's health; a used link gets
// a plain page that says what to do.
func TestBrowserAdmin(t *testing.T) {
	chrome := newChromium(t)
	s := newSchool(t)
	s.seed()
	s.run(teacher, "student @sam")
	b := openTab(t, chrome)
	link := s.link("admin")
	b.signIn(link, "#attention")
	b.do("admin page", chromedp.Navigate(s.srv.URL+"/dash/admin"), chromedp.WaitVisible(chromedp.CSS("#q-person")))
	b.do("search", chromedp.SendKeys(chromedp.CSS("#q-person"), "sam"),
		chromedp.Click(chromedp.CSS("form.search button")),
		// The results page: its field carries what was typed as its value.
		chromedp.WaitVisible(chromedp.CSS(`#q-person[value="sam"]`)),
		chromedp.WaitVisible(chromedp.CSS("table")))
	has(t, "audit", b.text("main"), "Who read or changed sam", "rivera", "view plan", "Scheduled messages", "Waiting to go out")
	b.shoot("dashboard-admin-desktop", desktopW, 700)

	other := openTab(t, chrome)
	other.do("a used link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(".problem")))
	has(t, "a used link", other.text("main"), "already been used", "/plp dashboard")
}
