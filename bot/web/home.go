package web

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
)

// maxAttention is how many students the home page's Needs attention lists;
// the rest are on the class pages.
const maxAttention = 50

// serveHome is the home page: a student's own plan, or a member of
// staff's classes with their trends and who needs attention.
func (s *Server) serveHome(w http.ResponseWriter, r *http.Request, v *visit) error {
	if !v.person.Role.IsStaff() {
		sv, err := s.studentView(r.Context(), v, v.person)
		if err != nil {
			return err
		}
		s.renderFor(w, r, v, http.StatusOK, "student", "home", "My plan", sv)
		return nil
	}
	hv, err := s.staffHome(r.Context(), v.person, r.URL.Query().Get("term"))
	if err != nil {
		return err
	}
	s.renderFor(w, r, v, http.StatusOK, "home", "home", "Home", hv)
	return nil
}

// homeView is a member of staff's home page.
type homeView struct {
	Name      string
	OwnURL    string // the viewer's own plan
	Admin     bool
	Classes   []classCard
	Attention []attentionRow
	// More is how many more students need attention than are listed.
	More int
	// Students is how many students the classes hold, each counted once.
	Students int
	// Terms filter the classes by term: "All" first; empty when no class
	// belongs to a term.
	Terms []termLink
}

// termLink is one choice of the home page's term filter.
type termLink struct {
	Name    string
	URL     string
	Current bool
}

// classCard is one class on the home page: its figures and its trend.
type classCard struct {
	URL       string
	Name      string
	Students  int
	CheckedIn int
	Progress  string // "62%", or "—" when nobody has an active goal
	Quiet     int
	Away      int
	Chart     template.HTML
	Alt       string
}

// attentionRow is one student worth a look, with why.
type attentionRow struct {
	id       string
	URL      string
	Name     string
	Classes  string
	Concerns []string
}

// staffHome reads what the staff home page shows: the classes u teaches
// (every class of the workspace for an admin), each with its figures and a
// chart of its weeks, and the students of those classes who need
// attention. It reads the rosters with their students' goals, then the
// recent check-ins of all their students, in one query each; the students
// it names are audited as a roster read.
func (s *Server) staffHome(ctx context.Context, u *plpbot.Person, term string) (*homeView, error) {
	now := s.h.Now()
	classes, err := s.staffClasses(ctx, u)
	if err != nil {
		return nil, err
	}
	hv := &homeView{Name: u.Name, OwnURL: studentURL(u.ID), Admin: u.Role == plpbot.RoleAdmin}
	if classes, hv.Terms, err = s.byTerm(ctx, classes, term); err != nil {
		return nil, err
	}
	classIDs := make([]string, len(classes))
	for i := range classes {
		classIDs[i] = classes[i].ID
	}
	byClass, goals, err := s.store.ClassRosters(ctx, classIDs)
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	// A counselor's caseload is a card like a class, without a class page.
	caseload, err := s.h.Caseload(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	if len(caseload) > 0 {
		if goals, err = s.addGoalsOf(ctx, goals, byClass, caseload); err != nil {
			return nil, fmt.Errorf("home: %w", err)
		}
		goalsOf := map[string][]plpbot.Goal{}
		for _, g := range goals {
			goalsOf[g.UserID] = append(goalsOf[g.UserID], g)
		}
		rows := make([]plpbot.RosterRow, len(caseload))
		for i := range caseload {
			rows[i] = plpbot.RosterRowOf(&caseload[i], goalsOf[caseload[i].ID])
		}
		plpbot.SortRoster(rows)
		classes = append([]plpbot.Class{{ID: caseloadCard, Name: "Your caseload", CreatedAt: now.AddDate(0, 0, -7*12)}}, classes...)
		byClass[caseloadCard] = rows
	}
	rosters := make([][]plpbot.RosterRow, len(classes))
	students := map[string]*studentInClasses{}
	var ids []string
	for i := range classes {
		rosters[i] = byClass[classes[i].ID]
		for _, row := range rosters[i] {
			st, ok := students[row.UserID]
			if !ok {
				st = &studentInClasses{row: row}
				students[row.UserID] = st
				ids = append(ids, row.UserID)
			}
			st.classes = append(st.classes, classes[i].Name)
		}
	}
	hv.Students = len(ids)
	since := now.Add(-plpbot.QuietAfter)
	for i := range classes {
		since = minTime(since, s.h.ClassChartSince(&classes[i], goals, now))
	}
	checkIns, err := s.store.CheckInsFor(ctx, ids, since)
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	for i := range classes {
		card, err := s.classCard(&classes[i], rosters[i], goals, checkIns, now)
		if err != nil {
			return nil, err
		}
		hv.Classes = append(hv.Classes, card)
	}
	hv.Attention = needsAttention(students, goals, checkIns, now)
	if len(hv.Attention) > maxAttention {
		hv.More = len(hv.Attention) - maxAttention
		hv.Attention = hv.Attention[:maxAttention]
	}
	named := make([]string, len(hv.Attention))
	for i, a := range hv.Attention {
		named[i] = a.id
	}
	if err := s.h.AuditReads(ctx, u, "roster", "dashboard: needs attention", named...); err != nil {
		return nil, err
	}
	return hv, nil
}

// addGoalsOf adds to goals, those of the students of byClass, the goals of
// the students of a caseload who are in none of those classes, ordered by
// student and number as GoalsOf's.
func (s *Server) addGoalsOf(ctx context.Context, goals []plpbot.Goal, byClass map[string][]plpbot.RosterRow, caseload []plpbot.Person) ([]plpbot.Goal, error) {
	read := map[string]bool{}
	for _, rows := range byClass {
		for i := range rows {
			read[rows[i].UserID] = true
		}
	}
	var more []string
	for i := range caseload {
		if !read[caseload[i].ID] {
			more = append(more, caseload[i].ID)
		}
	}
	if len(more) == 0 {
		return goals, nil
	}
	extra, err := s.store.GoalsOf(ctx, more)
	if err != nil {
		return nil, err
	}
	goals = append(goals, extra...)
	slices.SortStableFunc(goals, func(a, b plpbot.Goal) int { return strings.Compare(a.UserID, b.UserID) })
	return goals, nil
}

// byTerm keeps the classes of term (a term id; "" for every class) and
// returns the filter's choices: All, then each term the classes belong to,
// by start date. No choices when no class belongs to a term.
func (s *Server) byTerm(ctx context.Context, classes []plpbot.Class, term string) ([]plpbot.Class, []termLink, error) {
	seen := map[string]bool{}
	for _, c := range classes {
		if c.TermID != "" {
			seen[c.TermID] = true
		}
	}
	if len(seen) == 0 {
		return classes, nil, nil
	}
	terms, err := s.store.TermsByID(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("home: terms: %w", err)
	}
	var ts []*plpbot.Term
	for id := range seen {
		if t := terms[id]; t != nil {
			ts = append(ts, t)
		}
	}
	slices.SortFunc(ts, func(a, b *plpbot.Term) int { return a.Starts.Compare(b.Starts) })
	links := []termLink{{Name: "All", URL: Prefix, Current: term == ""}}
	for _, t := range ts {
		links = append(links, termLink{Name: t.Name, URL: Prefix + "?term=" + url.QueryEscape(t.ID), Current: t.ID == term})
	}
	if term == "" {
		return classes, links, nil
	}
	kept := classes[:0:0]
	for _, c := range classes {
		if c.TermID == term {
			kept = append(kept, c)
		}
	}
	return kept, links, nil
}

// staffClasses are the classes on u's home page: those they teach, or for
// an admin every class of their workspace.
func (s *Server) staffClasses(ctx context.Context, u *plpbot.Person) ([]plpbot.Class, error) {
	if u.Role == plpbot.RoleAdmin {
		cs, err := s.store.ClassesIn(ctx, u.Platform, u.Workspace)
		if err != nil {
			return nil, fmt.Errorf("home: %w", err)
		}
		return cs, nil
	}
	cs, err := s.store.ClassesOf(ctx, u.ID, plpbot.MemberTeacher)
	if err != nil {
		return nil, fmt.Errorf("home: %w", err)
	}
	return cs, nil
}

// caseloadCard is the id of the caseload's card among the class cards.
const caseloadCard = "caseload"

// classCard is class c's figures and trend chart.
func (s *Server) classCard(c *plpbot.Class, rows []plpbot.RosterRow, goals []plpbot.Goal, checkIns []plpbot.CheckIn, now time.Time) (classCard, error) {
	st := plpbot.StatsOf(rows, now)
	url := classURL(c.ID)
	if c.ID == caseloadCard {
		url = "" // no class page: its students are in Needs attention and their own pages
	}
	card := classCard{URL: url, Name: c.Name, Students: st.Students, CheckedIn: st.CheckedIn,
		Progress: "—", Quiet: st.Quiet, Away: st.Away}
	if st.HasProgress {
		card.Progress = strconv.Itoa(st.Progress) + "%"
	}
	if len(rows) == 0 {
		return card, nil
	}
	wk := s.h.ClassChartOf(c, rows, goals, checkIns, now)
	svg, err := svgOf(wk)
	if err != nil {
		return card, err
	}
	card.Chart, card.Alt = svg, wk.Alt()
	return card, nil
}

// studentInClasses is a student of the home page's classes.
type studentInClasses struct {
	row     plpbot.RosterRow
	classes []string
}

// needsAttention lists the students worth a look (plpbot.NeedsAttention:
// no check-ins yet or none for two weeks, goals past their date, low
// confidence in their latest check-in, can't get DMs, away), those with
// the most concerns first, then by name. checkIns are oldest first.
func needsAttention(students map[string]*studentInClasses, goals []plpbot.Goal, checkIns []plpbot.CheckIn, now time.Time) []attentionRow {
	goalsOf := map[string][]plpbot.Goal{}
	for _, g := range goals {
		goalsOf[g.UserID] = append(goalsOf[g.UserID], g)
	}
	latest := map[string]*plpbot.CheckIn{}
	for i := range checkIns {
		latest[checkIns[i].UserID] = &checkIns[i]
	}
	var out []attentionRow
	counts := map[string]int{}
	for id, st := range students {
		p := &plpbot.Person{ID: id, Name: st.row.Name, AwayUntil: st.row.AwayUntil, CantDM: st.row.CantDM}
		concerns := plpbot.NeedsAttention(p, goalsOf[id], latest[id], now)
		if len(concerns) == 0 {
			continue
		}
		row := attentionRow{id: id, URL: studentURL(id), Name: st.row.Name, Classes: strings.Join(st.classes, ", ")}
		for _, c := range concerns {
			row.Concerns = append(row.Concerns, c.String())
		}
		counts[id] = len(concerns)
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b attentionRow) int {
		if c := cmp.Compare(counts[b.id], counts[a.id]); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.id, b.id))
	})
	return out
}

// classURL and studentURL are the pages of a class and of a student.
func classURL(id string) string   { return Prefix + "class/" + url.PathEscape(id) }
func studentURL(id string) string { return Prefix + "student/" + url.PathEscape(id) }

// minTime is the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
