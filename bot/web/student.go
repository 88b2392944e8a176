package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Limits of the student page.
const (
	maxReflections = 50
	maxFeedback    = 100
	maxPastNotes   = 10
	// goalCheckIns is how many of a goal's latest check-ins are listed
	// under its chart (the chart draws them all).
	goalCheckIns = 5
)

// studentView is a student's plan as the viewer may see it.
type studentView struct {
	Name      string
	Own       bool
	Away      string
	Card      template.HTML
	Profile   []bot.Field
	Attention []string // staff only
	Goals     []goalView
	Finished  []goalView
	Refls     []entry
	Feedback  []entry
	ShowFlags bool
	Flags     []entry
	Upcoming  []confView
	Past      []confView
	NotesNote string // why past notes are missing, for a student
	Form      *feedbackForm
}

// goalView is one goal with its chart, steps, latest check-ins and
// feedback.
type goalView struct {
	Number   int
	Title    string
	Category string
	Status   string
	Why      string
	Due      string
	Overdue  bool
	Progress int
	Steps    []stepView
	Chart    template.HTML
	CheckIns []string
	Feedback []entry
}

// stepView is one step of a goal.
type stepView struct {
	Text string
	Done bool
}

// entry is one dated item: a reflection, a feedback comment, a flag.
type entry struct {
	When  string
	Who   string
	About string
	Text  string
}

// confView is a conference: when, with whom, its agenda and notes.
type confView struct {
	Number int
	When   string
	With   string
	Agenda []string
	Notes  string
}

// feedbackForm is the staff form that comments on a goal.
type feedbackForm struct {
	Action string
	Goals  []goalOption
	Text   string
	MaxLen int
	Error  template.HTML
	Sent   string
}

// goalOption is one goal in the form's list.
type goalOption struct {
	Number   int
	Label    string
	Selected bool
}

// serveStudent is a student's page: their own, or, for staff the access
// policy allows (plpbot.CanViewPlan), theirs, audited as view_plan.
func (s *Server) serveStudent(w http.ResponseWriter, r *http.Request, v *visit) error {
	st, err := s.studentFor(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	sv, err := s.studentView(r.Context(), v, st)
	if err != nil {
		return err
	}
	if sv.Form != nil {
		sv.Form.Sent = sentNote(r, st)
	}
	nav, title := "home", st.Name
	if sv.Own {
		title = "My plan"
	}
	s.renderFor(w, r, v, http.StatusOK, "student", nav, title, sv)
	return nil
}

// studentFor finds student id and checks that v's person may see their
// plan, as chat does: someone unknown gets the same refusal as a student
// out of reach, so the refusal reveals nothing; staff refused are audited
// (refused:student), and a view by staff is audited (view_plan) before
// anything of the plan is read.
func (s *Server) studentFor(ctx context.Context, v *visit, id string) (*plpbot.Person, error) {
	u := v.person
	if id == u.ID {
		return u, nil
	}
	st, err := s.store.User(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("student: %w", err)
	}
	allowed := false
	if st != nil {
		ties, err := s.h.Ties(ctx, u, st)
		if err != nil {
			return nil, err
		}
		allowed = plpbot.CanViewPlan(u, st, ties)
	}
	if !allowed {
		if st != nil && u.Role.IsStaff() {
			if err := s.h.AuditReads(ctx, u, "refused:student", "dashboard", st.ID); err != nil {
				return nil, err
			}
		}
		return nil, planForbidden(u)
	}
	if err := s.h.AuditReads(ctx, u, "view_plan", "dashboard", st.ID); err != nil {
		return nil, err
	}
	return st, nil
}

// planForbidden is the refusal of a plan the viewer may not see.
func planForbidden(u *plpbot.Person) *bot.UserError {
	if !u.Role.IsStaff() {
		return &bot.UserError{Code: bot.EForbidden, Message: "Plans are private: you can only see your own.",
			Hint: "Your plan is on your dashboard's home page."}
	}
	return &bot.UserError{Code: bot.EForbidden, Message: "That student isn't in any of your classes, so their plan is private to you.",
		Hint: "If they're your student, add them to your class in chat with `/plp class add`, then reload this page."}
}

// studentView reads student st's plan for v's person: everything their
// own view shows, plus, for staff, what needs attention, flags (where
// plpbot.CanSeeFlags allows) and the feedback form (plpbot.CanActFor).
// Access has been checked (studentFor).
func (s *Server) studentView(ctx context.Context, v *visit, st *plpbot.Person) (*studentView, error) {
	u, now := v.person, s.h.Now()
	loc := s.h.Location(u)
	sv := &studentView{Name: st.Name, Own: st.ID == u.ID, Profile: profileFields(st.Profile)}
	if st.Away(now) {
		sv.Away = "Away until " + st.AwayUntil.In(loc).Format("Mon 2 Jan")
		if st.AwayNote != "" {
			sv.Away += ": " + st.AwayNote
		}
	}
	d, err := s.loadPlan(ctx, st)
	if err != nil {
		return nil, err
	}
	card, err := s.h.PlanCard(ctx, st, d.goals, loc)
	if err != nil {
		return nil, err
	}
	if sv.Card, err = svgOf(card); err != nil {
		return nil, err
	}
	if err := s.goalViews(sv, d, loc, now); err != nil {
		return nil, err
	}
	sv.Refls = reflectionEntries(d.refls, loc)
	ties, err := s.h.Ties(ctx, u, st)
	if err != nil {
		return nil, err
	}
	if !sv.Own && u.Role.IsStaff() {
		var latest *plpbot.CheckIn
		if len(d.checkIns) > 0 {
			latest = &d.checkIns[0]
		}
		for _, a := range plpbot.NeedsAttention(st, d.goals, latest, now) {
			sv.Attention = append(sv.Attention, a.String())
		}
	}
	if plpbot.CanSeeFlags(u, st, ties) {
		sv.ShowFlags = true
		if sv.Flags, err = s.flagEntries(ctx, st, loc); err != nil {
			return nil, err
		}
	}
	if err := s.conferences(ctx, sv, st, loc, now); err != nil {
		return nil, err
	}
	if plpbot.CanActFor(u, st, ties) {
		sv.Form = newFeedbackForm(st, d.goals)
	}
	return sv, nil
}

// planData is what a student page reads of a plan.
type planData struct {
	goals    []plpbot.Goal
	checkIns []plpbot.CheckIn // newest first
	refls    []plpbot.Reflection
	feedback []plpbot.Feedback
}

// loadPlan reads st's goals, every check-in (the charts draw them all),
// and their latest reflections and feedback.
func (s *Server) loadPlan(ctx context.Context, st *plpbot.Person) (*planData, error) {
	d := &planData{}
	var err error
	if d.goals, err = s.store.Goals(ctx, st.ID); err != nil {
		return nil, fmt.Errorf("student: %w", err)
	}
	if d.checkIns, err = s.store.CheckIns(ctx, st.ID, time.Time{}, 0); err != nil {
		return nil, fmt.Errorf("student: %w", err)
	}
	if d.refls, err = s.store.Reflections(ctx, st.ID, time.Time{}, maxReflections); err != nil {
		return nil, fmt.Errorf("student: %w", err)
	}
	d.feedback = plpbot.FeedbackOn(d.goals, time.Time{}, maxFeedback) // kept on the goals
	return d, nil
}

// goalViews fills the active and paused goals (with charts) and the
// finished ones of sv.
func (s *Server) goalViews(sv *studentView, d *planData, loc *time.Location, now time.Time) error {
	for i := range d.goals {
		g := &d.goals[i]
		gv := goalView{Number: g.Number, Title: g.Title, Category: g.Category, Status: string(g.Status), Why: g.Why, Progress: g.Progress,
			Overdue: g.Overdue(now)}
		if !g.TargetDate.IsZero() {
			gv.Due = g.TargetDate.UTC().Format("Mon 2 Jan 2006")
		}
		for _, st := range g.Steps {
			gv.Steps = append(gv.Steps, stepView{Text: st.Text, Done: st.Done})
		}
		for _, f := range d.feedback {
			if f.GoalNumber == g.Number {
				gv.Feedback = append(gv.Feedback, entry{When: f.At.In(loc).Format("Mon 2 Jan 2006"), Who: f.StaffName, Text: f.Text})
			}
		}
		if g.Status == plpbot.GoalDone || g.Status == plpbot.GoalDropped {
			sv.Finished = append(sv.Finished, gv)
			continue
		}
		gv.CheckIns = checkInLines(d.checkIns, g.Number, loc)
		svg, err := svgOf(s.h.GoalChart(g, d.checkIns, loc))
		if err != nil {
			return err
		}
		gv.Chart = svg
		sv.Goals = append(sv.Goals, gv)
	}
	return nil
}

// checkInLines are goal n's latest check-ins in words.
func checkInLines(checkIns []plpbot.CheckIn, n int, loc *time.Location) []string {
	var out []string
	for _, c := range checkIns {
		if c.GoalNumber != n {
			continue
		}
		if len(out) == goalCheckIns {
			break
		}
		line := c.At.In(loc).Format("Mon 2 Jan") + " · " + strconv.Itoa(c.Percent) + "%"
		if c.Confidence > 0 {
			line += " · confidence " + strconv.Itoa(c.Confidence) + "/5"
		}
		if c.Note != "" {
			line += " · " + c.Note
		}
		out = append(out, line)
	}
	return out
}

// reflectionEntries are the reflections, newest first.
func reflectionEntries(refls []plpbot.Reflection, loc *time.Location) []entry {
	out := make([]entry, len(refls))
	for i, r := range refls {
		out[i] = entry{When: r.At.In(loc).Format("Mon 2 Jan 2006"), About: r.Prompt, Text: r.Text}
	}
	return out
}

// flagEntries are st's staff-only flags.
func (s *Server) flagEntries(ctx context.Context, st *plpbot.Person, loc *time.Location) ([]entry, error) {
	flags, err := s.store.Flags(ctx, st.ID)
	if err != nil {
		return nil, fmt.Errorf("student: %w", err)
	}
	out := make([]entry, len(flags))
	for i, f := range flags {
		out[i] = entry{When: f.At.In(loc).Format("Mon 2 Jan 2006"), About: strings.ToUpper(f.Kind), Text: f.Note}
	}
	return out, nil
}

// conferences fills st's upcoming conferences (with their agendas) and the
// notes of past ones: staff always see them, a student only where the
// school allows it (conferences.notes_visible_to_students).
func (s *Server) conferences(ctx context.Context, sv *studentView, st *plpbot.Person, loc *time.Location, now time.Time) error {
	coming, err := s.store.Conferences(ctx, storage.ConferenceQuery{StudentID: st.ID, Status: plpbot.ConferenceScheduled, From: now})
	if err != nil {
		return fmt.Errorf("student: %w", err)
	}
	for _, c := range coming {
		cv := confView{Number: c.Number, When: c.At.In(loc).Format("Mon 2 Jan 2006, 15:04 MST"), With: c.TeacherName}
		for _, a := range c.Agenda {
			cv.Agenda = append(cv.Agenda, a.Text+" — "+a.ByName)
		}
		sv.Upcoming = append(sv.Upcoming, cv)
	}
	if sv.Own && !st.Role.IsStaff() && !s.h.NotesVisibleToStudents() {
		sv.NotesNote = "Your teachers keep notes of your conferences; this school shows them to staff only."
		return nil
	}
	past, err := s.h.PastNotes(ctx, st.ID, maxPastNotes)
	if err != nil {
		return err
	}
	for _, c := range past {
		sv.Past = append(sv.Past, confView{Number: c.Number, When: c.At.In(loc).Format("Mon 2 Jan 2006"), With: c.TeacherName, Notes: c.Notes})
	}
	return nil
}

// profileFields are the filled-in parts of a learner profile.
func profileFields(p plpbot.Profile) []bot.Field {
	var out []bot.Field
	for _, f := range []bot.Field{{Label: "Interests", Value: p.Interests}, {Label: "Strengths", Value: p.Strengths},
		{Label: "Areas to grow", Value: p.Grow}, {Label: "Learns best", Value: p.Learn}, {Label: "Career interests", Value: p.Career}} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// newFeedbackForm is the feedback form for st's goals (none: no form).
func newFeedbackForm(st *plpbot.Person, goals []plpbot.Goal) *feedbackForm {
	f := &feedbackForm{Action: studentURL(st.ID) + "/feedback", MaxLen: plpbot.MaxTextLen}
	for _, g := range goals {
		f.Goals = append(f.Goals, goalOption{Number: g.Number, Label: strconv.Itoa(g.Number) + ". " + g.Title})
	}
	return f
}

// sentNote is the line that confirms feedback just sent (?sent=N), and
// says so when the student couldn't be told (&dm=0).
func sentNote(r *http.Request, st *plpbot.Person) string {
	n := r.URL.Query().Get("sent")
	if _, err := strconv.Atoi(n); err != nil {
		return ""
	}
	if r.URL.Query().Get("dm") == "0" {
		return "Saved in " + st.Name + "'s plan, on goal " + n + ". I couldn't message them just now, so they'll see it next time they open their plan."
	}
	return "Sent to " + st.Name + ": your feedback on goal " + n + " is saved in their plan, and they've had a message about it."
}
