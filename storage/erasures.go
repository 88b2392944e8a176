package storage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/embedded"
)

// The erasure log is the audit entries whose subject is "erased:" and the
// keyed hash (HMAC-SHA256) of a forgotten person's id, under a secret key
// kept in the database's settings, created on first use. The log names
// nobody, yet whoever holds the database can confirm that someone was
// erased (Erasures), and a restore from backup can erase again the people
// it brings back (ApplyErasureLog).
const (
	colSettings = "settings"
	// erasureKeyID is the settings document holding the erasure key.
	erasureKeyID = "erasure_key"
	// erasedPrefix starts the subject id of an erasure record.
	erasedPrefix = "erased:"
	// ActionForget is the audit action of an erasure record.
	ActionForget = "forget"
)

// ErrOtherKey means an erasure log was made with another database's key.
var ErrOtherKey = errors.New("the erasure log was made with another key")

// Erasure is one record of the erasure log: when, by whom and how much,
// and the keyed hash that stands for the person.
type Erasure struct {
	Hash   string    `json:"hash"`
	At     time.Time `json:"at"`
	ByID   string    `json:"by_id"`
	ByName string    `json:"by_name"`
	Detail string    `json:"detail,omitempty"`
}

// ErasureLog is the whole erasure log with its key: what a restore needs.
// Keep it beside the backups (it names nobody, but its key lets whoever
// holds it confirm that a given person was erased).
type ErasureLog struct {
	Key      string    `json:"key"` // hex
	Erasures []Erasure `json:"erasures"`
}

// erasureKey returns the database's erasure key; with create, it makes one
// if there is none (nil, nil otherwise).
func (s *Store) erasureKey(ctx context.Context, create bool) ([]byte, error) {
	coll := s.db.Collection(colSettings)
	for range 2 {
		var doc struct {
			Key string `bson:"key"`
		}
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: erasureKeyID}}).Decode(&doc)
		if err == nil {
			return hex.DecodeString(doc.Key)
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("load the erasure key: %w", err)
		}
		if !create {
			return nil, nil
		}
		key := make([]byte, sha256.Size)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("make the erasure key: %w", err)
		}
		err = s.storeErasureKey(ctx, key)
		if err == nil {
			return key, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return nil, err
		}
		// Another replica made it first: read theirs.
	}
	return nil, errors.New("load the erasure key: it keeps changing")
}

func (s *Store) storeErasureKey(ctx context.Context, key []byte) error {
	_, err := s.db.Collection(colSettings).InsertOne(ctx, bson.D{
		{Key: "_id", Value: erasureKeyID}, {Key: "key", Value: hex.EncodeToString(key)}, {Key: "created_at", Value: s.Now()},
	})
	if err != nil {
		return fmt.Errorf("store the erasure key: %w", translate(err))
	}
	return nil
}

// erasureHash is the keyed hash that stands for person id in the log.
func erasureHash(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

// recordErasure writes the erasure record of person id.
func (s *Store) recordErasure(ctx context.Context, id string, by Eraser, detail string) error {
	key, err := s.erasureKey(ctx, true)
	if err != nil {
		return err
	}
	return s.Audit(ctx, plpbot.AuditEntry{ActorID: by.ID, ActorName: by.Name, Action: ActionForget,
		SubjectID: erasedPrefix + erasureHash(key, id), Detail: detail})
}

// Erasures returns the erasure records of person id, newest first: empty
// if they were never erased.
func (s *Store) Erasures(ctx context.Context, id string) ([]Erasure, error) {
	key, err := s.erasureKey(ctx, false)
	if err != nil || key == nil {
		return nil, err
	}
	ids, err := s.idsWhere(ctx, colAudit, embedded.Match{Field: "subject_id", Values: []any{erasedPrefix + erasureHash(key, id)}})
	if err != nil {
		return nil, fmt.Errorf("read the erasure log: %w", err)
	}
	entries := make([]plpbot.AuditEntry, 0, len(ids))
	for _, eid := range ids {
		var e plpbot.AuditEntry
		if err := s.db.Collection(colAudit).FindOne(ctx, bson.D{{Key: "_id", Value: eid}}).Decode(&e); err != nil {
			return nil, fmt.Errorf("read the erasure log: %w", translate(err))
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b plpbot.AuditEntry) int { return b.At.Compare(a.At) })
	return erasuresOf(entries), nil
}

func erasuresOf(entries []plpbot.AuditEntry) []Erasure {
	out := make([]Erasure, 0, len(entries))
	for _, e := range entries {
		out = append(out, Erasure{Hash: strings.TrimPrefix(e.SubjectID, erasedPrefix), At: e.At,
			ByID: e.ActorID, ByName: e.ActorName, Detail: e.Detail})
	}
	return out
}

// ErasureLog returns the whole erasure log, oldest first, with its key (empty
// if nobody was ever erased).
func (s *Store) ErasureLog(ctx context.Context) (ErasureLog, error) {
	key, err := s.erasureKey(ctx, false)
	if err != nil || key == nil {
		return ErasureLog{Erasures: []Erasure{}}, err
	}
	cur, err := s.db.Collection(colAudit).Find(ctx, erasureRecords(),
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}))
	if err != nil {
		return ErasureLog{}, fmt.Errorf("read the erasure log: %w", err)
	}
	var entries []plpbot.AuditEntry
	if err := cur.All(ctx, &entries); err != nil {
		return ErasureLog{}, fmt.Errorf("read the erasure log: %w", err)
	}
	return ErasureLog{Key: hex.EncodeToString(key), Erasures: erasuresOf(entries)}, nil
}

// erasureRecords selects the erasure records among audit entries.
func erasureRecords() bson.D {
	return bson.D{
		{Key: "action", Value: ActionForget},
		{Key: "subject_id", Value: bson.D{{Key: "$gte", Value: erasedPrefix}, {Key: "$lt", Value: "erased;"}}},
	}
}

// ApplyErasureLog erases again, after a restore from backup, everyone the
// log says was erased, and adds the log's records the database lacks. A
// database with no key yet adopts the log's; one with another key is
// refused (ErrOtherKey). It returns how many people it erased.
func (s *Store) ApplyErasureLog(ctx context.Context, log ErasureLog, by Eraser) (int, error) {
	key, err := hex.DecodeString(log.Key)
	if err != nil || len(key) == 0 {
		return 0, fmt.Errorf("apply the erasure log: the key is not hex: %w", ErrOtherKey)
	}
	have, err := s.erasureKey(ctx, false)
	if err != nil {
		return 0, err
	}
	switch {
	case have == nil:
		if err := s.storeErasureKey(ctx, key); err != nil {
			return 0, err
		}
	case !hmac.Equal(have, key):
		return 0, ErrOtherKey
	}
	if err := s.addErasureRecords(ctx, log.Erasures); err != nil {
		return 0, err
	}
	erased := make(map[string]bool, len(log.Erasures))
	for _, e := range log.Erasures {
		erased[e.Hash] = true
	}
	ids, err := s.userIDs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if !erased[erasureHash(key, id)] {
			continue
		}
		if _, _, err := s.forget(ctx, id, by); err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	return n, s.Scrub(ctx)
}

// addErasureRecords writes the records of log the database lacks.
func (s *Store) addErasureRecords(ctx context.Context, log []Erasure) error {
	current, err := s.ErasureLog(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, e := range current.Erasures {
		seen[e.Hash+"@"+e.At.UTC().Format(time.RFC3339Nano)] = true
	}
	for _, e := range log {
		if seen[e.Hash+"@"+e.At.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano)] {
			continue
		}
		err := s.Audit(ctx, plpbot.AuditEntry{ActorID: e.ByID, ActorName: e.ByName, Action: ActionForget,
			SubjectID: erasedPrefix + e.Hash, Detail: e.Detail, At: e.At.UTC()})
		if err != nil {
			return err
		}
	}
	return nil
}

// userIDs returns the id of every user.
func (s *Store) userIDs(ctx context.Context) ([]string, error) {
	cur, err := s.db.Collection(colUsers).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &rows); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// Scrub makes what was deleted from the embedded database unrecoverable
// from its files (embedded.Server.Scrub). On an external MongoDB it does
// nothing: the server's storage engine and its backups are the operator's
// (see README, Privacy).
func (s *Store) Scrub(ctx context.Context) error {
	if s.server == nil {
		return nil
	}
	if err := s.server.Scrub(ctx, s.db.Name()); err != nil {
		return fmt.Errorf("scrub the database files: %w", err)
	}
	return nil
}
