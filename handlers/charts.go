package handlers

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot/chart"
)

// termWeeks is how many weeks a class chart covers at most: about a term.
const termWeeks = 12

// progressCard is the picture /plp plan carries: each active goal's bar,
// the streak and the next conference, times in loc.
func progressCard(u *plpbot.Person, active []plpbot.Goal, streak int, conf *plpbot.Conference, loc *time.Location) chart.ProgressCard {
	card := chart.ProgressCard{Name: u.Name, Streak: cardStreak(streak)}
	for _, g := range active {
		card.Goals = append(card.Goals, chart.GoalBar{Title: g.Title, Category: g.Category, Percent: g.Progress})
	}
	if conf != nil {
		card.NextConference = formatWhen(conf.At, loc) + " with " + conf.TeacherName
	}
	return card
}

// cardStreak says a streak in the few words a card has room for, never
// shaming a zero.
func cardStreak(n int) string {
	switch n {
	case 0:
		return "Check in this week to start one"
	case 1:
		return "1 week"
	}
	return strconv.Itoa(n) + " weeks"
}

// goalLine is one goal's check-ins over time, dated in loc. checkIns may be
// any student's: only those of goal g are drawn.
func goalLine(g *plpbot.Goal, checkIns []plpbot.CheckIn, loc *time.Location) chart.Line {
	l := chart.Line{Title: g.Title, Category: g.Category}
	for _, c := range checkIns {
		if c.GoalNumber == g.Number {
			l.Points = append(l.Points, chart.Point{At: c.At.In(loc), Value: float64(c.Percent)})
		}
	}
	return l
}

// classChart reads a class's check-ins (one class-wide query) and draws its
// term week by week: how many of its students checked in and their average
// progress. Call it only for a class that shows figures
// (plpbot.SummaryShowsFigures).
func (h *Handlers) classChart(ctx context.Context, c *plpbot.Class, rows []plpbot.RosterRow, goals []plpbot.Goal, now time.Time) (chart.Weekly, error) {
	weeks := classWeeks(c, now)
	first := now.Add(-time.Duration(weeks) * plpbot.Week)
	since := first
	for i := range goals {
		if g := &goals[i]; countsFrom(g, first) && g.CreatedAt.Before(since) {
			since = g.CreatedAt // its check-ins before the first week set where its line starts
		}
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].UserID
	}
	checkIns, err := h.store.CheckInsOf(ctx, ids, since)
	if err != nil {
		return chart.Weekly{}, fmt.Errorf("class chart: %w", err)
	}
	loc := h.zone
	if l, err := time.LoadLocation(c.TimeZone); c.TimeZone != "" && err == nil {
		loc = l
	}
	return chart.Weekly{Title: c.Name, Weeks: weeklyFigures(rows, goals, checkIns, now, weeks, h.minClassSize, loc)}, nil
}

// classWeeks is how many weeks a class's chart shows: those since the
// class was made, at least one and at most termWeeks.
func classWeeks(c *plpbot.Class, now time.Time) int {
	if c.CreatedAt.IsZero() {
		return termWeeks
	}
	n := int((now.Sub(c.CreatedAt) + plpbot.Week - 1) / plpbot.Week)
	return min(max(n, 1), termWeeks)
}

// countsFrom reports whether goal g counts towards class progress at some
// time after t: it is active, or it was done after t. (Paused and dropped
// goals don't count, as in plpbot.ClassProgress.)
func countsFrom(g *plpbot.Goal, t time.Time) bool {
	return g.Status == plpbot.GoalActive || g.Status == plpbot.GoalDone && g.DoneAt.After(t)
}

// goalKey is a student's goal number.
type goalKey struct {
	user string
	n    int
}

// weeklyFigures are a class's weeks, oldest first, each the Week (seven
// days, as plpbot.CheckedInThisWeek counts) ending n-1, n-2, … 0 weeks
// before now. Participation is the share of the class's students who
// checked in that week. Progress is the class progress at the week's end
// (plpbot.ClassProgress's rule: each student's mean over the goals that
// counted then, a goal at its latest check-in), shown only when enough
// students had goals (plpbot.SummaryShowsFigures), so no week's average is
// one student's figure. checkIns are oldest first.
func weeklyFigures(rows []plpbot.RosterRow, goals []plpbot.Goal, checkIns []plpbot.CheckIn, now time.Time, n, minSize int, loc *time.Location) []chart.Week {
	inClass := make(map[string]bool, len(rows))
	for _, r := range rows {
		inClass[r.UserID] = true
	}
	byGoal := map[goalKey][]plpbot.CheckIn{}
	for _, c := range checkIns {
		if inClass[c.UserID] {
			k := goalKey{c.UserID, c.GoalNumber}
			byGoal[k] = append(byGoal[k], c)
		}
	}
	out := make([]chart.Week, n)
	for i := range out {
		end := now.Add(-time.Duration(n-1-i) * plpbot.Week)
		start := end.Add(-plpbot.Week)
		who := map[string]bool{}
		for _, c := range checkIns {
			if inClass[c.UserID] && c.At.After(start) && !c.At.After(end) {
				who[c.UserID] = true
			}
		}
		w := chart.Week{Start: start.In(loc), Progress: chart.NoFigure}
		if len(rows) > 0 {
			w.Participation = len(who) * 100 / len(rows)
		}
		if pct, students := progressAt(goals, byGoal, inClass, end, !end.Before(now)); plpbot.SummaryShowsFigures(students, minSize) {
			w.Progress = pct
		}
		out[i] = w
	}
	return out
}

// progressAt is the class progress at t and how many students it averages.
// A goal counts if it existed at t and was active then (as far as its
// status tells) and stands at its latest check-in by t; at the present
// (latest) an active goal stands at its progress, as the roster shows it.
func progressAt(goals []plpbot.Goal, byGoal map[goalKey][]plpbot.CheckIn, inClass map[string]bool, t time.Time, latest bool) (pct, students int) {
	type tally struct{ sum, n int }
	per := map[string]tally{}
	for i := range goals {
		g := &goals[i]
		if !inClass[g.UserID] || g.CreatedAt.After(t) || !countsFrom(g, t) {
			continue
		}
		p := 0
		if latest && g.Status == plpbot.GoalActive {
			p = g.Progress
		} else {
			for _, c := range byGoal[goalKey{g.UserID, g.Number}] {
				if c.At.After(t) {
					break
				}
				p = c.Percent
			}
		}
		tl := per[g.UserID]
		per[g.UserID] = tally{tl.sum + p, tl.n + 1}
	}
	sum := 0
	for _, tl := range per {
		sum += tl.sum / tl.n
	}
	if len(per) == 0 {
		return 0, 0
	}
	return sum / len(per), len(per)
}
