package embedded

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// A write through FerretDB v1 pays for more than SQLite's own work: an
// update reads the document in one statement, writes it in another, and
// commits, so updating a goal costs two to three times inserting a
// check-in, and both together take two commits. Write does several
// writes to one database in one SQLite transaction, on the file FerretDB
// serves, as FerretDB would do them (the documents in its format, its
// unique indexes kept by SQLite): one commit, and either all happen or
// none. FerretDB keeps no copy of documents in memory, so it serves them as
// written; SQLite's locks order these writes with its own.

// Files returns a handle on the files of a FerretDB v1 (SQLite backend)
// that plpbot did not start, serving folder dir on this machine: for Write
// (and IDs, Fields). Close closes only Write's connections.
func Files(dir string) (*Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("FerretDB folder %s: %w", dir, err)
	}
	return &Server{dir: abs, log: ferretLogger(Options{})}, nil
}

// ErrNoCollection is returned by a FileTx for a collection FerretDB has
// not created: go through FerretDB instead.
var ErrNoCollection = errors.New("collection not created yet")

// FileTx is one transaction on a database's file, for Write's fn.
type FileTx struct {
	tx  *sql.Tx
	srv *Server
	db  string
	log *slog.Logger
}

// Write runs fn in one transaction on database db's file, taking the
// database's write lock at the start (so what fn reads stays true until it
// commits), and commits if fn returns nil.
func (s *Server) Write(ctx context.Context, db string, fn func(*FileTx) error) error {
	w, err := s.writer(db)
	if err != nil {
		return err
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin a write to database %q: %w", db, err)
	}
	if err := fn(&FileTx{tx: tx, srv: s, db: db, log: s.log}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit a write to database %q: %w", db, err)
	}
	return nil
}

// writer returns the connection Write uses for database db, opened once.
// One connection: SQLite takes one writer at a time anyway.
func (s *Server) writer(db string) (*sql.DB, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.writers[db]; ok {
		return w, nil
	}
	file := filepath.Join(s.dir, db+sqliteExt)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", SecureDeletePragma)
	q.Set("_txlock", "immediate")
	q.Set("mode", "rw")
	w, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.ToSlash(file)}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database file %s: %w", file, err)
	}
	w.SetMaxOpenConns(1)
	if s.writers == nil {
		s.writers = map[string]*sql.DB{}
	}
	s.writers[db] = w
	return w, nil
}

// closeWriters closes the connections Write opened.
func (s *Server) closeWriters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for db, w := range s.writers {
		_ = w.Close()
		delete(s.writers, db)
	}
}

// table returns the SQLite table of collection coll, ErrNoCollection if
// FerretDB has none. Tables are remembered (a collection keeps its table
// while it exists); one a statement can't find is looked up again.
func (t *FileTx) table(ctx context.Context, coll string) (string, error) {
	if name, ok := t.srv.cachedTable(t.db, coll); ok {
		return name, nil
	}
	var name string
	err := t.tx.QueryRowContext(ctx, fmt.Sprintf("SELECT table_name FROM %q WHERE name = ?", metadataTable), coll).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%s: %w", coll, ErrNoCollection)
	}
	if err != nil {
		return "", fmt.Errorf("find table of collection %s: %w", coll, err)
	}
	t.srv.rememberTable(t.db, coll, name)
	return name, nil
}

// cachedTable returns the table remembered for db's collection coll.
func (s *Server) cachedTable(db, coll string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, ok := s.tables[db+"."+coll]
	return name, ok
}

// rememberTable remembers db's collection coll's table.
func (s *Server) rememberTable(db, coll, table string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tables == nil {
		s.tables = map[string]string{}
	}
	s.tables[db+"."+coll] = table
}

// FindByID returns the document of coll whose _id is id, nil if none.
func (t *FileTx) FindByID(ctx context.Context, coll, id string) (bson.D, error) {
	table, err := t.table(ctx, coll)
	if err != nil {
		return nil, err
	}
	key, _ := json.Marshal(id)
	var data []byte
	err = t.tx.QueryRowContext(ctx, fmt.Sprintf("SELECT _ferretdb_sjson FROM %q WHERE %s = ?", table, idPathExpr), string(key)).Scan(&data)
	err = t.forgetTablesOn(err)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find %s %s: %w", coll, id, err)
	}
	return fromSJSON(data)
}

// Insert adds doc (a value the driver encodes as a document, with an _id)
// to coll; inserted is false when a document with its _id, or its value of
// another unique index, is there already.
func (t *FileTx) Insert(ctx context.Context, coll string, doc any) (inserted bool, err error) {
	table, data, err := t.encode(ctx, coll, doc)
	if err != nil {
		return false, err
	}
	_, err = t.exec(ctx, fmt.Sprintf("INSERT INTO %q (_ferretdb_sjson) VALUES (?)", table), string(data))
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert into %s: %w", coll, err)
	}
	return true, nil
}

// ReplaceByID stores doc in place of coll's document whose _id is id.
func (t *FileTx) ReplaceByID(ctx context.Context, coll, id string, doc any) error {
	table, data, err := t.encode(ctx, coll, doc)
	if err != nil {
		return err
	}
	key, _ := json.Marshal(id)
	res, err := t.exec(ctx, fmt.Sprintf("UPDATE %q SET _ferretdb_sjson = ? WHERE %s = ?", table, idPathExpr), string(data), string(key))
	if err != nil {
		return fmt.Errorf("replace %s %s: %w", coll, id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("replace %s %s: %d documents matched (%v)", coll, id, n, err)
	}
	return nil
}

// exec runs a statement that writes, logged at debug with its arguments as
// FerretDB logs its own (so only where its logs may carry documents:
// ferretLogger).
func (t *FileTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	t.log.DebugContext(ctx, "<<< "+query, slog.Any("args", args), slog.Any("error", err))
	return res, t.forgetTablesOn(err)
}

// forgetTablesOn forgets the remembered tables after err says one is gone
// (a collection dropped since): the next write looks them up again, and
// this one is ErrNoCollection, so its caller goes through FerretDB.
func (t *FileTx) forgetTablesOn(err error) error {
	if err == nil || !strings.Contains(err.Error(), "no such table") {
		return err
	}
	t.srv.mu.Lock()
	clear(t.srv.tables)
	t.srv.mu.Unlock()
	return fmt.Errorf("%w: %w", ErrNoCollection, err)
}

// encode returns coll's table and doc in FerretDB's format.
func (t *FileTx) encode(ctx context.Context, coll string, doc any) (string, []byte, error) {
	table, err := t.table(ctx, coll)
	if err != nil {
		return "", nil, err
	}
	raw, err := bson.Marshal(doc)
	if err != nil {
		return "", nil, fmt.Errorf("encode a document of %s: %w", coll, err)
	}
	if _, err := bson.Raw(raw).LookupErr("_id"); err != nil {
		return "", nil, fmt.Errorf("%w: a document of %s without an _id", ErrUnsupported, coll)
	}
	data, err := toSJSON(raw)
	if err != nil {
		return "", nil, fmt.Errorf("encode a document of %s: %w", coll, err)
	}
	return table, data, nil
}
