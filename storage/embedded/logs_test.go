package embedded_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot/storage/embedded"
)

// logBuffer collects log lines written from FerretDB's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsKeepStudentText stores a reflection with a unique marker, and
// makes FerretDB fail a command on it (it logs the failed response, with
// the document's id, at warn), under each log setting; the marker reaches
// the log only with StudentText.
func TestLogsKeepStudentText(t *testing.T) {
	const marker = "MARKER-e1b9-my-worry-about-math"
	tests := []struct {
		name       string
		opts       embedded.Options
		wantMarker bool
		wantLogs   bool // FerretDB logs anything at all
	}{
		{"log.level info", embedded.Options{}, false, false},
		{"log.level debug", embedded.Options{Debug: true}, false, true},
		{"log.level debug, student_text", embedded.Options{Debug: true, StudentText: true}, true, true},
		{"student_text alone shows nothing", embedded.Options{StudentText: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			var buf logBuffer
			tt.opts.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			srv, err := embedded.Start(ctx, t.TempDir(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			client, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
			if err != nil {
				srv.Close()
				t.Fatal(err)
			}
			coll := client.Database(dbName).Collection("reflections")
			doc := bson.D{{Key: "_id", Value: marker}, {Key: "text", Value: marker}}
			if _, err := coll.InsertOne(ctx, doc); err != nil {
				t.Errorf("insert: %v", err)
			}
			inc := bson.D{{Key: "$inc", Value: bson.D{{Key: "text", Value: 1}}}}
			if err := coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: marker}}, inc).Err(); err == nil {
				t.Error("$inc on a string: want an error")
			}
			_ = client.Disconnect(ctx)
			srv.Close()

			logs := buf.String()
			if got := strings.Contains(logs, marker); got != tt.wantMarker {
				t.Errorf("marker in the logs = %v, want %v; logs:\n%s", got, tt.wantMarker, logs)
			}
			if got := logs != ""; got != tt.wantLogs {
				t.Errorf("any logs = %v, want %v; logs:\n%s", got, tt.wantLogs, logs)
			}
			if tt.opts.Debug && !tt.opts.StudentText && !strings.Contains(logs, "level=WARN msg=\"wire message withheld") {
				t.Errorf("the failed command's response is not logged as withheld:\n%s", logs)
			}
			if !tt.opts.StudentText && strings.Contains(logs, "level=DEBUG") {
				t.Errorf("debug records without student_text:\n%s", logs)
			}
		})
	}
}
