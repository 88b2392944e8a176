package roster_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/roster/rostertest"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// The README's figures: a school of 2,000 students, 120 staff, 400 classes
// and 12,000 enrollments, as OneRoster 1.2 CSV, imported into the embedded
// database.
//
//	go test -run '^$' -bench 'School' -benchtime 3x ./roster

// bigSchool writes the school once per benchmark.
func bigSchool(b *testing.B) string {
	b.Helper()
	return writeSchool(b, rostertest.Big("1.2").Files())
}

// peakHeap samples the heap while f runs and returns the most it held.
func peakHeap(f func()) uint64 {
	var peak uint64
	var ms runtime.MemStats
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	f()
	close(stop)
	<-done
	sample()
	return peak
}

// BenchmarkImportSchool is the first import of the school into an empty
// database: read, check, compare, write. It reports the documents written
// and the heap's high-water mark (the embedded database runs in the same
// process, as it does under plpbot import, and is counted too).
func BenchmarkImportSchool(b *testing.B) {
	path := bigSchool(b)
	ctx := context.Background()
	var peak, base uint64
	writes := 0
	for b.Loop() {
		b.StopTimer()
		s, _, _ := newStore(b)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base = max(base, ms.HeapAlloc)
		b.StartTimer()
		peak = max(peak, peakHeap(func() {
			rep, err := roster.New(s, quiet).Import(ctx, path, roster.Options{})
			if err != nil {
				b.Fatalf("import: %v\n%s", err, rep)
			}
			writes = rep.Writes
		}))
	}
	b.ReportMetric(float64(writes), "docs/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(base)/(1<<20), "heap-before-MB")
}

// BenchmarkReimportSchool is the same files imported again: it must write
// nothing (writes/op counts the database's write commands).
func BenchmarkReimportSchool(b *testing.B) {
	path := bigSchool(b)
	s, _, w := newStore(b)
	mustImport(b, s, path)
	w.n.Store(0)
	for b.Loop() {
		rep := mustImport(b, s, path)
		if rep.Changes() != 0 {
			b.Fatalf("the second import changed %d records", rep.Changes())
		}
	}
	b.ReportMetric(float64(w.n.Load())/float64(b.N), "writes/op")
}

// BenchmarkReimportChangedSchool imports the school, then in turn a copy
// in which every student's name, every class's title and every teacher's
// primary flag differ, and the school again: each import updates 2,800
// records (2,000 people, 400 classes, 400 memberships) in place. Before
// those updates were sent as updates of "many", the first such import
// wedged the embedded database (storage/byid.go).
func BenchmarkReimportChangedSchool(b *testing.B) {
	files := rostertest.Big("1.2").Files()
	changed := edit(files, "users.csv", func(rows [][]string) [][]string {
		for i := 1; i <= 2000; i++ {
			rows[i][7] += " Jr" // 1.2: familyName
		}
		return rows
	})
	changed = edit(changed, "classes.csv", func(rows [][]string) [][]string {
		for _, r := range rows[1:] {
			r[3] += " (new room)"
		}
		return rows
	})
	changed = edit(changed, "enrollments.csv", func(rows [][]string) [][]string {
		for _, r := range rows[1:] {
			if r[6] == "teacher" {
				r[7] = "false"
			}
		}
		return rows
	})
	paths := []string{writeSchool(b, files), writeSchool(b, changed)}
	s, _, _ := newStore(b)
	mustImport(b, s, paths[0])
	i := 0
	for b.Loop() {
		i++
		rep := mustImport(b, s, paths[i%2])
		if n := rep.Counts[roster.KindStudents].Updated + rep.Counts[roster.KindClasses].Updated +
			rep.Counts[roster.KindEnrollments].Updated; n != 2800 {
			b.Fatalf("import %d updated %d records, want 2,800", i, n)
		}
	}
}

// rawDocs is how many documents the first import writes: people, classes,
// its term, the class memberships (the enrollments but the counselors'),
// the counselors' caseloads, and an audit entry for each person added to
// classes and each student put on a caseload (the roster state's few
// documents aside). The raw insert writes as many.
const rawDocs = 2000 + 120 + 400 + 1 + (12000 - 400) + 10 + 2100 + 2000

// BenchmarkRawInsertSchool inserts as many documents as the import writes,
// as plainly as possible: one unordered InsertMany into one collection.
func BenchmarkRawInsertSchool(b *testing.B) {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(storagetest.URI()))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx)
	n := 0
	for b.Loop() {
		b.StopTimer()
		db := client.Database(fmt.Sprintf("raw_%d_%d", time.Now().UnixNano(), n))
		docs := make([]any, rawDocs)
		now := time.Now()
		for i := range docs {
			docs[i] = bson.D{{Key: "_id", Value: fmt.Sprintf("roster:class-%d|roster:stu-%d", i%400, i)},
				{Key: "class_id", Value: fmt.Sprintf("roster:class-%d", i%400)}, {Key: "user_id", Value: fmt.Sprintf("roster:stu-%d", i)},
				{Key: "role", Value: "student"}, {Key: "sourced_id", Value: fmt.Sprintf("enr-%d", i)}, {Key: "created_at", Value: now}}
		}
		b.StartTimer()
		if _, err := db.Collection("enrollments").InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = db.Drop(ctx)
		n++
		b.StartTimer()
	}
}
