package embedded_test

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// tcpListenState is the kernel's TCP_LISTEN in /proc/net/tcp's "st" column.
const tcpListenState = "0A"

// ownTCPListeners returns the inodes of the TCP and TCP6 sockets this
// process holds that are listening, read from /proc.
func ownTCPListeners(t *testing.T) map[string]bool {
	t.Helper()
	own := map[string]bool{} // socket inodes of this process's descriptors
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			own[strings.TrimSuffix(inode, "]")] = true
		}
	}
	listening := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue // no IPv6 here
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			// sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
			fields := strings.Fields(sc.Text())
			if len(fields) > 9 && fields[3] == tcpListenState && own[fields[9]] {
				listening[fields[9]] = true
			}
		}
		_ = f.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
	}
	return listening
}

// TestNoTCPPort starts the embedded database and finds no TCP port of this
// process listening that was not before; the URI names its Unix socket and
// works.
func TestNoTCPPort(t *testing.T) {
	// The probe sees a TCP listener when there is one.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if len(ownTCPListeners(t)) == 0 {
		t.Fatalf("the probe missed this test's own listener on %s", ln.Addr())
	}
	_ = ln.Close()

	before := ownTCPListeners(t)
	srv, db := start(t, t.TempDir())
	if err := db.Collection("reflections").FindOne(context.Background(), bson.D{}).Err(); err != nil && !strings.Contains(err.Error(), "no documents") {
		t.Fatalf("query through the socket: %v", err)
	}
	for inode := range ownTCPListeners(t) {
		if !before[inode] {
			t.Errorf("a TCP port is listening since the embedded database started (socket inode %s)", inode)
		}
	}
	want := "mongodb://" + strings.ReplaceAll(srv.Socket(), "/", "%2F") + "/"
	if srv.URI() != want || !strings.HasSuffix(srv.Socket(), "/db.sock") {
		t.Errorf("URI = %q, socket %q; want %q, a socket in the data directory", srv.URI(), srv.Socket(), want)
	}
}
