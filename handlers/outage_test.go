package handlers_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// cutProxy forwards connections from a Unix socket of its own to the test
// database's socket. While cut, it holds every byte it reads (as a network
// that silently stopped delivering) and accepts new connections without
// forwarding them; held bytes are forwarded when the cut ends.
type cutProxy struct {
	path     string
	upstream string
	ln       net.Listener

	mu    sync.Mutex
	open  chan struct{} // closed while the link is up
	conns []net.Conn
}

// newCutProxy starts a proxy to the test database; it stops with t.
func newCutProxy(t *testing.T) *cutProxy {
	t.Helper()
	host := strings.TrimSuffix(strings.TrimPrefix(storagetest.URI(), "mongodb://"), "/")
	upstream, err := url.QueryUnescape(host)
	if err != nil || !strings.HasPrefix(upstream, "/") {
		t.Skipf("the test database is not on a Unix socket (%s)", storagetest.URI())
	}
	dir, err := os.MkdirTemp("", "px") // short: a socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{path: filepath.Join(dir, "p.sock"), upstream: upstream, open: make(chan struct{})}
	close(p.open)
	if p.ln, err = net.Listen("unix", p.path); err != nil {
		t.Fatal(err)
	}
	go p.serve()
	t.Cleanup(func() {
		_ = p.ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		_ = os.RemoveAll(dir)
	})
	return p
}

// uri is the proxy's mongodb:// URI.
func (p *cutProxy) uri() string { return "mongodb://" + url.QueryEscape(p.path) + "/" }

// cut stops delivery until restore.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = make(chan struct{})
}

// restore delivers again, held bytes first.
func (p *cutProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.open)
}

func (p *cutProxy) gate() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open
}

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *cutProxy) forward(c net.Conn) {
	<-p.gate()
	up, err := net.Dial("unix", p.upstream)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go p.pipe(up, c)
	p.pipe(c, up)
}

// pipe copies from src to dst, holding what it read while the link is cut.
func (p *cutProxy) pipe(dst, src net.Conn) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			<-p.gate()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or closed: the other side closes too
		}
	}
}

// TestDatabaseCut: with the database cut off, a check-in answers at once
// (within its deadline) that nothing was saved, with a Try again button
// whose command parses; once the link is back, commands work again within
// seconds, and the goal ends at the check-in made.
func TestDatabaseCut(t *testing.T) {
	p := newCutProxy(t)
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	opts := storagetest.Options(t)
	opts.URI, opts.Now = p.uri(), clock
	opts.Timeouts = storage.Timeouts{Heartbeat: 500 * time.Millisecond, ServerSelection: time.Second, Connect: time.Second}
	store := storagetest.Open(t, opts)
	const deadline = time.Second
	e := &env{t: t, store: store, now: now}
	e.h = handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC", CommandTimeout: deadline})
	e.ok("Sam", "goal add Read three novels")

	p.cut()
	start := time.Now()
	msgs, err := e.run("Sam", "checkin 1 40%")
	took := time.Since(start)
	if err != nil {
		t.Fatalf("during the cut: %v, want the friendly answer", err)
	}
	out := plain(msgs)
	mustContain(t, out, "I couldn't save that just now — nothing was changed.")
	if took > deadline+time.Second {
		t.Errorf("the answer took %v, deadline %v", took, deadline)
	}
	if len(msgs) != 1 || len(msgs[0].Buttons) != 1 || msgs[0].Buttons[0].Label != "Try again" {
		t.Fatalf("want one Try again button, got %+v", msgs)
	}
	retry := msgs[0].Buttons[0].Command
	if _, err := e.h.Grammar().Parse(retry); err != nil {
		t.Errorf("Try again's command %q doesn't parse: %v", retry, err)
	}
	t.Logf("during the cut: answered in %v: %q", took.Round(time.Millisecond), out)

	time.Sleep(2 * time.Second) // the cut lasts a while
	p.restore()
	back := time.Now()
	for {
		msgs, err = e.run("Sam", retry)
		if err == nil && strings.Contains(plain(msgs), "40%") {
			break
		}
		if time.Since(back) > 10*time.Second {
			t.Fatalf("not back 10 s after the link came back: %v %s", err, plain(msgs))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("back %v after the link came back", time.Since(back).Round(time.Millisecond))
	if took := time.Since(back); took > 5*time.Second {
		t.Errorf("back only %v after the link came back, want within seconds", took)
	}
	g, err := store.Goal(context.Background(), e.user("Sam").ID, 1)
	if err != nil || g.Progress != 40 {
		t.Fatalf("goal after the cut: %+v, %v; want 40%%", g, err)
	}
	cs, err := store.CheckIns(context.Background(), g.UserID, time.Time{}, 0)
	if err != nil || len(cs) != 1 {
		t.Errorf("want the check-in stored once, got %d (%v)", len(cs), err)
	}
}
