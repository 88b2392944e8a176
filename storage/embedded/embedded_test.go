package embedded_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	_ "modernc.org/sqlite"

	"github.com/plpbot/plpbot/storage/embedded"
)

const dbName = "plpbot"

// start starts an embedded server in dir and returns it with a connected
// database handle; both are closed when the test ends.
func start(tb testing.TB, dir string) (*embedded.Server, *mongo.Database) {
	tb.Helper()
	ctx := context.Background()
	srv, err := embedded.Start(ctx, dir, embedded.Options{})
	if err != nil {
		tb.Fatalf("start: %v", err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		srv.Close()
		tb.Fatalf("connect: %v", err)
	}
	tb.Cleanup(func() {
		_ = client.Disconnect(ctx)
		srv.Close()
	})
	return srv, client.Database(dbName)
}

// fill inserts n small documents with _id "id-0" … "id-(n-1)".
func fill(tb testing.TB, coll *mongo.Collection, n int) {
	tb.Helper()
	const batch = 1000
	for i := 0; i < n; i += batch {
		docs := make([]any, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("id-%d", j)}, {Key: "n", Value: j}, {Key: "name", Value: "student"}})
		}
		if _, err := coll.InsertMany(context.Background(), docs); err != nil {
			tb.Fatalf("insert into %s: %v", coll.Name(), err)
		}
	}
}

// plan returns FerretDB's SQLite query plan for a find by _id.
func plan(t *testing.T, db *mongo.Database, coll, id string) string {
	t.Helper()
	var res bson.M
	cmd := bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: coll}, {Key: "filter", Value: bson.D{{Key: "_id", Value: id}}}}}}
	if err := db.RunCommand(context.Background(), cmd).Decode(&res); err != nil {
		t.Fatalf("explain: %v", err)
	}
	return fmt.Sprint(res["queryPlanner"])
}

// sqlitePlan returns SQLite's plan for the statement FerretDB v1.24.2 runs
// for a find by _id in collection coll, read on a new connection to the file.
func sqlitePlan(t *testing.T, dir, coll string) string {
	t.Helper()
	ctx := context.Background()
	sdb, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(dir, dbName+".sqlite"))+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	defer sdb.Close()
	var table string
	if err := sdb.QueryRowContext(ctx, "SELECT table_name FROM _ferretdb_collections WHERE name = ?", coll).Scan(&table); err != nil {
		t.Fatalf("table of %s: %v", coll, err)
	}
	q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM %q WHERE _ferretdb_sjson->'$._id' = ?`, table)
	rows, err := sdb.QueryContext(ctx, q, `"id-7"`)
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatalf("scan plan: %v", err)
		}
		b.WriteString(detail + "; ")
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read plan: %v", err)
	}
	return b.String()
}

func TestIndexIDs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	srv, db := start(t, dir)
	coll := db.Collection("goals")
	fill(t, coll, 50)

	if p := plan(t, db, "goals", "id-7"); !strings.Contains(p, "SCAN") {
		t.Fatalf("before IndexIDs the plan should scan (FerretDB's own index is not usable); plan: %s", p)
	}
	for range 2 { // idempotent
		if err := srv.IndexIDs(ctx, dbName, []string{"goals", "counters"}); err != nil {
			t.Fatalf("IndexIDs: %v", err)
		}
	}
	// FerretDB's pooled connections may explain with the schema they loaded
	// before the index existed (EXPLAIN does not re-check the schema; real
	// queries do), so ask a fresh connection, with FerretDB's exact query.
	for _, c := range []string{"goals", "counters"} {
		if p := sqlitePlan(t, dir, c); !strings.Contains(p, "USING INDEX plpbot_id_path_") {
			t.Errorf("%s: plan after IndexIDs does not use the index: %s", c, p)
		}
	}

	t.Run("FerretDB lists only its own indexes", func(t *testing.T) {
		specs, err := coll.Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatalf("list indexes: %v", err)
		}
		if len(specs) != 1 || specs[0].Name != "_id_" {
			t.Errorf("indexes = %v, want only _id_", specs)
		}
		if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "n", Value: 1}}}); err != nil {
			t.Errorf("create another index: %v", err)
		}
		for _, cmd := range []bson.D{{{Key: "collStats", Value: "goals"}}, {{Key: "dbStats", Value: 1}}} {
			if err := db.RunCommand(ctx, cmd).Err(); err != nil {
				t.Errorf("%v: %v", cmd, err)
			}
		}
	})

	t.Run("reads and writes by _id", func(t *testing.T) {
		tests := []struct {
			name string
			run  func() error
		}{
			{"find", func() error {
				var doc struct{ N int }
				if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: "id-7"}}).Decode(&doc); err != nil {
					return err
				}
				if doc.N != 7 {
					return fmt.Errorf("n = %d, want 7", doc.N)
				}
				return nil
			}},
			{"update", func() error {
				r, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: "id-8"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: 80}}}})
				if err == nil && r.ModifiedCount != 1 {
					err = fmt.Errorf("modified %d, want 1", r.ModifiedCount)
				}
				return err
			}},
			{"delete", func() error {
				r, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: "id-9"}})
				if err == nil && r.DeletedCount != 1 {
					err = fmt.Errorf("deleted %d, want 1", r.DeletedCount)
				}
				return err
			}},
			{"duplicate _id still refused", func() error {
				_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "id-1"}})
				if !mongo.IsDuplicateKeyError(err) {
					return fmt.Errorf("insert duplicate: got %v, want a duplicate key error", err)
				}
				return nil
			}},
			{"drop and recreate", func() error {
				c := db.Collection("counters")
				if err := c.Drop(ctx); err != nil {
					return err
				}
				_, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "x"}})
				return err
			}},
		}
		for _, tt := range tests {
			if err := tt.run(); err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		}
	})

	t.Run("survives a restart", func(t *testing.T) {
		srv.Close()
		srv2, db2 := start(t, dir)
		n, err := db2.Collection("goals").CountDocuments(ctx, bson.D{})
		if err != nil || n != 49 {
			t.Fatalf("count after restart = %d, %v; want 49", n, err)
		}
		if p := plan(t, db2, "goals", "id-7"); !strings.Contains(p, "USING INDEX plpbot_id_path_") {
			t.Errorf("plan after restart does not use the index: %s", p)
		}
		if err := srv2.IndexIDs(ctx, dbName, []string{"goals"}); err != nil {
			t.Errorf("IndexIDs after restart: %v", err)
		}
	})
}

func TestIndexIDsErrors(t *testing.T) {
	srv, _ := start(t, t.TempDir())
	err := srv.IndexIDs(context.Background(), "bad$name", []string{"x"})
	if err == nil {
		t.Fatal("IndexIDs on an invalid database name: want an error")
	}
	if err := srv.IndexIDs(context.Background(), dbName, nil); err != nil {
		t.Errorf("IndexIDs with no collections: %v", err)
	}
}

// BenchmarkByID times FindOne and UpdateOne by _id in collections of 200 and
// 20,000 documents, without (plain) and with (indexed) IndexIDs.
func BenchmarkByID(b *testing.B) {
	ctx := context.Background()
	srv, db := start(b, b.TempDir())
	for _, n := range []int{200, 20_000} {
		for _, indexed := range []bool{false, true} {
			mode := "plain"
			if indexed {
				mode = "indexed"
			}
			name := fmt.Sprintf("c%d_%s", n, mode)
			coll := db.Collection(name)
			fill(b, coll, n)
			if indexed {
				if err := srv.IndexIDs(ctx, dbName, []string{name}); err != nil {
					b.Fatalf("IndexIDs: %v", err)
				}
			}
			b.Run(fmt.Sprintf("FindOne/N=%d/%s", n, mode), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					id := fmt.Sprintf("id-%d", i*7919%n)
					if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err(); err != nil {
						b.Fatalf("find %s: %v", id, err)
					}
				}
			})
			b.Run(fmt.Sprintf("UpdateOne/N=%d/%s", n, mode), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					id := fmt.Sprintf("id-%d", i*7919%n)
					r, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
					if err != nil || r.MatchedCount != 1 {
						b.Fatalf("update %s: %v (matched %v)", id, err, r)
					}
				}
			})
		}
	}
}
