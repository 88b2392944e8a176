package web

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// classView is a class page: its students as a table, sorted by one
// column, and the class's weeks.
type classView struct {
	Name    string
	Summary string
	Rows    []classRow
	Columns []column
	Chart   template.HTML
}

// classRow is one student's row.
type classRow struct {
	URL       string
	Name      string
	Progress  int
	HasGoals  bool
	Goals     string // "2 active · 1 done"
	LastCheck string // "Tue 24 Nov (1d ago)", or "Never"
	Notes     []string
}

// column is a sortable column header: its link sorts by it (or, if it is
// the current sort, the other way round).
type column struct {
	Label string
	URL   string
	Sort  string // "ascending", "descending" or "" (aria-sort)
}

// Sort keys of the class table and their first direction: names A to Z,
// the longest without a check-in first, the lowest progress first — each
// puts who may need a look at the top.
var sortKeys = []struct{ key, label string }{{"name", "Student"}, {"progress", "Progress"}, {"checkin", "Last check-in"}}

// serveClass is a class page for a teacher of the class or an admin (as
// /plp roster allows); each student shown is audited as a roster read.
func (s *Server) serveClass(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx, now := r.Context(), s.h.Now()
	c, err := s.store.Class(ctx, r.PathValue("id"))
	if errors.Is(err, storage.ErrNotFound) {
		return &bot.UserError{Code: bot.ENotFound, Message: "There's no such class.", Hint: "Your classes are on your dashboard's home page."}
	}
	if err != nil {
		return fmt.Errorf("class: %w", err)
	}
	ok, err := s.h.CanOpenClass(ctx, v.person, c)
	if err != nil {
		return err
	}
	if !ok {
		return classForbidden(v.person, c)
	}
	rows, goals, err := s.store.RosterAndGoals(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("class: %w", err)
	}
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].UserID
	}
	if err := s.h.AuditReads(ctx, v.person, "roster", "dashboard: "+c.Name, ids...); err != nil {
		return err
	}
	cv := &classView{Name: c.Name, Summary: classSummary(rows, now)}
	if len(rows) > 0 {
		checkIns, err := s.store.CheckInsOf(ctx, ids, s.h.ClassChartSince(c, goals, now))
		if err != nil {
			return fmt.Errorf("class: %w", err)
		}
		if cv.Chart, err = svgOf(s.h.ClassChartOf(c, rows, goals, checkIns, now)); err != nil {
			return err
		}
	}
	key, desc := sortOf(r)
	sortRows(rows, key, desc)
	loc := s.h.Location(v.person)
	for i := range rows {
		cv.Rows = append(cv.Rows, classRowOf(&rows[i], now, loc))
	}
	cv.Columns = columns(classURL(c.ID), key, desc)
	s.renderFor(w, r, v, http.StatusOK, "class", "home", c.Name, cv)
	return nil
}

// classForbidden is the refusal of a class page.
func classForbidden(u *plpbot.Person, c *plpbot.Class) *bot.UserError {
	if !u.Role.IsStaff() {
		return &bot.UserError{Code: bot.EForbidden, Message: "Class pages are for teachers: your own plan is private to you, and so is everyone else's.",
			Hint: "Your plan is on your dashboard's home page."}
	}
	return &bot.UserError{Code: bot.EForbidden, Message: "You don't teach " + bot.User(c.Name) + ", so its page is closed to you.",
		Hint: "Your classes are on your dashboard's home page."}
}

// classSummary is the class's figures in one line.
func classSummary(rows []plpbot.RosterRow, now time.Time) string {
	st := plpbot.StatsOf(rows, now)
	parts := []string{plural(st.Students, "student"), strconv.Itoa(st.CheckedIn) + " checked in this week"}
	if st.HasProgress {
		parts = append(parts, "average progress "+strconv.Itoa(st.Progress)+"%")
	}
	if st.Quiet > 0 {
		parts = append(parts, strconv.Itoa(st.Quiet)+" quiet for 2+ weeks")
	}
	return strings.Join(parts, " · ")
}

// sortOf reads ?sort= and ?dir= (unknown values: by name, A to Z).
func sortOf(r *http.Request) (key string, desc bool) {
	key = r.URL.Query().Get("sort")
	if !slices.ContainsFunc(sortKeys, func(k struct{ key, label string }) bool { return k.key == key }) {
		key = "name"
	}
	return key, r.URL.Query().Get("dir") == "desc"
}

// sortRows orders rows by key, ties by name.
func sortRows(rows []plpbot.RosterRow, key string, desc bool) {
	slices.SortStableFunc(rows, func(a, b plpbot.RosterRow) int {
		c := 0
		switch key {
		case "progress":
			c = cmp.Compare(a.AvgProgress, b.AvgProgress)
		case "checkin":
			c = a.LastCheckIn.Compare(b.LastCheckIn)
		}
		if c == 0 {
			c = cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.UserID, b.UserID))
		}
		if desc {
			return -c
		}
		return c
	})
}

// columns are the table's headers for the current sort.
func columns(base, key string, desc bool) []column {
	out := make([]column, len(sortKeys))
	for i, k := range sortKeys {
		col := column{Label: k.label, URL: base + "?sort=" + k.key}
		if k.key == key {
			col.Sort = "ascending"
			if desc {
				col.Sort = "descending"
			} else {
				col.URL += "&dir=desc"
			}
		}
		out[i] = col
	}
	return out
}

// classRowOf is one student's row at now, dates in loc.
func classRowOf(r *plpbot.RosterRow, now time.Time, loc *time.Location) classRow {
	row := classRow{URL: studentURL(r.UserID), Name: r.Name, Progress: r.AvgProgress, HasGoals: r.ActiveGoals > 0,
		Goals: strconv.Itoa(r.ActiveGoals) + " active", LastCheck: "Never"}
	if r.DoneGoals > 0 {
		row.Goals += " · " + strconv.Itoa(r.DoneGoals) + " done"
	}
	if !r.LastCheckIn.IsZero() {
		row.LastCheck = r.LastCheckIn.In(loc).Format("Mon 2 Jan") + " (" + ago(r.LastCheckIn, now) + ")"
	}
	if plpbot.IsAway(r.AwayUntil, now) {
		row.Notes = append(row.Notes, "Away until "+r.AwayUntil.In(loc).Format("Mon 2 Jan"))
	}
	if plpbot.Quiet(r.LastCheckIn, now) && !plpbot.IsAway(r.AwayUntil, now) {
		row.Notes = append(row.Notes, "Quiet 2+ weeks")
	}
	if r.CantDM != "" {
		row.Notes = append(row.Notes, "Can't get DMs")
	}
	if r.Flagged {
		row.Notes = append(row.Notes, "Staff-only flag")
	}
	return row
}

// ago says how long before now t was: "today", "5d ago", "3w ago".
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 24*time.Hour:
		return "today"
	case d < 14*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d ago"
	}
	return strconv.Itoa(int(d/(7*24*time.Hour))) + "w ago"
}

// plural is "1 student", "3 students".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
