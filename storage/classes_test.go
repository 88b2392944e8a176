package storage_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// mustClass creates a class in the test workspace taught by teacherID.
func mustClass(t testing.TB, s *storage.Store, name, teacherID string) *plpbot.Class {
	t.Helper()
	c, err := s.CreateClass(context.Background(), plpbot.Class{Name: name, Platform: "slack", Workspace: "T1", CreatedBy: teacherID})
	if err != nil {
		t.Fatalf("CreateClass(%q): %v", name, err)
	}
	return c
}

// classNames returns the names of cs.
func classNames(cs []plpbot.Class) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func TestCreateAndFindClasses(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)

	c, err := s.CreateClass(ctx, plpbot.Class{Name: "Bio 7", Platform: "slack", Workspace: "T1", ChannelID: "C1", ChannelName: "bio-7", CreatedBy: tch.ID})
	must(t, "CreateClass", err)
	if c.ID == "" || c.NameLower != "bio 7" {
		t.Errorf("CreateClass returned %+v", *c)
	}
	sameTime(t, "class CreatedAt", c.CreatedAt, t0)
	members, err := s.ClassMembers(ctx, c.ID, plpbot.MemberTeacher)
	must(t, "ClassMembers", err)
	if !slices.Equal(members, []string{tch.ID}) {
		t.Errorf("teachers of a new class = %v, want its creator", members)
	}

	for _, name := range []string{"Bio 7", "bio 7", "BIO 7"} {
		_, err := s.CreateClass(ctx, plpbot.Class{Name: name, Platform: "slack", Workspace: "T1", CreatedBy: tch.ID})
		if !errors.Is(err, storage.ErrDuplicate) {
			t.Errorf("CreateClass(%q) again: err = %v, want ErrDuplicate", name, err)
		}
	}
	// The same name in another workspace is another class.
	_, err = s.CreateClass(ctx, plpbot.Class{Name: "Bio 7", Platform: "slack", Workspace: "T2", CreatedBy: tch.ID})
	must(t, "CreateClass in T2", err)

	lookups := []struct {
		name string
		find func() (*plpbot.Class, error)
	}{
		{"Class", func() (*plpbot.Class, error) { return s.Class(ctx, c.ID) }},
		{"ClassByName", func() (*plpbot.Class, error) { return s.ClassByName(ctx, "slack", "T1", "bIO 7") }},
		{"ClassByChannel", func() (*plpbot.Class, error) { return s.ClassByChannel(ctx, "slack", "T1", "C1") }},
	}
	for _, l := range lookups {
		got, err := l.find()
		must(t, l.name, err)
		if got.ID != c.ID || got.ChannelName != "bio-7" {
			t.Errorf("%s = %+v, want class %s", l.name, *got, c.ID)
		}
	}
	misses := []struct {
		name string
		find func() (*plpbot.Class, error)
	}{
		{"Class", func() (*plpbot.Class, error) { return s.Class(ctx, "nope") }},
		{"ClassByName", func() (*plpbot.Class, error) { return s.ClassByName(ctx, "slack", "T1", "Chem") }},
		{"ClassByName other platform", func() (*plpbot.Class, error) { return s.ClassByName(ctx, "discord", "T1", "Bio 7") }},
		{"ClassByChannel", func() (*plpbot.Class, error) { return s.ClassByChannel(ctx, "slack", "T1", "C2") }},
	}
	for _, l := range misses {
		_, err := l.find()
		isNotFound(t, l.name, err)
	}

	all, err := s.AllClasses(ctx)
	must(t, "AllClasses", err)
	if len(all) != 2 {
		t.Errorf("AllClasses = %d classes, want 2", len(all))
	}
}

func TestSetClassSchedule(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	c := mustClass(t, s, "Bio", tch.ID)

	got, err := s.SetClassSchedule(ctx, c.ID, "reflections", "0 14 * * FRI")
	must(t, "SetClassSchedule reflections", err)
	if got.Reflections != "0 14 * * FRI" || got.Summaries != "" {
		t.Errorf("after reflections: %+v", *got)
	}
	got, err = s.SetClassSchedule(ctx, c.ID, "summaries", "0 8 * * MON")
	must(t, "SetClassSchedule summaries", err)
	if got.Reflections != "0 14 * * FRI" || got.Summaries != "0 8 * * MON" {
		t.Errorf("after summaries: %+v", *got)
	}
	got, err = s.SetClassSchedule(ctx, c.ID, "reflections", "")
	must(t, "SetClassSchedule reset", err)
	if got.Reflections != "" {
		t.Errorf("reset reflections = %q", got.Reflections)
	}
	_, err = s.SetClassSchedule(ctx, c.ID, "nudges", "* * * * *")
	isNotFound(t, "SetClassSchedule of an unknown kind", err)
	_, err = s.SetClassSchedule(ctx, "nope", "summaries", "* * * * *")
	isNotFound(t, "SetClassSchedule of an unknown class", err)
}

func TestEnrollment(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	tch2 := mustUser(t, s, "T2", "Mr. Chen", plpbot.RoleTeacher)
	a := mustUser(t, s, "A", "Ava", "")
	b := mustUser(t, s, "B", "Ben", "")
	c := mustUser(t, s, "C", "Cy", "")
	bio := mustClass(t, s, "Bio", tch.ID)
	art := mustClass(t, s, "Art", tch2.ID)

	must(t, "Enroll", s.Enroll(ctx, bio.ID, []string{a.ID, b.ID}, plpbot.MemberStudent))
	must(t, "Enroll again", s.Enroll(ctx, bio.ID, []string{a.ID, b.ID, a.ID}, plpbot.MemberStudent))
	must(t, "Enroll nobody", s.Enroll(ctx, bio.ID, nil, plpbot.MemberStudent))
	must(t, "Enroll art", s.Enroll(ctx, art.ID, []string{b.ID, c.ID}, plpbot.MemberStudent))

	members := func(class, role string) []string {
		t.Helper()
		ids, err := s.ClassMembers(ctx, class, role)
		must(t, "ClassMembers", err)
		slices.Sort(ids)
		return ids
	}
	if got := members(bio.ID, plpbot.MemberStudent); !slices.Equal(got, []string{a.ID, b.ID}) {
		t.Errorf("Bio students after enrolling twice = %v, want [A B] once each", got)
	}
	n, err := storagetest.Collection(t, s, "enrollments").CountDocuments(ctx, map[string]any{})
	must(t, "count enrollments", err)
	if n != 6 { // 2 teachers + 2 bio + 2 art
		t.Errorf("%d enrollment documents, want 6", n)
	}

	t.Run("ClassesOf", func(t *testing.T) {
		for _, tc := range []struct {
			user, role string
			want       []string
		}{
			{b.ID, "", []string{"Art", "Bio"}},
			{b.ID, plpbot.MemberStudent, []string{"Art", "Bio"}},
			{b.ID, plpbot.MemberTeacher, nil},
			{a.ID, "", []string{"Bio"}},
			{tch.ID, plpbot.MemberTeacher, []string{"Bio"}},
			{"slack:T1:nobody", "", nil},
		} {
			cs, err := s.ClassesOf(ctx, tc.user, tc.role)
			must(t, "ClassesOf", err)
			if got := classNames(cs); !slices.Equal(got, tc.want) {
				t.Errorf("ClassesOf(%s, %q) = %v, want %v", tc.user, tc.role, got, tc.want)
			}
		}
	})

	t.Run("Teaches", func(t *testing.T) {
		for _, tc := range []struct {
			staff, student string
			want           bool
		}{
			{tch.ID, a.ID, true},
			{tch.ID, b.ID, true},
			{tch.ID, c.ID, false}, // c is only in Art
			{tch2.ID, c.ID, true},
			{tch2.ID, a.ID, false},
			{a.ID, b.ID, false},     // classmates, not teachers
			{tch.ID, tch.ID, false}, // teachers aren't their own students
			{tch.ID, tch2.ID, false},
		} {
			got, err := s.Teaches(ctx, tc.staff, tc.student)
			must(t, "Teaches", err)
			if got != tc.want {
				t.Errorf("Teaches(%s, %s) = %v, want %v", tc.staff, tc.student, got, tc.want)
			}
		}
	})

	t.Run("role change and unenroll", func(t *testing.T) {
		// Enrolling again with another role changes only the role.
		must(t, "Enroll as teacher", s.Enroll(ctx, art.ID, []string{tch.ID}, plpbot.MemberTeacher))
		if ok, _ := s.Teaches(ctx, tch.ID, c.ID); !ok {
			t.Error("after joining Art as teacher, Teaches(Rivera, Cy) = false")
		}
		must(t, "Enroll as student", s.Enroll(ctx, art.ID, []string{tch.ID}, plpbot.MemberStudent))
		if ok, _ := s.Teaches(ctx, tch.ID, c.ID); ok {
			t.Error("after becoming an Art student, Teaches(Rivera, Cy) = true")
		}
		must(t, "Unenroll", s.Unenroll(ctx, art.ID, tch.ID))

		must(t, "Unenroll b", s.Unenroll(ctx, bio.ID, b.ID))
		if got := members(bio.ID, plpbot.MemberStudent); !slices.Equal(got, []string{a.ID}) {
			t.Errorf("Bio students after unenrolling Ben = %v", got)
		}
		isNotFound(t, "Unenroll twice", s.Unenroll(ctx, bio.ID, b.ID))
		isNotFound(t, "Unenroll from a class never joined", s.Unenroll(ctx, bio.ID, c.ID))
		if ok, _ := s.Teaches(ctx, tch.ID, b.ID); ok {
			t.Error("Teaches(Rivera, Ben) after Ben left Bio = true")
		}
	})
}

func TestRoster(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	class := mustClass(t, s, "Bio", tch.ID)
	// Names chosen so the roster order (case-insensitive) differs from insertion order.
	zed := mustUser(t, s, "Z", "zed", "")
	amy := mustUser(t, s, "A", "Amy", "")
	bob := mustUser(t, s, "B", "bob", "")
	amy2 := mustUser(t, s, "A2", "amy", "")
	outsider := mustUser(t, s, "O", "Oli", "")
	must(t, "Enroll", s.Enroll(ctx, class.ID, []string{zed.ID, amy.ID, bob.ID, amy2.ID}, plpbot.MemberStudent))

	// Amy: two active goals at 20% and 60%, one done; checked in twice.
	for range 3 {
		mustGoal(t, s, amy.ID, "g")
	}
	clk.Advance(time.Hour)
	_, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: amy.ID, GoalNumber: 1, Percent: 20})
	must(t, "check in", err)
	clk.Advance(time.Hour)
	lastAmy := clk.Now()
	_, _, err = s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: amy.ID, GoalNumber: 2, Percent: 60})
	must(t, "check in", err)
	done := plpbot.GoalDone
	_, err = s.EditGoal(ctx, amy.ID, 3, storage.GoalEdit{Status: &done})
	must(t, "done", err)
	// Bob: one paused goal (counts neither as active nor done), flagged, away, can't DM, shoutouts on.
	paused := plpbot.GoalPaused
	mustGoal(t, s, bob.ID, "g")
	_, err = s.EditGoal(ctx, bob.ID, 1, storage.GoalEdit{Status: &paused})
	must(t, "pause", err)
	must(t, "flag", s.AddFlag(ctx, plpbot.Flag{StudentID: bob.ID, Kind: "504", ByID: tch.ID}))
	must(t, "flag again", s.AddFlag(ctx, plpbot.Flag{StudentID: bob.ID, Kind: "iep", ByID: tch.ID}))
	awayUntil := t0.Add(96 * time.Hour)
	_, err = s.SetAway(ctx, bob.ID, awayUntil, "trip")
	must(t, "away", err)
	_, err = s.SetCantDM(ctx, bob.ID, "dm_disabled")
	must(t, "cant dm", err)
	_, err = s.SetShoutouts(ctx, bob.ID, true)
	must(t, "shoutouts", err)
	// Zed: one active goal at 33%, 1 done → avg 33 (integer mean of active only).
	mustGoal(t, s, zed.ID, "g")
	mustGoal(t, s, zed.ID, "g")
	p := 33
	_, err = s.EditGoal(ctx, zed.ID, 1, storage.GoalEdit{Progress: &p})
	must(t, "progress", err)
	_, err = s.EditGoal(ctx, zed.ID, 2, storage.GoalEdit{Status: &done})
	must(t, "done", err)
	// The outsider's data must not leak into the class roster.
	mustGoal(t, s, outsider.ID, "g")
	must(t, "flag outsider", s.AddFlag(ctx, plpbot.Flag{StudentID: outsider.ID, Kind: "other"}))

	rows, err := s.Roster(ctx, class.ID)
	must(t, "Roster", err)
	want := []plpbot.RosterRow{
		{UserID: amy.ID, Name: "Amy", ActiveGoals: 2, DoneGoals: 1, AvgProgress: 40, LastCheckIn: lastAmy},
		{UserID: amy2.ID, Name: "amy"},
		{UserID: bob.ID, Name: "bob", Flagged: true, AwayUntil: awayUntil, CantDM: "dm_disabled", Shoutouts: true},
		{UserID: zed.ID, Name: "zed", ActiveGoals: 1, DoneGoals: 1, AvgProgress: 33},
	}
	if len(rows) != len(want) {
		t.Fatalf("Roster has %d rows, want %d: %+v", len(rows), len(want), rows)
	}
	for i, w := range want {
		g := rows[i]
		if g.UserID != w.UserID || g.Name != w.Name || g.ActiveGoals != w.ActiveGoals || g.DoneGoals != w.DoneGoals ||
			g.AvgProgress != w.AvgProgress || g.Flagged != w.Flagged || g.CantDM != w.CantDM || g.Shoutouts != w.Shoutouts ||
			!ms(g.LastCheckIn).Equal(ms(w.LastCheckIn)) || !ms(g.AwayUntil).Equal(ms(w.AwayUntil)) {
			t.Errorf("row %d = %+v\n\twant %+v", i, g, w)
		}
	}

	empty := mustClass(t, s, "Empty", tch.ID)
	rows, err = s.Roster(ctx, empty.ID)
	must(t, "Roster of an empty class", err)
	if len(rows) != 0 {
		t.Errorf("Roster of a class with only a teacher = %+v", rows)
	}
	// RosterOf skips ids with no user.
	rows, err = s.RosterOf(ctx, []string{zed.ID, "slack:T1:gone"})
	must(t, "RosterOf", err)
	if len(rows) != 1 || rows[0].UserID != zed.ID {
		t.Errorf("RosterOf(zed, gone) = %+v", rows)
	}
}

func TestSchoolRoster(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	mustUser(t, s, "ADM", "Principal", plpbot.RoleAdmin)
	for _, name := range []string{"Cy", "ava", "Ben"} {
		u := mustUser(t, s, "S"+name, name, "")
		mustGoal(t, s, u.ID, "g")
	}
	for _, id := range []storage.Identity{
		{Platform: "slack", Workspace: "T2", PlatformID: "X"},
		{Platform: "discord", Workspace: "T1", PlatformID: "Y"},
	} {
		_, _, err := s.EnsureUser(ctx, id, storage.UserHints{Name: "Elsewhere"})
		must(t, "EnsureUser elsewhere", err)
	}
	rows, err := s.SchoolRoster(ctx, "slack", "T1")
	must(t, "SchoolRoster", err)
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
		if r.ActiveGoals != 1 {
			t.Errorf("%s has %d active goals, want 1", r.Name, r.ActiveGoals)
		}
	}
	if !slices.Equal(names, []string{"ava", "Ben", "Cy"}) {
		t.Errorf("SchoolRoster names = %v, want the workspace's students only, by name", names)
	}
	rows, err = s.SchoolRoster(ctx, "slack", "T9")
	must(t, "SchoolRoster of an empty workspace", err)
	if len(rows) != 0 {
		t.Errorf("SchoolRoster of an empty workspace = %+v", rows)
	}
}

// TestRostersReadTheGoals: rosters, nudge planning and goal numbers come
// from the goals themselves. A record written by the previous version
// still holds copies on the student (gs, last_checkin, goal_seq), out of
// date here: nothing reads them. A student of the workspace whose id is
// not the workspace's (a roster person) has their goals read too. Each is
// checked on a store that reads goal figures from the database's files
// (the embedded database; storagetest names its folder) and on one that
// asks the server (MongoDB), sharing the same database.
func TestRostersReadTheGoals(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	amy := mustUser(t, s, "SA", "Amy", "")
	ben := mustUser(t, s, "SB", "Ben", "")
	cy := mustUser(t, s, "SC", "Cy", "")
	class := mustClass(t, s, "Period 3", tch.ID)
	must(t, "Enroll", s.Enroll(ctx, class.ID, []string{amy.ID, ben.ID, cy.ID}, plpbot.MemberStudent))
	mustGoal(t, s, amy.ID, "Read")
	mustGoal(t, s, cy.ID, "Run")
	_, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: amy.ID, GoalNumber: 1, Percent: 30})
	must(t, "check in", err)
	amyAt := clk.Now()
	clk.Advance(2 * time.Hour)
	_, _, err = s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: cy.ID, GoalNumber: 1, Percent: 70})
	must(t, "check in", err)
	_, err = storagetest.Collection(t, s, "users").UpdateOne(ctx, bson.D{{Key: "_id", Value: amy.ID}},
		bson.D{{Key: "$set", Value: bson.D{
			{Key: "gs", Value: bson.D{{Key: "g1", Value: bson.D{{Key: "st", Value: "done"}, {Key: "p", Value: 100}}},
				{Key: "g7", Value: bson.D{{Key: "st", Value: "active"}, {Key: "p", Value: 5}}}}},
			{Key: "last_checkin", Value: t0.AddDate(0, 3, 0)}, {Key: "goal_seq", Value: 9},
		}}})
	must(t, "write the old copies", err)
	sis := plpbot.Person{ID: plpbot.RosterID("stu-9"), Platform: "slack", Workspace: "T1", Name: "Dee", Role: plpbot.RoleStudent, CreatedAt: t0, UpdatedAt: t0}
	_, err = storagetest.Collection(t, s, "users").InsertOne(ctx, sis)
	must(t, "insert a roster person", err)
	mustGoal(t, s, sis.ID, "Paint")

	for _, st := range []struct {
		name  string
		store *storage.Store
	}{{"files", s}, {"server", storagetest.Replica(t, s, clk.Now)}} {
		s := st.store
		check := func(what string, rows []plpbot.RosterRow, err error, want int) {
			t.Helper()
			must(t, what, err)
			if len(rows) != want {
				t.Fatalf("%s, %s: %d rows, want %d: %+v", st.name, what, len(rows), want, rows)
			}
			if r := rows[0]; r.UserID != amy.ID || r.ActiveGoals != 1 || r.DoneGoals != 0 || r.AvgProgress != 30 || !ms(r.LastCheckIn).Equal(ms(amyAt)) {
				t.Errorf("%s, %s: Amy's row = %+v\n\twant 1 active goal at 30%%, last check-in %v (from her goals)", st.name, what, r, amyAt)
			}
		}
		rows, err := s.Roster(ctx, class.ID)
		check("Roster", rows, err, 3)
		rows, goals, err := s.RosterAndGoals(ctx, class.ID)
		check("RosterAndGoals", rows, err, 3)
		if len(goals) != 2 || goals[0].Title == "" || goals[0].UserID > goals[1].UserID {
			t.Errorf("%s: RosterAndGoals goals = %+v, want Amy's and Cy's in full, by student", st.name, goals)
		}
		rows, err = s.SchoolRoster(ctx, "slack", "T1")
		check("SchoolRoster", rows, err, 4)
		if dee := rows[3]; dee.Name != "Dee" || dee.ActiveGoals != 1 {
			t.Errorf("%s: SchoolRoster row of a roster person = %+v, want Dee with her goal", st.name, dee)
		}
		quiet, err := s.QuietStudents(ctx, []string{amy.ID, ben.ID, cy.ID}, amyAt.Add(time.Hour))
		must(t, "QuietStudents", err)
		var ids []string
		for _, q := range quiet {
			ids = append(ids, q.ID)
			if q.ID == amy.ID && !ms(q.LastCheckIn).Equal(ms(amyAt)) {
				t.Errorf("%s: Amy's last check-in = %v, want %v (her goal's)", st.name, q.LastCheckIn, amyAt)
			}
		}
		slices.Sort(ids)
		if want := []string{amy.ID, ben.ID}; !slices.Equal(ids, want) {
			t.Errorf("%s: QuietStudents = %v, want %v: Amy checked in before, Ben never, Cy since", st.name, ids, want)
		}
		latest, err := s.LatestGoal(ctx, amy.ID)
		if err != nil || latest.Number != 1 || latest.Title != "Read" || latest.UserID != amy.ID || !ms(latest.CreatedAt).Equal(ms(t0)) {
			t.Errorf("%s: LatestGoal(Amy) = %+v, %v; want goal 1, Read, added at %v", st.name, latest, err, t0)
		}
		_, err = s.LatestGoal(ctx, ben.ID)
		isNotFound(t, st.name+": LatestGoal of a student without goals", err)
	}

	if g := mustGoal(t, s, amy.ID, "Write"); g.Number != 2 {
		t.Errorf("Amy's next goal is number %d, want 2 (after her goal 1, whatever goal_seq says)", g.Number)
	}
}

// TestRosterReadsGoalFiguresFromFerretDBFiles: pointed at a FerretDB of
// its own with its folder given (mongodb.ferretdb_dir; storagetest does so
// for the test server), the store recognises FerretDB from buildInfo and a
// roster reads its goal figures from the files, on an index: no find of
// goals reaches the server, which would decode every goal of the school.
func TestRosterReadsGoalFiguresFromFerretDBFiles(t *testing.T) {
	opts := storagetest.Options(t)
	if opts.FerretDBDir == "" {
		t.Skip("not on the embedded test server")
	}
	ctx := context.Background()
	var mu sync.Mutex
	var finds []string
	opts.Monitor = &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if e.CommandName == "find" {
			coll, _ := e.Command.Lookup("find").StringValueOK()
			mu.Lock()
			finds = append(finds, coll)
			mu.Unlock()
		}
	}}
	s := storagetest.Open(t, opts)
	amy := mustUser(t, s, "SA", "Amy", "")
	mustGoal(t, s, amy.ID, "Read")
	mu.Lock()
	finds = nil
	mu.Unlock()
	rows, err := s.RosterOf(ctx, []string{amy.ID})
	must(t, "RosterOf", err)
	if len(rows) != 1 || rows[0].ActiveGoals != 1 {
		t.Errorf("RosterOf = %+v, want Amy with 1 active goal", rows)
	}
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(finds, "goals") {
		t.Errorf("the roster asked the server for goals (finds %v): FerretDB not recognised, or its files not read", finds)
	}
}
