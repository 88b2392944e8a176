package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// goals loads name's goals from the store.
func (e *env) goals(name string) []plpbot.Goal {
	e.t.Helper()
	gs, err := e.store.Goals(context.Background(), e.user(name).ID)
	if err != nil {
		e.t.Fatalf("load goals: %v", err)
	}
	return gs
}

func TestGoalAdd(t *testing.T) {
	e := newEnv(t)
	out := e.ok("sam", "goal add Read three novels by:2027-05-30 why:I want to enjoy reading again")
	mustContain(t, out, "Goal 1 added: Read three novels", "Category: academic", "Target date: Sun 30 May 2027",
		"Why: I want to enjoy reading again", "/plp step add 1")
	out = e.ok("sam", `goal add <!channel> {"$gt":""} @everyone category:career`)
	mustContain(t, out, `Goal 2 added: <!channel> {"$gt":""} @everyone`, "Category: career")
	out = e.ok("sam", "goal add Finish today by:2026-11-25")
	mustContain(t, out, "Goal 3 added")

	bad := []struct {
		line string
		want string
	}{
		{"goal add Time travel by:2026-11-24", "in the past"},
		{"goal add Too late by:2020-01-01", "in the past"},
		{"goal add Long " + strings.Repeat("x", 200), "limit is 200"},
		{"goal add Real date by:2027-02-30", "doesn't exist"},
		{"goal add Weird category:fun", "fun"},
	}
	for _, tt := range bad {
		t.Run(tt.line[:min(len(tt.line), 40)], func(t *testing.T) {
			mustContain(t, e.fails("sam", tt.line, bot.EInvalid), tt.want)
		})
	}
	gs := e.goals("sam")
	if len(gs) != 3 {
		t.Fatalf("want 3 goals stored (refused ones not), got %d", len(gs))
	}
	if g := gs[1]; g.Title != `<!channel> {"$gt":""} @everyone` || g.Category != "career" || g.Status != plpbot.GoalActive {
		t.Errorf("goal 2 stored wrong: %+v", g)
	}
	if gs[0].Category != "academic" {
		t.Errorf("default category: got %q", gs[0].Category)
	}
}

func TestGoalLifecycle(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("sam", "goal add Read three novels")
	e.ok("sam", "goal add Run a 5k category:personal")

	steps := []struct {
		who, line string
		code      bot.Code // "" = succeeds
		want      string
	}{
		{"sam", "goal pause 2", "", "Paused Run a 5k at 0%"},
		{"sam", "goal pause 2", bot.EConflict, "already paused"},
		{"sam", "goal done 2", bot.EConflict, "Resume it first"},
		{"sam", "checkin 2 50%", bot.EInvalid, "/plp goal resume 2"},
		{"sam", "goal resume 2", "", "active again"},
		{"sam", "goal resume 2", bot.EConflict, "already active"},
		{"sam", "goal drop 2", "", "Dropped Run a 5k"},
		{"sam", "checkin 2 50%", bot.EInvalid, "was dropped"},
		{"sam", "goal resume 2", "", "Welcome back to Run a 5k"},
		{"sam", "goal done 1", "", "🎉 You did it — Read three novels is done!"},
		{"sam", "goal done 1", bot.EConflict, "already done"},
		{"sam", "goal drop 1", bot.EConflict, "already done"},
		{"sam", "checkin 1 50%", bot.EInvalid, "already done"},
		{"sam", "goal done 9", bot.ENotFound, "You don't have a goal 9"},
		// Goal numbers are per student: alex's goal 1 is not sam's.
		{"alex", "goal done 1", bot.ENotFound, "You don't have a goal 1"},
		{"alex", "goal drop 2", bot.ENotFound, "You don't have a goal 2"},
		{"ms-lee", "goal done 1", bot.ENotFound, "You don't have a goal 1"},
	}
	for _, s := range steps {
		if s.code == "" {
			mustContain(t, e.ok(s.who, s.line), s.want)
		} else {
			mustContain(t, e.fails(s.who, s.line, s.code), s.want)
		}
	}
	gs := e.goals("sam")
	if gs[0].Status != plpbot.GoalDone || gs[0].Progress != 100 || gs[1].Status != plpbot.GoalActive {
		t.Errorf("final statuses wrong: %s %d%%, %s", gs[0].Status, gs[0].Progress, gs[1].Status)
	}
	if n, err := e.store.CheckIns(context.Background(), e.user("sam").ID, e.now.AddDate(-1, 0, 0), 0); err != nil || len(n) != 0 {
		t.Errorf("refused check-ins were stored: %v %d", err, len(n))
	}
	list := e.ok("sam", "goal list")
	mustContain(t, list, "2. Run a 5k ▱▱▱▱▱▱▱▱▱▱ 0%", "Done", "1. Read three novels", "/plp checkin 2 40%")
}

func TestGoalEdit(t *testing.T) {
	e := newEnv(t)
	e.ok("sam", "goal add Read three novels")
	out := e.ok("sam", "goal edit 1 title:Read four novels why:I'm on a roll tag:RL.9-10.1 by:2027-06-15")
	mustContain(t, out, "Updated goal 1, Read four novels", "Title: Read four novels", "Why: I'm on a roll", "Tag: RL.9-10.1", "Target date: Tue 15 Jun 2027")
	mustContain(t, e.fails("sam", "goal edit 1", bot.EInvalid), "Tell me what to change", "/plp goal edit 1 by:")
	mustContain(t, e.fails("sam", "goal edit 1 by:2025-01-01 title:Oops", bot.EInvalid), "in the past")
	e.fails("sam", "goal edit 4 title:Nope", bot.ENotFound)
	g := e.goals("sam")[0]
	if g.Title != "Read four novels" || g.Tag != "RL.9-10.1" || g.TargetDate.Format("2006-01-02") != "2027-06-15" {
		t.Errorf("edit stored wrong: %+v", g)
	}
}

func TestSteps(t *testing.T) {
	e := newEnv(t)
	e.ok("sam", "goal add Read three novels")
	e.fails("sam", "step done 1.1", bot.ENotFound)
	mustContain(t, e.ok("sam", "step add 1 Finish Beloved"), "Step 1.1 added to Read three novels: Finish Beloved", "/plp step done 1.1")
	mustContain(t, e.ok("sam", "step add 1 Start <!here> Dune"), "Step 1.2 added", "1.2 ○ Start <!here> Dune")
	e.fails("sam", "step add 7 Nothing", bot.ENotFound)

	out := e.fails("sam", "step done 1.5", bot.ENotFound)
	mustContain(t, out, "has no step 1.5", "1.1 ○ Finish Beloved", "1.2 ○ Start <!here> Dune")

	msgs, err := e.run("sam", "step done 1.1")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, plain(msgs), "Checked off step 1.1: Finish Beloved. Next step: Start <!here> Dune.")
	if b := msgs[0].Buttons; len(b) != 2 || b[1].Command != "step done 1.2" {
		t.Errorf("want a Mark step done 1.2 button, got %+v", b)
	}
	mustContain(t, e.fails("sam", "step done 1.1", bot.EConflict), "already checked off")
	mustContain(t, e.ok("sam", "step done 1.2"), "last step of Read three novels", "/plp checkin 1 100%")
	mustContain(t, e.fails("alex", "step done 1.1", bot.ENotFound), "You don't have a goal 1")
	if g := e.goals("sam")[0]; !g.Steps[0].Done || !g.Steps[1].Done {
		t.Errorf("steps not stored done: %+v", g.Steps)
	}
}

// TestRepeatsAreNotAddedTwice: the same goal or conference sent twice in a
// moment (a double tap, a resent DM) is added once.
func TestRepeatsAreNotAddedTwice(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels")
	mustContain(t, e.ok("sam", "goal add read three  novels"), "a moment ago", "goal 1")
	e.now = e.now.Add(plpbot.RepeatWindow)
	mustContain(t, e.ok("sam", "goal add Read three novels"), "Goal 2 added")
	gs, err := e.store.Goals(context.Background(), e.user("sam").ID)
	if err != nil || len(gs) != 2 {
		t.Errorf("goals = %d, %v; want 2", len(gs), err)
	}
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30")
	mustContain(t, e.fails("ms-lee", "conference @sam 2026-12-01 10:30", bot.EConflict), "already has conference #1")
}
