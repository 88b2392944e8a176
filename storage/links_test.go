package storage_test

import (
	"context"
	"slices"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

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
