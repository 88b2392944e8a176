// Package embedded runs FerretDB (SQLite backend) in-process, so plpbot works
// with no database server to install: the default when mongodb.uri is empty.
package embedded

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Server is a running embedded FerretDB that speaks the MongoDB wire protocol
// on a loopback port.
type Server struct {
	uri    string
	dir    string // absolute directory of the SQLite files, one per database
	cancel context.CancelFunc
	done   chan struct{}
}

// Start starts FerretDB with its SQLite files under dir (created if needed),
// listening on 127.0.0.1 on a free port. FerretDB's own logs go to logger
// when debug is true and are dropped otherwise.
func Start(ctx context.Context, dir string, logger *slog.Logger, debug bool) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("embedded database dir %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create embedded database dir: %w", err)
	}
	if !debug || logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/?_pragma=" + url.QueryEscape(SecureDeletePragma),
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start embedded database: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{dir: abs, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = f.Run(runCtx)
	}()
	s.uri = f.MongoDBURI() // waits until the listener is up
	return s, nil
}

// URI returns the mongodb:// URI to connect to.
func (s *Server) URI() string { return s.uri }

// Close stops the server and waits until its files are closed.
func (s *Server) Close() {
	s.cancel()
	<-s.done
}
