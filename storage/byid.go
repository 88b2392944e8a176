package storage

import (
	"context"
	"fmt"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot/storage/embedded"
)

// Finding and writing documents by _id: on FerretDB v1 the one filter
// that runs on an index, so work that touches many documents finds their
// ids first (idsWhere) and then writes each by _id.
//
// A note on updates of one document each, on the embedded database
// (FerretDB v1.24 on SQLite): its update command runs a command's
// statements one after another, each reading the documents its filter
// picks on one of the database's connections (database/sql, at most 100
// per database: backends/sqlite/metadata/pool). An update of one document
// (UpdateOne, ReplaceOne: "multi": false) stops reading at its first match
// and leaves that read open until the whole command ends (msg_update.go
// defers each read's close to the end of the command); an update of
// "many" reads to its end, which gives the connection back. So a command
// of one-document updates that match holds one connection more with each:
// with 99 held, the 100th's write waits for a connection that never comes.
// The command never returns, and every command after it on the database
// waits too (measured: 99 return at once, 100 never; two commands of 50 at
// once can do the same). Not SQLite's single writer, nor how many
// statements a command carries: 1,400 updates of "many" in one command run
// through (roster's TestRedoManyAfterFailedWrite).
// Updates that match nothing, inserts and deletes hold nothing.
//
// So a write here that sends updates in bulk sends each as an update of
// "many" by _id (updateByID), which the embedded database answers from its
// index, and never UpdateOne or ReplaceOne models (TestNoOneDocumentModels);
// a replacement is a $set of the document's fields.

// updateByID is the update of the one document with _id id as a bulk
// write model: an update of "many" (of one), so it holds no connection of
// the embedded database once it is done (see the note above).
func updateByID(id any, update bson.D) *mongo.UpdateManyModel {
	return mongo.NewUpdateManyModel().SetFilter(bson.D{{Key: "_id", Value: id}}).SetUpdate(update)
}

// without returns ids minus drop.
func without(ids, drop []any) []any {
	if len(drop) == 0 {
		return ids
	}
	gone := make(map[string]bool, len(drop))
	for _, v := range drop {
		gone[idKey(v)] = true
	}
	return slices.DeleteFunc(ids, func(v any) bool { return gone[idKey(v)] })
}

// idKey is an _id as a map key.
func idKey(v any) string {
	switch v := v.(type) {
	case string:
		return "s:" + v
	case bson.ObjectID:
		return "o:" + v.Hex()
	}
	return fmt.Sprintf("%T:%v", v, v)
}

// idsBatch is how many writes by _id go in one bulk write.
const idsBatch = 1000

// deleteIDs deletes the documents of coll with the given ids, each by _id
// (the one filter FerretDB v1 runs on an index), in unordered bulk writes.
func (s *Store) deleteIDs(ctx context.Context, coll string, ids []any) error {
	return s.byIDs(ctx, coll, ids, func(id any) mongo.WriteModel {
		return mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}})
	})
}

// setIDs sets fields on the documents of coll with the given ids.
func (s *Store) setIDs(ctx context.Context, coll string, ids []any, set bson.D) error {
	return s.byIDs(ctx, coll, ids, func(id any) mongo.WriteModel {
		return updateByID(id, bson.D{{Key: "$set", Value: set}})
	})
}

func (s *Store) byIDs(ctx context.Context, coll string, ids []any, model func(any) mongo.WriteModel) error {
	for lo := 0; lo < len(ids); lo += idsBatch {
		batch := ids[lo:min(lo+idsBatch, len(ids))]
		models := make([]mongo.WriteModel, len(batch))
		for i, id := range batch {
			models[i] = model(id)
		}
		if _, err := s.db.Collection(coll).BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false)); err != nil {
			return fmt.Errorf("write %s: %w", coll, err)
		}
	}
	return nil
}

// idsWhere returns the _id of the documents of coll that satisfy any of
// matches. On the embedded database SQLite answers (embedded.Server.IDs);
// elsewhere the server, with a projection to _id.
func (s *Store) idsWhere(ctx context.Context, coll string, matches ...embedded.Match) ([]any, error) {
	if s.server != nil {
		ids, err := s.server.IDs(ctx, s.db.Name(), coll, matches...)
		if err != nil {
			return nil, fmt.Errorf("find in %s: %w", coll, err)
		}
		return ids, nil
	}
	var or bson.A
	for _, m := range matches {
		if len(m.Values) > 0 {
			or = append(or, bson.D{{Key: m.Field, Value: bson.D{{Key: "$in", Value: m.Values}}}})
		}
	}
	if len(or) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(coll).Find(ctx, bson.D{{Key: "$or", Value: or}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("find in %s: %w", coll, err)
	}
	var docs []struct {
		ID bson.RawValue `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("find in %s: %w", coll, err)
	}
	ids := make([]any, len(docs))
	for i, d := range docs {
		ids[i] = idValue(d.ID)
	}
	return ids, nil
}

// idValue is an _id as a comparable filter value: a string, an ObjectID,
// or the raw value of any other type.
func idValue(v bson.RawValue) any {
	if s, ok := v.StringValueOK(); ok {
		return s
	}
	if oid, ok := v.ObjectIDOK(); ok {
		return oid
	}
	return v
}
