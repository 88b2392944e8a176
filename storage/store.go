// Package storage is the plan model (users, goals, check-ins, reflections,
// conferences, classes, feedback, flags, audit) and its MongoDB persistence.
//
// It stays inside the subset of MongoDB that both MongoDB 6+ and the embedded
// FerretDB v1 (SQLite) support: no transactions, change streams, TTL or
// partial indexes, $lookup, $facet, arrayFilters or positional updates.
// Filters are built from typed values only, so user text never becomes a
// query operator. Driver errors are translated to ErrNotFound and
// ErrDuplicate here and never leak upward.
package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage/embedded"
)

// Errors the store returns; callers compare with errors.Is.
var (
	ErrNotFound  = errors.New("not found")
	ErrDuplicate = errors.New("already exists")
)

// Options configure Open.
type Options struct {
	// URI of a MongoDB server; empty starts the embedded FerretDB.
	URI string
	// Database name; default "plpbot".
	Database string
	// DataDir holds the embedded database's files; default "data".
	DataDir string
	// Logger for the store; default slog.Default().
	Logger *slog.Logger
	// Debug shows the embedded database's own logs (at info and above,
	// without documents, unless StudentText).
	Debug bool
	// StudentText lets the embedded database's logs carry documents, so
	// students' text (log.student_text).
	StudentText bool
	// Now is the clock for created/updated times; default time.Now.
	Now func() time.Time
	// Monitor, if set, sees every command sent to the database (tests
	// count writes with it).
	Monitor *event.CommandMonitor
	// ActorCache is how long a person read to answer their command is kept
	// in memory (see actorCache); 0 means DefaultActorCache, negative off.
	ActorCache time.Duration
	// FerretDBDir is the SQLite folder of a FerretDB at URI on this machine
	// (mongodb.ferretdb_dir): plpbot adds the _id indexes its lookups need.
	FerretDBDir string
	// Timeouts bound how long the driver waits on a server that stopped
	// answering; zero fields take the defaults (see Timeouts).
	Timeouts Timeouts
}

// Store is plpbot's persistence. It is safe for concurrent use.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	server   *embedded.Server // nil when using an external server
	log      *slog.Logger
	now      func() time.Time
	embedded bool
	actors   *actorCache
	links    *recent[string] // newLinkCache
	// caseloads are the counselors' caseloads for access decisions
	// (AccessCaseload), kept as long as actors.
	caseloads *recent[plpbot.Caseload] // newCaseloadCache
	// uri and ferretDir locate a FerretDB plpbot did not start (indexIDs).
	uri, ferretDir string
	// filesDir is ferretDir once the server is known to be that FerretDB:
	// rosters read goal figures from its files (goalSummaries).
	filesDir string
	// files writes to the database's files (embedded.Server.Write): the
	// embedded server, or a FerretDB v1 in ferretDir; nil on MongoDB.
	files *embedded.Server
}

// Collection names.
const (
	colUsers       = "users"
	colClasses     = "classes"
	colEnrollments = "enrollments"
	colGoals       = "goals"
	colCheckIns    = "checkins"
	colReflections = "reflections"
	colConferences = "conferences"
	colFeedback    = "feedback"
	colFlags       = "flags"
	colAudit       = "audit"
	colCounters    = "counters"
)

// Open connects to MongoDB (or starts the embedded database), ensures the
// indexes and returns a ready Store.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Database == "" {
		opts.Database = "plpbot"
	}
	if opts.DataDir == "" {
		opts.DataDir = "data"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ActorCache == 0 {
		opts.ActorCache = DefaultActorCache
	}
	s := &Store{log: opts.Logger, now: opts.Now, actors: newActorCache(opts.ActorCache),
		links: newLinkCache(), caseloads: newCaseloadCache(opts.ActorCache)}
	uri := opts.URI
	if uri == "" {
		var err error
		if uri, err = s.startEmbedded(ctx, opts); err != nil {
			return nil, err
		}
	}
	// Records written before ids were strings carry ObjectIDs: read them as
	// their hex form, which is what ids are now.
	client, err := mongo.Connect(opts.Timeouts.apply(options.Client().ApplyURI(uri)).
		SetBSONOptions(&options.BSONOptions{ObjectIDAsHexString: true}).SetMonitor(opts.Monitor))
	if err != nil {
		s.closeServer()
		return nil, fmt.Errorf("connect to mongodb: %w", err)
	}
	s.client = client
	s.uri, s.ferretDir = uri, opts.FerretDBDir
	s.db = client.Database(opts.Database)
	if err := s.ensureIndexes(ctx); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	if err := s.indexIDs(ctx, opts.Database); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	// Enrollments written before they carried their class's teachers get
	// them, once (teachers.go).
	if err := s.backfillTeacherLists(ctx); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	// Feedback stored in its own collection moves onto its goals, once
	// (feedbackmove.go).
	if err := s.moveFeedbackToGoals(ctx); err != nil {
		_ = s.Close(ctx)
		return nil, err
	}
	return s, nil
}

// startEmbedded starts the embedded database in opts.DataDir and returns
// its URI. When another plpbot already serves that folder (a subcommand
// such as plpbot outbox beside the running bot), it shares that server:
// FerretDB expects to be the only server on its files.
func (s *Store) startEmbedded(ctx context.Context, opts Options) (string, error) {
	s.embedded = true
	srv, err := embedded.Start(ctx, opts.DataDir, embedded.Options{
		Logger: opts.Logger, Debug: opts.Debug, StudentText: opts.StudentText})
	if errors.Is(err, embedded.ErrInUse) {
		return embedded.SocketURI(opts.DataDir)
	}
	if err != nil {
		return "", err
	}
	s.server, s.files = srv, srv
	return srv.URI(), nil
}

// Collections lists every collection the store and the scheduler use. The
// embedded database is given an _id index on each that its queries can use
// (see embedded.Server.IndexIDs).
func Collections() []string {
	return []string{colUsers, colClasses, colEnrollments, colGoals, colCheckIns, colReflections,
		colConferences, colFeedback, colFlags, colAudit, colCounters, colPrompts,
		colJobRuns, colLeases, colOutbox, colClaims, colSeenEvents, colRosterState,
		colSignIns, colSessions, colCaseloads, colTerms, colPeers, colLinks}
}

// Embedded reports whether the store runs on the in-process database.
func (s *Store) Embedded() bool { return s.embedded }

// Close disconnects and stops the embedded database, if any.
func (s *Store) Close(ctx context.Context) error {
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	s.closeServer()
	if err != nil {
		return fmt.Errorf("disconnect: %w", err)
	}
	return nil
}

func (s *Store) closeServer() {
	if s.files != nil && s.files != s.server {
		s.files.Close()
	}
	s.files = nil
	if s.server != nil {
		s.server.Close()
		s.server = nil
	}
}

// Now returns the store's clock.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Drop deletes the whole database (tests).
func (s *Store) Drop(ctx context.Context) error { return s.db.Drop(ctx) }

type index struct {
	coll   string
	keys   bson.D
	unique bool
}

// indexes are the indexes each collection needs, declared in one place so
// they can be read beside the queries they serve.
var indexes = []index{
	// A user's _id is platform:workspace:platform_id (Identity.UserID), so
	// the _id index already makes each platform identity unique, and people
	// are never looked up by name.
	{colClasses, bson.D{{Key: "platform", Value: 1}, {Key: "workspace", Value: 1}, {Key: "name_lower", Value: 1}}, true},
	{colEnrollments, bson.D{{Key: "user_id", Value: 1}}, false},
	{colEnrollments, bson.D{{Key: "class_id", Value: 1}, {Key: "role", Value: 1}}, false},
	// A student's class's teachers (teachers.go: TaughtBy).
	{colEnrollments, bson.D{{Key: fieldTeacherIDs, Value: 1}}, false},
	{colGoals, bson.D{{Key: "user_id", Value: 1}, {Key: "number", Value: 1}}, true},
	{colCheckIns, bson.D{{Key: "user_id", Value: 1}, {Key: "at", Value: -1}}, false},
	{colReflections, bson.D{{Key: "user_id", Value: 1}, {Key: "at", Value: -1}}, false},
	{colConferences, bson.D{{Key: "number", Value: 1}}, true},
	{colConferences, bson.D{{Key: "teacher_id", Value: 1}, {Key: "at", Value: 1}}, false},
	{colConferences, bson.D{{Key: "student_id", Value: 1}, {Key: "at", Value: 1}}, false},
	{colFeedback, bson.D{{Key: "student_id", Value: 1}, {Key: "at", Value: -1}}, false},
	{colFlags, bson.D{{Key: "student_id", Value: 1}}, false},
	{colAudit, bson.D{{Key: "subject_id", Value: 1}, {Key: "at", Value: -1}}, false},
	{colPrompts, bson.D{{Key: "user_id", Value: 1}, {Key: "sent_at", Value: -1}}, false},
	{colSeenEvents, bson.D{{Key: "expires", Value: 1}}, false},
	{colTerms, bson.D{{Key: "platform", Value: 1}, {Key: "workspace", Value: 1}, {Key: "name_lower", Value: 1}}, true},
	// A counselor's caseload by grade, set in chat or by the SIS (CaseloadStudents).
	{colUsers, bson.D{{Key: "grade", Value: 1}}, false},
	{colUsers, bson.D{{Key: "sis.grades", Value: 1}}, false},
}

func (s *Store) ensureIndexes(ctx context.Context) error {
	for _, ix := range indexes {
		m := mongo.IndexModel{Keys: ix.keys}
		if ix.unique {
			m.Options = options.Index().SetUnique(true)
		}
		if _, err := s.db.Collection(ix.coll).Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("create index on %s: %w", ix.coll, err)
		}
	}
	return nil
}

// nextSeq returns the next number of a named counter (conference numbers).
func (s *Store) nextSeq(ctx context.Context, name string) (int, error) {
	var doc struct {
		Seq int `bson:"seq"`
	}
	// Concurrent first uses of a counter may collide on FerretDB: retry.
	err := retryDuplicate(numberAttempts, func() error {
		return s.db.Collection(colCounters).FindOneAndUpdate(ctx,
			bson.D{{Key: "_id", Value: name}},
			bson.D{{Key: "$inc", Value: bson.D{{Key: "seq", Value: 1}}}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After),
		).Decode(&doc)
	})
	if err != nil {
		return 0, fmt.Errorf("next %s number: %w", name, err)
	}
	return doc.Seq, nil
}

// newID returns a fresh document id: an ObjectID's hex form, so ids sort
// by creation time and the model needs no database type.
func newID() string { return bson.NewObjectID().Hex() }

// translate maps driver errors to the store's errors.
func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return ErrNotFound
	case mongo.IsDuplicateKeyError(err):
		return ErrDuplicate
	}
	return err
}

// findSince loads documents of one person at or after since, newest first.
func (s *Store) findSince(ctx context.Context, coll, key, id string, since time.Time, limit int, out any) error {
	filter := bson.D{{Key: key, Value: id}}
	if !since.IsZero() {
		filter = append(filter, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: since}}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}})
	if limit > 0 {
		opts.SetLimit(int64(limit))
	}
	cur, err := s.db.Collection(coll).Find(ctx, filter, opts)
	if err != nil {
		return err
	}
	return cur.All(ctx, out)
}
