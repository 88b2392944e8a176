package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot/storage/embedded"
)

// gateProxy forwards TCP connections to a Unix socket, and can stop
// forwarding (bytes are held, nothing is refused) as a network path that
// silently drops packets does.
type gateProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	open   bool
	opened *sync.Cond
}

func newGateProxy(t *testing.T, socket string) *gateProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &gateProxy{ln: ln, target: socket, open: true}
	p.opened = sync.NewCond(&p.mu)
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *gateProxy) addr() string { return p.ln.Addr().String() }

// set opens or closes the gate.
func (p *gateProxy) set(open bool) {
	p.mu.Lock()
	p.open = open
	p.mu.Unlock()
	p.opened.Broadcast()
}

func (p *gateProxy) wait() {
	p.mu.Lock()
	for !p.open {
		p.opened.Wait()
	}
	p.mu.Unlock()
}

func (p *gateProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("unix", p.target)
		if err != nil {
			c.Close()
			continue
		}
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// pipe copies from src to dst, holding each chunk while the gate is closed.
func (p *gateProxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.wait()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// TestReadyzWhenTheDatabaseStopsAnswering: with the path to the database
// silently dropping everything, /readyz answers 503 within about a second
// (its own short deadline, not the driver's 30 s) and says the database is
// what isn't ready; once the path is back, so is /readyz.
func TestReadyzWhenTheDatabaseStopsAnswering(t *testing.T) {
	db, err := embedded.Start(context.Background(), t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	proxy := newGateProxy(t, db.Socket())
	defer proxy.set(true) // let the program finish before the database stops

	pr, pw := io.Pipe()
	defer pw.Close()
	var stderr lockedBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = pr, io.Discard, &stderr
	m.Env = []string{"PLPBOT_MONGODB_URI=mongodb://" + proxy.addr() + "/?directConnection=true"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() { code <- run(ctx, m, []string{"-config", writeConfig(t, t.TempDir()), "console"}) }()
	defer func() {
		proxy.set(true)
		pw.Close()
		select {
		case c := <-code:
			if c != exitOK {
				t.Errorf("exit %d:\n%s", c, stderr.String())
			}
		case <-time.After(time.Minute):
			t.Error("plpbot did not stop")
		}
	}()
	base := waitAddr(t, m)
	if c, a := readyz(t, base); c != http.StatusOK || !a.Ready {
		t.Fatalf("/readyz before the cut: %d %+v\n%s", c, a, stderr.String())
	}

	proxy.set(false)
	start := time.Now()
	c, a := readyz(t, base)
	took := time.Since(start)
	if c != http.StatusServiceUnavailable || a.Ready || !strings.HasPrefix(a.Database, "unreachable") ||
		len(a.NotReady) != 1 || !strings.HasPrefix(a.NotReady[0], "database: unreachable") || a.Adapters["console"] != "connected" {
		t.Errorf("/readyz during the cut: %d %+v", c, a)
	}
	if took > 3*time.Second {
		t.Errorf("/readyz took %s during the cut, want about its 1 s deadline", took)
	}
	t.Logf("/readyz answered %d in %s during the cut: %+v", c, took.Round(time.Millisecond), a)
	if code, body := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz during the cut: %d %q (alive is not ready)", code, body)
	}

	proxy.set(true)
	deadline := time.Now().Add(time.Minute)
	for {
		c, a := readyz(t, base)
		if c == http.StatusOK && a.Ready {
			t.Logf("ready again %s after the path came back", time.Since(start.Add(took)).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz after the cut: %d %+v", c, a)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
