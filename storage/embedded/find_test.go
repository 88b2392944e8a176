package embedded

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// startIn starts a server in a fresh folder and returns it with a handle on
// database "plpbot"; both are closed when the test ends.
func startIn(t *testing.T) (*Server, *mongo.Database, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := Start(ctx, dir, Options{})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		srv.Close()
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() {
		_ = client.Disconnect(ctx)
		srv.Close()
	})
	return srv, client.Database("plpbot"), dir
}

func TestIDs(t *testing.T) {
	ctx := context.Background()
	srv, db, _ := startIn(t)
	coll := db.Collection("things")
	legacy := bson.NewObjectID()
	docs := []any{
		bson.D{{Key: "_id", Value: "a"}, {Key: "user_id", Value: "u1"}, {Key: "n", Value: 1},
			{Key: "agenda", Value: bson.A{bson.D{{Key: "by_id", Value: "u2"}}, bson.D{{Key: "by_id", Value: "u3"}}}}},
		bson.D{{Key: "_id", Value: "b"}, {Key: "user_id", Value: "u2"}, {Key: "n", Value: 2}, {Key: "note", Value: `mentions "u1" in text`}},
		bson.D{{Key: "_id", Value: legacy}, {Key: "user_id", Value: "u1"}, {Key: "n", Value: 3}, {Key: "agenda", Value: bson.A{}}},
		bson.D{{Key: "_id", Value: "d"}, {Key: "user_id", Value: `odd <"&"> id`}, {Key: "n", Value: int64(4)}},
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "at", Value: -1}}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		coll    string
		matches []Match
		want    []string
	}{
		{"a field", "things", []Match{{Field: "user_id", Values: []any{"u1"}}}, []string{"a", legacy.Hex()}},
		{"text elsewhere doesn't match", "things", []Match{{Field: "user_id", Values: []any{"u2"}}}, []string{"b"}},
		{"escaped characters", "things", []Match{{Field: "user_id", Values: []any{`odd <"&"> id`}}}, []string{"d"}},
		{"numbers", "things", []Match{{Field: "n", Values: []any{2, 4}}}, []string{"b", "d"}},
		{"in an array", "things", []Match{{Field: "agenda.by_id", Values: []any{"u3"}}}, []string{"a"}},
		{"any of several", "things", []Match{{Field: "user_id", Values: []any{"u2"}}, {Field: "agenda.by_id", Values: []any{"u2"}}}, []string{"a", "b"}},
		{"no values", "things", []Match{{Field: "user_id"}}, nil},
		{"nobody", "things", []Match{{Field: "user_id", Values: []any{"u9"}}}, nil},
		{"no such collection", "nothing", []Match{{Field: "user_id", Values: []any{"u1"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, err := srv.IDs(ctx, "plpbot", tt.coll, tt.matches...)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, id := range ids {
				switch id := id.(type) {
				case string:
					got = append(got, id)
				case bson.ObjectID:
					got = append(got, id.Hex())
					// An ObjectID comes back as one, so a filter by it matches.
					if n, err := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: id}}); err != nil || n != 1 {
						t.Errorf("find by the returned ObjectID: %d, %v", n, err)
					}
				default:
					t.Errorf("id %v of type %T", id, id)
				}
			}
			slices.Sort(got)
			slices.Sort(tt.want)
			if !slices.Equal(got, tt.want) {
				t.Errorf("IDs = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := srv.IDs(ctx, "plpbot", "things", Match{Field: "user_id) OR (1=1", Values: []any{"x"}}); err == nil {
		t.Error("a field that is not a field name: want an error")
	}

	t.Run("uses FerretDB's index", func(t *testing.T) {
		sdb, err := srv.openFile("plpbot")
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		table, err := tableOf(ctx, sdb, "things")
		if err != nil {
			t.Fatal(err)
		}
		q, args, err := matchQuery(table, Match{Field: "user_id", Values: []any{"u1"}})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := sdb.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var plan strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "; ")
		}
		if !strings.Contains(plan.String(), "USING INDEX "+table+"_user_id_1_at_-1") {
			t.Errorf("plan does not use FerretDB's user_id index: %s", plan.String())
		}
	})
}

// filesHold reports whether any file under dir holds marker.
func filesHold(t *testing.T, dir, marker string) bool {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue // the socket holds no data
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(marker)) {
			return true
		}
	}
	return false
}

func TestScrub(t *testing.T) {
	ctx := context.Background()
	srv, db, dir := startIn(t)
	coll := db.Collection("reflections")
	const marker = "MARKER-7f3a-private"
	for i := range 200 {
		text := fmt.Sprintf("reflection %d %s", i, strings.Repeat("kept ", 40))
		if i%20 == 7 {
			text = marker + " " + text
		}
		if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}, {Key: "text", Value: text}}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 7; i < 200; i += 20 {
		if _, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	if !filesHold(t, dir, marker) {
		t.Fatal("before Scrub, the write-ahead log should still hold the deleted records")
	}
	if err := srv.Scrub(ctx, "plpbot"); err != nil {
		t.Fatal(err)
	}
	if filesHold(t, dir, marker) {
		t.Error("after Scrub, the files still hold deleted records")
	}
	if !filesHold(t, dir, "reflection 8 kept") {
		t.Error("Scrub lost a record it should keep")
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 190 {
		t.Errorf("after Scrub, %d records, %v; want 190", n, err)
	}
	if err := srv.Scrub(ctx, "nodb"); err == nil {
		t.Error("Scrub of a database that doesn't exist: want an error")
	}
}

func TestFields(t *testing.T) {
	ctx := context.Background()
	srv, db, _ := startIn(t)
	coll := db.Collection("goals")
	at := time.Date(2026, 3, 2, 9, 0, 0, 123_000_000, time.UTC)
	docs := []any{
		bson.D{{Key: "_id", Value: "slack:T1:a#g1"}, {Key: "user_id", Value: "slack:T1:a"}, {Key: "number", Value: 1},
			{Key: "status", Value: "active"}, {Key: "progress", Value: int32(40)}, {Key: "last_checkin", Value: at}, {Key: "title", Value: "Read"}},
		bson.D{{Key: "_id", Value: "slack:T1:a#g2"}, {Key: "user_id", Value: "slack:T1:a"}, {Key: "number", Value: 2},
			{Key: "status", Value: "done"}, {Key: "progress", Value: int32(100)}},
		bson.D{{Key: "_id", Value: "slack:T1:b#g1"}, {Key: "user_id", Value: "slack:T1:b"}, {Key: "number", Value: 1},
			{Key: "status", Value: "active"}, {Key: "progress", Value: int32(5)}},
		bson.D{{Key: "_id", Value: "slack:T2:c#g1"}, {Key: "user_id", Value: "slack:T2:c"}, {Key: "number", Value: 1},
			{Key: "status", Value: "active"}, {Key: "progress", Value: int32(70)}},
		bson.D{{Key: "_id", Value: "roster:d#g1"}, {Key: "user_id", Value: "roster:d"}, {Key: "number", Value: 1},
			{Key: "status", Value: "paused"}, {Key: "progress", Value: int32(10)}},
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "number", Value: 1}}}); err != nil {
		t.Fatal(err)
	}
	read := func(m Match) []string {
		t.Helper()
		rows, err := srv.Fields(ctx, "plpbot", "goals", m, "user_id", "status", "progress", "last_checkin")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%v %v %v %v", r...))
		}
		slices.Sort(out)
		return out
	}
	ms := at.UnixMilli()
	tests := []struct {
		name string
		m    Match
		want []string
	}{
		{"by ids", Match{Field: "user_id", Values: []any{"slack:T1:a", "roster:d"}},
			[]string{"roster:d paused 10 <nil>", fmt.Sprint("slack:T1:a active 40 ", ms), "slack:T1:a done 100 <nil>"}},
		{"by prefix", Match{Field: "user_id", From: "slack:T1:", To: "slack:T1;"},
			[]string{fmt.Sprint("slack:T1:a active 40 ", ms), "slack:T1:a done 100 <nil>", "slack:T1:b active 5 <nil>"}},
		{"nobody", Match{Field: "user_id", Values: []any{"slack:T9:z"}}, nil},
		{"no values", Match{Field: "user_id"}, nil},
	}
	for _, tt := range tests {
		if got := read(tt.m); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Fields = %q, want %q", tt.name, got, tt.want)
		}
	}
	many := make([]any, 2500) // read in parts: SQLite bounds a statement's parameters
	for i := range many {
		many[i] = fmt.Sprintf("slack:T1:x%d", i)
	}
	many[1700] = "slack:T1:b"
	if got := read(Match{Field: "user_id", Values: many}); !slices.Equal(got, []string{"slack:T1:b active 5 <nil>"}) {
		t.Errorf("Fields of 2,500 ids = %q, want b's goal", got)
	}
	if rows, err := srv.Fields(ctx, "plpbot", "nothing", Match{Field: "user_id", Values: []any{"a"}}, "status"); err != nil || rows != nil {
		t.Errorf("Fields of a collection that doesn't exist = %v, %v", rows, err)
	}
	for _, f := range []string{"status) FROM x; --", "steps.done"} {
		if _, err := srv.Fields(ctx, "plpbot", "goals", Match{Field: "user_id", Values: []any{"a"}}, f); err == nil {
			t.Errorf("reading field %q: want an error", f)
		}
	}

	t.Run("uses FerretDB's index", func(t *testing.T) {
		sdb, err := srv.openFile("plpbot")
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		table, err := tableOf(ctx, sdb, "goals")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []Match{{Field: "user_id", Values: []any{"a", "b"}}, {Field: "user_id", From: "slack:T1:", To: "slack:T1;"}} {
			where, args, err := matchWhere(m)
			if err != nil {
				t.Fatal(err)
			}
			var plan strings.Builder
			rows, err := sdb.QueryContext(ctx, fmt.Sprintf("EXPLAIN QUERY PLAN SELECT 1 FROM %q WHERE %s", table, where), args...)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan.WriteString(detail + "; ")
			}
			rows.Close()
			if !strings.Contains(plan.String(), "USING INDEX "+table+"_user_id_1_number_1") {
				t.Errorf("%+v: plan does not use FerretDB's user_id index: %s", m, plan.String())
			}
		}
	})
}
