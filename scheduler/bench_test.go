package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// benchStudents is how many students the planning benchmarks use; set
// PLPBOT_BENCH_STUDENTS=100000 for the full figure (slow on the embedded DB).
func benchStudents() int {
	if n, err := strconv.Atoi(os.Getenv("PLPBOT_BENCH_STUDENTS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

// seedClass inserts a class and n enrolled students straight into their
// collections (bulk inserts; the store's one-by-one upserts are for people).
func seedClass(b *testing.B, st *storage.Store, n int) *plpbot.Class {
	b.Helper()
	ctx := context.Background()
	c, err := st.CreateClass(ctx, plpbot.Class{Name: "Big", Platform: "console", TimeZone: "America/New_York", CreatedBy: "console::t"})
	if err != nil {
		b.Fatal(err)
	}
	now := st.Now()
	users := make([]any, 0, n)
	enr := make([]any, 0, n)
	for i := range n {
		id := storage.Identity{Platform: "console", PlatformID: "s" + strconv.Itoa(i)}.UserID()
		users = append(users, plpbot.Person{ID: id, Platform: "console", PlatformID: "s" + strconv.Itoa(i), Name: "S" + strconv.Itoa(i),
			TimeZone: "America/New_York", Role: plpbot.RoleStudent, CreatedAt: now, UpdatedAt: now})
		enr = append(enr, plpbot.Enrollment{ID: c.ID + "|" + id, ClassID: c.ID, UserID: id, Role: plpbot.MemberStudent, CreatedAt: now})
	}
	for lo := 0; lo < n; lo += 10000 {
		hi := min(lo+10000, n)
		if _, err := storagetest.Collection(b, st, "users").InsertMany(ctx, users[lo:hi]); err != nil {
			b.Fatal(err)
		}
		if _, err := storagetest.Collection(b, st, "enrollments").InsertMany(ctx, enr[lo:hi]); err != nil {
			b.Fatal(err)
		}
	}
	return c
}

// BenchmarkPlan compares planning one reflection run (enrollments,
// recipients, one unordered bulk write of keyed inserts) with raw bulk
// inserts of the same documents.
func BenchmarkPlan(b *testing.B) {
	n := benchStudents()
	ctx := context.Background()
	st := storagetest.New(b, nil)
	s := New(st, handlers.New(st, handlers.Options{}), nil, Options{TimeZone: "America/New_York", Logger: slog.New(slog.DiscardHandler)})
	c := seedClass(b, st, n)
	outbox := storagetest.Collection(b, st, "outbox")
	at := time.Date(2026, 3, 6, 19, 0, 0, 0, time.UTC)
	reset := func() {
		b.StopTimer()
		if err := outbox.Drop(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.Run(fmt.Sprintf("planner/students=%d", n), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			reset()
			got, err := s.planReflections(ctx, c, "2026-03-06T14:00", at, at)
			if err != nil || got != n {
				b.Fatalf("planned %d, %v; want %d", got, err, n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/student")
	})
	b.Run(fmt.Sprintf("replan/students=%d", n), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			got, err := s.planReflections(ctx, c, "2026-03-06T14:00", at, at)
			if err != nil || got != 0 {
				b.Fatalf("replanned %d new, %v; want 0", got, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/student")
	})
	b.Run(fmt.Sprintf("bulk-write-only/students=%d", n), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			reset()
			b.StopTimer()
			items := make([]storage.OutboxItem, n)
			for j := range n {
				id := storage.Identity{Platform: "console", PlatformID: "s" + strconv.Itoa(j)}.UserID()
				items[j] = storage.OutboxItem{Job: jobReflect, Period: "2026-03-06T14:00", Recipient: id, ClassID: c.ID, Due: at}
			}
			b.StartTimer()
			if got, err := st.PlanOutbox(ctx, items); err != nil || got != n {
				b.Fatalf("planned %d, %v", got, err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/student")
	})
	b.Run(fmt.Sprintf("raw-insert/students=%d", n), func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			reset()
			docs := make([]any, n)
			for j := range n {
				id := storage.Identity{Platform: "console", PlatformID: "s" + strconv.Itoa(j)}.UserID()
				docs[j] = storage.OutboxItem{ID: storage.OutboxKey(jobReflect, "2026-03-06T14:00", id), Job: jobReflect,
					Period: "2026-03-06T14:00", Recipient: id, ClassID: c.ID, Due: at, Status: storage.OutboxPending, CreatedAt: at, UpdatedAt: at}
			}
			if _, err := outbox.InsertMany(ctx, docs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/student")
	})
}

// limitedPlatform is a fake platform that accepts at most perSecond messages
// in any second and answers the rest with a 429 and Retry-After.
type limitedPlatform struct {
	mu        sync.Mutex
	perSecond int
	window    []time.Time
	sent      int
	limited   int
}

func (p *limitedPlatform) take() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	for len(p.window) > 0 && now.Sub(p.window[0]) >= time.Second {
		p.window = p.window[1:]
	}
	if len(p.window) >= p.perSecond {
		p.limited++
		return &bot.RetryAfterError{After: time.Second - now.Sub(p.window[0])}
	}
	p.window = append(p.window, now)
	p.sent++
	return nil
}

func (p *limitedPlatform) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

func (p *limitedPlatform) SendDM(context.Context, bot.Identity, bot.Message) error { return p.take() }
func (p *limitedPlatform) Post(context.Context, bot.Channel, bot.Message) error    { return p.take() }

// BenchmarkDelivery sends a planned run through a platform limited to N
// messages a second, with the scheduler paced at N, on the real clock, and
// reports the sustained rate and the 429s.
func BenchmarkDelivery(b *testing.B) {
	// N is low because the embedded database, not the platform, limits this
	// machine to about 13 messages a second (see the report).
	const perSecond, items = 5, 75
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := storagetest.New(b, nil)
		fake := &limitedPlatform{perSecond: perSecond}
		s := New(st, handlers.New(st, handlers.Options{}), fake, Options{TimeZone: "America/New_York", RatePerSecond: perSecond, SchoolDays: everyDay, QuietHours: "off", PollEvery: 100 * time.Millisecond,
			Logger: slog.New(slog.DiscardHandler)})
		c := seedClass(b, st, items)
		now := time.Now()
		if _, err := s.planReflections(ctx, c, "bench", now, now); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); s.deliverLoop(runCtx) }()
		for fake.count() < items {
			time.Sleep(10 * time.Millisecond)
		}
		rate := float64(fake.count()) / time.Since(start).Seconds()
		stop()
		<-done
		b.ReportMetric(rate, "msgs/s")
		b.ReportMetric(rate/perSecond*100, "%ofN")
		b.ReportMetric(float64(fake.limited), "429s")
	}
}

// procStatusMB reads a kB figure such as "VmRSS:" from /proc/self/status
// (Linux), or 0.
func procStatusMB(key string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkResidentMemory plans a reflection run for the benchmark's
// students with 10,000 conferences scheduled and reports the heap in use
// afterwards (the embedded database runs in this process and is included).
func BenchmarkResidentMemory(b *testing.B) {
	n := benchStudents()
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		st := storagetest.New(b, nil)
		s := New(st, handlers.New(st, handlers.Options{}), nil, Options{TimeZone: "America/New_York", Logger: slog.New(slog.DiscardHandler)})
		c := seedClass(b, st, n)
		now := st.Now()
		confs := make([]any, 10000)
		for j := range confs {
			// Ids are strings the store chooses; raw inserts must choose one too,
			// or the driver would add an ObjectID the store can't decode.
			confs[j] = plpbot.Conference{ID: bson.NewObjectID().Hex(), Number: j + 1, StudentID: "console::s" + strconv.Itoa(j%n), TeacherID: "console::t",
				At: now.Add(time.Duration(j%(30*24)) * time.Hour), Status: plpbot.ConferenceScheduled, Agenda: []plpbot.AgendaItem{}}
		}
		if _, err := storagetest.Collection(b, st, "conferences").InsertMany(ctx, confs); err != nil {
			b.Fatal(err)
		}
		if _, err := s.planReflections(ctx, c, "bench", now, now); err != nil {
			b.Fatal(err)
		}
		if err := s.planConferences(ctx, now); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "MB-heap-inuse")
		b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
		// SQLite (modernc) allocates outside the Go heap: the OS's view is the honest one.
		b.ReportMetric(procStatusMB("VmRSS:"), "MB-rss")
		b.ReportMetric(procStatusMB("VmHWM:"), "MB-peak-rss")
	}
}
