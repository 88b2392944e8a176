package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// SecureDeletePragma is the SQLite pragma Start sets on every connection
// FerretDB opens: deleted and overwritten records are zeroed in the file at
// once, instead of staying readable in free pages until they are reused.
const SecureDeletePragma = "secure_delete(1)"

// checkpointWait bounds how long Scrub waits for readers to let go of the
// write-ahead log.
const checkpointWait = 30 * time.Second

// Scrub makes what was deleted from database db unrecoverable from its
// files. SecureDeletePragma already zeroed each deleted record where it
// lay; Scrub then rebuilds the file (VACUUM), so that nothing is left
// anywhere in it either — not the stale copies SQLite can leave in a page's
// unallocated space when it rebalances a b-tree, nor records deleted before
// secure_delete was on — and checkpoints the write-ahead log into the file
// and truncates it to zero bytes, since the log keeps old versions of the
// pages it wrote. VACUUM holds the write lock while it runs (about a second
// per 100 MB: see README, Benchmarks); readers carry on. It waits for
// readers FerretDB holds, for up to checkpointWait.
//
// VACUUM builds the new file in SQLite's temporary folder ($TMPDIR, else
// /tmp; 0600 and unlinked at once), so only what was kept passes there.
func (s *Server) Scrub(ctx context.Context, db string) error {
	sdb, err := s.openFile(db)
	if err != nil {
		return err
	}
	defer sdb.Close()
	if _, err := sdb.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("vacuum database %q: %w", db, err)
	}
	ctx, cancel := context.WithTimeout(ctx, checkpointWait)
	defer cancel()
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		var busy, logFrames, checkpointed int
		err := sdb.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed)
		if err != nil {
			return fmt.Errorf("checkpoint database %q: %w", db, err)
		}
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("checkpoint database %q: readers kept the log busy: %w", db, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// openFile opens database db's SQLite file beside FerretDB, with the same
// pragmas as FerretDB's own connections, on one connection.
func (s *Server) openFile(db string) (*sql.DB, error) {
	file := filepath.Join(s.dir, db+sqliteExt)
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("database %q: %w", db, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Add("_pragma", SecureDeletePragma)
	q.Set("mode", "rw")
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(file)}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database file %s: %w", file, err)
	}
	sdb.SetMaxOpenConns(1)
	return sdb, nil
}
