package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/console"
	"github.com/plpbot/plpbot/bot/web"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// today is the tests' now: Wednesday 2026-11-25 15:00 UTC.
var today = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// clock is a hand-set clock, safe for the server's goroutines.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// school is a dashboard over real handlers on a fresh database, served on
// loopback, with the console as the sender of DMs (what it sends lands in
// dms).
type school struct {
	t     testing.TB
	clock *clock
	store *storage.Store
	h     *handlers.Handlers
	srv   *httptest.Server
	dms   *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the console's writes and a test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newSchool starts the dashboard on an empty school.
func newSchool(t testing.TB) *school {
	t.Helper()
	s := &school{t: t, clock: &clock{now: today}, dms: &syncBuffer{}}
	s.store = storagetest.New(t, s.clock.Now)
	s.srv = httptest.NewUnstartedServer(nil)
	base := "http://" + s.srv.Listener.Addr().String()
	s.h = handlers.New(s.store, handlers.Options{Now: s.clock.Now, DefaultTimeZone: "UTC", DashboardURL: base + web.Prefix})
	sender := console.New(strings.NewReader(""), s.dms, s.h, console.Options{})
	w, err := web.New(s.h, s.store, web.Options{Sender: sender, Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(web.Prefix, w)
	s.srv.Config.Handler = mux
	s.srv.Start()
	t.Cleanup(s.srv.Close)
	return s
}

// run types a command (without "/plp") as a console user; it fails the
// test on an error and returns the replies' text.
func (s *school) run(name, line string) string {
	s.t.Helper()
	msgs, err := s.h.Handle(context.Background(), consoleRequest(name, line))
	if err != nil {
		s.t.Fatalf("%s: /plp %s: %v", name, line, err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.PlainText())
	}
	return strings.Join(out, "\n")
}

// at runs fn with the clock at t, then puts it back.
func (s *school) at(t time.Time, fn func()) {
	old := s.clock.Now()
	s.clock.Set(t)
	defer s.clock.Set(old)
	fn()
}

var linkRE = regexp.MustCompile(`https?://\S+/dash/signin\?t=\S+`)

// link asks for name's sign-in link, as /plp dashboard gives it.
func (s *school) link(name string) string {
	s.t.Helper()
	out := s.run(name, "dashboard")
	l := linkRE.FindString(out)
	if l == "" {
		s.t.Fatalf("/plp dashboard as %s: no link in %q", name, out)
	}
	return l
}

// browser is an HTTP client with its own cookies: one person's browser.
type browser struct {
	t testing.TB
	c *http.Client
}

func (s *school) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response read whole.
type page struct {
	status int
	header http.Header
	body   string
	loc    string
}

func (b *browser) get(u string) page {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	return read(b.t, resp)
}

func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	resp, err := b.c.PostForm(u, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", u, err)
	}
	return read(b.t, resp)
}

func read(t testing.TB, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body), loc: resp.Header.Get("Location")}
}

// signIn opens link and presses its button, as a person does; it returns
// the home page.
func (b *browser) signIn(link string) page {
	b.t.Helper()
	p := b.get(link)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Open my dashboard") {
		b.t.Fatalf("sign-in page: %d %s", p.status, p.body)
	}
	u, _ := url.Parse(link)
	p = b.post(u.Scheme+"://"+u.Host+web.Prefix+"signin", url.Values{"t": {u.Query().Get("t")}})
	if p.status != http.StatusSeeOther || p.loc != web.Prefix {
		b.t.Fatalf("sign in: %d, Location %q: %s", p.status, p.loc, p.body)
	}
	return b.get(u.Scheme + "://" + u.Host + web.Prefix)
}

// csrf is the form token on a page.
func csrf(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no csrf token on the page")
	}
	return m[1]
}

// consoleRequest is name typing "/plp line" in a console channel.
func consoleRequest(name, line string) *bot.Request {
	return &bot.Request{
		Actor: bot.Identity{Platform: bot.Console, UserID: strings.ToLower(name), Name: name},
		Text:  line, Slash: true,
		Place: bot.Place{Kind: bot.InChannel, Channel: bot.Channel{Platform: bot.Console, ChannelID: "general", Name: "general"}},
	}
}
