package handlers_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/chart"
)

// drawsPNG fails unless c draws a PNG that decodes.
func drawsPNG(t *testing.T, c bot.Chart) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.PNG(&buf); err != nil {
		t.Fatalf("PNG: %v", err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatalf("the chart's PNG doesn't decode: %v", err)
	}
}

// TestPlanCarriesAProgressCard: /plp plan carries a progress card of the
// active goals (each in its category), the streak and the next conference,
// with alt text saying the same; a plan without active goals has none.
func TestPlanCarriesAProgressCard(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam")
	e.ok("sam", "goal add Read three novels category:academic")
	e.ok("sam", "goal add Run a 5k category:personal")
	e.ok("sam", "goal add Old idea")
	e.ok("sam", "goal pause 3")
	e.ok("sam", "checkin 1 40%")
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30 goals check")

	msgs, err := e.run("sam", "plan")
	if err != nil {
		t.Fatal(err)
	}
	card, ok := msgs[0].Chart.(chart.ProgressCard)
	if !ok {
		t.Fatalf("the plan carries %T, want a chart.ProgressCard", msgs[0].Chart)
	}
	want := []chart.GoalBar{{Title: "Read three novels", Category: "academic", Percent: 40}, {Title: "Run a 5k", Category: "personal"}}
	if len(card.Goals) != len(want) || card.Goals[0] != want[0] || card.Goals[1] != want[1] {
		t.Errorf("card goals %+v, want %+v (active only)", card.Goals, want)
	}
	mustContain(t, card.Alt(), "sam's progress: Read three novels (academic) 40%; Run a 5k (personal) 0%.",
		"Check-in streak: 1 week.", "Next conference: Tue 1 Dec 2026, 10:30 UTC with ms-lee.")
	drawsPNG(t, card)

	e.ok("alex", "goal add Learn chords")
	e.ok("alex", "goal pause 1")
	if msgs, err := e.run("alex", "plan"); err != nil || msgs[0].Chart != nil {
		t.Errorf("a plan without active goals carries %v (%v), want no card", msgs[0].Chart, err)
	}
}

// TestGoalShow: /plp goal show N shows one goal with a line chart of its
// check-ins, the latest check-ins, its steps and its feedback; a student
// can't see another student's goal, staff see their students' (audited).
func TestGoalShow(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	e.ok("sam", "goal add Read three novels category:academic")
	e.ok("sam", "goal add Run a 5k")
	e.ok("sam", "checkin 1 10% started Beloved")
	e.ok("sam", "checkin 2 50%")
	e.now = e.now.Add(7 * 24 * time.Hour)
	e.ok("sam", "checkin 1 40% confidence:4")
	e.ok("sam", "step add 1 Finish Beloved")
	e.ok("ms-lee", "feedback @sam 1 Great pace")

	msgs, err := e.run("sam", "goal show 1")
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	mustContain(t, m.PlainText(), "Goal 1: Read three novels", "Status: Active", "Category: academic",
		"Wed 2 Dec · 40% · confidence 4/5", "Wed 25 Nov · 10% · started Beloved", "1.1 ○ Finish Beloved",
		"ms-lee: Great pace", "`/plp checkin 1 PCT%`")
	mustNotContain(t, m.PlainText(), "50%")
	line, ok := m.Chart.(chart.Line)
	if !ok {
		t.Fatalf("goal show carries %T, want a chart.Line", m.Chart)
	}
	if len(line.Points) != 2 || line.Category != "academic" {
		t.Errorf("line %+v, want goal 1's two check-ins", line)
	}
	if got, want := line.Alt(), "Read three novels: 40% on 2 Dec, up from 10% on 25 Nov (2 check-ins)."; got != want {
		t.Errorf("alt %q, want %q", got, want)
	}
	drawsPNG(t, line)

	mustContain(t, e.fails("sam", "goal show 7", bot.ENotFound), "You don't have a goal 7.")
	refused := e.fails("alex", "goal show 1 @sam", bot.EForbidden)
	mustNotContain(t, refused, "Read three novels")
	if msgs, err := e.run("sam", "goal show 1 @sam"); err != nil || !strings.Contains(msgs[0].PlainText(), "Goal 1:") {
		t.Errorf("naming oneself: %v", err)
	}

	staff := e.ok("ms-lee", "goal show 1 @sam")
	mustContain(t, staff, "sam's goal 1: Read three novels", "`/plp feedback @sam 1 TEXT`")
	mustContain(t, e.ok("admin", "audit @sam"), "ms-lee · read the plan: goal 1")
	e.ok("admin", "role @mr-ode teacher")
	e.fails("mr-ode", "goal show 1 @sam", bot.EForbidden)
}

// TestClassSummaryChart: the weekly class summary carries the class's
// participation and average progress week by week since the class began;
// the latest week agrees with the summary's own figures.
func TestClassSummaryChart(t *testing.T) {
	e := newEnv(t)
	students := []string{"ana", "ben", "cy", "dee", "eve"}
	e.setupClass(students...)
	for _, s := range students {
		e.ok(s, "goal add Read more category:academic")
	}
	// Week 1: ana and ben check in; week 3: everyone; ben at 80%.
	e.now = e.now.Add(24 * time.Hour)
	e.ok("ana", "checkin 1 20%")
	e.ok("ben", "checkin 1 40%")
	e.now = e.now.Add(14 * 24 * time.Hour)
	for _, s := range students {
		e.ok(s, "checkin 1 50%")
	}
	e.ok("ben", "checkin 1 80%")
	e.now = e.now.Add(2 * 24 * time.Hour)

	m := e.summary("Period 3")
	wk, ok := m.Chart.(chart.Weekly)
	if !ok {
		t.Fatalf("the summary carries %T, want a chart.Weekly", m.Chart)
	}
	if len(wk.Weeks) != 3 || wk.Title != "Period 3" {
		t.Fatalf("weeks %+v, want the 3 since the class began", wk.Weeks)
	}
	got := [][2]int{}
	for _, w := range wk.Weeks {
		got = append(got, [2]int{w.Participation, w.Progress})
	}
	// Progress: week 1 (20+40+0+0+0)/5 = 12; week 2 the same; week 3
	// (50+80+50+50+50)/5 = 56.
	want := [][2]int{{40, 12}, {0, 12}, {100, 56}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("weeks (participation, progress) = %v, want %v", got, want)
			break
		}
	}
	mustContain(t, m.PlainText(), "Checked in: 5 of 5 students (100%)", "Class progress ▰▰▰▰▰▰▱▱▱▱ 56%")
	drawsPNG(t, wk)
}

// TestSmallClassSummaryHasNoChart: below summaries.min_class_size the
// summary carries no chart, as it shows no figures.
func TestSmallClassSummaryHasNoChart(t *testing.T) {
	e := newEnv(t)
	e.setupClass("ana", "ben")
	e.ok("ana", "goal add Read more")
	e.ok("ana", "checkin 1 30%")
	if m := e.summary("Period 3"); m.Chart != nil {
		t.Errorf("a class of two carries a chart: %s", m.Chart.Alt())
	}
}

// TestClassChartHidesProgressOfTooFewStudents: a week's average progress is
// left out when fewer students than the minimum had goals then, so it is
// never one student's figure, while participation still shows.
func TestClassChartHidesProgressOfTooFewStudents(t *testing.T) {
	e := newEnv(t)
	students := []string{"ana", "ben", "cy", "dee", "eve"}
	e.setupClass(students...)
	e.ok("ana", "goal add Read more")
	e.ok("ana", "checkin 1 70%")
	wk := e.summary("Period 3").Chart.(chart.Weekly)
	last := wk.Weeks[len(wk.Weeks)-1]
	if last.Progress != chart.NoFigure || last.Participation != 20 {
		t.Errorf("latest week %+v, want 20%% participation and no progress figure", last)
	}
	mustNotContain(t, wk.Alt(), "70%", "progress")
}

// summary composes the weekly summary of the class named name, as the
// scheduler does, for the week ending now.
func (e *env) summary(name string) bot.Message {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.store.ClassByName(ctx, string(bot.Console), "", name)
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := e.h.ClassSummary(ctx, c, e.now.Add(-plpbot.Week), e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}
