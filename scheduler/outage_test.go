package scheduler_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// lockedBuffer is a log sink safe for the scheduler's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunPausesWhileTheDatabaseIsCut: a scheduler started while its
// database is cut off pauses planning and delivery (one warning, no errors
// item after item), and within seconds of the link's return plans the run
// it missed and delivers it.
func TestRunPausesWhileTheDatabaseIsCut(t *testing.T) {
	p := storagetest.NewCutProxy(t)
	started := time.Now().UTC()
	c := &clock{now: started.Add(-2 * time.Hour)}
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	so := storagetest.Options(t)
	so.URI, so.Now = p.URI(), c.Now
	so.Timeouts = storage.Timeouts{Heartbeat: 500 * time.Millisecond, ServerSelection: time.Second, Connect: time.Second}
	e := &env{t: t, ctx: context.Background(), clock: c, fake: &fakePlatform{clock: c}, store: storagetest.Open(t, so)}
	e.opts = scheduler.Options{Now: c.Now, SetNow: c.Set, Logger: log, ReplicaID: "runner", QuietHours: "off", SchoolDays: []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday},
		PollEvery: 50 * time.Millisecond}
	e.composer = handlers.New(e.store, handlers.Options{Now: c.Now, DefaultTimeZone: "UTC", Logger: log})
	s := scheduler.New(e.store, e.composer, e.fake, e.opts)
	teacher := e.user("Ms Lee", "UTC", plpbot.RoleTeacher)
	kim := e.user("Kim", "UTC", plpbot.RoleStudent)
	due := started.Add(-30 * time.Minute)
	e.class("Late", teacher, "UTC", fmt.Sprintf("%d %d * * *", due.Minute(), due.Hour()), "0 0 1 1 *", kim)
	if err := s.Tick(e.ctx, c.Now()); err != nil { // before the prompt is due
		t.Fatal(err)
	}
	c.Set(started)

	p.Cut()
	ctx, stop := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(4 * time.Second)
	if got := e.fake.DMs("Reflection time"); len(got) != 0 {
		t.Fatalf("sent during the cut: %+v", got)
	}
	during := logs.String()
	if n := strings.Count(during, "planning and delivery paused"); n != 1 {
		t.Errorf("want one warning that planning and delivery paused, got %d:\n%s", n, during)
	}
	if strings.Contains(during, "level=ERROR") {
		t.Errorf("errors logged during the cut:\n%s", during)
	}

	p.Restore()
	back := time.Now()
	for len(e.fake.DMs("Reflection time")) == 0 && time.Since(back) < 10*time.Second {
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(back)
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if got := e.fake.DMs("Reflection time"); len(got) != 1 || got[0].To != "kim" {
		t.Fatalf("prompts after the cut = %+v, want the missed one to kim", got)
	}
	t.Logf("caught up %v after the link came back", took.Round(time.Millisecond))
	if took > 5*time.Second {
		t.Errorf("caught up only %v after the link came back", took)
	}
	mustLog := logs.String()
	if !strings.Contains(mustLog, "planning and delivery resume") {
		t.Errorf("no note that planning and delivery resumed:\n%s", mustLog)
	}
}
