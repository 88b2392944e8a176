package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestCollectionsListsTheLinks: the embedded database indexes _id only in
// the collections Collections lists (embedded.Server.IndexIDs), and the
// forget tests look for a person's traces only there. Links are read by
// _id on every link and every request of an account plpbot doesn't know
// yet: left out, each of those reads scans every link, which made linking
// a school of 2,000 at import twice as slow as it needs to be.
func TestCollectionsListsTheLinks(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	person := plpbot.Person{ID: plpbot.RosterID("s-1"), Platform: plpbot.PlatformRoster, PlatformID: "s-1",
		Name: "Ana Zed", NameLower: "ana zed", Role: plpbot.RoleStudent, CreatedAt: t0, UpdatedAt: t0,
		SIS: &plpbot.PersonSIS{SourcedID: "s-1", Email: "s-1@school.example"}}
	if _, err := storagetest.Collection(t, s, "users").InsertOne(ctx, person); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Link(ctx, slackID("U1"), person.ID, "email"); err != nil {
		t.Fatal(err)
	}
	names, err := storagetest.Collection(t, s, "users").Database().ListCollectionNames(ctx, bson.D{})
	must(t, "ListCollectionNames", err)
	for _, name := range names {
		if !slices.Contains(storage.Collections(), name) {
			t.Errorf("collection %q is not in storage.Collections(): its lookups by _id scan it whole", name)
		}
	}
}

// linkedStudent stores a roster student and links Slack account U1 to
// them, on a store whose driver commands are counted.
func linkedStudent(t *testing.T) (*storage.Store, *plpbot.Person, *atomic.Int32) {
	t.Helper()
	ctx := context.Background()
	var sent atomic.Int32
	opts := storagetest.Options(t)
	opts.Monitor = &event.CommandMonitor{Started: func(context.Context, *event.CommandStartedEvent) { sent.Add(1) }}
	s := storagetest.Open(t, opts)
	person := plpbot.Person{ID: plpbot.RosterID("s-1"), Platform: plpbot.PlatformRoster, PlatformID: "s-1",
		Name: "Ana Zed", NameLower: "ana zed", Role: plpbot.RoleStudent, CreatedAt: t0, UpdatedAt: t0,
		CantDM: plpbot.CantDMUnlinked}
	if _, err := storagetest.Collection(t, s, "users").InsertOne(ctx, person); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Link(ctx, slackID("U1"), person.ID, "email"); err != nil {
		t.Fatal(err)
	}
	return s, &person, &sent
}

// TestLinkedAccountsAreCached: the second request of a linked account a
// moment after the first reads nothing (the actor cache), and a mention of
// it is one read of the person (the link remembered), where each used to
// read the account, its link and the person. A change to the person drops
// both at once.
func TestLinkedAccountsAreCached(t *testing.T) {
	ctx := context.Background()
	s, person, sent := linkedStudent(t)
	u, _, err := s.EnsureUser(ctx, slackID("U1"), storage.UserHints{Name: "ana"})
	must(t, "EnsureUser", err)
	if u.ID != person.ID {
		t.Fatalf("U1 is %s, want the roster person %s", u.ID, person.ID)
	}
	sent.Store(0)
	u, _, err = s.EnsureUser(ctx, slackID("U1"), storage.UserHints{Name: "ana"}) // the SIS owns the name
	must(t, "EnsureUser again", err)
	if n := sent.Load(); n != 0 || u.ID != person.ID || u.Name != "Ana Zed" {
		t.Errorf("again: %s %q after %d commands, want the person from the cache, 0 commands", u.ID, u.Name, n)
	}
	if id, linked := s.PersonID(slackID("U1").UserID()); !linked || id != person.ID {
		t.Errorf("PersonID(U1) = %s, %v; want the person, linked", id, linked)
	}
	sent.Store(0)
	m, err := s.User(ctx, slackID("U1").UserID())
	must(t, "User", err)
	if n := sent.Load(); n != 1 || m.ID != person.ID {
		t.Errorf("a mention of U1: %s after %d commands, want the person in 1", m.ID, n)
	}
	_, err = s.SetRole(ctx, person.ID, plpbot.RoleTeacher)
	must(t, "SetRole", err)
	sent.Store(0)
	u, _, err = s.EnsureUser(ctx, slackID("U1"), storage.UserHints{})
	must(t, "EnsureUser after a role change", err)
	if u.Role != plpbot.RoleTeacher || sent.Load() == 0 {
		t.Errorf("after a role change: role %s after %d commands, want it read afresh", u.Role, sent.Load())
	}
}

// TestForgottenPersonIsNotFoundByACachedLink: once a linked person is
// forgotten, a mention of their account finds nobody, though the link
// was remembered a moment before.
func TestForgottenPersonIsNotFoundByACachedLink(t *testing.T) {
	ctx := context.Background()
	s, person, _ := linkedStudent(t)
	if _, err := s.User(ctx, slackID("U1").UserID()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forget(ctx, person.ID, storage.Eraser{ID: "admin", Name: "Admin"}); err != nil {
		t.Fatal(err)
	}
	if u, err := s.User(ctx, slackID("U1").UserID()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a mention of the forgotten person's account: %v, %v; want ErrNotFound", u, err)
	}
	if id, linked := s.PersonID(slackID("U1").UserID()); linked {
		t.Errorf("PersonID still links U1 to %s", id)
	}
}
