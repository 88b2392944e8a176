package embedded

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Match is a condition of IDs and Fields: Field equals one of Values
// (strings or integers). A Field "a.b", where a holds an array of
// documents, matches when any of them has b equal to one of Values. With
// no Values, a top-level Field matches a string From ≤ value < To when
// either is set (ids by prefix: "slack:T1:" ≤ id < "slack:T1;").
type Match struct {
	Field    string
	Values   []any
	From, To string
}

// empty reports whether m can match nothing.
func (m Match) empty() bool { return len(m.Values) == 0 && m.From == "" && m.To == "" }

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
	sdb, table, err := s.openTable(ctx, db, coll)
	if err != nil || table == "" {
		return nil, err
	}
	defer sdb.Close()
	var ids []any
	seen := map[string]bool{}
	for _, m := range matches {
		if m.empty() {
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

// openTable opens database db's file and finds the SQLite table of
// collection coll ("" and no database to close if the collection has none).
func (s *Server) openTable(ctx context.Context, db, coll string) (*sql.DB, string, error) {
	sdb, err := s.openFile(db)
	if err != nil {
		return nil, "", err
	}
	table, err := tableOf(ctx, sdb, coll)
	if err != nil || table == "" {
		sdb.Close()
		return nil, "", err
	}
	return sdb, table, nil
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
// documents of table, with its arguments.
func matchQuery(table string, m Match) (string, []any, error) {
	q := fmt.Sprintf(`SELECT _ferretdb_sjson->>'$._id', _ferretdb_sjson->>'$."$s".p._id.t' FROM %q WHERE `, table)
	where, args, err := matchWhere(m)
	return q + where, args, err
}

// matchWhere writes m as an SQL condition on a document, with its
// arguments. A single string value is first looked for in the document's
// text (instr, no JSON parsing), which makes fields without an index cheap
// to match too.
func matchWhere(m Match) (string, []any, error) {
	if len(m.Values) == 0 {
		return rangeWhere(m)
	}
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
	q := ""
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

// rangeWhere writes m's From ≤ Field < To as an SQL condition. The field
// is compared as FerretDB's index has it, as JSON text, so the bounds are
// JSON-encoded too (a string's text starts with its quote, so order and
// prefixes are kept).
func rangeWhere(m Match) (string, []any, error) {
	if strings.Contains(m.Field, ".") {
		return "", nil, fmt.Errorf("range on %s: only top-level fields", m.Field)
	}
	var conds []string
	var args []any
	for _, b := range []struct{ op, v string }{{">=", m.From}, {"<", m.To}} {
		if b.v == "" {
			continue
		}
		enc, err := json.Marshal(b.v)
		if err != nil {
			return "", nil, fmt.Errorf("bound of %s: %w", m.Field, err)
		}
		conds = append(conds, fieldExpr(m.Field)+" "+b.op+" ?")
		args = append(args, string(enc))
	}
	return strings.Join(conds, " AND "), args, nil
}

// topField is what a field read by Fields may be: a top-level field of ours.
var topField = regexp.MustCompile(`^[a-z_]+$`)

// Fields returns, for each document of collection coll in database db that
// satisfies m, the values of fields (top-level, by name), read from the
// SQLite file beside FerretDB as IDs does: only the documents m matches are
// read, through the index FerretDB made on m.Field if there is one, and
// only the fields asked for are taken out of them. A value is a string, an
// int64 or a float64 (a date is its milliseconds since the epoch), or nil
// where the document has no such field. A collection that doesn't exist
// has no documents.
func (s *Server) Fields(ctx context.Context, db, coll string, m Match, fields ...string) ([][]any, error) {
	if !matchField.MatchString(m.Field) {
		return nil, fmt.Errorf("read %s.%s: bad field %q", db, coll, m.Field)
	}
	cols := make([]string, len(fields))
	for i, f := range fields {
		if !topField.MatchString(f) {
			return nil, fmt.Errorf("read %s.%s: bad field %q", db, coll, f)
		}
		cols[i] = fmt.Sprintf(`_ferretdb_sjson->>'$.%s'`, f)
	}
	if m.empty() || len(fields) == 0 {
		return nil, nil
	}
	sdb, table, err := s.openTable(ctx, db, coll)
	if err != nil || table == "" {
		return nil, err
	}
	defer sdb.Close()
	q := fmt.Sprintf("SELECT %s FROM %q WHERE ", strings.Join(cols, ", "), table)
	var out [][]any
	for _, part := range m.parts() {
		where, args, err := matchWhere(part)
		if err != nil {
			return nil, fmt.Errorf("read %s.%s: %w", db, coll, err)
		}
		if out, err = queryFields(ctx, sdb, q+where, args, len(fields), out); err != nil {
			return nil, fmt.Errorf("read %s.%s: %w", db, coll, err)
		}
	}
	return out, nil
}

// maxValues is how many values one query compares a field with, well
// under SQLite's limit on a statement's parameters.
const maxValues = 1000

// parts splits m into matches of at most maxValues values each.
func (m Match) parts() []Match {
	if len(m.Values) <= maxValues {
		return []Match{m}
	}
	var out []Match
	for lo := 0; lo < len(m.Values); lo += maxValues {
		out = append(out, Match{Field: m.Field, Values: m.Values[lo:min(lo+maxValues, len(m.Values))]})
	}
	return out
}

// queryFields runs a query of Fields and appends its rows of n values to
// out.
func queryFields(ctx context.Context, sdb *sql.DB, q string, args []any, n int, out [][]any) ([][]any, error) {
	rows, err := sdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// FieldsAt is Fields for a FerretDB (SQLite backend) that plpbot did not
// start, whose SQLite files are in dir on this machine.
func FieldsAt(ctx context.Context, dir, db, coll string, m Match, fields ...string) ([][]any, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s.%s in %s: %w", db, coll, dir, err)
	}
	return (&Server{dir: abs}).Fields(ctx, db, coll, m, fields...)
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
