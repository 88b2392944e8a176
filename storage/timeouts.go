package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot/storage/embedded"
)

// Timeouts bound how long the driver waits on a database that stopped
// answering (a failover, a network blip), so a dead connection is dropped
// and a new one dialled within seconds rather than the driver's 30 s.
type Timeouts struct {
	// Heartbeat is how often the driver checks each server
	// (mongodb.heartbeat); default 2 s.
	Heartbeat time.Duration
	// Operation bounds any operation that has no shorter deadline of its
	// own (mongodb.operation_timeout); default 30 s. Driver v2 has no socket
	// timeout: a connection whose read outlives its operation's deadline is
	// closed, so each command's deadline (handlers' CommandTimeout) is what
	// drops a connection that stopped answering.
	Operation time.Duration
	// ServerSelection is how long an operation waits for a usable server
	// (mongodb.server_selection_timeout); default 3 s.
	ServerSelection time.Duration
	// Connect is how long dialling a server may take; default 3 s.
	Connect time.Duration
}

// Default timeouts (see Timeouts).
const (
	DefaultHeartbeat       = 2 * time.Second
	DefaultOperation       = 30 * time.Second
	DefaultServerSelection = 3 * time.Second
	DefaultConnectTimeout  = 3 * time.Second
)

// apply sets t, with its defaults, on the client options.
func (t Timeouts) apply(o *options.ClientOptions) *options.ClientOptions {
	return o.SetTimeout(cmp.Or(t.Operation, DefaultOperation)).
		SetHeartbeatInterval(max(cmp.Or(t.Heartbeat, DefaultHeartbeat), 500*time.Millisecond)).
		SetServerSelectionTimeout(cmp.Or(t.ServerSelection, DefaultServerSelection)).
		SetConnectTimeout(cmp.Or(t.Connect, DefaultConnectTimeout))
}

// indexIDs gives each collection an _id index its queries can use when the
// server is FerretDB: the embedded one through its SQLite files, any other
// (detected from buildInfo) on the same machine too, with
// FerretDB v1's SQLite backend only through its files (Options.FerretDBDir),
// since an index made over the wire is on an expression its lookups by _id
// never use. MongoDB needs nothing.
func (s *Store) indexIDs(ctx context.Context, db string) error {
	if s.server != nil {
		if err := s.server.IndexIDs(ctx, db, Collections()); err != nil {
			return fmt.Errorf("index _id: %w", err)
		}
		return nil
	}
	ferret, v1, err := s.isFerretDB(ctx)
	if err != nil || !ferret {
		return err
	}
	if s.ferretDir == "" {
		s.log.WarnContext(ctx, "the database is FerretDB: set mongodb.ferretdb_dir to its SQLite folder so lookups by _id use an index")
		return nil
	}
	if err := embedded.IndexIDsAt(ctx, s.ferretDir, s.uri, db, Collections()); err != nil {
		return fmt.Errorf("index _id on FerretDB in %s: %w", s.ferretDir, err)
	}
	s.filesDir = s.ferretDir
	if v1 {
		if s.files, err = embedded.Files(s.ferretDir); err != nil {
			return err
		}
	}
	return nil
}

// isFerretDB reports whether the server is FerretDB, and whether v1 (whose
// SQLite files plpbot can write as the embedded one's): its buildInfo
// carries "ferretdbVersion" (FerretDB v1; later versions a "ferretdb"
// document).
func (s *Store) isFerretDB(ctx context.Context) (ferret, v1 bool, err error) {
	var info bson.M
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false, false, fmt.Errorf("buildInfo: %w", err)
	}
	_, v1 = info["ferretdbVersion"]
	_, later := info["ferretdb"]
	return v1 || later, v1, nil
}

// IsUnreachable reports whether err means the database did not answer in
// time (a deadline passed, no server could be selected, a connection broke),
// as opposed to refusing the request.
func IsUnreachable(err error) bool {
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || mongo.IsTimeout(err) || mongo.IsNetworkError(err))
}
