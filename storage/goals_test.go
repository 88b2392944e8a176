package storage_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestAddGoalNumbersPerStudent(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	a := mustUser(t, s, "A", "Ava", "")
	b := mustUser(t, s, "B", "Ben", "")

	adds := []struct {
		user *plpbot.Person
		want int
	}{{a, 1}, {a, 2}, {b, 1}, {a, 3}, {b, 2}}
	for i, add := range adds {
		g := mustGoal(t, s, add.user.ID, "goal")
		if g.Number != add.want {
			t.Errorf("add #%d for %s: number %d, want %d", i, add.user.Name, g.Number, add.want)
		}
	}
	for _, tc := range []struct {
		user *plpbot.Person
		want []int
	}{{a, []int{1, 2, 3}}, {b, []int{1, 2}}} {
		gs, err := s.Goals(ctx, tc.user.ID)
		must(t, "Goals", err)
		var got []int
		for _, g := range gs {
			got = append(got, g.Number)
			if g.UserID != tc.user.ID {
				t.Errorf("Goals(%s) returned a goal of %s", tc.user.ID, g.UserID)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Goals(%s) numbers = %v, want %v", tc.user.Name, got, tc.want)
		}
	}
	// Concurrent adds (two devices at once) still get distinct numbers: a
	// number is part of the goal's _id, and one taken is tried again.
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := s.AddGoal(ctx, plpbot.Goal{UserID: b.ID, Title: "parallel"})
			errs <- err
		}()
	}
	for range 8 {
		must(t, "concurrent AddGoal", <-errs)
	}
	gs, err := s.Goals(ctx, b.ID)
	must(t, "Goals", err)
	if len(gs) != 10 || gs[9].Number != 10 {
		t.Errorf("after 8 concurrent adds, %s has %d goals ending at %d; want 10 numbered 1..10", b.Name, len(gs), gs[len(gs)-1].Number)
	}

	_, err = s.AddGoal(ctx, plpbot.Goal{UserID: "slack:T1:nobody", Title: "x"})
	isNotFound(t, "AddGoal for an unknown user", err)
}

func TestAddGoalDefaults(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	u := mustUser(t, s, "A", "Ava", "")
	target := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	g, err := s.AddGoal(ctx, plpbot.Goal{UserID: u.ID, Title: "Read 5 books", Why: "I like stories", TargetDate: target})
	must(t, "AddGoal", err)
	if g.Status != plpbot.GoalActive || g.Category != "academic" || g.Steps == nil || len(g.Steps) != 0 || g.Progress != 0 {
		t.Errorf("AddGoal defaults: %+v", *g)
	}
	stored, err := s.Goal(ctx, u.ID, g.Number)
	must(t, "Goal", err)
	if stored.ID != g.ID || stored.Title != "Read 5 books" || stored.Why != "I like stories" || stored.Category != "academic" ||
		stored.Status != plpbot.GoalActive || stored.Steps == nil {
		t.Errorf("stored goal = %+v", *stored)
	}
	sameTime(t, "TargetDate", stored.TargetDate, target)
	sameTime(t, "CreatedAt", stored.CreatedAt, t0)

	g2, err := s.AddGoal(ctx, plpbot.Goal{UserID: u.ID, Title: "Run", Category: "personal", Status: plpbot.GoalPaused})
	must(t, "AddGoal personal", err)
	if g2.Category != "personal" || g2.Status != plpbot.GoalPaused {
		t.Errorf("explicit category/status were replaced: %+v", *g2)
	}
	_, err = s.Goal(ctx, u.ID, 3)
	isNotFound(t, "Goal 3 of 2", err)
	_, err = s.Goal(ctx, "slack:T1:B", 1)
	isNotFound(t, "Goal of another student", err)
}

func TestEditGoal(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	u := mustUser(t, s, "A", "Ava", "")
	g := mustGoal(t, s, u.ID, "Old title")
	str := func(v string) *string { return &v }
	num := func(v int) *int { return &v }
	status := func(v plpbot.GoalStatus) *plpbot.GoalStatus { return &v }
	date := time.Date(2026, 5, 20, 0, 0, 0, 0, time.UTC)

	clk.Advance(time.Hour)
	got, err := s.EditGoal(ctx, u.ID, g.Number, storage.GoalEdit{
		Title: str("New title"), Category: str("career"), Why: str("$where"), Tag: str("ELA.8.1"),
		TargetDate: &date, Progress: num(40),
	})
	must(t, "EditGoal", err)
	if got.Title != "New title" || got.Category != "career" || got.Why != "$where" || got.Tag != "ELA.8.1" ||
		got.Progress != 40 || got.Status != plpbot.GoalActive {
		t.Errorf("after edit: %+v", *got)
	}
	sameTime(t, "TargetDate", got.TargetDate, date)
	sameTime(t, "UpdatedAt", got.UpdatedAt, t0.Add(time.Hour))
	sameTime(t, "CreatedAt", got.CreatedAt, t0)

	// A nil field leaves the value alone.
	got, err = s.EditGoal(ctx, u.ID, g.Number, storage.GoalEdit{Progress: num(55)})
	must(t, "EditGoal progress", err)
	if got.Title != "New title" || got.Tag != "ELA.8.1" || got.Progress != 55 {
		t.Errorf("partial edit changed other fields: %+v", *got)
	}

	for _, tc := range []struct {
		status   plpbot.GoalStatus
		progress int
		doneAt   bool
	}{
		{plpbot.GoalPaused, 55, false},
		{plpbot.GoalDone, 100, true},
		{plpbot.GoalDropped, 100, true}, // done_at stays from the earlier done
	} {
		got, err = s.EditGoal(ctx, u.ID, g.Number, storage.GoalEdit{Status: status(tc.status)})
		must(t, "EditGoal status", err)
		if got.Status != tc.status || got.Progress != tc.progress || got.DoneAt.IsZero() == tc.doneAt {
			t.Errorf("status %s: got status %s progress %d done_at %v; want progress %d, done_at set %v",
				tc.status, got.Status, got.Progress, got.DoneAt, tc.progress, tc.doneAt)
		}
	}
	_, err = s.EditGoal(ctx, u.ID, 9, storage.GoalEdit{Title: str("x")})
	isNotFound(t, "EditGoal of a missing goal", err)
}

func TestSteps(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	u := mustUser(t, s, "A", "Ava", "")
	g := mustGoal(t, s, u.ID, "Essay")
	if st, _ := g.NextStep(); st != nil {
		t.Error("NextStep of a goal without steps is not nil")
	}
	texts := []string{"Outline", "Draft", `{"$gt": ""}`}
	for i, text := range texts {
		got, err := s.AddStep(ctx, u.ID, g.Number, text)
		must(t, "AddStep", err)
		if len(got.Steps) != i+1 || got.Steps[i].Text != text || got.Steps[i].Done {
			t.Fatalf("after AddStep(%q): steps = %+v", text, got.Steps)
		}
	}
	clk.Advance(time.Minute)
	got, err := s.CompleteStep(ctx, u.ID, g.Number, 2)
	must(t, "CompleteStep 2", err)
	var done []bool
	for _, st := range got.Steps {
		done = append(done, st.Done)
	}
	if !slices.Equal(done, []bool{false, true, false}) {
		t.Errorf("after CompleteStep 2, done = %v", done)
	}
	sameTime(t, "step 2 DoneAt", got.Steps[1].DoneAt, t0.Add(time.Minute))
	if next, _ := got.NextStep(); next == nil || next.Text != "Outline" {
		t.Errorf("NextStep = %+v, want Outline", next)
	}
	// Completing twice is harmless.
	if _, err := s.CompleteStep(ctx, u.ID, g.Number, 2); err != nil {
		t.Errorf("CompleteStep 2 again: %v", err)
	}

	for _, tc := range []struct {
		name string
		goal int
		step int
	}{
		{"step 0", g.Number, 0},
		{"negative step", g.Number, -1},
		{"step past the end", g.Number, 4},
		{"step far past the end", g.Number, 10},
		{"missing goal", 7, 1},
	} {
		_, err := s.CompleteStep(ctx, u.ID, tc.goal, tc.step)
		isNotFound(t, "CompleteStep "+tc.name, err)
	}
	stored, err := s.Goal(ctx, u.ID, g.Number)
	must(t, "Goal", err)
	if len(stored.Steps) != 3 {
		t.Errorf("out-of-range CompleteStep changed the steps: %+v", stored.Steps)
	}
	_, err = s.AddStep(ctx, u.ID, 7, "x")
	isNotFound(t, "AddStep on a missing goal", err)

	for i := 1; i <= 3; i++ {
		got, err = s.CompleteStep(ctx, u.ID, g.Number, i)
		must(t, "CompleteStep", err)
	}
	if next, n := got.NextStep(); next != nil || n != 0 {
		t.Errorf("NextStep with every step done = %+v, %d; want nil, 0", next, n)
	}
}

func TestCheckIns(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	a := mustUser(t, s, "A", "Ava", "")
	b := mustUser(t, s, "B", "Ben", "")
	g := mustGoal(t, s, a.ID, "Math")
	mustGoal(t, s, b.ID, "Art")

	for i, pct := range []int{10, 30, 60} {
		clk.Advance(24 * time.Hour)
		got, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: a.ID, GoalNumber: g.Number, Percent: pct, Note: "day", Confidence: i + 2})
		must(t, "RecordCheckIn", err)
		if got.Progress != pct {
			t.Errorf("progress after check-in = %d, want %d", got.Progress, pct)
		}
		sameTime(t, "LastCheckIn", got.LastCheckIn, clk.Now())
	}
	_, _, err := s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: b.ID, GoalNumber: 1, Percent: 5})
	must(t, "RecordCheckIn b", err)

	_, _, err = s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: a.ID, GoalNumber: 9, Percent: 50})
	isNotFound(t, "RecordCheckIn on a missing goal", err)

	all, err := s.CheckIns(ctx, a.ID, time.Time{}, 0)
	must(t, "CheckIns", err)
	var pcts []int
	for _, c := range all {
		pcts = append(pcts, c.Percent)
		if c.UserID != a.ID || c.GoalNumber != g.Number || c.Note != "day" || c.ID == "" {
			t.Errorf("stored check-in = %+v", c)
		}
	}
	if !slices.Equal(pcts, []int{60, 30, 10}) {
		t.Errorf("CheckIns newest first = %v, want [60 30 10] (the one on a missing goal must not be stored)", pcts)
	}
	if all[0].Confidence != 4 {
		t.Errorf("newest confidence = %d, want 4", all[0].Confidence)
	}
	for _, tc := range []struct {
		since time.Time
		limit int
		want  []int
	}{
		{t0.Add(48 * time.Hour), 0, []int{60, 30}}, // since is inclusive
		{t0.Add(49 * time.Hour), 0, []int{60}},
		{time.Time{}, 2, []int{60, 30}},
		{t0.Add(100 * time.Hour), 0, nil},
	} {
		cs, err := s.CheckIns(ctx, a.ID, tc.since, tc.limit)
		must(t, "CheckIns", err)
		var got []int
		for _, c := range cs {
			got = append(got, c.Percent)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("CheckIns(since %v, limit %d) = %v, want %v", tc.since, tc.limit, got, tc.want)
		}
	}
	// An explicit time is kept.
	at := t0.Add(-time.Hour)
	_, _, err = s.RecordCheckIn(ctx, plpbot.CheckIn{UserID: b.ID, GoalNumber: 1, Percent: 1, At: at})
	must(t, "RecordCheckIn with At", err)
	cs, err := s.CheckIns(ctx, b.ID, time.Time{}, 0)
	must(t, "CheckIns b", err)
	if len(cs) != 2 {
		t.Fatalf("b has %d check-ins, want 2", len(cs))
	}
	sameTime(t, "explicit At", cs[1].At, at)
}

func TestReflections(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	a := mustUser(t, s, "A", "Ava", "")
	b := mustUser(t, s, "B", "Ben", "")
	for _, text := range []string{"I learned fractions", "$where: 1", "Next: decimals"} {
		clk.Advance(time.Hour)
		r, err := s.AddReflection(ctx, plpbot.Reflection{UserID: a.ID, Text: text, PromptID: "p1", Prompt: "What did you learn?"})
		must(t, "AddReflection", err)
		if r.ID == "" || r.Text != text {
			t.Errorf("AddReflection returned %+v", *r)
		}
		sameTime(t, "reflection At", r.At, clk.Now())
	}
	_, err := s.AddReflection(ctx, plpbot.Reflection{UserID: b.ID, Text: "other"})
	must(t, "AddReflection b", err)

	rs, err := s.Reflections(ctx, a.ID, t0.Add(2*time.Hour), 0)
	must(t, "Reflections", err)
	var got []string
	for _, r := range rs {
		got = append(got, r.Text)
		if r.PromptID != "p1" || r.Prompt != "What did you learn?" {
			t.Errorf("stored reflection = %+v", r)
		}
	}
	if !slices.Equal(got, []string{"Next: decimals", "$where: 1"}) {
		t.Errorf("Reflections since 2h = %q", got)
	}
	rs, err = s.Reflections(ctx, a.ID, time.Time{}, 1)
	must(t, "Reflections limit 1", err)
	if len(rs) != 1 || rs[0].Text != "Next: decimals" {
		t.Errorf("Reflections limit 1 = %+v", rs)
	}
}

func TestFeedbackAndFlags(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	st := mustUser(t, s, "S", "Sam", "")
	other := mustUser(t, s, "O", "Oli", "")
	tch := mustUser(t, s, "T", "Ms. Rivera", plpbot.RoleTeacher)
	mustGoal(t, s, st.ID, "Read more")
	mustGoal(t, s, other.ID, "Run")

	for _, text := range []string{"Great start!", "Try a smaller step"} {
		clk.Advance(time.Hour)
		f, g, err := s.AddFeedback(ctx, plpbot.Feedback{StudentID: st.ID, StaffID: tch.ID, StaffName: tch.Name, GoalNumber: 1, Text: text})
		must(t, "AddFeedback", err)
		if f.ID == "" {
			t.Error("AddFeedback returned no id")
		}
		sameTime(t, "feedback At", f.At, clk.Now())
		if g.Title != "Read more" || len(g.Feedback) == 0 || g.Feedback[len(g.Feedback)-1].Text != text {
			t.Errorf("AddFeedback's goal = %+v, want it as it is now, the feedback on it", g)
		}
	}
	fs, err := s.FeedbackFor(ctx, st.ID, time.Time{}, 0)
	must(t, "FeedbackFor", err)
	if len(fs) != 2 || fs[0].Text != "Try a smaller step" || fs[1].Text != "Great start!" || fs[0].StaffName != "Ms. Rivera" || fs[0].GoalNumber != 1 {
		t.Errorf("FeedbackFor = %+v, want both newest first", fs)
	}
	if fs, err := s.FeedbackFor(ctx, st.ID, t0.Add(90*time.Minute), 0); err != nil || len(fs) != 1 {
		t.Errorf("FeedbackFor since 90m = %d items, %v; want 1", len(fs), err)
	}
	if fs, err := s.FeedbackFor(ctx, other.ID, time.Time{}, 0); err != nil || len(fs) != 0 {
		t.Errorf("FeedbackFor another student = %+v, %v; want none", fs, err)
	}
	_, _, err = s.AddFeedback(ctx, plpbot.Feedback{StudentID: st.ID, StaffID: tch.ID, StaffName: tch.Name, GoalNumber: 9, Text: "nowhere"})
	isNotFound(t, "AddFeedback on a goal they don't have", err)
	if _, err := s.Goal(ctx, st.ID, 9); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("feedback on a goal they don't have made one: %v", err)
	}

	for _, kind := range []string{"iep", "504"} {
		clk.Advance(time.Hour)
		must(t, "AddFlag", s.AddFlag(ctx, plpbot.Flag{StudentID: st.ID, Kind: kind, Note: "on file", ByID: tch.ID}))
	}
	flags, err := s.Flags(ctx, st.ID)
	must(t, "Flags", err)
	if len(flags) != 2 || flags[0].Kind != "504" || flags[1].Kind != "iep" || flags[0].ByID != tch.ID || flags[0].Note != "on file" {
		t.Errorf("Flags = %+v, want 504 then iep", flags)
	}
	if flags, err := s.Flags(ctx, other.ID); err != nil || len(flags) != 0 {
		t.Errorf("Flags of an unflagged student = %+v, %v", flags, err)
	}
}

// TestAddGoalAfterAStaleRecord: a goal added with the student's latest
// goal number known is inserted next in one request; with a number out of
// date (another add since) it still takes a free number, the one after the
// latest, and the student's own record is never written.
func TestAddGoalAfterAStaleRecord(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	a := mustUser(t, s, "UA", "Ana", plpbot.RoleStudent)
	before, err := s.User(ctx, a.ID)
	must(t, "User", err)
	for i, tc := range []struct {
		last, want int
	}{{0, 1}, {1, 2}, {1, 3}, {0, 4}, {4, 5}} {
		g, err := s.AddGoalAfter(ctx, plpbot.Goal{UserID: a.ID, Title: "Goal"}, tc.last)
		must(t, "AddGoalAfter", err)
		if g.Number != tc.want || g.ID != plpbot.GoalID(a.ID, tc.want) {
			t.Errorf("add %d after %d: number %d (%s), want %d", i, tc.last, g.Number, g.ID, tc.want)
		}
	}
	latest, err := s.LatestGoal(ctx, a.ID)
	if err != nil || latest.Number != 5 {
		t.Errorf("LatestGoal = %+v, %v; want number 5", latest, err)
	}
	var raw bson.M
	must(t, "raw user", storagetest.Collection(t, s, "users").FindOne(ctx, bson.D{{Key: "_id", Value: a.ID}}).Decode(&raw))
	for _, k := range []string{"goal_seq", "gs", "last_checkin"} {
		if v, ok := raw[k]; ok {
			t.Errorf("user record has %s = %v: goals are numbered and summed up from the goals alone", k, v)
		}
	}
	if after, _ := s.User(ctx, a.ID); !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("user record updated at %v by goal adds, was %v", after.UpdatedAt, before.UpdatedAt)
	}
}
