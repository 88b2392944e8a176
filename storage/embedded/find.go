package embedded

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Match is a condition of IDs: Field equals one of Values (strings or
// integers). A Field "a.b", where a holds an array of documents, matches
// when any of them has b equal to one of Values.
type Match struct {
	Field  string
	Values []any
}

// matchField is what a Match's field may be: our own field names, never
// user text, since it becomes part of the SQL.
var matchField = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)?$`)

// IDs returns the _id of every document of collection coll in database db
// that satisfies any of matches (no matches: none), read from the SQLite
// file beside FerretDB: ObjectIDs as bson.ObjectID, other ids as strings.
// A collection that doesn't exist has none.
//
// FerretDB v1 answers any filter but _id equality by decoding every
// document of the collection: seconds in a school-sized database. Here a
// top-level field is looked up with the very expression of the SQLite
// index FerretDB creates for an index on that field (see fieldExpr), so
// SQLite answers from that index when there is one; callers then read and
// write the documents through FerretDB by _id, which IndexIDs makes fast.
func (s *Server) IDs(ctx context.Context, db, coll string, matches ...Match) ([]any, error) {
	for _, m := range matches {
		if !matchField.MatchString(m.Field) {
			return nil, fmt.Errorf("find in %s.%s: bad field %q", db, coll, m.Field)
		}
	}
	sdb, err := s.openFile(db)
	if err != nil {
		return nil, err
	}
	defer sdb.Close()
	table, err := tableOf(ctx, sdb, coll)
	if err != nil || table == "" {
		return nil, err
	}
	var ids []any
	seen := map[string]bool{}
	for _, m := range matches {
		if len(m.Values) == 0 {
			continue
		}
		q, args, err := matchQuery(table, m)
		if err != nil {
			return nil, fmt.Errorf("find in %s.%s: %w", db, coll, err)
		}
		found, err := queryIDs(ctx, sdb, q, args)
		if err != nil {
			return nil, fmt.Errorf("find in %s.%s: %w", db, coll, err)
		}
		for _, id := range found {
			if k := fmt.Sprintf("%T:%v", id, id); !seen[k] {
				seen[k] = true
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// tableOf returns the SQLite table of collection coll ("" if none).
func tableOf(ctx context.Context, sdb *sql.DB, coll string) (string, error) {
	var table string
	err := sdb.QueryRowContext(ctx, fmt.Sprintf("SELECT table_name FROM %q WHERE name = ?", metadataTable), coll).Scan(&table)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find table of collection %s: %w", coll, err)
	}
	return table, nil
}

// fieldExpr is how FerretDB v1.24.2 (sqlite metadata.Registry.indexesCreate)
// writes a top-level field in the expression of the index it creates for
// it; a query must use the same expression for SQLite to use the index. It
// yields the field's JSON text, so values are compared JSON-encoded, as
// FerretDB encodes them (encoding/json).
func fieldExpr(field string) string { return fmt.Sprintf(`_ferretdb_sjson->%q`, field) }

// matchQuery writes one match as an SQL query for the ids and types of the
// documents of table, with its arguments. A single string value is first
// looked for in the document's text (instr, no JSON parsing), which makes
// fields without an index cheap to match too.
func matchQuery(table string, m Match) (string, []any, error) {
	enc := make([]string, len(m.Values))
	for i, v := range m.Values {
		b, err := json.Marshal(v)
		if err != nil {
			return "", nil, fmt.Errorf("value of %s: %w", m.Field, err)
		}
		enc[i] = string(b)
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?,", len(m.Values)), ",") + ")"
	var args []any
	q := fmt.Sprintf(`SELECT _ferretdb_sjson->>'$._id', _ferretdb_sjson->>'$."$s".p._id.t' FROM %q WHERE `, table)
	if _, isString := m.Values[0].(string); isString && len(m.Values) == 1 {
		q += "instr(_ferretdb_sjson, ?) > 0 AND "
		args = append(args, enc[0])
	}
	array, field, nested := strings.Cut(m.Field, ".")
	if nested {
		// Talking points and the like: the element's value is compared as
		// SQL text or number.
		q += fmt.Sprintf(`EXISTS (SELECT 1 FROM json_each(_ferretdb_sjson, '$.%s') AS e WHERE e.value->>'$.%s' IN %s)`, array, field, in)
		return q, append(args, m.Values...), nil
	}
	q += fieldExpr(m.Field) + " IN " + in
	for _, e := range enc {
		args = append(args, e)
	}
	return q, args, nil
}

// queryIDs runs a query of matchQuery.
func queryIDs(ctx context.Context, sdb *sql.DB, q string, args []any) ([]any, error) {
	rows, err := sdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id, typ sql.NullString
		if err := rows.Scan(&id, &typ); err != nil {
			return nil, err
		}
		if typ.String != "objectId" {
			ids = append(ids, id.String)
			continue
		}
		oid, err := bson.ObjectIDFromHex(id.String)
		if err != nil {
			return nil, err
		}
		ids = append(ids, oid)
	}
	return ids, rows.Err()
}
