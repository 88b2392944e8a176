package storagetest

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// CutProxy forwards connections from a Unix socket of its own to the test
// database's socket. While cut, it holds every byte it reads (as a network
// that silently stopped delivering) and accepts new connections without
// forwarding them; held bytes are forwarded when the cut ends.
type CutProxy struct {
	path     string
	upstream string
	ln       net.Listener

	mu    sync.Mutex
	open  chan struct{} // closed while the link is up
	conns []net.Conn
}

// NewCutProxy starts a proxy to the test database (skipping t when that is
// not on a Unix socket); it stops with t.
func NewCutProxy(t testing.TB) *CutProxy {
	t.Helper()
	host := strings.TrimSuffix(strings.TrimPrefix(URI(), "mongodb://"), "/")
	upstream, err := url.QueryUnescape(host)
	if err != nil || !strings.HasPrefix(upstream, "/") {
		t.Skipf("the test database is not on a Unix socket (%s)", URI())
	}
	dir, err := os.MkdirTemp("", "px") // short: a socket path has a length limit
	if err != nil {
		t.Fatal(err)
	}
	p := &CutProxy{path: filepath.Join(dir, "p.sock"), upstream: upstream, open: make(chan struct{})}
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

// URI is the proxy's mongodb:// URI.
func (p *CutProxy) URI() string { return "mongodb://" + url.QueryEscape(p.path) + "/" }

// Cut stops delivery until Restore.
func (p *CutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = make(chan struct{})
}

// Restore delivers again, held bytes first.
func (p *CutProxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.open)
}

func (p *CutProxy) gate() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open
}

func (p *CutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *CutProxy) forward(c net.Conn) {
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
func (p *CutProxy) pipe(dst, src net.Conn) {
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
