package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestEnsureUserCreatesOnce(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	id := slackID("U1")

	u, created, err := s.EnsureUser(ctx, id, storage.UserHints{Name: "Ana Lima", TimeZone: "America/Chicago", Locale: "en-US"})
	must(t, "first EnsureUser", err)
	if !created {
		t.Error("first EnsureUser: created = false, want true")
	}
	want := plpbot.Person{
		ID: "slack:T1:U1", Platform: "slack", Workspace: "T1", PlatformID: "U1",
		Name: "Ana Lima", NameLower: "ana lima", TimeZone: "America/Chicago", Locale: "en-US",
		Role: plpbot.RoleStudent,
	}
	if u.ID != want.ID || u.Platform != want.Platform || u.Workspace != want.Workspace || u.PlatformID != want.PlatformID ||
		u.Name != want.Name || u.NameLower != want.NameLower || u.TimeZone != want.TimeZone || u.Locale != want.Locale || u.Role != want.Role {
		t.Errorf("first EnsureUser = %+v, want %+v", *u, want)
	}
	sameTime(t, "CreatedAt", u.CreatedAt, t0)
	if got := (storage.Identity{Platform: u.Platform, Workspace: u.Workspace, PlatformID: u.PlatformID}); got != id || id.UserID() != u.ID {
		t.Errorf("identity = %+v, UserID() = %q; want %+v, %q", got, id.UserID(), id, u.ID)
	}

	// Same instant (a fixed test clock, or two events in one millisecond).
	u2, created, err := s.EnsureUser(ctx, id, storage.UserHints{})
	must(t, "second EnsureUser", err)
	if created {
		t.Error("second EnsureUser at the same instant: created = true, want false")
	}
	clk.Advance(time.Hour)
	u3, created, err := s.EnsureUser(ctx, id, storage.UserHints{})
	must(t, "third EnsureUser", err)
	if created {
		t.Error("third EnsureUser: created = true, want false")
	}
	for _, got := range []*plpbot.Person{u2, u3} {
		if got.ID != u.ID || got.Name != "Ana Lima" || got.TimeZone != "America/Chicago" || got.Locale != "en-US" {
			t.Errorf("EnsureUser with empty hints changed the user: %+v", *got)
		}
		sameTime(t, "CreatedAt after re-ensure", got.CreatedAt, t0)
	}
	// Hints that change nothing don't write; a changed hint does.
	sameTime(t, "UpdatedAt after unchanged hints", u3.UpdatedAt, t0)
	u4, created, err := s.EnsureUser(ctx, id, storage.UserHints{Name: "Ana Lima", TimeZone: "America/Denver"})
	must(t, "EnsureUser with a new time zone", err)
	if created || u4.TimeZone != "America/Denver" {
		t.Errorf("EnsureUser with a new time zone: created %v, tz %q", created, u4.TimeZone)
	}
	sameTime(t, "UpdatedAt after a changed hint", u4.UpdatedAt, t0.Add(time.Hour))
	sameTime(t, "CreatedAt after a changed hint", u4.CreatedAt, t0)

	n, err := storagetest.Collection(t, s, "users").CountDocuments(ctx, map[string]any{})
	must(t, "count users", err)
	if n != 1 {
		t.Errorf("%d user documents, want 1", n)
	}
}

func TestEnsureUserHints(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	id := slackID("U2")

	u, _, err := s.EnsureUser(ctx, id, storage.UserHints{})
	must(t, "EnsureUser without hints", err)
	if u.Name != "U2" || u.NameLower != "u2" {
		t.Errorf("name without hints = %q/%q, want the platform id", u.Name, u.NameLower)
	}
	steps := []struct {
		hints         storage.UserHints
		name, tz, loc string
	}{
		{storage.UserHints{Name: "Bea"}, "Bea", "", ""},
		{storage.UserHints{TimeZone: "Europe/Lisbon"}, "Bea", "Europe/Lisbon", ""},
		{storage.UserHints{Locale: "pt-PT"}, "Bea", "Europe/Lisbon", "pt-PT"},
		{storage.UserHints{Name: "Beatriz", TimeZone: "Asia/Tokyo", Locale: "ja"}, "Beatriz", "Asia/Tokyo", "ja"},
		{storage.UserHints{}, "Beatriz", "Asia/Tokyo", "ja"},
	}
	for i, st := range steps {
		u, created, err := s.EnsureUser(ctx, id, st.hints)
		must(t, "EnsureUser", err)
		if created || u.Name != st.name || u.TimeZone != st.tz || u.Locale != st.loc {
			t.Errorf("step %d (%+v): created %v, name %q tz %q locale %q; want false, %q %q %q",
				i, st.hints, created, u.Name, u.TimeZone, u.Locale, st.name, st.tz, st.loc)
		}
	}
	// The stored document agrees with what EnsureUser returned.
	got, err := s.User(ctx, id.UserID())
	must(t, "User", err)
	if got.Name != "Beatriz" || got.NameLower != "beatriz" || got.TimeZone != "Asia/Tokyo" || got.Locale != "ja" {
		t.Errorf("stored user = %+v", *got)
	}
}

func TestUsersAcrossWorkspaces(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	ids := []storage.Identity{
		{Platform: "slack", Workspace: "T1", PlatformID: "U1"},
		{Platform: "slack", Workspace: "T2", PlatformID: "U1"},
		{Platform: "discord", Workspace: "T1", PlatformID: "U1"},
	}
	seen := map[string]bool{}
	for _, id := range ids {
		u, created, err := s.EnsureUser(ctx, id, storage.UserHints{Name: "Sam"})
		must(t, "EnsureUser", err)
		if !created || seen[u.ID] {
			t.Errorf("%+v: created %v, id %q (seen before: %v); want a new user each", id, created, u.ID, seen[u.ID])
		}
		seen[u.ID] = true
	}

	t.Run("User", func(t *testing.T) {
		_, err := s.User(ctx, "slack:T1:nobody")
		isNotFound(t, "User of an unknown id", err)
	})
	t.Run("Users", func(t *testing.T) {
		us, err := s.Users(ctx, []string{"slack:T1:U1", "discord:T1:U1", "slack:T9:U9"})
		must(t, "Users", err)
		var got []string
		for _, u := range us {
			got = append(got, u.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"discord:T1:U1", "slack:T1:U1"}) {
			t.Errorf("Users = %v, want the two that exist", got)
		}
		if us, err := s.Users(ctx, nil); err != nil || len(us) != 0 {
			t.Errorf("Users(nil) = %v, %v; want none", us, err)
		}
	})
}

func TestRolesAndAdmins(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	a := mustUser(t, s, "A", "Ava", "")
	b := mustUser(t, s, "B", "Ben", "")
	if a.Role != plpbot.RoleStudent {
		t.Fatalf("new user role = %q, want student", a.Role)
	}
	count := func() int64 {
		t.Helper()
		n, err := s.CountAdmins(ctx, "slack", "T1")
		must(t, "CountAdmins", err)
		return n
	}
	if n := count(); n != 0 {
		t.Errorf("CountAdmins = %d, want 0", n)
	}
	for _, r := range []plpbot.Role{plpbot.RoleTeacher, plpbot.RoleCounselor, plpbot.RoleAdmin} {
		u, err := s.SetRole(ctx, a.ID, r)
		must(t, "SetRole", err)
		if u.Role != r {
			t.Errorf("SetRole(%s) returned role %q", r, u.Role)
		}
	}
	_, err := s.SetRole(ctx, b.ID, plpbot.RoleAdmin)
	must(t, "SetRole b", err)
	// An admin elsewhere does not count.
	other, _, err := s.EnsureUser(ctx, storage.Identity{Platform: "slack", Workspace: "T2", PlatformID: "C"}, storage.UserHints{})
	must(t, "EnsureUser other", err)
	_, err = s.SetRole(ctx, other.ID, plpbot.RoleAdmin)
	must(t, "SetRole other", err)
	if n := count(); n != 2 {
		t.Errorf("CountAdmins = %d, want 2", n)
	}
	_, err = s.SetRole(ctx, "slack:T1:nobody", plpbot.RoleAdmin)
	isNotFound(t, "SetRole of an unknown user", err)

	for _, tc := range []struct {
		role  plpbot.Role
		staff bool
	}{
		{plpbot.RoleStudent, false}, {plpbot.RoleTeacher, true}, {plpbot.RoleCounselor, true},
		{plpbot.RoleAdmin, true}, {"", false}, {"parent", false},
	} {
		if got := tc.role.IsStaff(); got != tc.staff {
			t.Errorf("Role(%q).IsStaff() = %v, want %v", tc.role, got, tc.staff)
		}
	}
}

func TestUserSetters(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	u := mustUser(t, s, "U", "Uma", "")

	t.Run("profile", func(t *testing.T) {
		for _, field := range plpbot.ProfileFields {
			path := "profile." + field
			text := "my " + field + ` {"$gt": ""}`
			got, err := s.SetProfileField(ctx, u.ID, field, text)
			must(t, "SetProfileField "+field, err)
			values := map[string]string{
				"profile.interests": got.Profile.Interests, "profile.strengths": got.Profile.Strengths,
				"profile.grow": got.Profile.Grow, "profile.learn": got.Profile.Learn, "profile.career": got.Profile.Career,
			}
			if values[path] != text {
				t.Errorf("after SetProfileField(%s), %s = %q, want %q", field, path, values[path], text)
			}
		}
		got, err := s.User(ctx, u.ID)
		must(t, "User", err)
		if got.Profile.Interests != `my interests {"$gt": ""}` || got.Profile.Career != `my career {"$gt": ""}` {
			t.Errorf("stored profile = %+v; every field must keep its own text", got.Profile)
		}
		_, err = s.SetProfileField(ctx, u.ID, "hobbies", "x")
		isNotFound(t, "SetProfileField of an unknown field", err)
		_, err = s.SetProfileField(ctx, "slack:T1:nobody", "grow", "x")
		isNotFound(t, "SetProfileField of an unknown user", err)
	})

	t.Run("shoutouts and time zone", func(t *testing.T) {
		got, err := s.SetShoutouts(ctx, u.ID, true)
		must(t, "SetShoutouts", err)
		if !got.Shoutouts {
			t.Error("SetShoutouts(true) returned false")
		}
		got, err = s.SetTimeZone(ctx, u.ID, "America/New_York")
		must(t, "SetTimeZone", err)
		if loc := got.Location(time.UTC); loc.String() != "America/New_York" {
			t.Errorf("Location = %v, want America/New_York", loc)
		}
		got, err = s.SetTimeZone(ctx, u.ID, "Mars/Olympus")
		must(t, "SetTimeZone invalid", err)
		if loc := got.Location(time.UTC); loc != time.UTC {
			t.Errorf("Location of an invalid zone = %v, want the fallback", loc)
		}
	})

	t.Run("away", func(t *testing.T) {
		until := t0.Add(72 * time.Hour)
		clk.Advance(time.Minute)
		got, err := s.SetAway(ctx, u.ID, until, "school trip")
		must(t, "SetAway", err)
		sameTime(t, "AwayUntil", got.AwayUntil, until)
		sameTime(t, "UpdatedAt", got.UpdatedAt, t0.Add(time.Minute))
		if got.AwayNote != "school trip" || !got.Away(t0) || got.Away(until.Add(time.Second)) {
			t.Errorf("after SetAway: note %q, away now %v, away after %v", got.AwayNote, got.Away(t0), got.Away(until.Add(time.Second)))
		}
		got, err = s.SetAway(ctx, u.ID, time.Time{}, "")
		must(t, "SetAway clear", err)
		if got.Away(t0) || got.AwayNote != "" {
			t.Errorf("after clearing, away %v note %q", got.Away(t0), got.AwayNote)
		}
	})

	t.Run("cant dm", func(t *testing.T) {
		got, err := s.SetCantDM(ctx, u.ID, "dm_disabled")
		must(t, "SetCantDM", err)
		if got.CantDM != "dm_disabled" {
			t.Errorf("CantDM = %q", got.CantDM)
		}
		got, err = s.SetCantDM(ctx, u.ID, "")
		must(t, "SetCantDM clear", err)
		if got.CantDM != "" {
			t.Errorf("CantDM after clear = %q", got.CantDM)
		}
	})

	for name, set := range map[string]func(id string) (*plpbot.Person, error){
		"SetShoutouts": func(id string) (*plpbot.Person, error) { return s.SetShoutouts(ctx, id, true) },
		"SetTimeZone":  func(id string) (*plpbot.Person, error) { return s.SetTimeZone(ctx, id, "UTC") },
		"SetAway":      func(id string) (*plpbot.Person, error) { return s.SetAway(ctx, id, t0, "") },
		"SetCantDM":    func(id string) (*plpbot.Person, error) { return s.SetCantDM(ctx, id, "x") },
	} {
		_, err := set("slack:T1:nobody")
		isNotFound(t, name+" of an unknown user", err)
	}
}

// TestEnsureUserConcurrentFirstSight covers a platform delivering two events
// from a new person at once (a message and a mention): one creates, neither
// fails.
func TestEnsureUserConcurrentFirstSight(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	const n = 8
	type result struct {
		id      string
		created bool
		err     error
	}
	for round := range 3 {
		id := slackID("NEW" + string(rune('0'+round)))
		results := make(chan result, n)
		for range n {
			go func() {
				u, created, err := s.EnsureUser(ctx, id, storage.UserHints{Name: "Nia"})
				r := result{created: created, err: err}
				if u != nil {
					r.id = u.ID
				}
				results <- r
			}()
		}
		createdCount := 0
		for range n {
			r := <-results
			if r.err != nil {
				t.Errorf("round %d: concurrent EnsureUser: %v", round, r.err)
				continue
			}
			if r.id != id.UserID() {
				t.Errorf("round %d: EnsureUser returned user %q", round, r.id)
			}
			if r.created {
				createdCount++
			}
		}
		if createdCount != 1 {
			t.Errorf("round %d: %d of %d concurrent EnsureUser calls reported created; want exactly 1", round, createdCount, n)
		}
	}
}
