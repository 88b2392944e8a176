package handlers

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/chart"
	"github.com/plpbot/plpbot/storage"
)

// SignInLinkTTL is how long a /plp dashboard link works: long enough to
// open it from a phone, short enough that a link seen over a shoulder or
// left in a chat history is soon worth nothing. A link also works once.
const SignInLinkTTL = 10 * time.Minute

// cmdDashboard answers, privately, with a one-time sign-in link to the
// dashboard for the person who asked. The link's token is kept only as a
// hash; expired links (and sessions) are swept as a new one is made, so
// the collection never grows without end.
func (h *Handlers) cmdDashboard(ctx context.Context, c *call) ([]bot.Message, error) {
	if h.dashboardURL == "" {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: "The dashboard isn't switched on in this school yet.",
			Hint:    "Ask your plpbot admin to set `http.public_url` in its config."}
	}
	now := h.now()
	if n, err := h.store.SweepSignIns(ctx, now); err != nil {
		h.log.WarnContext(ctx, "sweep sign-in links", slog.Any("err", err))
	} else if n > 0 {
		h.log.DebugContext(ctx, "swept sign-in links and sessions", slog.Int64("n", n))
	}
	token := rand.Text()
	if err := h.store.AddSignIn(ctx, token, c.Actor.ID, now.Add(SignInLinkTTL)); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	return []bot.Message{reply("Your dashboard 📊",
		bot.Text{Text: "Open this link to see " + dashboardWhat(c.Actor) + " in your browser:"},
		bot.Text{Text: h.SignInURL(token)},
		bot.Context{Text: "It works once, for the next 10 minutes, and only for you — please don't share it. Need a new one? `/plp dashboard`"},
	)}, nil
}

// dashboardWhat says what u finds on the dashboard.
func dashboardWhat(u *plpbot.Person) string {
	if u.Role.IsStaff() {
		return "your classes, who needs attention and each student's plan"
	}
	return "your plan, your goals' progress and your conferences"
}

// SignInURL is the dashboard address that signs in with token.
func (h *Handlers) SignInURL(token string) string { return h.dashboardURL + "signin?t=" + token }

// The small API the dashboard (bot/web) uses, so that it asks the access
// policy the way chat does, writes the same audit entries and draws the same
// charts, without rules of its own.

// Now is the handlers' clock (the console's may run ahead of the real one).
func (h *Handlers) Now() time.Time { return h.now() }

// Location is the time zone times are shown in for u.
func (h *Handlers) Location(u *plpbot.Person) *time.Location { return h.loc(u) }

// NotesVisibleToStudents reports whether students may read the notes of
// their own past conferences (conferences.notes_visible_to_students).
func (h *Handlers) NotesVisibleToStudents() bool { return h.notesToStudents }

// Ties says how staff serves student now, for the access policy
// (plpbot.CanViewPlan, CanSeeFlags, CanActFor), as chat commands ask it.
func (h *Handlers) Ties(ctx context.Context, staff, student *plpbot.Person) (plpbot.Ties, error) {
	return h.tiesOf(ctx, staff, student)
}

// CanOpenClass reports whether actor may open class c (its roster, its
// students' figures), as /plp roster decides: an admin of the class's
// workspace, or a teacher of the class (plpbot.CanManageClass).
func (h *Handlers) CanOpenClass(ctx context.Context, actor *plpbot.Person, c *plpbot.Class) (bool, error) {
	if actor.Platform != c.Platform || actor.Workspace != c.Workspace || !actor.Role.IsStaff() {
		return false, nil
	}
	teaches := false
	if actor.Role != plpbot.RoleAdmin {
		var err error
		if teaches, err = h.store.IsMember(ctx, c.ID, actor.ID, plpbot.MemberTeacher); err != nil {
			return false, fmt.Errorf("check class: %w", err)
		}
	}
	return plpbot.CanManageClass(actor, teaches), nil
}

// AuditReads records, in one write, that actor read the records of each of
// subjects with action ("view_plan", "roster"); a person's reads of their
// own records are not recorded. As in chat, a failure must refuse the read.
func (h *Handlers) AuditReads(ctx context.Context, actor *plpbot.Person, action, detail string, subjects ...string) error {
	list := make([]auditSubject, len(subjects))
	for i, id := range subjects {
		list[i] = auditSubject{id: id, detail: detail}
	}
	return h.auditMany(ctx, actor, action, list)
}

// ClassChartSince is how far back the check-ins of ClassChartOf must go for
// class c with goals at now.
func (h *Handlers) ClassChartSince(c *plpbot.Class, goals []plpbot.Goal, now time.Time) time.Time {
	since, _ := classChartSpan(c, goals, now)
	return since
}

// ClassChartOf draws class c's weeks, as the weekly class summary does, from
// check-ins already read (oldest first, back to ClassChartSince or further;
// other students' are left out).
func (h *Handlers) ClassChartOf(c *plpbot.Class, rows []plpbot.RosterRow, goals []plpbot.Goal, checkIns []plpbot.CheckIn, now time.Time) chart.Weekly {
	_, weeks := classChartSpan(c, goals, now)
	return chart.Weekly{Title: c.Name, Weeks: weeklyFigures(rows, goals, checkIns, now, weeks, h.minClassSize, h.classZone(c))}
}

// GoalChart is goal g's check-ins over time (those of checkIns that are
// g's), dated in loc, as /plp goal show draws it.
func (h *Handlers) GoalChart(g *plpbot.Goal, checkIns []plpbot.CheckIn, loc *time.Location) chart.Line {
	return goalLine(g, checkIns, loc)
}

// PlanCard is u's progress card, as /plp plan draws it: each active goal
// of goals, u's streak and next conference, times in loc.
func (h *Handlers) PlanCard(ctx context.Context, u *plpbot.Person, goals []plpbot.Goal, loc *time.Location) (chart.ProgressCard, error) {
	streak, err := h.streakOf(ctx, u)
	if err != nil {
		return chart.ProgressCard{}, fmt.Errorf("plan card: %w", err)
	}
	conf, err := h.nextConference(ctx, u.ID, h.now())
	if err != nil {
		return chart.ProgressCard{}, fmt.Errorf("plan card: %w", err)
	}
	return progressCard(u, activeGoals(goals), streak, conf, loc), nil
}

// Caseload returns the students on counselor u's caseload now (its rules
// evaluated at this moment); nobody for anyone else.
func (h *Handlers) Caseload(ctx context.Context, u *plpbot.Person) ([]plpbot.Person, error) {
	return h.caseloadPeople(ctx, u)
}

// PastNotes lists a student's last n done conferences that have notes,
// newest first, as the staff view of a student shows them.
func (h *Handlers) PastNotes(ctx context.Context, studentID string, n int) ([]plpbot.Conference, error) {
	return h.pastNotes(ctx, storage.ConferenceQuery{StudentID: studentID}, n)
}
