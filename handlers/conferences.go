package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// conferenceGrace is how long a scheduled conference stays in its teacher's
// list after its time, so it can still be marked done.
const conferenceGrace = 7 * 24 * time.Hour

// cmdConferenceSchedule books a conference with a student the actor teaches.
// The date and time are read in the teacher's zone and stored in UTC; the
// student is told in their own zone.
func (h *Handlers) cmdConferenceSchedule(ctx context.Context, c *call) ([]bot.Message, error) {
	s, err := h.studentFor(ctx, c)
	if err != nil {
		return nil, err
	}
	if s.ID == c.Actor.ID {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "A conference needs a student — mention who you're meeting.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	tloc := h.loc(c.Actor)
	at, err := time.ParseInLocation("2006-01-02 15:04", c.Invocation.Arg("date")+" "+c.Invocation.Arg("time"), tloc)
	if err != nil {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "date",
			Message: "I can't read that date and time: " + bot.User(c.Invocation.Arg("date")+" "+c.Invocation.Arg("time")) + ".",
			Usage:   h.grammar.Usage(c.Invocation.Path)}
	}
	if !at.After(h.now()) {
		return nil, &bot.UserError{Code: bot.EInvalid, Field: "date",
			Message: formatWhen(at, tloc) + " has already passed. Pick a time in the future.",
			Usage:   h.grammar.Usage(c.Invocation.Path)}
	}
	if same, err := h.store.Conferences(ctx, storage.ConferenceQuery{StudentID: s.ID, Status: plpbot.ConferenceScheduled,
		From: at, To: at.Add(time.Minute), Limit: 1}); err != nil {
		return nil, fmt.Errorf("schedule conference: %w", err)
	} else if len(same) > 0 {
		return nil, &bot.UserError{Code: bot.EConflict,
			Message: fmt.Sprintf("%s already has conference #%d with %s then, so I didn't book it twice.",
				bot.User(s.Name), same[0].Number, bot.User(same[0].TeacherName)),
			Hint: "See it with `/plp conference list`, or pick another time."}
	}
	conf := plpbot.Conference{
		StudentID: s.ID, StudentName: s.Name, TeacherID: c.Actor.ID, TeacherName: c.Actor.Name, At: at,
	}
	agenda := strings.TrimSpace(c.Invocation.Arg("agenda"))
	if agenda != "" {
		conf.Agenda = []plpbot.AgendaItem{{Text: agenda, ByID: c.Actor.ID, ByName: c.Actor.Name, At: h.now().UTC()}}
	}
	saved, err := h.store.ScheduleConference(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("schedule conference: %w", err)
	}
	num := strconv.Itoa(saved.Number)
	ack := reply("Conference #"+num+" booked",
		bot.Text{Text: fmt.Sprintf("With %s on %s.", bot.User(s.Name), bot.Bold(formatWhen(saved.At, tloc)))},
		bot.Context{Text: "They'll get a DM with the time in their zone. Cancel with `/plp conference cancel " + num + "`."})
	if s.CantDM != "" {
		ack.Blocks = append(ack.Blocks, bot.Text{Text: "I can't DM them here, so please tell them the time yourself."})
	}
	dm := reply("Conference booked 📅",
		bot.Text{Text: fmt.Sprintf("%s set up a conference with you on %s (your time).",
			bot.User(c.Actor.Name), bot.Bold(formatWhen(saved.At, h.loc(s))))})
	if agenda != "" {
		dm.Blocks = append(dm.Blocks, bot.Text{Text: "They'd like to talk about: " + bot.User(agenda)})
	}
	dm.Blocks = append(dm.Blocks, bot.Text{Text: "What do you want to talk about? Add a talking point so it's on the list."})
	dm.Buttons = []bot.Button{agendaButton(h)}
	return []bot.Message{ack, dmTo(s, dm)}, nil
}

// agendaButton lets a student add a talking point to their next conference.
func agendaButton(h *Handlers) bot.Button {
	return bot.Button{Label: "Add a talking point", Command: "conference agenda", Style: bot.Primary,
		Form: h.grammar.FormFor([]string{"conference", "agenda"}, nil)}
}

// studentConferenceList shows a student their upcoming conferences and,
// where the school allows it, the notes of their recent ones.
func (h *Handlers) studentConferenceList(ctx context.Context, c *call, confs []plpbot.Conference) ([]bot.Message, error) {
	loc := h.loc(c.Actor)
	m := reply("Your conferences")
	if len(confs) == 0 {
		m.Blocks = append(m.Blocks, bot.Text{Text: "You don't have a conference coming up. When your teacher books one, you'll get a DM."})
	}
	for _, cf := range confs {
		m.Blocks = append(m.Blocks, bot.Text{Text: fmt.Sprintf("#%d · %s with %s · %s", cf.Number,
			bot.Bold(formatWhen(cf.At, loc)), bot.User(cf.TeacherName), countNoun(len(cf.Agenda), "talking point", "talking points"))})
		if items := agendaItems(cf.Agenda); len(items) > 0 {
			m.Blocks = append(m.Blocks, bot.List{Items: items})
		}
	}
	if h.notesToStudents {
		past, err := h.pastNotes(ctx, storage.ConferenceQuery{StudentID: c.Actor.ID}, 3)
		if err != nil {
			return nil, err
		}
		m.Blocks = appendQuoted(m.Blocks, "Notes from your last conferences", past, func(cf plpbot.Conference) string {
			return notesLine(cf, cf.TeacherName, loc)
		})
	}
	if len(confs) > 0 {
		m.Blocks = append(m.Blocks, bot.Context{Text: fmt.Sprintf("Can't make one? `/plp conference cancel %d` lets them know.", confs[0].Number)})
		m.Buttons = []bot.Button{agendaButton(h)}
	}
	return []bot.Message{m}, nil
}

// cmdConferenceList shows staff the conferences they lead (including recent
// ones still to be marked done) and students their own upcoming ones.
func (h *Handlers) cmdConferenceList(ctx context.Context, c *call) ([]bot.Message, error) {
	now := h.now()
	loc := h.loc(c.Actor)
	if !c.Actor.Role.IsStaff() {
		confs, err := h.store.Conferences(ctx, storage.ConferenceQuery{StudentID: c.Actor.ID, Status: plpbot.ConferenceScheduled, From: now})
		if err != nil {
			return nil, fmt.Errorf("conference list: %w", err)
		}
		return h.studentConferenceList(ctx, c, confs)
	}
	v, err := h.loadConferenceView(ctx, c.Actor)
	if err != nil {
		return nil, fmt.Errorf("conference list: %w", err)
	}
	// Only conferences with students the actor serves now are shown: one
	// who left the class is no longer theirs to see (nor to close).
	var met, confs, done []plpbot.Conference
	for _, cf := range v.all {
		if !v.serves(c.Actor, cf.StudentID) {
			continue
		}
		met = append(met, cf)
		switch {
		case cf.Status == plpbot.ConferenceScheduled && !cf.At.Before(now.Add(-conferenceGrace)):
			confs = append(confs, cf)
		case cf.Status == plpbot.ConferenceDone && !cf.At.Before(now.AddDate(0, 0, -30)) && cf.Notes != "":
			done = append(done, cf)
		}
	}
	notes := slices.Clone(done[max(0, len(done)-5):])
	slices.Reverse(notes)
	due, dueIDs := h.whoIsDue(c, v, met)
	if err := h.auditConferenceList(ctx, c.Actor, confs, notes, dueIDs); err != nil {
		return nil, err
	}
	recent := func(blocks []bot.Block) []bot.Block {
		return appendQuoted(blocks, "Recent notes", notes, func(cf plpbot.Conference) string { return notesLine(cf, cf.StudentName, loc) })
	}
	if len(confs) == 0 {
		m := reply("Your conferences",
			bot.Text{Text: "No conferences coming up."},
			bot.Context{Text: "Book one with `/plp conference @sam YYYY-MM-DD HH:MM`, or a standing 1:1 with `/plp conference @sam every 1w tue 10:30`."})
		m.Blocks = append(recent(m.Blocks), due...)
		return []bot.Message{m}, nil
	}
	m := reply("Your conferences")
	past := false
	for _, cf := range confs {
		line := fmt.Sprintf("#%d · %s · %s · %s", cf.Number, bot.Bold(bot.User(cf.StudentName)), formatWhen(cf.At, loc),
			countNoun(len(cf.Agenda), "talking point", "talking points"))
		if cf.Every != "" {
			line += " · " + everyWords(cf.Every)
		}
		if cf.At.Before(now) {
			line += " · " + bot.Italic("earlier — mark it done?")
			past = true
		}
		m.Blocks = append(m.Blocks, bot.Text{Text: line})
		if items := agendaItems(cf.Agenda); len(items) > 0 {
			m.Blocks = append(m.Blocks, bot.List{Items: items})
		}
	}
	hint := "Close one with `/plp conference done N notes` or `/plp conference cancel N`."
	if past {
		hint = "Mark a past one done with `/plp conference done N notes`."
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: hint})
	m.Blocks = append(recent(m.Blocks), due...)
	return []bot.Message{m}, nil
}

// pastNotes lists up to n done conferences that have notes, newest first:
// for a student (studentID) or held by a staff member (teacherID).
func (h *Handlers) pastNotes(ctx context.Context, q storage.ConferenceQuery, n int) ([]plpbot.Conference, error) {
	q.Status = plpbot.ConferenceDone
	done, err := h.store.Conferences(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("past conferences: %w", err)
	}
	var out []plpbot.Conference
	for i := len(done) - 1; i >= 0 && len(out) < n; i-- {
		if done[i].Notes != "" {
			out = append(out, done[i])
		}
	}
	return out, nil
}

// notesLine is one past conference's notes, such as
// "#3 · Tue 1 Dec with Ms Lee: Agreed on two new steps".
func notesLine(cf plpbot.Conference, who string, loc *time.Location) string {
	return "#" + strconv.Itoa(cf.Number) + " · " + cf.At.In(loc).Format("Mon 2 Jan") + " with " + bot.User(who) + ": " + bot.User(cf.Notes)
}

// auditConferenceList records a staff conference list as a read of each
// student it shows, in one write: their conferences listed (with agendas),
// the notes of recent ones ("conference #3, #5, notes of #2"), and the
// meeting dates of "who's due".
func (h *Handlers) auditConferenceList(ctx context.Context, actor *plpbot.Person, confs, notes []plpbot.Conference, dueIDs []string) error {
	var order []string
	listed, noted := map[string][]string{}, map[string][]string{}
	for _, part := range []struct {
		confs []plpbot.Conference
		nums  map[string][]string
	}{{confs, listed}, {notes, noted}} {
		for _, cf := range part.confs {
			if len(listed[cf.StudentID])+len(noted[cf.StudentID]) == 0 {
				order = append(order, cf.StudentID)
			}
			part.nums[cf.StudentID] = append(part.nums[cf.StudentID], "#"+strconv.Itoa(cf.Number))
		}
	}
	subjects := make([]auditSubject, 0, len(order)+len(dueIDs))
	for _, id := range order {
		var parts []string
		if n := listed[id]; len(n) > 0 {
			parts = append(parts, "conference "+strings.Join(n, ", "))
		}
		if n := noted[id]; len(n) > 0 {
			parts = append(parts, "notes of "+strings.Join(n, ", "))
		}
		subjects = append(subjects, auditSubject{id: id, detail: strings.Join(parts, ", ")})
	}
	for _, id := range dueIDs {
		if len(listed[id])+len(noted[id]) == 0 {
			subjects = append(subjects, auditSubject{id: id, detail: "meeting dates"})
		}
	}
	return h.auditMany(ctx, actor, "conference_list", subjects)
}

// agendaItems lists talking points with who added them.
func agendaItems(agenda []plpbot.AgendaItem) []string {
	items := make([]string, len(agenda))
	for i, a := range agenda {
		items[i] = bot.User(a.Text) + " — " + bot.User(a.ByName)
	}
	return items
}

// cmdConferenceAgenda adds a student's talking point to their next
// scheduled conference.
func (h *Handlers) cmdConferenceAgenda(ctx context.Context, c *call) ([]bot.Message, error) {
	text := strings.TrimSpace(c.Invocation.Arg("text"))
	if text == "" {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Write the talking point after `agenda`.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	next, err := h.store.Conferences(ctx, storage.ConferenceQuery{StudentID: c.Actor.ID, Status: plpbot.ConferenceScheduled, From: h.now(), Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("conference agenda: %w", err)
	}
	if len(next) == 0 {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: "You don't have a conference booked yet, so there's nowhere to add that. Nothing was saved.",
			Hint:    "Keep the thought as a reflection: `/plp reflect " + bot.User(text) + "`"}
	}
	cf, err := h.store.AddAgendaItem(ctx, next[0].Number, plpbot.AgendaItem{Text: text, ByID: c.Actor.ID, ByName: c.Actor.Name})
	if err != nil {
		return nil, fmt.Errorf("conference agenda: %w", err)
	}
	return []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("Added to your conference with %s on %s: %s",
			bot.User(cf.TeacherName), bot.Bold(formatWhen(cf.At, h.loc(c.Actor))), bot.User(text))},
		bot.Context{Text: countNoun(len(cf.Agenda), "talking point", "talking points") + " so far. See them with `/plp conference list`."})}, nil
}

// scheduledConference loads conference n and checks it is still scheduled.
func (h *Handlers) scheduledConference(ctx context.Context, n int) (*plpbot.Conference, error) {
	cf, err := h.store.ConferenceByNumber(ctx, n)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &bot.UserError{Code: bot.ENotFound, Message: fmt.Sprintf("There's no conference #%d.", n),
			Hint: "Type `/plp conference list` to see yours with their numbers."}
	}
	if err != nil {
		return nil, fmt.Errorf("load conference: %w", err)
	}
	if cf.Status != plpbot.ConferenceScheduled {
		return nil, &bot.UserError{Code: bot.EConflict,
			Message: fmt.Sprintf("Conference #%d is already %s.", n, cf.Status),
			Hint:    "Type `/plp conference list` to see what's still coming up."}
	}
	return cf, nil
}

// ownConference loads conference n for a command only the staff member
// who holds it (while they serve the student) or an admin may run
// (plpbot.CanManageConference), and checks it is still scheduled.
func (h *Handlers) ownConference(ctx context.Context, c *call, verb string) (*plpbot.Conference, error) {
	n := c.Invocation.Int("id")
	cf, err := h.scheduledConference(ctx, n)
	if err != nil {
		return nil, err
	}
	ties := plpbot.Ties{}
	if cf.TeacherID == c.Actor.ID {
		// The student as stored: a counselor's caseload reads their grade and name.
		student, err := h.store.User(ctx, cf.StudentID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			student = &plpbot.Person{ID: cf.StudentID}
		case err != nil:
			return nil, fmt.Errorf("load student: %w", err)
		}
		if ties, err = h.tiesOf(ctx, c.Actor, student); err != nil {
			return nil, err
		}
	}
	if !plpbot.CanManageConference(c.Actor, cf, ties) {
		return nil, &bot.UserError{Code: bot.EForbidden,
			Message: fmt.Sprintf("Conference #%d isn't yours: only its teacher or an admin can %s it.", n, verb),
			Hint:    "Type `/plp conference list` to see yours with their numbers."}
	}
	return cf, nil
}

// cmdConferenceDone marks a conference done with the teacher's notes.
func (h *Handlers) cmdConferenceDone(ctx context.Context, c *call) ([]bot.Message, error) {
	cf, err := h.ownConference(ctx, c, "close")
	if err != nil {
		return nil, err
	}
	notes := strings.TrimSpace(c.Invocation.Arg("notes"))
	cf, err = h.store.CompleteConference(ctx, cf.Number, notes)
	if err != nil {
		return nil, fmt.Errorf("conference done: %w", err)
	}
	text := fmt.Sprintf("Conference #%d with %s is done.", cf.Number, bot.User(cf.StudentName))
	if notes != "" {
		text += " Your notes are saved."
	}
	if roll, err := h.rollNote(ctx, c, cf); err != nil {
		return nil, fmt.Errorf("conference done: %w", err)
	} else if roll != nil {
		return []bot.Message{reply("", bot.Text{Text: text}, roll)}, nil
	}
	next := "Book the next one with `/plp conference " + mentionOfID(c, cf.StudentID, cf.StudentName) + " YYYY-MM-DD HH:MM`."
	return []bot.Message{reply("", bot.Text{Text: text}, bot.Context{Text: next})}, nil
}

// cmdConferenceCancel cancels a conference and tells the other side: staff
// cancel theirs and the student hears; a student declines one of their own
// and the staff member hears. A standing conference carries on with its
// next occurrence.
func (h *Handlers) cmdConferenceCancel(ctx context.Context, c *call) ([]bot.Message, error) {
	if !c.Actor.Role.IsStaff() {
		return h.declineConference(ctx, c)
	}
	return h.cancelConference(ctx, c, false)
}

// declineConference lets a student cancel a conference that involves them.
func (h *Handlers) declineConference(ctx context.Context, c *call) ([]bot.Message, error) {
	cf, err := h.scheduledConference(ctx, c.Invocation.Int("id"))
	if err != nil {
		return nil, err
	}
	if cf.StudentID != c.Actor.ID {
		return nil, &bot.UserError{Code: bot.ENotFound, Message: fmt.Sprintf("You don't have a conference #%d.", cf.Number),
			Hint: "Type `/plp conference list` to see yours with their numbers."}
	}
	if cf, err = h.store.CancelConference(ctx, cf.Number); err != nil {
		return nil, fmt.Errorf("decline conference: %w", err)
	}
	out := []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("Done — conference #%d with %s is cancelled. I've let them know.", cf.Number, bot.User(cf.TeacherName))},
		bot.Context{Text: "Want a different time? Ask them, or add what's on your mind with `/plp conference agenda TEXT` next time."})}
	staff, err := h.store.User(ctx, cf.TeacherID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("decline conference: %w", err)
	}
	if staff != nil {
		out = append(out, dmTo(staff, reply("Conference cancelled",
			bot.Text{Text: fmt.Sprintf("%s can't make conference #%d on %s and cancelled it.",
				bot.User(cf.StudentName), cf.Number, bot.Bold(formatWhen(cf.At, h.loc(staff))))},
			bot.Context{Text: "Book a new time with `/plp conference " + mentionOfID(c, cf.StudentID, cf.StudentName) + " YYYY-MM-DD HH:MM`."})))
	}
	return out, nil
}

// cmdConferenceEnd cancels an occurrence of a standing conference and ends
// the series.
func (h *Handlers) cmdConferenceEnd(ctx context.Context, c *call) ([]bot.Message, error) {
	return h.cancelConference(ctx, c, true)
}

func (h *Handlers) cancelConference(ctx context.Context, c *call, all bool) ([]bot.Message, error) {
	cf, err := h.ownConference(ctx, c, "cancel")
	if err != nil {
		return nil, err
	}
	if all && cf.Every == "" {
		return nil, &bot.UserError{Code: bot.EInvalid,
			Message: fmt.Sprintf("Conference #%d is a one-off, not a standing 1:1. Nothing was cancelled.", cf.Number),
			Hint:    fmt.Sprintf("Cancel it with `/plp conference cancel %d`.", cf.Number)}
	}
	if all {
		cf, err = h.store.EndConferenceSeries(ctx, cf.Number)
	} else {
		cf, err = h.store.CancelConference(ctx, cf.Number)
	}
	if err != nil {
		return nil, fmt.Errorf("conference cancel: %w", err)
	}
	ack := reply("",
		bot.Text{Text: fmt.Sprintf("Cancelled conference #%d with %s. I've let them know.", cf.Number, bot.User(cf.StudentName))},
		bot.Context{Text: "Book a new time with `/plp conference " + mentionOfID(c, cf.StudentID, cf.StudentName) + " YYYY-MM-DD HH:MM`."})
	studentNote := "Nothing to do — they'll set up a new time."
	switch {
	case all:
		ack.Blocks = []bot.Block{bot.Text{Text: fmt.Sprintf("Ended your standing 1:1 with %[2]s: #%[1]d is cancelled and no more will be booked. I've let them know.",
			cf.Number, bot.User(cf.StudentName))}}
		studentNote = "Your regular 1:1s with them have ended too. You can still ask for a conference any time."
	default:
		roll, err := h.rollNote(ctx, c, cf)
		if err != nil {
			return nil, fmt.Errorf("conference cancel: %w", err)
		}
		if roll != nil {
			ack.Blocks = []bot.Block{ack.Blocks[0], roll}
			studentNote = "Your regular 1:1 carries on as usual next time."
		}
	}
	out := []bot.Message{ack}
	s, err := h.store.User(ctx, cf.StudentID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("conference cancel: %w", err)
	}
	if s != nil {
		out = append(out, dmTo(s, reply("Conference cancelled",
			bot.Text{Text: fmt.Sprintf("Your conference with %s on %s is cancelled. %s",
				bot.User(cf.TeacherName), bot.Bold(formatWhen(cf.At, h.loc(s))), studentNote)})))
	}
	return out, nil
}

// mentionOfID writes a mention of a stored user known by id (see
// mentionOf), falling back to @name.
func mentionOfID(c *call, id, name string) string {
	if p, rest, ok := strings.Cut(id, ":"); ok {
		if ws, pid, ok := strings.Cut(rest, ":"); ok {
			return mentionOf(c, &plpbot.Person{Platform: p, Workspace: ws, PlatformID: pid, Name: name})
		}
	}
	return "@" + name
}
