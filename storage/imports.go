package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colImports keeps the roster files admins upload from chat (/plp import)
// between the dry run and its confirmation, in chunks: they are kept in the
// database, not on one replica's disk, so the confirmation may reach any
// replica.
const colImports = "imports"

// ImportKeptFor is how long an uploaded roster is kept for its
// confirmation; after it, it is deleted and must be uploaded again.
const ImportKeptFor = 24 * time.Hour

// importChunk is the size of one stored piece of an upload, well under the
// database's 16 MB document limit.
const importChunk = 1 << 20

type importPart struct {
	ID       string    `bson:"_id"`
	ImportID string    `bson:"import_id"`
	Name     string    `bson:"name"`
	N        int       `bson:"n"`
	Data     []byte    `bson:"data"`
	At       time.Time `bson:"created_at"`
}

// KeepImport stores the file read from r, named name, as the upload id and
// returns its size; uploads older than ImportKeptFor are deleted first. A failed store
// leaves nothing behind.
func (s *Store) KeepImport(ctx context.Context, id, name string, r io.Reader) (int64, error) {
	now := s.Now()
	if _, err := s.db.Collection(colImports).DeleteMany(ctx,
		bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: now.Add(-ImportKeptFor)}}}}); err != nil {
		return 0, fmt.Errorf("expire kept imports: %w", translate(err))
	}
	buf := make([]byte, importChunk)
	var size int64
	for n := 0; ; n++ {
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			part := importPart{ID: fmt.Sprintf("%s/%05d", id, n), ImportID: id, Name: name, N: n, Data: buf[:k], At: now}
			if _, werr := s.db.Collection(colImports).InsertOne(ctx, part); werr != nil {
				_ = s.DropImport(context.WithoutCancel(ctx), id)
				return 0, fmt.Errorf("keep import %s: %w", id, translate(werr))
			}
			size += int64(k)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return size, nil
		}
		if err != nil {
			_ = s.DropImport(context.WithoutCancel(ctx), id)
			return 0, fmt.Errorf("keep import %s: read: %w", id, err)
		}
	}
}

// CopyImport writes the kept upload id to w and returns its name. It is
// ErrNotFound when there is no such upload or it is older than
// ImportKeptFor.
func (s *Store) CopyImport(ctx context.Context, id string, w io.Writer) (string, error) {
	filter := bson.D{{Key: "import_id", Value: id},
		{Key: "created_at", Value: bson.D{{Key: "$gte", Value: s.Now().Add(-ImportKeptFor)}}}}
	cur, err := s.db.Collection(colImports).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "n", Value: 1}}))
	if err != nil {
		return "", fmt.Errorf("read import %s: %w", id, translate(err))
	}
	defer cur.Close(ctx)
	parts, name := 0, ""
	for cur.Next(ctx) {
		var p importPart
		if err := cur.Decode(&p); err != nil {
			return "", fmt.Errorf("read import %s: %w", id, err)
		}
		if p.N != parts {
			return "", fmt.Errorf("read import %s: piece %d missing: %w", id, parts, ErrNotFound)
		}
		if _, err := w.Write(p.Data); err != nil {
			return "", fmt.Errorf("read import %s: %w", id, err)
		}
		name = p.Name
		parts++
	}
	if err := cur.Err(); err != nil {
		return "", fmt.Errorf("read import %s: %w", id, translate(err))
	}
	if parts == 0 {
		return "", fmt.Errorf("read import %s: %w", id, ErrNotFound)
	}
	return name, nil
}

// DropImport deletes the kept upload id, if any.
func (s *Store) DropImport(ctx context.Context, id string) error {
	if _, err := s.db.Collection(colImports).DeleteMany(ctx, bson.D{{Key: "import_id", Value: id}}); err != nil {
		return fmt.Errorf("drop import %s: %w", id, translate(err))
	}
	return nil
}
