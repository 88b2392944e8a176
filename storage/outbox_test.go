package storage_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// planN plans n reflection items due at due and returns their ids.
func planN(t *testing.T, s *storage.Store, n int, due time.Time) []string {
	t.Helper()
	items := make([]storage.OutboxItem, n)
	for i := range items {
		items[i] = storage.OutboxItem{Job: "reflect", Period: "2026-03-06T14:00", Recipient: fmt.Sprintf("u%d", i), Due: due}
	}
	if _, err := s.PlanOutbox(context.Background(), items); err != nil {
		t.Fatalf("PlanOutbox: %v", err)
	}
	ids := make([]string, n)
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

func TestPlanOutboxIsIdempotent(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	planN(t, s, 3, t0)
	items := []storage.OutboxItem{
		{Job: "reflect", Period: "2026-03-06T14:00", Recipient: "u0", Due: t0.Add(time.Hour)},
		{Job: "reflect", Period: "2026-03-06T14:00", Recipient: "u9", Due: t0},
	}
	n, err := s.PlanOutbox(ctx, items)
	if err != nil || n != 1 {
		t.Fatalf("PlanOutbox again = %d, %v; want 1 new", n, err)
	}
	it, err := s.OutboxItemByID(ctx, storage.OutboxKey("reflect", "2026-03-06T14:00", "u0"))
	if err != nil || !it.Due.Equal(ms(t0)) || it.Status != storage.OutboxPending {
		t.Errorf("replanned item = %+v, %v; want untouched (due %s, pending)", it, err, t0)
	}
	if c, err := s.OutboxCounts(ctx); err != nil || c[storage.OutboxPending] != 4 {
		t.Errorf("counts = %v, %v; want 4 pending", c, err)
	}
}

func TestClaimOutboxOnceAcrossOwners(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	ids := planN(t, s, 60, t0)
	var mu sync.Mutex
	claimed := map[string]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := s.ClaimOutbox(ctx, fmt.Sprintf("owner%d", w), t0, time.Minute, 8, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, it := range got {
					claimed[it.ID]++
					if it.Status != storage.OutboxSending || it.Attempt != 1 {
						t.Errorf("claimed %s as %s attempt %d", it.ID, it.Status, it.Attempt)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claimed) != len(ids) {
		t.Errorf("claimed %d of %d items", len(claimed), len(ids))
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("%s claimed %d times", id, n)
		}
	}
}

func TestClaimOutboxLeaseAndRetry(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	ids := planN(t, s, 1, t0)
	claim := func(owner string, at time.Time) []storage.OutboxItem {
		t.Helper()
		got, err := s.ClaimOutbox(ctx, owner, at, time.Minute, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := claim("a", t0.Add(-time.Second)); len(got) != 0 {
		t.Fatalf("claimed %d items before they were due", len(got))
	}
	a := claim("a", t0)
	if len(a) != 1 {
		t.Fatalf("a claimed %d", len(a))
	}
	if got := claim("b", t0.Add(30*time.Second)); len(got) != 0 {
		t.Fatalf("b claimed an item a still holds")
	}
	b := claim("b", t0.Add(2*time.Minute)) // a's lease ran out
	if len(b) != 1 || b[0].Attempt != 2 {
		t.Fatalf("b claimed %+v, want attempt 2", b)
	}
	// a comes back late: its result is ignored.
	if err := s.FinishOutbox(ctx, ids[0], a[0].Attempt, storage.OutboxResult{Status: storage.OutboxFailed, Reason: "late"}); err != nil {
		t.Fatal(err)
	}
	if it, _ := s.OutboxItemByID(ctx, ids[0]); it.Status != storage.OutboxSending {
		t.Errorf("stale finish changed the item to %s", it.Status)
	}
	retryAt := t0.Add(10 * time.Minute)
	if err := s.FinishOutbox(ctx, ids[0], b[0].Attempt, storage.OutboxResult{Status: storage.OutboxPending, Due: retryAt, Reason: "HTTP 500", Transient: true}); err != nil {
		t.Fatal(err)
	}
	if next, ok, err := s.NextOutboxDue(ctx, t0); err != nil || !ok || !next.Equal(ms(retryAt)) {
		t.Errorf("NextOutboxDue = %s, %v, %v; want %s", next, ok, err, retryAt)
	}
	if got := claim("c", retryAt.Add(-time.Second)); len(got) != 0 {
		t.Errorf("claimed before the retry was due")
	}
	c := claim("c", retryAt)
	if len(c) != 1 || c[0].Failures != 1 || c[0].Attempt != 3 {
		t.Fatalf("retry claim = %+v, want attempt 3 with 1 failure", c)
	}
	if err := s.FinishOutbox(ctx, ids[0], c[0].Attempt, storage.OutboxResult{Status: storage.OutboxSent}); err != nil {
		t.Fatal(err)
	}
	if got := claim("d", retryAt.Add(time.Hour)); len(got) != 0 {
		t.Errorf("claimed a sent item")
	}
}

// TestRenewedClaimsAreNotTakenOver: a worker that renews its lease keeps
// its items past the first lease; once it stops, they are taken over when
// the renewed lease runs out.
func TestRenewedClaimsAreNotTakenOver(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	planN(t, s, 3, t0)
	const lease = 20 * time.Second
	a, err := s.ClaimOutbox(ctx, "a", t0, lease, 10, nil)
	if err != nil || len(a) != 3 {
		t.Fatalf("a claimed %d, %v", len(a), err)
	}
	ids := []string{a[0].ID, a[1].ID} // a finished the third meanwhile
	if err := s.RenewOutboxClaims(ctx, ids, t0.Add(15*time.Second).Add(lease)); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishOutbox(ctx, a[2].ID, a[2].Attempt, storage.OutboxResult{Status: storage.OutboxSent}); err != nil {
		t.Fatal(err)
	}
	if b, err := s.ClaimOutbox(ctx, "b", t0.Add(lease+time.Second), lease, 10, nil); err != nil || len(b) != 0 {
		t.Fatalf("b took %d renewed items (%v)", len(b), err)
	}
	b, err := s.ClaimOutbox(ctx, "b", t0.Add(15*time.Second+lease), lease, 10, nil)
	if err != nil || len(b) != 2 {
		t.Fatalf("after the renewed lease b claimed %d, %v; want the 2 a held", len(b), err)
	}
	for _, it := range b {
		if it.Attempt != 2 || it.Owner != "b" {
			t.Errorf("taken over: %+v", it)
		}
	}
}

// TestClaimOutboxByPlatform: a process claims only items for the platforms
// it runs, however many items for other platforms are due first, and items
// planned before items named their platform.
func TestClaimOutboxByPlatform(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var items []storage.OutboxItem
	for i := range 20 { // due first, so they would fill a limit of 10
		id := storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: fmt.Sprintf("U%d", i)}.UserID()
		items = append(items, storage.OutboxItem{Job: "reflect", Period: "p", Recipient: id, Platform: storage.UserPlatform(id), Due: t0.Add(-time.Hour)})
	}
	items = append(items,
		storage.OutboxItem{Job: "reflect", Period: "p", Recipient: "console::ana", Platform: "console", Due: t0},
		storage.OutboxItem{Job: "summary", Period: "p", Recipient: "class:c1", Platform: "discord", Due: t0},
	)
	if _, err := s.PlanOutbox(ctx, items); err != nil {
		t.Fatal(err)
	}
	// An item planned by an older version names no platform.
	if _, err := storagetest.Collection(t, s, "outbox").InsertOne(ctx, bson.D{{Key: "_id", Value: "reflect|p|legacy"}, {Key: "job", Value: "reflect"},
		{Key: "period", Value: "p"}, {Key: "recipient", Value: "legacy"}, {Key: "due", Value: t0}, {Key: "status", Value: storage.OutboxPending},
		{Key: "attempt", Value: 0}, {Key: "failures", Value: 0}, {Key: "created_at", Value: t0}, {Key: "updated_at", Value: t0}}); err != nil {
		t.Fatal(err)
	}
	claimed := func(owner string, platforms []string) map[string]string {
		t.Helper()
		got, err := s.ClaimOutbox(ctx, owner, t0, time.Minute, 10, platforms)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, it := range got {
			m[it.Recipient] = it.Platform
		}
		return m
	}
	if got := claimed("console", []string{"console"}); len(got) != 2 || got["console::ana"] != "console" || got["legacy"] != "" {
		t.Errorf("the console claimed %v, want ana's item and the legacy one", got)
	}
	if got := claimed("discord", []string{"discord"}); len(got) != 1 || got["class:c1"] != "discord" {
		t.Errorf("discord claimed %v, want the class summary", got)
	}
	if got := claimed("none", []string{}); len(got) != 0 {
		t.Errorf("a process that runs no platform claimed %v", got)
	}
	if got := claimed("slack", []string{"slack", "discord"}); len(got) != 10 {
		t.Errorf("slack claimed %d items, want its first 10", len(got))
	}
	c, err := s.OutboxCounts(ctx)
	if err != nil || c[storage.OutboxPending] != 10 || c[storage.OutboxSending] != 13 {
		t.Errorf("counts = %v, %v; want 10 Slack items still pending", c, err)
	}
}

func TestAcquireLease(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	steps := []struct {
		owner string
		at    time.Duration
		want  bool
	}{
		{"a", 0, true},
		{"b", time.Second, false},
		{"a", time.Minute, true}, // renews until 1m+3m
		{"b", 3 * time.Minute, false},
		{"b", 5 * time.Minute, true}, // a's lease ran out
		{"a", 5 * time.Minute, false},
		{"b", 6 * time.Minute, true},
	}
	for _, st := range steps {
		got, err := s.AcquireLease(ctx, "planner", st.owner, t0.Add(st.at), 3*time.Minute)
		if err != nil || got != st.want {
			t.Errorf("AcquireLease(%s at +%s) = %v, %v; want %v", st.owner, st.at, got, err, st.want)
		}
	}
	if err := s.ReleaseLease(ctx, "planner", "b"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AcquireLease(ctx, "planner", "a", t0.Add(7*time.Minute), 3*time.Minute); err != nil || !got {
		t.Errorf("after release a = %v, %v; want the lease", got, err)
	}
}

func TestRecordJobRunNeverGoesBack(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	late, early := t0.Add(48*time.Hour), t0
	if err := s.RecordJobRun(ctx, "reflect|c1", late, "planned", 1, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordJobRun(ctx, "reflect|c1", early, "skipped: holiday", 0, 2); err != nil {
		t.Fatal(err)
	}
	runs, err := s.JobRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := runs["reflect|c1"]
	if !r.Last.Equal(ms(late)) || r.Planned != 1 || r.Skipped != 2 {
		t.Errorf("job run = %+v; want last %s, 1 planned, 2 skipped", r, late)
	}
}

func TestRecipientsAndSweep(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	ana := mustUser(t, s, "U1", "Ana", plpbot.RoleStudent)
	ben := mustUser(t, s, "U2", "Ben", plpbot.RoleStudent)
	mustUser(t, s, "U3", "Cal", plpbot.RoleStudent)
	if _, err := s.SetAway(ctx, ben.ID, t0.Add(24*time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Recipients(ctx, []string{ana.ID, ben.ID, "nobody"})
	if err != nil || len(rs) != 2 {
		t.Fatalf("Recipients = %+v, %v; want Ana and Ben", rs, err)
	}
	for _, r := range rs {
		if away := r.Away(t0); away != (r.ID == ben.ID) {
			t.Errorf("%s away = %v", r.ID, away)
		}
	}

	ids := planN(t, s, 2, t0)
	got, err := s.ClaimOutbox(ctx, "a", t0, time.Minute, 10, nil)
	if err != nil || len(got) != 2 {
		t.Fatalf("claim = %d, %v", len(got), err)
	}
	if err := s.FinishOutbox(ctx, ids[0], 1, storage.OutboxResult{Status: storage.OutboxSent}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(40 * 24 * time.Hour)
	n, err := s.SweepOutbox(ctx, clk.Now().Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("SweepOutbox = %d, %v; want the one sent item", n, err)
	}
	if _, err := s.OutboxItemByID(ctx, ids[1]); err != nil {
		t.Errorf("the unfinished item was swept: %v", err)
	}
}

// TestOrphanClaimIsTakenOver: a worker that died between claiming an item
// and updating it left a claim for an attempt the item never reached; once
// the lease is over, another worker claims the item instead of skipping it
// for ever.
func TestOrphanClaimIsTakenOver(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if _, err := s.PlanOutbox(ctx, []storage.OutboxItem{{Job: "reflect", Period: "p", Recipient: "console::ana", Due: t0}}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueOutbox(ctx, t0, 10, nil)
	if err != nil || len(due) != 1 {
		t.Fatalf("DueOutbox = %v, %v", due, err)
	}
	// The dead worker's claim, without the item's update.
	if _, err := storagetest.Collection(t, s, "claims").InsertOne(ctx, bson.D{
		{Key: "_id", Value: due[0].ID + "#1"}, {Key: "owner", Value: "dead"}, {Key: "at", Value: t0},
	}); err != nil {
		t.Fatal(err)
	}
	if _, won, err := s.ClaimOutboxItem(ctx, "b", due[0], t0.Add(time.Second), time.Minute); err != nil || won {
		t.Fatalf("within the lease: won = %v, %v; want the claim left to its holder", won, err)
	}
	it, won, err := s.ClaimOutboxItem(ctx, "b", due[0], t0.Add(2*time.Minute), time.Minute)
	if err != nil || !won || it.Owner != "b" {
		t.Fatalf("after the lease: %+v, won = %v, %v; want b to take it", it, won, err)
	}
}
