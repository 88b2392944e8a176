package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
)

func TestRetention(t *testing.T) { bothStores(t, testRetention) }

func testRetention(t *testing.T, s *storage.Store, clk *clock) {
	ctx := context.Background()
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	class := mustClass(t, s, "Bio", tch.ID)
	// Everyone joins now and has a goal, a check-in and a reflection.
	people := map[string]plpbot.Role{
		"enrolled": "", "gone": "", "reflected": "", "goal": "", "checkin": "", "used": "",
		"admin": plpbot.RoleAdmin, "teacher": plpbot.RoleTeacher,
	}
	ids := map[string]string{}
	for name, role := range people {
		u := mustUser(t, s, name, name, role)
		ids[name] = u.ID
		if role == "" {
			mustGoal(t, s, u.ID, "goal")
			_, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: u.ID, GoalNumber: 1, Percent: 10})
			must(t, "RecordCheckIn", err)
			_, err = s.AddReflection(ctx, plpbot.Reflection{UserID: u.ID, Text: "thoughts"})
			must(t, "AddReflection", err)
		}
	}
	must(t, "Enroll", s.Enroll(ctx, class.ID, []string{ids["enrolled"]}, plpbot.MemberStudent))

	// A year and a month later, some of them did something yesterday.
	clk.Advance(400 * 24 * time.Hour)
	_, err := s.AddReflection(ctx, plpbot.Reflection{UserID: ids["reflected"], Text: "back again"})
	must(t, "AddReflection", err)
	title := "renamed"
	_, err = s.EditGoal(ctx, ids["goal"], 1, storage.GoalEdit{Title: &title})
	must(t, "EditGoal", err)
	_, _, err = s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: ids["checkin"], GoalNumber: 1, Percent: 20})
	must(t, "RecordCheckIn", err)
	mustUser(t, s, "used", "used", "") // any command: EnsureUser
	clk.Advance(24 * time.Hour)

	before := clk.Now().Add(-365 * 24 * time.Hour)
	inactive, err := s.Inactive(ctx, before)
	must(t, "Inactive", err)
	var names []string
	for _, p := range inactive {
		names = append(names, p.Name)
		if !p.LastActive.Before(before) {
			t.Errorf("%s last active %v, after %v", p.Name, p.LastActive, before)
		}
	}
	if want := []string{"gone", "teacher"}; !slices.Equal(names, want) {
		t.Errorf("Inactive = %v, want %v (no class, nothing done for a year, not an admin)", names, want)
	}

	n, err := s.Purge(ctx, inactive, storage.RetentionEraser)
	must(t, "Purge", err)
	if n != 2 {
		t.Errorf("Purge = %d, want 2", n)
	}
	for name, id := range ids {
		_, err := s.User(ctx, id)
		gone := name == "gone" || name == "teacher"
		if gone != (err != nil) {
			t.Errorf("after Purge, %s: %v (purged: %v)", name, err, gone)
		}
	}
	erased, err := s.Erasures(ctx, ids["gone"])
	must(t, "Erasures", err)
	if len(erased) != 1 || erased[0].ByName != storage.RetentionEraser.Name {
		t.Errorf("erasure record of a purge = %+v", erased)
	}
	if again, err := s.Inactive(ctx, before); err != nil || len(again) != 0 {
		t.Errorf("Inactive after Purge = %+v, %v", again, err)
	}
}
