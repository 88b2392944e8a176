package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// t0 is the start of every test clock: a school-day morning in UTC. It has
// sub-millisecond digits, like time.Now, because BSON dates keep only
// milliseconds and the store must not depend on more.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)

// ms is t as a BSON date stores it.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// sameTime fails the test unless got is want at BSON (millisecond) precision.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !ms(got).Equal(ms(want)) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// isNotFound fails the test unless err is storage.ErrNotFound.
func isNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("%s: err = %v, want storage.ErrNotFound", what, err)
	}
}

// must fails the test if err is not nil.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// clock is a hand-driven clock for the store, safe for concurrent reads.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

// Now returns the clock's time.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// newStore returns a store on a fresh database and its clock.
func newStore(t testing.TB) (*storage.Store, *clock) {
	t.Helper()
	c := newClock()
	return storagetest.New(t, c.Now), c
}

// slackID is a Slack identity in the test workspace.
func slackID(platformID string) storage.Identity {
	return storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: platformID}
}

// mustUser creates (or loads) a user named name with the given role.
func mustUser(t testing.TB, s *storage.Store, platformID, name string, role plpbot.Role) *plpbot.Person {
	t.Helper()
	ctx := context.Background()
	u, _, err := s.EnsureUser(ctx, slackID(platformID), storage.UserHints{Name: name})
	if err != nil {
		t.Fatalf("EnsureUser(%s): %v", platformID, err)
	}
	if role != "" && role != u.Role {
		if u, err = s.SetRole(ctx, u.ID, role); err != nil {
			t.Fatalf("SetRole(%s, %s): %v", u.ID, role, err)
		}
	}
	return u
}

// mustGoal adds a goal titled title for userID.
func mustGoal(t testing.TB, s *storage.Store, userID, title string) *plpbot.Goal {
	t.Helper()
	g, err := s.AddGoal(context.Background(), plpbot.Goal{UserID: userID, Title: title})
	if err != nil {
		t.Fatalf("AddGoal(%s, %q): %v", userID, title, err)
	}
	return g
}
