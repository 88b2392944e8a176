package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// sampleDocs are documents of every type plpbot stores, in shapes its
// collections have: nested documents, arrays of documents, empty ones, _id
// not first, text with quotes and emoji.
func sampleDocs() []bson.D {
	at := time.Date(2026, 12, 2, 9, 30, 15, 123e6, time.UTC)
	oid := bson.NewObjectID()
	return []bson.D{
		{{Key: "_id", Value: "g1"}, {Key: "user_id", Value: "slack:T1:U1"}, {Key: "n", Value: int32(1)}, {Key: "big", Value: int64(1) << 40},
			{Key: "title", Value: `Read "three" novels 📚 <&>`}, {Key: "ratio", Value: 0.25}, {Key: "whole", Value: 2.0},
			{Key: "done", Value: false}, {Key: "at", Value: at}, {Key: "none", Value: nil},
			{Key: "steps", Value: bson.A{bson.D{{Key: "text", Value: "one"}, {Key: "done", Value: true}}, bson.D{{Key: "text", Value: "two"}}}},
			{Key: "tags", Value: bson.A{"a", int32(2), bson.D{}}}, {Key: "empty", Value: bson.D{}}, {Key: "list", Value: bson.A{}}},
		{{Key: "user_id", Value: "u2"}, {Key: "_id", Value: oid}, {Key: "last", Value: bson.D{{Key: "pct", Value: int32(40)}, {Key: "at", Value: at}}}},
		{{Key: "_id", Value: "only"}},
	}
}

// storedSJSON reads the stored form of coll's document id straight from the
// file, and decodes it as JSON for comparison.
func storedSJSON(t *testing.T, srv *Server, coll string, id any) any {
	t.Helper()
	sdb, table, err := srv.openTable(context.Background(), "plpbot", coll)
	if err != nil || table == "" {
		t.Fatalf("open %s: %q %v", coll, table, err)
	}
	defer sdb.Close()
	key, _ := json.Marshal(id)
	if oid, ok := id.(bson.ObjectID); ok {
		key, _ = json.Marshal(oid.Hex())
	}
	var data string
	if err := sdb.QueryRow("SELECT _ferretdb_sjson FROM \""+table+"\" WHERE "+idPathExpr+" = ?", string(key)).Scan(&data); err != nil {
		t.Fatalf("read %s %v: %v", coll, id, err)
	}
	var v any
	if err := json.Unmarshal([]byte(data), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSJSONAsFerretDBWritesIt stores each sample through FerretDB and checks
// that toSJSON writes the very same stored form, and that fromSJSON reads
// it back as the document FerretDB returns.
func TestSJSONAsFerretDBWritesIt(t *testing.T) {
	ctx := context.Background()
	srv, db, _ := startIn(t)
	coll := db.Collection("samples")
	for _, doc := range sampleDocs() {
		if _, err := coll.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
		var id any
		for _, e := range doc {
			if e.Key == "_id" {
				id = e.Value
			}
		}
		raw, _ := bson.Marshal(doc)
		ours, err := toSJSON(raw)
		if err != nil {
			t.Fatalf("toSJSON(%v): %v", doc, err)
		}
		var mine any
		if err := json.Unmarshal(ours, &mine); err != nil {
			t.Fatalf("toSJSON wrote bad JSON %s: %v", ours, err)
		}
		if theirs := storedSJSON(t, srv, "samples", id); !reflect.DeepEqual(mine, theirs) {
			t.Errorf("document %v:\nours   %v\nFerret %v", id, mine, theirs)
		}
		var served bson.D
		if err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&served); err != nil {
			t.Fatal(err)
		}
		back, err := fromSJSON(ours)
		if err != nil {
			t.Fatalf("fromSJSON: %v", err)
		}
		if !sameBSON(t, back, served) {
			t.Errorf("document %v read back as\n%v\nFerretDB serves\n%v", id, back, served)
		}
	}
}

// sameBSON compares two documents by their encoding: types and order.
func sameBSON(t *testing.T, a, b bson.D) bool {
	t.Helper()
	ra, err := bson.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := bson.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ra) == string(rb)
}

func TestSJSONRefusesWhatFerretDBWould(t *testing.T) {
	for _, doc := range []bson.D{
		{{Key: "_id", Value: "x"}, {Key: "$set", Value: 1}},
		{{Key: "_id", Value: "x"}, {Key: "a.b", Value: 1}},
		{{Key: "_id", Value: "x"}, {Key: "bin", Value: bson.Binary{Data: []byte{1}}}},
		{{Key: "_id", Value: "x"}, {Key: "re", Value: bson.Regex{Pattern: "a"}}},
		{{Key: "_id", Value: "x"}, {Key: "nested", Value: bson.A{bson.A{}}}},
	} {
		raw, _ := bson.Marshal(doc)
		if _, err := toSJSON(raw); !errors.Is(err, ErrUnsupported) {
			t.Errorf("toSJSON(%v) = %v, want ErrUnsupported", doc, err)
		}
	}
}

// TestWriteIsOneTransaction writes through Write and reads through
// FerretDB: what commits is served at once (FerretDB keeps no copy), a
// duplicate _id is reported, not an error, and a failed fn leaves nothing.
func TestWriteIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	srv, db, _ := startIn(t)
	goals, checkIns := db.Collection("goals"), db.Collection("checkins")
	if _, err := goals.InsertOne(ctx, bson.D{{Key: "_id", Value: "g1"}, {Key: "progress", Value: int32(0)}, {Key: "title", Value: "Read"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateCollection(ctx, "checkins"); err != nil {
		t.Fatal(err)
	}
	err := srv.Write(ctx, "plpbot", func(tx *FileTx) error {
		g, err := tx.FindByID(ctx, "goals", "g1")
		if err != nil || g == nil {
			t.Fatalf("FindByID = %v, %v", g, err)
		}
		g[1].Value = int32(40)
		g = append(g, bson.E{Key: "last_checkin", Value: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)})
		if ok, err := tx.Insert(ctx, "checkins", bson.D{{Key: "_id", Value: "c1"}, {Key: "percent", Value: int32(40)}}); !ok || err != nil {
			t.Fatalf("Insert = %v, %v", ok, err)
		}
		if ok, err := tx.Insert(ctx, "checkins", bson.D{{Key: "_id", Value: "c1"}, {Key: "percent", Value: int32(41)}}); ok || err != nil {
			t.Fatalf("Insert of the same _id = %v, %v; want false, nil", ok, err)
		}
		return tx.ReplaceByID(ctx, "goals", "g1", g)
	})
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Progress int       `bson:"progress"`
		Title    string    `bson:"title"`
		Last     time.Time `bson:"last_checkin"`
	}
	if err := goals.FindOne(ctx, bson.D{{Key: "_id", Value: "g1"}}).Decode(&g); err != nil {
		t.Fatal(err)
	}
	if g.Progress != 40 || g.Title != "Read" || g.Last.Hour() != 9 {
		t.Errorf("goal served as %+v", g)
	}
	if n, _ := checkIns.CountDocuments(ctx, bson.D{{Key: "percent", Value: 40}}); n != 1 {
		t.Errorf("%d check-ins at 40%%, want 1", n)
	}

	boom := errors.New("boom")
	err = srv.Write(ctx, "plpbot", func(tx *FileTx) error {
		if _, err := tx.Insert(ctx, "checkins", bson.D{{Key: "_id", Value: "c2"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want fn's error", err)
	}
	if err := checkIns.FindOne(ctx, bson.D{{Key: "_id", Value: "c2"}}).Err(); !errors.Is(err, mongo.ErrNoDocuments) {
		t.Errorf("a rolled-back insert is served: %v", err)
	}
	err = srv.Write(ctx, "plpbot", func(tx *FileTx) error {
		_, err := tx.FindByID(ctx, "nothing", "x")
		return err
	})
	if !errors.Is(err, ErrNoCollection) {
		t.Errorf("a collection FerretDB hasn't made: %v, want ErrNoCollection", err)
	}
	if _, err := goals.InsertOne(ctx, bson.D{{Key: "_id", Value: "g2"}}); err != nil {
		t.Errorf("FerretDB can't write after Write: %v", err)
	}
}

// TestWriteAfterACollectionIsDropped: a write to a collection dropped
// since its table was remembered is ErrNoCollection (its caller goes
// through FerretDB, which makes the collection again), and one after
// FerretDB made it again writes there.
func TestWriteAfterACollectionIsDropped(t *testing.T) {
	ctx := context.Background()
	srv, db, _ := startIn(t)
	coll := db.Collection("things")
	insert := func(id string) error {
		return srv.Write(ctx, "plpbot", func(tx *FileTx) error {
			_, err := tx.Insert(ctx, "things", bson.D{{Key: "_id", Value: id}})
			return err
		})
	}
	if err := db.CreateCollection(ctx, "things"); err != nil {
		t.Fatal(err)
	}
	if err := insert("a"); err != nil {
		t.Fatal(err)
	}
	if err := coll.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := insert("b"); !errors.Is(err, ErrNoCollection) {
		t.Fatalf("a write after the drop: %v, want ErrNoCollection", err)
	}
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: "c"}}); err != nil {
		t.Fatal(err)
	}
	if err := insert("d"); err != nil {
		t.Fatalf("a write once the collection is back: %v", err)
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 2 {
		t.Errorf("%d documents served (%v), want 2 (c and d)", n, err)
	}
}
