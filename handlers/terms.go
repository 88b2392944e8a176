package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Terms (plpbot.Term): admins add them in chat (the roster import adds
// them from academicSessions); a class belongs to one, and is archived
// once it is over.

// noTerm is what /plp class term takes to put a class in no term.
const noTerm = "none"

// cmdTermAdd adds a term: /plp term add NAME FROM TO, or with from: and to:.
func (h *Handlers) cmdTermAdd(ctx context.Context, c *call) ([]bot.Message, error) {
	name := strings.Join(strings.Fields(c.Invocation.Arg("name")), " ")
	from, okFrom := c.Invocation.Date("from")
	to, okTo := c.Invocation.Date("to")
	if !okFrom && !okTo {
		name, from, to = peelDates(name)
	}
	if name == "" || from.IsZero() || to.IsZero() {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Give the term a name, its first day and its last day.",
			Usage: h.grammar.Usage(c.Invocation.Path), Hint: "Such as `/plp term add Fall 2026 2026-08-24 2026-12-18`."}
	}
	if strings.EqualFold(name, noTerm) {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "“none” means no term, so it can't be a term's name. Pick another, such as Fall 2026."}
	}
	t := plpbot.Term{Name: name, Platform: c.Actor.Platform, Workspace: c.Actor.Workspace, Starts: from, Ends: to, CreatedBy: c.Actor.ID}
	if err := t.Validate(); err != nil {
		return nil, h.typedError(c, err)
	}
	added, err := h.store.AddTerm(ctx, t)
	if errors.Is(err, storage.ErrDuplicate) {
		return nil, &bot.UserError{Code: bot.EConflict, Message: "There's already a term called " + bot.Bold(bot.User(name)) + ".",
			Hint: "See the terms with `/plp term list`."}
	}
	if err != nil {
		return nil, fmt.Errorf("term add: %w", err)
	}
	m := reply("Term added", bot.Text{Text: bot.Bold(bot.User(added.Name)) + ": " + termDates(added) + "."})
	if added.Over(h.now(), h.zone) {
		m.Blocks = append(m.Blocks, bot.Text{Text: "It has already ended, so classes you put in it are archived at once."})
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: "Put a class in it with `/plp class term " + bot.User(added.Name) + " class:Period 3 English`, " +
		"or create one there: `/plp class create Period 3 English term:" + bot.User(added.Name) + "`."})
	return []bot.Message{m}, nil
}

// peelDates reads "Fall 2026 2026-08-24 2026-12-18" as a name and the two
// dates at its end; without two dates there, the dates are zero.
func peelDates(s string) (name string, from, to time.Time) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return s, time.Time{}, time.Time{}
	}
	a, errA := time.Parse(time.DateOnly, f[len(f)-2])
	b, errB := time.Parse(time.DateOnly, f[len(f)-1])
	if errA != nil || errB != nil {
		return s, time.Time{}, time.Time{}
	}
	return strings.Join(f[:len(f)-2], " "), a, b
}

// termDates writes a term's span: "Mon 24 Aug 2026 – Fri 18 Dec 2026".
func termDates(t *plpbot.Term) string { return formatDay(t.Starts) + " – " + formatDay(t.Ends) }

// cmdTermList lists the workspace's terms, each with whether it is on and
// how many classes it has.
func (h *Handlers) cmdTermList(ctx context.Context, c *call) ([]bot.Message, error) {
	terms, err := h.store.Terms(ctx, c.Actor.Platform, c.Actor.Workspace)
	if err != nil {
		return nil, fmt.Errorf("term list: %w", err)
	}
	if len(terms) == 0 {
		m := reply("Terms", bot.Text{Text: "No terms yet: classes run until someone removes them."})
		if c.Actor.Role == plpbot.RoleAdmin {
			m.Blocks = append(m.Blocks, bot.Context{Text: "Add one with `/plp term add Fall 2026 2026-08-24 2026-12-18`."})
		} else {
			m.Blocks = append(m.Blocks, bot.Context{Text: "An admin adds them with `/plp term add`."})
		}
		return []bot.Message{m}, nil
	}
	count, err := h.classesByTerm(ctx, c, terms)
	if err != nil {
		return nil, fmt.Errorf("term list: %w", err)
	}
	now := h.now()
	items := make([]string, len(terms))
	for i := range terms {
		t := &terms[i]
		state := "on now"
		switch {
		case t.Over(now, h.zone):
			state = "ended: its classes are archived"
		case now.Before(plpbot.WallTime(t.Starts.Year(), t.Starts.Month(), t.Starts.Day(), 0, 0, h.zone)):
			state = "not started"
		}
		items[i] = bot.Bold(bot.User(t.Name)) + " · " + termDates(t) + " · " + countNoun(count[t.ID], "class", "classes") + " · " + state
	}
	return []bot.Message{reply("Terms", bot.List{Items: items},
		bot.Context{Text: "Put a class in a term with `/plp class term " + bot.User(terms[len(terms)-1].Name) + " class:Period 3 English`."})}, nil
}

// classesByTerm counts the classes of each of terms: the workspace's own
// and, for terms the roster import keeps, its school's.
func (h *Handlers) classesByTerm(ctx context.Context, c *call, terms []plpbot.Term) (map[string]int, error) {
	places := [][2]string{{c.Actor.Platform, c.Actor.Workspace}}
	for _, t := range terms {
		if p := [2]string{t.Platform, t.Workspace}; !slices.Contains(places, p) {
			places = append(places, p)
		}
	}
	count := map[string]int{}
	for _, p := range places {
		classes, err := h.store.ClassesIn(ctx, p[0], p[1])
		if err != nil {
			return nil, err
		}
		for _, cl := range classes {
			count[cl.TermID]++
		}
	}
	return count, nil
}

// termNamed finds a workspace's term by the name a person typed.
func (h *Handlers) termNamed(ctx context.Context, c *call, name string) (*plpbot.Term, error) {
	t, err := h.store.TermByName(ctx, c.Actor.Platform, c.Actor.Workspace, name)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &bot.UserError{Code: bot.ENotFound, Field: "term",
			Message: "I can't find a term called " + bot.Bold(bot.User(name)) + ".",
			Hint:    "See the terms with `/plp term list`."}
	}
	if err != nil {
		return nil, fmt.Errorf("find term: %w", err)
	}
	return t, nil
}

// cmdClassTerm puts a class in a term (or, with "none", in no term). Its
// teachers and admins may; once the term is over the class is archived.
func (h *Handlers) cmdClassTerm(ctx context.Context, c *call) ([]bot.Message, error) {
	name := strings.Join(strings.Fields(c.Invocation.Arg("term")), " ")
	cl, err := h.pickClass(ctx, c, c.Invocation.Arg("class"), func(n string) string { return "/plp class term " + bot.User(name) + " class:" + n })
	if err != nil {
		return nil, err
	}
	var t *plpbot.Term
	termID := ""
	if !strings.EqualFold(name, noTerm) {
		if t, err = h.termNamed(ctx, c, name); err != nil {
			return nil, err
		}
		termID = t.ID
	}
	if _, err := h.store.SetClassTerm(ctx, cl.ID, termID); err != nil {
		return nil, fmt.Errorf("class term: %w", err)
	}
	className := bot.Bold(bot.User(cl.Name))
	if t == nil {
		return []bot.Message{reply("", bot.Text{Text: className + " is in no term now, so it runs until someone removes it."})}, nil
	}
	text := fmt.Sprintf("%s is in %s now: after %s it is archived — no more prompts or summaries, and you can still read it.",
		className, bot.Bold(bot.User(t.Name)), formatDay(t.Ends))
	if t.Over(h.now(), h.classZone(cl)) {
		text = fmt.Sprintf("%s is in %s now. That term has ended, so the class is archived: no more prompts or summaries, and you can still read it.",
			className, bot.Bold(bot.User(t.Name)))
	}
	return []bot.Message{reply("", bot.Text{Text: text}, bot.Context{Text: "See it with `/plp roster " + bot.User(cl.Name) + "`."})}, nil
}

// archivedNote says, for an archived class (its term t is over, or the
// SIS ended it), that it is and since when; nil for a class that isn't.
// t is the class's term, nil for none.
func (h *Handlers) archivedNote(cl *plpbot.Class, t *plpbot.Term) bot.Block {
	loc := h.classZone(cl)
	if !plpbot.ClassArchived(cl, t, h.now(), loc) {
		return nil
	}
	why := "the school's SIS ended this class on " + plpbot.ClassArchivedFrom(cl, t, loc).In(loc).Format("Mon 2 Jan 2006")
	if t != nil && t.Over(h.now(), loc) {
		why = bot.User(t.Name) + " ended " + formatDay(t.Ends)
	}
	return bot.Context{Text: "🗄 Archived: " + why + ". No prompts or summaries go out for this class; students' plans carry on."}
}

// classTerm reads the term of cl: nil if it has none, or it is gone.
func (h *Handlers) classTerm(ctx context.Context, cl *plpbot.Class) (*plpbot.Term, error) {
	if cl.TermID == "" {
		return nil, nil
	}
	t, err := h.store.Term(ctx, cl.TermID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("class term: %w", err)
	}
	return t, nil
}

// activeClasses drops archived classes: their term is over or the SIS
// ended them (one read of the terms, only when a class has a term).
func (h *Handlers) activeClasses(ctx context.Context, classes []plpbot.Class) ([]plpbot.Class, error) {
	terms, err := h.termsOf(ctx, classes)
	if err != nil {
		return nil, err
	}
	return h.activeIn(classes, terms), nil
}

// termsOf reads every term, by id, when one of classes belongs to one
// (nil otherwise): a school has a handful, so they are read all at once,
// whatever workspace each class's term belongs to.
func (h *Handlers) termsOf(ctx context.Context, classes []plpbot.Class) (map[string]*plpbot.Term, error) {
	if !slices.ContainsFunc(classes, func(cl plpbot.Class) bool { return cl.TermID != "" }) {
		return nil, nil
	}
	return h.store.TermsByID(ctx)
}

// activeIn is classes without the archived ones, terms (by id) holding
// their terms.
func (h *Handlers) activeIn(classes []plpbot.Class, terms map[string]*plpbot.Term) []plpbot.Class {
	out := classes[:0:0]
	for i := range classes {
		cl := &classes[i]
		if !plpbot.ClassArchived(cl, terms[cl.TermID], h.now(), h.classZone(cl)) {
			out = append(out, *cl)
		}
	}
	return out
}
