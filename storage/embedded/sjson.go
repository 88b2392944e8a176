package embedded

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// FerretDB v1.24.2 (internal/handler/sjson) stores a document as one JSON
// object: its schema under "$s" first — {"p": {field: {"t": type, ...}},
// "$k": [fields in order]}, nested documents carrying their own "$s" in
// their field's entry and arrays an "i" list of their items' entries — then
// the fields' values: dates as Unix milliseconds, ObjectIDs as hex, numbers
// as JSON numbers, documents without a schema of their own. toSJSON and
// fromSJSON write and read that format for the types plpbot stores;
// another type (binary, regex, timestamp, decimal), or an array in an
// array (which FerretDB refuses), is ErrUnsupported, and
// the caller goes through FerretDB instead.

// ErrUnsupported is returned for a document the file writer can't store as
// FerretDB would (a type plpbot doesn't use, a key FerretDB refuses).
var ErrUnsupported = errors.New("document not supported by the file writer")

// toSJSON encodes a BSON document as FerretDB stores it, _id first (as
// FerretDB's insert moves it).
func toSJSON(doc bson.Raw) ([]byte, error) {
	elems, err := doc.Elements()
	if err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	for i, e := range elems {
		if i > 0 && e.Key() == "_id" {
			elems = append([]bson.RawElement{e}, append(elems[:i:i], elems[i+1:]...)...)
			break
		}
	}
	schema, values, err := encodeDoc(elems)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"$s":`)
	buf.Write(schema)
	if len(values) > 2 { // more than "{}"
		buf.WriteByte(',')
		buf.Write(values[1 : len(values)-1])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encodeDoc returns a document's schema and its values, each a JSON object.
func encodeDoc(elems []bson.RawElement) (schema, values []byte, err error) {
	if len(elems) == 0 {
		return []byte("{}"), []byte("{}"), nil
	}
	var s, v bytes.Buffer
	keys := make([]string, len(elems))
	s.WriteString(`{"p":{`)
	v.WriteByte('{')
	for i, e := range elems {
		key := e.Key()
		if strings.HasPrefix(key, "$") || strings.Contains(key, ".") || !utf8.ValidString(key) || slices.Contains(keys[:i], key) {
			return nil, nil, fmt.Errorf("%w: key %q", ErrUnsupported, key)
		}
		keys[i] = key
		es, ev, err := encodeValue(e.Value())
		if err != nil {
			return nil, nil, fmt.Errorf("field %s: %w", key, err)
		}
		if i > 0 {
			s.WriteByte(',')
			v.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		s.Write(k)
		s.WriteByte(':')
		s.Write(es)
		v.Write(k)
		v.WriteByte(':')
		v.Write(ev)
	}
	k, _ := json.Marshal(keys)
	s.WriteString(`},"$k":`)
	s.Write(k)
	s.WriteByte('}')
	v.WriteByte('}')
	return s.Bytes(), v.Bytes(), nil
}

// encodeValue returns a value's schema entry and its JSON value.
func encodeValue(rv bson.RawValue) (schema, value []byte, err error) {
	switch rv.Type {
	case bson.TypeEmbeddedDocument:
		elems, err := rv.Document().Elements()
		if err != nil {
			return nil, nil, err
		}
		s, v, err := encodeDoc(elems)
		if err != nil {
			return nil, nil, err
		}
		return append(append([]byte(`{"t":"object","$s":`), s...), '}'), v, nil
	case bson.TypeArray:
		return encodeArray(rv.Array())
	case bson.TypeDouble:
		f := rv.Double()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, nil, fmt.Errorf("%w: %v", ErrUnsupported, f)
		}
		value, err = json.Marshal(f)
		return []byte(`{"t":"double"}`), value, err
	case bson.TypeString:
		str := rv.StringValue()
		if !utf8.ValidString(str) {
			return nil, nil, fmt.Errorf("%w: text that is not UTF-8", ErrUnsupported)
		}
		value, err = json.Marshal(str)
		return []byte(`{"t":"string"}`), value, err
	case bson.TypeObjectID:
		id := rv.ObjectID()
		value, err = json.Marshal(hex.EncodeToString(id[:]))
		return []byte(`{"t":"objectId"}`), value, err
	case bson.TypeBoolean:
		value, err = json.Marshal(rv.Boolean())
		return []byte(`{"t":"bool"}`), value, err
	case bson.TypeDateTime:
		value, err = json.Marshal(rv.DateTime())
		return []byte(`{"t":"date"}`), value, err
	case bson.TypeNull:
		return []byte(`{"t":"null"}`), []byte("null"), nil
	case bson.TypeInt32:
		value, err = json.Marshal(rv.Int32())
		return []byte(`{"t":"int"}`), value, err
	case bson.TypeInt64:
		value, err = json.Marshal(rv.Int64())
		return []byte(`{"t":"long"}`), value, err
	}
	return nil, nil, fmt.Errorf("%w: BSON type %s", ErrUnsupported, rv.Type)
}

// encodeArray returns an array's schema entry and its JSON value.
func encodeArray(arr bson.RawArray) (schema, value []byte, err error) {
	vals, err := arr.Values()
	if err != nil {
		return nil, nil, err
	}
	var s, v bytes.Buffer
	s.WriteString(`{"t":"array","i":[`)
	v.WriteByte('[')
	for i, item := range vals {
		if item.Type == bson.TypeArray {
			return nil, nil, fmt.Errorf("%w: an array in an array", ErrUnsupported)
		}
		is, iv, err := encodeValue(item)
		if err != nil {
			return nil, nil, err
		}
		if i > 0 {
			s.WriteByte(',')
			v.WriteByte(',')
		}
		s.Write(is)
		v.Write(iv)
	}
	s.WriteString("]}")
	v.WriteByte(']')
	return s.Bytes(), v.Bytes(), nil
}

// sjsonSchema is a document's "$s".
type sjsonSchema struct {
	Props map[string]*sjsonElem `json:"p"`
	Keys  []string              `json:"$k"`
}

// sjsonElem is one value's entry in a schema.
type sjsonElem struct {
	Type   string       `json:"t"`
	Schema *sjsonSchema `json:"$s,omitempty"`
	Items  []*sjsonElem `json:"i,omitempty"`
}

// fromSJSON decodes a document FerretDB stored, in its fields' order and
// with their BSON types.
func fromSJSON(data []byte) (bson.D, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("decode stored document: %w", err)
	}
	var schema sjsonSchema
	if err := json.Unmarshal(top["$s"], &schema); err != nil {
		return nil, fmt.Errorf("decode stored document's schema: %w", err)
	}
	delete(top, "$s")
	return decodeDoc(&schema, top)
}

// decodeDoc decodes a document's values by its schema.
func decodeDoc(schema *sjsonSchema, values map[string]json.RawMessage) (bson.D, error) {
	if schema == nil {
		return nil, fmt.Errorf("%w: a document without a schema", ErrUnsupported)
	}
	if len(schema.Keys) != len(values) {
		return nil, fmt.Errorf("stored document has %d fields, its schema %d", len(values), len(schema.Keys))
	}
	d := make(bson.D, 0, len(schema.Keys))
	for _, k := range schema.Keys {
		raw, ok := values[k]
		if !ok || schema.Props[k] == nil {
			return nil, fmt.Errorf("stored document's field %s doesn't match its schema", k)
		}
		v, err := decodeValue(schema.Props[k], raw)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", k, err)
		}
		d = append(d, bson.E{Key: k, Value: v})
	}
	return d, nil
}

// decodeValue decodes one value by its schema entry.
func decodeValue(e *sjsonElem, raw json.RawMessage) (any, error) {
	switch e.Type {
	case "object":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		return decodeDoc(e.Schema, m)
	case "array":
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, err
		}
		if len(items) != len(e.Items) {
			return nil, fmt.Errorf("array of %d items, its schema %d", len(items), len(e.Items))
		}
		a := make(bson.A, len(items))
		for i := range items {
			v, err := decodeValue(e.Items[i], items[i])
			if err != nil {
				return nil, err
			}
			a[i] = v
		}
		return a, nil
	case "null":
		return nil, nil
	case "objectId":
		var h string
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, err
		}
		return bson.ObjectIDFromHex(h)
	}
	return decodeScalar(e.Type, raw)
}

// decodeScalar decodes a number, text, boolean or date.
func decodeScalar(t string, raw json.RawMessage) (any, error) {
	switch t {
	case "double":
		return decodeAs[float64](raw)
	case "string":
		return decodeAs[string](raw)
	case "bool":
		return decodeAs[bool](raw)
	case "int":
		return decodeAs[int32](raw)
	case "long":
		return decodeAs[int64](raw)
	case "date":
		ms, err := decodeAs[int64](raw)
		return bson.DateTime(ms.(int64)), err
	}
	return nil, fmt.Errorf("%w: stored type %q", ErrUnsupported, t)
}

// decodeAs decodes a JSON value as a T.
func decodeAs[T any](raw json.RawMessage) (any, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}
