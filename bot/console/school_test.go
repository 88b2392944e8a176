package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot/console"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// These tests run the real console with the real handlers on the embedded
// database, as `plpbot console` does.

func TestMain(m *testing.M) { storagetest.Main(m) }

// school is the real handlers on a fresh database, on a fixed clock.
func school(t *testing.T) (*handlers.Handlers, *storage.Store) {
	t.Helper()
	clock := func() time.Time { return time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) }
	store := storagetest.New(t, clock)
	return handlers.New(store, handlers.Options{Now: clock, DefaultTimeZone: "UTC"}), store
}

// storedName is the name the database keeps for the console user id.
func storedName(t *testing.T, store *storage.Store, id string) string {
	t.Helper()
	u, err := store.User(context.Background(), storage.Identity{Platform: "console", PlatformID: id}.UserID())
	if err != nil {
		t.Fatalf("user %s: %v", id, err)
	}
	return u.Name
}

// TestAsNeverRenames: switching to a person under another spelling acts as
// them without renaming them; a new person keeps their name as typed.
func TestAsNeverRenames(t *testing.T) {
	h, store := school(t)
	out := run(t, strings.Join([]string{
		"/plp role @ana student", // the admin meets ana first, by mention
		":as ana",
		"/plp plan",
		":as Ana",
		"/plp goal add Read three novels",
		":as Bea", // new: the name as typed
		"/plp plan",
		":as BEA",
		"/plp goal list",
		":as Ms.Lee",
		"/plp plan",
		":as ms.lee",
		"/plp plan",
	}, "\n"), h, console.Options{})
	for id, want := range map[string]string{"ana": "ana", "bea": "Bea", "ms.lee": "Ms.Lee", "admin": "admin"} {
		if got := storedName(t, store, id); got != want {
			t.Errorf("%s is stored as %q, want %q; transcript:\n%s", id, got, want, out)
		}
	}
	if !strings.Contains(out, "Read three novels") {
		t.Errorf("ana's goal is missing:\n%s", out)
	}
}
