package roster

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/roster/oneroster"
	"github.com/plpbot/plpbot/storage"
)

// Terms from academic sessions. The sessions that become plpbot terms are
// those a class is taught in (its termSourcedIds), whatever their type —
// term, semester, grading period, or a school year when that is all a
// class names — one term per school and session, in the school's
// workspace (where the roster's classes are). A class that names several
// sessions gets the one that ends last (on a tie, the one that starts
// first: it covers the most of the class), so it is archived when its last
// session is over. A term is never deleted by an import: when its session
// is deleted the term stays as it was, so ended classes keep their history
// and the date they were archived.

// termID is the id of the term of a session in a school.
func termID(school, session string) string { return plpbot.RosterID(session) + "@" + school }

// session is what the roster knows of an academic session, from the
// merged context records.
type session struct {
	sid, title, schoolYear string
	start, end             time.Time
	line                   int // its line in academicSessions.csv (0: stored)
}

// sessionOf returns the active session with a sourcedId (false if the
// roster has none, or it was deleted).
func (p *plan) sessionOf(sid string) (session, bool) {
	r, ok := p.records[storage.RosterRecordID(oneroster.FileSessions, sid)]
	if !ok || !r.Ended.IsZero() {
		return session{}, false
	}
	s := session{sid: sid, title: r.Fields["title"], schoolYear: r.Fields["schoolYear"], line: p.sessionLines[sid]}
	s.start, _ = time.Parse(time.DateOnly, r.Fields["startDate"])
	s.end, _ = time.Parse(time.DateOnly, r.Fields["endDate"])
	return s, true
}

// termSession picks a class's term among the sessions it names: the one
// ending last, then the one starting first, then by sourcedId.
func (p *plan) termSession(c *plpbot.Class) (session, bool) {
	var best session
	found := false
	for _, sid := range c.SIS.Terms {
		s, ok := p.sessionOf(sid)
		switch {
		case !ok:
		case !found, s.end.After(best.end),
			s.end.Equal(best.end) && (s.start.Before(best.start) || s.start.Equal(best.start) && s.sid < best.sid):
			best, found = s, true
		}
	}
	return best, found
}

// buildTerms works out the terms the roster asks for — those stored, kept
// up to date with their sessions, and one for each school and session a
// class is now in — and puts each active class in its term. A class the
// SIS ended keeps the term it had.
func (p *plan) buildTerms() {
	p.sessionLines = make(map[string]int, len(p.set.Sessions))
	for _, s := range p.set.Sessions {
		p.sessionLines[s.SourcedID] = s.Line
	}
	p.terms = make(map[string]*plpbot.Term, len(p.state.Terms))
	titles := map[string]session{} // term id → its session as the roster has it now
	for i := range p.state.Terms {
		t := p.state.Terms[i]
		if s, ok := p.sessionOf(t.SourcedID); ok {
			t.Starts, t.Ends = s.start, s.end
			titles[t.ID] = s
		}
		p.terms[t.ID] = &t
	}
	for _, sid := range sortedKeys(p.classes) {
		c := p.classes[sid]
		if !c.SIS.Ended.IsZero() {
			continue
		}
		s, ok := p.termSession(c)
		if !ok {
			c.TermID = ""
			continue
		}
		id := termID(c.SIS.School, s.sid)
		if _, had := p.terms[id]; !had {
			p.terms[id] = &plpbot.Term{ID: id, Platform: plpbot.PlatformRoster, Workspace: c.SIS.School,
				SourcedID: s.sid, Starts: s.start, Ends: s.end, CreatedBy: importActorID}
			titles[id] = s
		}
		c.TermID = id
	}
	p.nameTerms(titles)
	p.checkTerms(titles)
}

// nameTerms names each term by its session's title, unique in its school
// (term names are unique per workspace): sessions of a school that share a
// title get their school year, or lacking a distinct one their sourcedId:
// "Semester 1 · 2027". A term whose session is gone keeps its name.
func (p *plan) nameTerms(titles map[string]session) {
	groups := map[string][]*plpbot.Term{}
	for _, id := range sortedKeys(p.terms) {
		t := p.terms[id]
		title := t.Name
		if s, ok := titles[id]; ok {
			title = s.title
		}
		key := t.Workspace + "\x00" + strings.ToLower(title)
		groups[key] = append(groups[key], t)
	}
	for _, g := range groups {
		years := map[string]int{}
		for _, t := range g {
			years[titles[t.ID].schoolYear]++
		}
		for _, t := range g {
			s, current := titles[t.ID]
			switch {
			case !current:
			case len(g) == 1:
				t.Name = s.title
			case s.schoolYear != "" && years[s.schoolYear] == 1:
				t.Name = s.title + " · " + s.schoolYear
			default:
				t.Name = s.title + " · " + s.sid
			}
			t.NameLower = strings.ToLower(t.Name)
		}
	}
}

// checkTerms reports the sessions that can't be terms (plpbot.Term.Validate:
// a name too long, a span of more than a school year), each once, at its
// line of academicSessions.csv.
func (p *plan) checkTerms(titles map[string]session) {
	seen := map[string]bool{}
	for _, id := range sortedKeys(p.terms) {
		t, s := p.terms[id], titles[id]
		if _, current := titles[id]; !current || seen[s.sid] {
			continue
		}
		if err := t.Validate(); err != nil {
			seen[s.sid] = true
			msg := err.Error()
			if pe := (*plpbot.Error)(nil); errors.As(err, &pe) {
				msg = pe.Message
			}
			p.problem(oneroster.FileSessions, s.line, fmt.Sprintf("session %q (%s) can't be a class's term: %s", s.sid, s.title, msg))
		}
	}
}

// diffTerms compares the desired terms with the stored ones.
func (p *plan) diffTerms() {
	stored := make(map[string]*plpbot.Term, len(p.state.Terms))
	for i := range p.state.Terms {
		stored[p.state.Terms[i].ID] = &p.state.Terms[i]
	}
	c := p.count(KindTerms)
	for _, id := range sortedKeys(p.terms) {
		d, old := p.terms[id], stored[id]
		switch {
		case old == nil:
			c.Created++
			p.dirty = true
			p.writes.NewTerms = append(p.writes.NewTerms, *d)
		case old.Name == d.Name && old.NameLower == d.NameLower && old.Starts.Equal(d.Starts) && old.Ends.Equal(d.Ends):
			c.Unchanged++
		default:
			c.Updated++
			p.dirty = true
			p.writes.Terms = append(p.writes.Terms, *d)
		}
	}
}
