package handlers

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// maxDueRows bounds the "who's due" list so it stays readable on a phone.
const maxDueRows = 25

// weekdayOf maps the grammar's day choices to time.Weekday.
var weekdayOf = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// everyWords says how often a standing conference repeats.
func everyWords(every string) string {
	if every == plpbot.EveryTwoWeeks {
		return "every two weeks"
	}
	return "every week"
}

// nextWeekday returns the first day at clock hh:mm in loc, on weekday wd,
// strictly after now.
func nextWeekday(now time.Time, loc *time.Location, wd time.Weekday, hh, mm int) time.Time {
	l := now.In(loc)
	for d := 0; d <= 7; d++ {
		t := time.Date(l.Year(), l.Month(), l.Day()+d, hh, mm, 0, 0, loc)
		if t.Weekday() == wd && t.After(now) {
			return t
		}
	}
	return time.Time{}
}

// cmdConferenceRepeat sets up a standing 1:1: the first occurrence on the
// next DAY at HH:MM in the teacher's zone. The scheduler books each next
// occurrence when one is done, cancelled just once, or its time passes.
func (h *Handlers) cmdConferenceRepeat(ctx context.Context, c *call) ([]bot.Message, error) {
	s, err := h.studentFor(ctx, c)
	if err != nil {
		return nil, err
	}
	if s.ID == c.Actor.ID {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "A standing conference needs a student — mention who you're meeting.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	wd, ok := weekdayOf[c.Invocation.Arg("day")]
	clock, err := time.Parse("15:04", c.Invocation.Arg("time"))
	if !ok || err != nil {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "time",
			Message: "I can't read that day and time: " + bot.User(c.Invocation.Arg("day")+" "+c.Invocation.Arg("time")) + ".",
			Usage:   h.grammar.Usage(c.Invocation.Path)}
	}
	tloc := h.loc(c.Actor)
	first := nextWeekday(h.now(), tloc, wd, clock.Hour(), clock.Minute())
	topic := strings.TrimSpace(c.Invocation.Arg("agenda"))
	conf := plpbot.Conference{
		StudentID: s.ID, StudentName: s.Name, TeacherID: c.Actor.ID, TeacherName: c.Actor.Name, At: first,
		Every: c.Invocation.Arg("interval"), Zone: tloc.String(), Topic: topic,
	}
	if topic != "" {
		conf.Agenda = []plpbot.AgendaItem{{Text: topic, ByID: c.Actor.ID, ByName: c.Actor.Name, At: h.now().UTC()}}
	}
	saved, err := h.store.ScheduleConference(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("schedule standing conference: %w", err)
	}
	num := strconv.Itoa(saved.Number)
	often := everyWords(saved.Every)
	ack := reply("Standing 1:1 booked",
		bot.Text{Text: fmt.Sprintf("With %s %s, %s at %s (your time). First one: %s (#%s).",
			bot.User(s.Name), often, first.In(tloc).Weekday(), first.In(tloc).Format("15:04"), bot.Bold(formatWhen(first, tloc)), num)},
		bot.Context{Text: "Each one gets reminders, and the next is booked by itself. Skip one: `/plp conference cancel N` · end it: `/plp conference end N`."})
	if s.CantDM != "" {
		ack.Blocks = append(ack.Blocks, bot.Text{Text: "I can't DM them here, so please tell them the time yourself."})
	}
	dm := reply("Regular check-in booked 📅",
		bot.Text{Text: fmt.Sprintf("%s set up a regular 1:1 with you, %s. The first is on %s (your time).",
			bot.User(c.Actor.Name), often, bot.Bold(formatWhen(first, h.loc(s))))})
	if topic != "" {
		dm.Blocks = append(dm.Blocks, bot.Text{Text: "It's for: " + bot.User(topic)})
	}
	dm.Blocks = append(dm.Blocks, bot.Text{Text: "Anything on your mind? Add a talking point so it's on the list."})
	dm.Buttons = []bot.Button{agendaButton(h)}
	return []bot.Message{ack, dmTo(s, dm)}, nil
}

// rollNote books the next occurrence of a standing conference right away
// (the scheduler would do it on its next tick; doing it here lets the
// teacher see the date) and says when it is.
func (h *Handlers) rollNote(ctx context.Context, c *call, cf *plpbot.Conference) (bot.Block, error) {
	if cf.Every == "" {
		return nil, nil
	}
	next, _, err := h.store.RollConference(ctx, cf, h.now())
	if err != nil || next == nil {
		return nil, err
	}
	return bot.Text{Text: fmt.Sprintf("Next one (%s): %s, #%d. End the series with `/plp conference end %d`.",
		everyWords(next.Every), bot.Bold(formatWhen(next.At, h.loc(c.Actor))), next.Number, next.Number)}, nil
}

// dueRow is one student in a teacher's "who's due" list.
type dueRow struct {
	id, name string
	lastMet  time.Time
	next     time.Time
	every    string
	nextNum  int
	haveNext bool
}

// conferenceView is what a staff member's conference list is made of,
// read in two steps whatever the number of classes and students
// (loadConferenceView).
type conferenceView struct {
	// all are the conferences the actor holds, every status.
	all []plpbot.Conference
	// taught are the classes the actor teaches and their students.
	taught *storage.Taught
	// caseload is a counselor's (nil for anyone else).
	caseload *plpbot.Caseload
	// people are the students taught, on the caseload, or (a counselor's)
	// met, by id: names, and what the caseload's rules read.
	people map[string]*plpbot.Person
	// active are the classes of taught not archived.
	active map[string]bool
}

// loadConferenceView reads a staff member's conference list in two steps:
// first, together, their conferences, the classes they teach with those
// classes' students (one read, storage.TaughtBy) and a counselor's
// caseload; then, together, the people those name (a counselor's caseload
// and the rest in one read) and the classes taught with the terms, to leave
// out archived classes.
func (h *Handlers) loadConferenceView(ctx context.Context, actor *plpbot.Person) (*conferenceView, error) {
	v := &conferenceView{}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		v.all, err = h.store.Conferences(gctx, storage.ConferenceQuery{TeacherID: actor.ID})
		return err
	})
	g.Go(func() (err error) { v.taught, err = h.store.TaughtBy(gctx, actor.ID); return err })
	if actor.Role == plpbot.RoleCounselor {
		g.Go(func() (err error) { v.caseload, err = h.store.Caseload(gctx, actor); return err })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	ids := v.taught.StudentIDs()
	if v.caseload != nil {
		// Whether a student met is on the caseload is read from them.
		for _, cf := range v.all {
			ids = append(ids, cf.StudentID)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	var people []plpbot.Person
	var classes []plpbot.Class
	var terms map[string]*plpbot.Term
	g, gctx = errgroup.WithContext(ctx)
	if v.caseload != nil || len(ids) > 0 {
		g.Go(func() (err error) { people, err = h.store.CaseloadAnd(gctx, v.caseload, ids); return err })
	}
	if len(v.taught.Classes) > 0 {
		g.Go(func() (err error) { classes, err = h.store.ClassesByID(gctx, v.taught.Classes); return err })
		g.Go(func() (err error) { terms, err = h.store.TermsByID(gctx); return err })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	v.people = make(map[string]*plpbot.Person, len(people))
	for i := range people {
		v.people[people[i].ID] = &people[i]
	}
	v.active = make(map[string]bool, len(classes))
	for i := range classes {
		cl := &classes[i]
		v.active[cl.ID] = !plpbot.ClassArchived(cl, terms[cl.TermID], h.now(), h.classZone(cl))
	}
	return v, nil
}

// counsels reports whether id is on the actor's caseload now.
func (v *conferenceView) counsels(id string) bool {
	p := v.people[id]
	return v.caseload != nil && p != nil && v.caseload.Includes(p)
}

// serves asks the access policy whether actor may see the plan of student
// id now (plpbot.CanViewPlan), with the ties this view read.
func (v *conferenceView) serves(actor *plpbot.Person, id string) bool {
	ties := plpbot.Ties{Teaches: v.taught.Teaches(id), Counsels: v.counsels(id)}
	return plpbot.CanViewPlan(actor, &plpbot.Person{ID: id}, ties)
}

// whoIsDue lists, for the actor as teacher or counselor, each student they
// teach (in a class not archived), counsel (their caseload) or meet (met:
// conferences with students they serve): when they last met (a conference
// marked done) and the next booked one, oldest meeting first (never met
// before anyone), so the teacher sees who is due. It holds no plan data,
// only meeting dates. shown are the ids of the students listed, for the
// audit.
func (h *Handlers) whoIsDue(c *call, v *conferenceView, met []plpbot.Conference) (blocks []bot.Block, shown []string) {
	now := h.now()
	rows := map[string]*dueRow{}
	row := func(id, name string) *dueRow {
		r, ok := rows[id]
		if !ok {
			r = &dueRow{id: id, name: name}
			rows[id] = r
		}
		return r
	}
	for id, p := range v.people {
		if v.counsels(id) || slices.ContainsFunc(v.taught.Students[id], func(cl string) bool { return v.active[cl] }) {
			row(id, p.Name)
		}
	}
	for _, cf := range met {
		r := row(cf.StudentID, cf.StudentName)
		switch {
		case cf.Status == plpbot.ConferenceDone && cf.At.After(r.lastMet):
			r.lastMet = cf.At
		case cf.Status == plpbot.ConferenceScheduled && cf.At.After(now) && (!r.haveNext || cf.At.Before(r.next)):
			r.next, r.every, r.nextNum, r.haveNext = cf.At, cf.Every, cf.Number, true
		}
	}
	if len(rows) == 0 {
		return nil, nil
	}
	list := make([]*dueRow, 0, len(rows))
	for _, r := range rows {
		list = append(list, r)
	}
	slices.SortFunc(list, func(a, b *dueRow) int {
		if c := a.lastMet.Compare(b.lastMet); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	})
	loc := h.loc(c.Actor)
	items := make([]string, 0, min(len(list), maxDueRows))
	for _, r := range list[:min(len(list), maxDueRows)] {
		last := "never met"
		if !r.lastMet.IsZero() {
			last = "last met " + r.lastMet.In(loc).Format("Mon 2 Jan")
		}
		next := bot.Italic("due — not booked")
		if r.haveNext {
			next = fmt.Sprintf("next %s (#%d)", r.next.In(loc).Format("Mon 2 Jan, 15:04"), r.nextNum)
			if r.every != "" {
				next += ", " + everyWords(r.every)
			}
		}
		items = append(items, bot.Bold(bot.User(r.name))+" · "+last+" · "+next)
		shown = append(shown, r.id)
	}
	blocks = []bot.Block{bot.Text{Text: bot.Bold("Who's due") + " (longest since you met first)"}, bot.List{Items: items}}
	if len(list) > maxDueRows {
		blocks = append(blocks, bot.Context{Text: fmt.Sprintf("…and %d more.", len(list)-maxDueRows)})
	}
	return blocks, shown
}
