package embedded

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", the one FerretDB uses
)

// FerretDB v1.24.2 (internal/backends/sqlite) stores each document as SJSON
// in one column and creates its unique _id index on the expression
// _ferretdb_sjson->"_id", but every lookup by _id (find, update, delete,
// explain) filters on metadata.IDColumn, _ferretdb_sjson->'$._id'. Both
// extract the same value, yet SQLite only uses an expression index when the
// query's expression is the same as the index's, so each lookup scans the
// whole table. IndexIDs adds the index those queries can use.
const (
	// idPathExpr must stay byte-for-byte equal to FerretDB's metadata.IDColumn.
	idPathExpr = `_ferretdb_sjson->'$._id'`
	// metadataTable is FerretDB's per-database list of collections.
	metadataTable = "_ferretdb_collections"
	// idIndexPrefix starts the names of the indexes IndexIDs creates; FerretDB
	// names its own indexes <table>_<index name>.
	idIndexPrefix = "plpbot_id_path_"
	// sqliteExt is the extension of FerretDB's database files.
	sqliteExt = ".sqlite"
	// codeNamespaceExists is the server's answer to creating a collection
	// that exists.
	codeNamespaceExists = 48
)

// IndexIDs makes lookups by _id in the given collections of database db use
// an index instead of reading the whole collection. Collections that do not
// exist yet are created (empty). It is idempotent and safe while the server
// runs: it opens the database's SQLite file beside FerretDB (WAL mode, busy
// timeout) and adds, for each collection, an SQLite expression index that
// FerretDB does not list and does not need to know about. The index is kept
// up to date by SQLite and disappears with its collection's table.
//
// It also makes the database's files 0600, as Start does for those that
// existed before: call it once a database is created.
func (s *Server) IndexIDs(ctx context.Context, db string, collections []string) error {
	if len(collections) == 0 {
		return nil
	}
	if err := s.createCollections(ctx, db, collections); err != nil {
		return err
	}
	file := filepath.Join(s.dir, db+sqliteExt)
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("index _id of database %q: %w", db, err)
	}
	if err := s.secureFiles(s.databaseFiles(db)); err != nil {
		return fmt.Errorf("make database %q private: %w", db, err)
	}
	q := url.Values{}
	// Same pragmas and order as FerretDB: busy handler before WAL.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(wal)")
	q.Set("mode", "rw") // never create a file FerretDB does not know about
	dsn := "file:" + (&url.URL{Path: filepath.ToSlash(file)}).EscapedPath() + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("open database file %s: %w", file, err)
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)

	for _, name := range collections {
		var table string
		err := sdb.QueryRowContext(ctx,
			fmt.Sprintf("SELECT table_name FROM %q WHERE name = ?", metadataTable), name,
		).Scan(&table)
		if err != nil {
			return fmt.Errorf("find table of collection %s.%s: %w", db, name, err)
		}
		stmt := fmt.Sprintf("CREATE INDEX IF NOT EXISTS %q ON %q (%s)", idIndexPrefix+table, table, idPathExpr)
		if _, err := sdb.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("index _id of collection %s.%s: %w", db, name, err)
		}
	}
	return nil
}

// createCollections creates the collections that do not exist yet, through
// FerretDB so that its metadata knows them.
func (s *Server) createCollections(ctx context.Context, db string, collections []string) error {
	client, err := mongo.Connect(options.Client().ApplyURI(s.uri))
	if err != nil {
		return fmt.Errorf("connect to embedded database: %w", err)
	}
	defer func() { _ = client.Disconnect(context.WithoutCancel(ctx)) }()
	d := client.Database(db)
	for _, name := range collections {
		err := d.CreateCollection(ctx, name)
		var ce mongo.CommandError
		if errors.As(err, &ce) && ce.Code == codeNamespaceExists {
			continue
		}
		if err != nil {
			return fmt.Errorf("create collection %s.%s: %w", db, name, err)
		}
	}
	return nil
}

// IndexIDsAt is IndexIDs for a FerretDB (SQLite backend) that plpbot did not
// start, reached at uri, whose SQLite files are in dir on this machine.
func IndexIDsAt(ctx context.Context, dir, uri, db string, collections []string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("index _id in %s: %w", dir, err)
	}
	return (&Server{uri: uri, dir: abs}).IndexIDs(ctx, db, collections)
}
