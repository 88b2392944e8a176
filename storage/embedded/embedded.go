// Package embedded runs FerretDB (SQLite backend) in-process, so plpbot works
// with no database server to install: the default when mongodb.uri is empty.
//
// The database is private to the account plpbot runs as: it listens on a
// Unix socket inside the data directory, never on a TCP port (FerretDB has
// no authentication, so any local process that reached a port could read
// every plan and make itself admin), and the directory is 0700, the socket
// and the database files 0600, whatever the umask.
package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const (
	// SocketName is the file name of the database's Unix socket inside the
	// data directory. The driver takes an address ending in "sock" for a
	// socket.
	SocketName = "db.sock"
	// MaxSocketPath is the longest socket path, in bytes, that Start
	// accepts: sockaddr_un holds 104 bytes on macOS and the BSDs (108 on
	// Linux), the terminating NUL included.
	MaxSocketPath = 103
	// dirMode and fileMode keep the data directory and everything in it to
	// plpbot's own account.
	dirMode  os.FileMode = 0o700
	fileMode os.FileMode = 0o600
)

// ErrInUse is returned by Start when another process already serves the
// data directory: connect to its socket (SocketURI) instead.
var ErrInUse = errors.New("the embedded database is already running")

// Options configure Start.
type Options struct {
	// Logger receives FerretDB's own logs when Debug is set; nil drops them.
	Logger *slog.Logger
	// Debug passes FerretDB's logs on (plpbot's log.level debug). Unless
	// StudentText is set they stay at info and above, and the wire
	// messages FerretDB prints with a failed command are withheld: both
	// carry documents, so students' text.
	Debug bool
	// StudentText passes all of FerretDB's logs on, documents included
	// (plpbot's log.student_text).
	StudentText bool
}

// Server is a running embedded FerretDB that speaks the MongoDB wire protocol
// on a Unix socket in its data directory.
type Server struct {
	uri    string
	dir    string // absolute directory of the SQLite files, one per database
	socket string // absolute path of the Unix socket
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	writers map[string]*sql.DB // Write's connections, by database
	tables  map[string]string  // Write's tables, by database.collection
	log     *slog.Logger       // Write's statements, as FerretDB logs its own
}

// Start starts FerretDB with its SQLite files under dir (created if needed,
// and made 0700 if it was not), listening only on the Unix socket
// dir/SocketName. It fails, naming dir, when the socket's path would be
// longer than MaxSocketPath, and with ErrInUse when another process
// already serves dir.
func Start(ctx context.Context, dir string, opts Options) (*Server, error) {
	sock, err := socketPathOf(dir)
	if err != nil {
		return nil, err
	}
	abs := filepath.Dir(sock)
	if err := privateDir(abs, dir); err != nil {
		return nil, err
	}
	if err := removeStaleSocket(sock, dir); err != nil {
		return nil, err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: sock}, // and no TCP at all
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/?_pragma=" + url.QueryEscape(SecureDeletePragma),
		Logger:    ferretLogger(opts),
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded database in %s: %w", dir, err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{dir: abs, socket: sock, uri: socketURI(sock), cancel: cancel, done: make(chan struct{}), log: ferretLogger(opts)}
	go func() {
		defer close(s.done)
		_ = f.Run(runCtx)
	}()
	// The listener exists once New returns; its mode came from the umask.
	files, err := s.allDatabaseFiles()
	if err == nil {
		err = errors.Join(os.Chmod(sock, fileMode), s.secureFiles(files))
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("make the embedded database in %s private: %w", dir, err)
	}
	return s, nil
}

// privateDir creates abs, the absolute form of dir, (0700) if needed and
// tightens it to 0700 if it was looser.
func privateDir(abs, dir string) error {
	if err := os.MkdirAll(abs, dirMode); err != nil {
		return fmt.Errorf("create data_dir %q: %w", dir, err)
	}
	if err := os.Chmod(abs, dirMode); err != nil {
		return fmt.Errorf("make data_dir %q private: %w", dir, err)
	}
	return nil
}

// SocketURI returns the URI of the socket of the embedded database that
// serves dir, for a process that shares the server another one started
// (see ErrInUse).
func SocketURI(dir string) (string, error) {
	sock, err := socketPathOf(dir)
	if err != nil {
		return "", err
	}
	return socketURI(sock), nil
}

// socketPathOf returns the absolute path of dir's socket, if the system
// and the driver can use it.
func socketPathOf(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data_dir %q: %w", dir, err)
	}
	sock := filepath.Join(abs, SocketName)
	if len(sock) > MaxSocketPath {
		return "", fmt.Errorf("data_dir %q is too long for the embedded database's socket: %s is %d bytes, the limit is %d; choose a shorter data_dir",
			dir, sock, len(sock), MaxSocketPath)
	}
	if err := options.Client().ApplyURI(socketURI(sock)).Validate(); err != nil {
		return "", fmt.Errorf("data_dir %q cannot hold the embedded database's socket (%w); choose a folder whose path has only letters, digits, - _ . and /", dir, err)
	}
	return sock, nil
}

// removeStaleSocket removes a socket left by a process that did not stop
// cleanly, and refuses to start beside one that still answers.
func removeStaleSocket(sock, dir string) error {
	fi, err := os.Lstat(sock)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check the embedded database's socket in data_dir %q: %w", dir, err)
	}
	if fi.Mode().Type() != os.ModeSocket {
		return fmt.Errorf("data_dir %q: %s is in the way of the embedded database's socket; move it", dir, sock)
	}
	if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
		_ = c.Close()
		return fmt.Errorf("data_dir %q is in use by another plpbot: %w", dir, ErrInUse)
	}
	if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove the stale socket in data_dir %q: %w", dir, err)
	}
	return nil
}

// socketURI is the mongodb:// URI of the socket at path: the driver wants
// the path, percent-encoded, as the host.
func socketURI(path string) string {
	return "mongodb://" + url.QueryEscape(path) + "/"
}

// secureFiles makes the SQLite files in the data directory (databases and
// their -wal, -shm and -journal companions) 0600. SQLite creates a
// database file with the umask's mode and its companions with the
// database's, so a database is tightened once, after it is created; a
// file that does not exist is skipped.
func (s *Server) secureFiles(files []string) error {
	var errs []error
	for _, f := range files {
		fi, err := os.Lstat(f)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() == fileMode {
			continue // absent (no -journal in WAL mode), not ours, or private already
		}
		if err := os.Chmod(f, fileMode); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// databaseFiles lists the files SQLite may keep for database db.
func (s *Server) databaseFiles(db string) []string {
	base := filepath.Join(s.dir, db+sqliteExt)
	return []string{base, base + "-wal", base + "-shm", base + "-journal"}
}

// allDatabaseFiles lists the SQLite files in the data directory.
func (s *Server) allDatabaseFiles() ([]string, error) {
	files, err := filepath.Glob(filepath.Join(s.dir, "*"+sqliteExt+"*"))
	if err != nil {
		return nil, fmt.Errorf("list database files: %w", err)
	}
	return files, nil
}

// URI returns the mongodb:// URI to connect to: the percent-encoded path
// of the server's Unix socket.
func (s *Server) URI() string { return s.uri }

// Socket returns the absolute path of the server's Unix socket.
func (s *Server) Socket() string { return s.socket }

// Close stops the server and waits until its files are closed and its
// socket is removed.
func (s *Server) Close() {
	s.closeWriters()
	if s.cancel != nil {
		s.cancel()
		<-s.done
	}
}
