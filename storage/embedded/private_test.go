//go:build unix

package embedded_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot/storage/embedded"
)

// checkModes fails t unless dir is 0700 and every file in it (the socket,
// the SQLite files) is 0600; it returns the names it checked.
func checkModes(t *testing.T, dir string) []string {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o700 {
		t.Errorf("data directory mode = %#o, want 0700", m)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue // a -journal that came and went
		}
		names = append(names, e.Name())
		if m := info.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode = %#o, want 0600", e.Name(), m)
		}
	}
	return names
}

// TestPrivateFiles starts the embedded database with a umask that would
// leave everything open to all, and finds the directory 0700 and the
// socket and the database files 0600, and an existing install made private
// at its next start.
func TestPrivateFiles(t *testing.T) {
	old := syscall.Umask(0) // the process's, restored below; not parallel
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")

	srv, db := start(t, dir)
	if _, err := db.Collection("reflections").InsertOne(ctx, bson.D{{Key: "text", Value: "private"}}); err != nil {
		t.Fatal(err)
	}
	if err := srv.IndexIDs(ctx, dbName, []string{"reflections"}); err != nil {
		t.Fatal(err)
	}
	names := checkModes(t, dir)
	for _, want := range []string{embedded.SocketName, dbName + ".sqlite", dbName + ".sqlite-wal"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("%s missing from the data directory: %v", want, names)
		}
	}

	t.Run("an existing install is made private", func(t *testing.T) {
		srv.Close()
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite*"))
		for _, f := range files {
			if err := os.Chmod(f, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		start(t, dir)
		checkModes(t, dir)
	})

	t.Run("the socket goes when the server stops", func(t *testing.T) {
		srv, _ := start(t, t.TempDir())
		srv.Close()
		if _, err := os.Lstat(srv.Socket()); !os.IsNotExist(err) {
			t.Errorf("socket after Close: %v, want it gone", err)
		}
	})
}

// TestSocketPlace covers the data directories the socket can't live in,
// and the socket another process left behind.
func TestSocketPlace(t *testing.T) {
	ctx := context.Background()
	long := filepath.Join(t.TempDir(), strings.Repeat("d", embedded.MaxSocketPath))
	tests := []struct {
		name string
		dir  func(t *testing.T) string
		want string // in the error; "" = starts
	}{
		{"path too long", func(*testing.T) string { return long }, "is too long for the embedded database's socket"},
		{"something else in the way", func(t *testing.T) string {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, embedded.SocketName), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return dir
		}, "is in the way"},
		{"served by a running plpbot", func(t *testing.T) string {
			dir := t.TempDir()
			start(t, dir)
			return dir
		}, "is in use by another plpbot"},
		{"stale socket of a crashed run", func(t *testing.T) string {
			dir := t.TempDir()
			ln, err := net.Listen("unix", filepath.Join(dir, embedded.SocketName))
			if err != nil {
				t.Fatal(err)
			}
			ln.(*net.UnixListener).SetUnlinkOnClose(false)
			_ = ln.Close()
			return dir
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			srv, err := embedded.Start(ctx, dir, embedded.Options{})
			if err == nil {
				srv.Close()
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Start: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "data_dir")):
				t.Fatalf("Start = %v; want an error naming data_dir with %q", err, tt.want)
			}
			if inUse := errors.Is(err, embedded.ErrInUse); inUse != strings.Contains(tt.want, "in use") {
				t.Errorf("errors.Is(%v, ErrInUse) = %v", err, inUse)
			}
		})
	}
	if _, err := os.Stat(long); !os.IsNotExist(err) {
		t.Errorf("a data_dir too long was created anyway: stat = %v", err)
	}
}
