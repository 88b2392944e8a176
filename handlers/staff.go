package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Roster and student-view limits.
const (
	// rosterRowsPerBlock keeps each list block well under platform limits;
	// adapters paginate the blocks.
	rosterRowsPerBlock = 20
	// defaultActivityDays is how far back "student" shows activity.
	defaultActivityDays = 30
	// maxActivityItems caps each activity list in the student view.
	maxActivityItems = 25
)

// findMentioned loads the person mentioned in user argument arg, by
// platform id only, without creating them: staff commands about a student
// only make sense for people the bot already knows. storage.ErrNotFound if
// unknown.
func (h *Handlers) findMentioned(ctx context.Context, c *call, arg string) (*plpbot.Person, error) {
	id, err := mentionedID(c, arg)
	if err != nil {
		return nil, err
	}
	return h.store.User(ctx, id)
}

// mentionedID is the id that user argument arg names: the stored person's,
// unless it is a chat account linked to a roster person (storage.User
// follows the link). storage.ErrNotFound if arg names nobody.
func mentionedID(c *call, arg string) (string, error) {
	mention, ok := c.Invocation.User(arg)
	if !ok {
		return "", fmt.Errorf("mention %s: %w", arg, storage.ErrNotFound)
	}
	id, err := mentionIdentity(c, mention)
	if err != nil {
		return "", err
	}
	return storageID(id).UserID(), nil
}

// mentionsAreAccounts reports whether the people c's actor names are most
// likely stored under the id their mention names, so that the reads keyed
// on it can be sent before the person is found (studentAndTies): unless
// the actor's own chat account is linked to a roster person. In a school
// whose people come from the SIS, a mention names a linked account, whose
// person has the roster's id, and those reads would be sent in vain.
func mentionsAreAccounts(c *call) bool {
	return c.Actor.ID == storageID(c.Request.Actor).UserID()
}

// mentionName is how the person in user argument arg was written, for
// messages about someone the bot doesn't know.
func mentionName(c *call, arg string) string {
	m, _ := c.Invocation.User(arg)
	if m.Name != "" {
		return m.Name
	}
	return m.UserID
}

// mentionOf writes a mention of u, for a command to suggest, that the
// adapter carrying the request reads back (bot.Mentioner); without one, the
// console's "@id".
func mentionOf(c *call, u *plpbot.Person) string {
	if m, ok := c.Request.Adapter.(bot.Mentioner); ok {
		return m.Mention(bot.Identity{Platform: bot.Platform(u.Platform), Workspace: u.Workspace, UserID: u.PlatformID, Name: u.Name})
	}
	return "@" + u.PlatformID
}

// studentFor finds the student of a staff command and checks the actor may
// see them. Someone unknown gets the same refusal as someone outside the
// actor's classes, so the refusal reveals nothing; admins are told plainly.
// Staff refused a student the bot knows are audited (refused:COMMAND).
func (h *Handlers) studentFor(ctx context.Context, c *call) (*plpbot.Person, error) {
	u, _, err := h.studentAndTies(ctx, c, nil)
	return u, err
}

// studentAndTies is studentFor that also returns the actor's ties to the
// student, read once, for the checks that follow (flags). If also is not
// nil it runs with the student's id, at the same time as the ties are read
// (a read the command needs next); its error counts only once the actor
// may see the student, and what it read is theirs to use only then.
//
// The ties and also need only the student's id, so they are sent with the
// read of the student, keyed on the id the person is most likely stored
// under: the roster person a mentioned account was lately read to be linked
// to (storage.PersonID), else the mention's own id where mentions name
// people by it (mentionsAreAccounts). One wait, not two. If the person
// found has another id, they are read again with theirs before anything
// is decided.
func (h *Handlers) studentAndTies(ctx context.Context, c *call, also func(context.Context, string) error) (*plpbot.Person, plpbot.Ties, error) {
	id, err := mentionedID(c, "user")
	var (
		u *plpbot.Person
		r *studentReads
	)
	if err == nil {
		var wg sync.WaitGroup
		if key, linked := h.store.PersonID(id); linked || mentionsAreAccounts(c) {
			wg.Go(func() { r = h.readStudent(ctx, c.Actor, key, also) })
		}
		u, err = h.store.User(ctx, id)
		wg.Wait()
	}
	if errors.Is(err, storage.ErrNotFound) {
		name := mentionName(c, "user")
		if c.Actor.Role == plpbot.RoleAdmin {
			return nil, plpbot.Ties{}, unknownPerson()
		}
		return nil, plpbot.Ties{}, h.requireStudentAccess(ctx, c.Actor, &plpbot.Person{ID: "?", Name: name})
	}
	if err != nil {
		return nil, plpbot.Ties{}, fmt.Errorf("find student: %w", err)
	}
	if r == nil || r.id != u.ID {
		r = h.readStudent(ctx, c.Actor, u.ID, also)
	}
	if r.tiesErr != nil {
		return nil, plpbot.Ties{}, fmt.Errorf("check access: %w", r.tiesErr)
	}
	ties := r.ties.of(u)
	if c.Actor.ID != u.ID && c.Actor.Role != plpbot.RoleAdmin && !plpbot.CanViewPlan(c.Actor, u, ties) {
		err := accessRefusal(c.Actor, u, h.staffEnrol())
		if aerr := h.auditRefusal(ctx, c, u, err); aerr != nil {
			return nil, plpbot.Ties{}, aerr
		}
		return nil, plpbot.Ties{}, err
	}
	return u, ties, r.alsoErr
}

// studentReads are the reads of a staff command keyed on a student's id:
// the actor's ties to them (readTies) and the command's own (also), with
// what each returned.
type studentReads struct {
	id      string
	ties    tieReads
	tiesErr error
	alsoErr error
}

// readStudent sends the reads keyed on student id id together.
func (h *Handlers) readStudent(ctx context.Context, actor *plpbot.Person, id string, also func(context.Context, string) error) *studentReads {
	r := &studentReads{id: id}
	var wg sync.WaitGroup
	if also != nil {
		wg.Go(func() { r.alsoErr = also(ctx, id) })
	}
	r.ties, r.tiesErr = h.readTies(ctx, actor, id)
	wg.Wait()
	return r
}

// cmdRoster shows a class at a glance: one compact row per student. Admins
// without a class name see the whole school; counselors who name their
// caseload, or name nothing and teach no class, see their caseload.
func (h *Handlers) cmdRoster(ctx context.Context, c *call) ([]bot.Message, error) {
	name := strings.Join(strings.Fields(c.Invocation.Arg("class")), " ")
	var (
		r   *classRoster
		err error
	)
	switch {
	case name == "" && c.Actor.Role == plpbot.RoleAdmin:
		return h.schoolRoster(ctx, c)
	case c.Actor.Role == plpbot.RoleCounselor && strings.EqualFold(name, caseloadWord):
		cl, err := h.store.Caseload(ctx, c.Actor)
		if err != nil {
			return nil, fmt.Errorf("roster: %w", err)
		}
		return h.caseloadRoster(ctx, c, cl)
	case name == "":
		var cl *plpbot.Caseload
		if r, cl, err = h.unnamedRoster(ctx, c); cl != nil {
			return h.caseloadRoster(ctx, c, cl)
		}
	default:
		r, err = h.namedRoster(ctx, c, name)
	}
	if err != nil {
		return nil, fmt.Errorf("roster: %w", err)
	}
	title := bot.User(r.class.Name)
	archived := h.archivedNote(r.class, r.term)
	if archived != nil {
		title += " (archived)"
	}
	m := h.rosterMessage(title, r.rows, h.loc(c.Actor))
	if archived != nil {
		m.Blocks = slices.Insert(m.Blocks, 0, archived)
	}
	return []bot.Message{m}, nil
}

// schoolRoster is an admin's roster of the whole school, audited per
// student.
func (h *Handlers) schoolRoster(ctx context.Context, c *call) ([]bot.Message, error) {
	rows, err := h.store.SchoolRoster(ctx, c.Actor.Platform, c.Actor.Workspace)
	if err == nil {
		err = h.auditRoster(ctx, c.Actor, "whole school", rosterIDs(rows))
	}
	if err != nil {
		return nil, fmt.Errorf("roster: %w", err)
	}
	return []bot.Message{h.rosterMessage("Whole school", rows, h.loc(c.Actor))}, nil
}

// classRoster is what a class's roster shows: the class, its term (nil
// for none) and a row per student.
type classRoster struct {
	class *plpbot.Class
	term  *plpbot.Term
	rows  []plpbot.RosterRow
}

// namedRoster reads the roster of the class called name in three steps:
// the class; its enrollments (its students, and whether the actor teaches
// it: access checked now) with its term; then the students' records and
// the audit of reading them, together.
func (h *Handlers) namedRoster(ctx context.Context, c *call, name string) (*classRoster, error) {
	cl, err := h.classNamed(ctx, c, name)
	if err != nil {
		return nil, err
	}
	r := &classRoster{class: cl}
	var es []plpbot.Enrollment
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { es, err = h.store.ClassEnrollments(gctx, cl.ID); return err })
	g.Go(func() (err error) { r.term, err = h.classTerm(gctx, cl); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var students []string
	teaches := c.Actor.Role == plpbot.RoleAdmin
	for _, e := range es {
		switch {
		case e.Role == plpbot.MemberStudent:
			students = append(students, e.UserID)
		case e.UserID == c.Actor.ID:
			teaches = true
		}
	}
	if !teaches {
		return nil, notYourClass(cl)
	}
	if r.rows, err = h.readClassRoster(ctx, c, cl, students); err != nil {
		return nil, err
	}
	return r, nil
}

// unnamedRoster reads the roster of the class /plp roster means when it
// names none — in a class's channel, that class if the actor teaches it,
// else classMeant — in three steps: the classes the actor teaches now and
// their students, in one read (storage.TaughtBy: access checked now), with
// a counselor's caseload; those classes and the terms, together; then the
// students' records and the audit of reading them, together. A counselor
// who teaches no class gets their caseload instead, to show.
func (h *Handlers) unnamedRoster(ctx context.Context, c *call) (*classRoster, *plpbot.Caseload, error) {
	var (
		taught   *storage.Taught
		caseload *plpbot.Caseload
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { taught, err = h.store.TaughtBy(gctx, c.Actor.ID); return err })
	if c.Actor.Role == plpbot.RoleCounselor {
		g.Go(func() (err error) { caseload, err = h.store.Caseload(gctx, c.Actor); return err })
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if caseload != nil && len(taught.Classes) == 0 {
		return nil, caseload, nil
	}
	var (
		mine  []plpbot.Class
		terms map[string]*plpbot.Term
	)
	if len(taught.Classes) > 0 {
		g, gctx = errgroup.WithContext(ctx)
		g.Go(func() (err error) { mine, err = h.store.ClassesByID(gctx, taught.Classes); return err })
		g.Go(func() (err error) { terms, err = h.store.TermsByID(gctx); return err })
		if err := g.Wait(); err != nil {
			return nil, nil, err
		}
	}
	slices.SortFunc(mine, func(a, b plpbot.Class) int { return strings.Compare(a.NameLower, b.NameLower) })
	cl := classOfChannel(c, mine)
	if cl == nil {
		var err error
		if cl, err = h.classMeant(mine, terms, func(n string) string { return "/plp roster " + n }); err != nil {
			return nil, nil, err
		}
	}
	rows, err := h.readClassRoster(ctx, c, cl, taught.StudentsOf(cl.ID))
	if err != nil {
		return nil, nil, err
	}
	return &classRoster{class: cl, term: terms[cl.TermID], rows: rows}, nil, nil
}

// classOfChannel is the class of classes linked to the channel the
// request came from, if any.
func classOfChannel(c *call, classes []plpbot.Class) *plpbot.Class {
	ch := c.Request.Place.Channel
	if c.Request.Place.Kind != bot.InChannel || ch.ChannelID == "" {
		return nil
	}
	for i := range classes {
		cl := &classes[i]
		if cl.ChannelID == ch.ChannelID && cl.Platform == c.Actor.Platform && cl.Workspace == c.Actor.Workspace {
			return cl
		}
	}
	return nil
}

// readClassRoster reads the roster rows of students, of class cl, and
// audits the read as one entry each, in one write sent with the read: if
// the audit fails, nothing is shown.
func (h *Handlers) readClassRoster(ctx context.Context, c *call, cl *plpbot.Class, students []string) ([]plpbot.RosterRow, error) {
	var rows []plpbot.RosterRow
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { rows, err = h.store.RosterOf(gctx, students); return err })
	g.Go(func() error { return h.auditRoster(gctx, c.Actor, cl.Name, students) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return rows, nil
}

// rosterIDs are the students of roster rows.
func rosterIDs(rows []plpbot.RosterRow) []string {
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].UserID
	}
	return ids
}

// auditRoster records a roster as a read of each student on it, in one write.
func (h *Handlers) auditRoster(ctx context.Context, actor *plpbot.Person, where string, ids []string) error {
	subjects := make([]auditSubject, len(ids))
	for i, id := range ids {
		subjects[i] = auditSubject{id: id, detail: where}
	}
	return h.auditMany(ctx, actor, "roster", subjects)
}

// rosterMessage renders roster rows under a header line of class totals.
// Rows hold no reflections or notes; the 🔒 marker is for staff eyes only.
func (h *Handlers) rosterMessage(title string, rows []plpbot.RosterRow, loc *time.Location) bot.Message {
	now := h.now()
	m := reply("Roster · " + title)
	if len(rows) == 0 {
		next := "Add them with `/plp class add @sam @alex`."
		if !h.staffEnrol() {
			next = "In this school, an admin adds them."
		}
		m.Blocks = append(m.Blocks, bot.Text{Text: "No students here yet."}, bot.Context{Text: next})
		return m
	}
	st := plpbot.StatsOf(rows, now)
	items := make([]string, 0, rosterRowsPerBlock)
	var lists []bot.Block
	for i := range rows {
		items = append(items, rosterLine(&rows[i], now, loc))
		if len(items) == rosterRowsPerBlock {
			lists = append(lists, bot.List{Items: items})
			items = make([]string, 0, rosterRowsPerBlock)
		}
	}
	if len(items) > 0 {
		lists = append(lists, bot.List{Items: items})
	}
	head := []string{countNoun(st.Students, "student", "students"),
		strconv.Itoa(st.CheckedIn) + " checked in this week"}
	if st.HasProgress {
		head = append(head, "average "+strconv.Itoa(st.Progress)+"%")
	}
	if st.Quiet > 0 {
		head = append(head, strconv.Itoa(st.Quiet)+" quiet for 2+ weeks")
	}
	if st.Away > 0 {
		head = append(head, strconv.Itoa(st.Away)+" away")
	}
	if st.CantDM > 0 {
		head = append(head, strconv.Itoa(st.CantDM)+" can't get DMs")
	}
	m.Blocks = append(m.Blocks, bot.Text{Text: strings.Join(head, " · ")})
	m.Blocks = append(m.Blocks, lists...)
	foot := "Open one student with `/plp student @name`."
	if st.Flagged > 0 {
		foot = "🔒 = staff-only intervention flag. " + foot
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: foot})
	return m
}

// rosterLine is one student's compact row, such as
// "Sam ▰▰▰▱▱ 60% · 2 goals · checked in 5d ago · away until Fri 4 Dec · 🔒".
func rosterLine(r *plpbot.RosterRow, now time.Time, loc *time.Location) string {
	var b strings.Builder
	b.WriteString(bot.Bold(bot.User(r.Name)))
	if r.ActiveGoals > 0 {
		b.WriteString(" " + bot.Bar(r.AvgProgress, 5) + " " + strconv.Itoa(r.AvgProgress) + "% · ")
		b.WriteString(countNoun(r.ActiveGoals, "goal", "goals"))
	} else {
		b.WriteString(" · no active goals")
	}
	if r.DoneGoals > 0 {
		b.WriteString(" · " + strconv.Itoa(r.DoneGoals) + " done")
	}
	if r.LastCheckIn.IsZero() {
		b.WriteString(" · no check-ins yet")
	} else {
		b.WriteString(" · checked in " + agoShort(r.LastCheckIn, now))
	}
	if plpbot.IsAway(r.AwayUntil, now) {
		b.WriteString(" · away until " + r.AwayUntil.In(loc).Format("Mon 2 Jan"))
	}
	if r.CantDM != "" {
		b.WriteString(" · can't DM")
	}
	if r.Flagged {
		b.WriteString(" · 🔒")
	}
	return b.String()
}

// agoShort says how long before now t was, compactly: "today", "5d ago", "3w ago".
func agoShort(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 24*time.Hour:
		return "today"
	case d < 14*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d ago"
	case d < 120*24*time.Hour:
		return strconv.Itoa(int(d/(7*24*time.Hour))) + "w ago"
	}
	return t.Format("Jan 2006")
}

// cmdStudent shows staff a student's plan with their check-ins, reflections
// and feedback since a date, and their flags where the access policy allows.
// The read is audited first.
func (h *Handlers) cmdStudent(ctx context.Context, c *call) ([]bot.Message, error) {
	s, ties, err := h.studentAndTies(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	since, err := h.activitySince(c)
	if err != nil {
		return nil, err
	}
	// The audit is written alongside the reads; if it fails, nothing read
	// is shown.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return h.audit(gctx, c.Actor, "view_plan", s, "since "+since.In(h.loc(c.Actor)).Format(time.DateOnly))
	})
	v := &studentView{student: s, since: since}
	h.loadStudentView(gctx, g, c.Actor, ties, v)
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("student: %w", err)
	}
	return []bot.Message{h.studentViewMessage(c, v)}, nil
}

// activitySince is the start of the activity a staff view shows: since:
// in the viewer's zone, or defaultActivityDays back.
func (h *Handlers) activitySince(c *call) (time.Time, error) {
	loc, now := h.loc(c.Actor), h.now()
	d, ok := c.Invocation.Date("since")
	if !ok {
		return now.AddDate(0, 0, -defaultActivityDays), nil
	}
	since := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	if since.After(now) {
		return time.Time{}, &bot.UserError{Code: bot.EInvalid, Field: "since",
			Message: "since: " + bot.User(c.Invocation.Arg("since")) + " is in the future. Pick today or an earlier day.",
			Usage:   h.grammar.Usage(c.Invocation.Path)}
	}
	return since, nil
}

// studentView is what the staff view of a student reads.
type studentView struct {
	student     *plpbot.Person
	since       time.Time
	goals       []plpbot.Goal
	checkIns    []plpbot.CheckIn
	reflections []plpbot.Reflection
	feedback    []plpbot.Feedback
	flags       []plpbot.Flag // only where plpbot.CanSeeFlags allows
	coming      []plpbot.Conference
	past        []plpbot.Conference // recent ones with notes, newest first
}

// loadStudentView reads a student's records for viewer into v, each read
// in its own goroutine of g (they don't depend on each other). Flags are
// read only when the access policy lets viewer see them: never on a view
// of oneself.
func (h *Handlers) loadStudentView(ctx context.Context, g *errgroup.Group, viewer *plpbot.Person, ties plpbot.Ties, v *studentView) {
	s, since := v.student, v.since
	g.Go(func() (err error) {
		v.goals, err = h.store.Goals(ctx, s.ID)
		v.feedback = plpbot.FeedbackOn(v.goals, since, maxActivityItems+1) // kept on the goals
		return err
	})
	g.Go(func() (err error) {
		v.checkIns, err = h.store.CheckIns(ctx, s.ID, since, maxActivityItems+1)
		return err
	})
	g.Go(func() (err error) {
		v.reflections, err = h.store.Reflections(ctx, s.ID, since, maxActivityItems+1)
		return err
	})
	if plpbot.CanSeeFlags(viewer, s, ties) {
		g.Go(func() (err error) { v.flags, err = h.store.Flags(ctx, s.ID); return err })
	}
	g.Go(func() error {
		all, err := h.store.Conferences(ctx, storage.ConferenceQuery{StudentID: s.ID})
		if err != nil {
			return fmt.Errorf("conferences: %w", err)
		}
		v.coming, v.past = comingAndPast(all, h.now(), 3)
		return nil
	})
}

// comingAndPast splits a student's conferences, earliest first, into the
// next n scheduled ones and the latest n done ones with notes, newest first.
func comingAndPast(all []plpbot.Conference, now time.Time, n int) (coming, past []plpbot.Conference) {
	for _, cf := range all {
		if cf.Status == plpbot.ConferenceScheduled && !cf.At.Before(now) && len(coming) < n {
			coming = append(coming, cf)
		}
	}
	for i := len(all) - 1; i >= 0 && len(past) < n; i-- {
		if all[i].Status == plpbot.ConferenceDone && all[i].Notes != "" {
			past = append(past, all[i])
		}
	}
	return coming, past
}

// studentViewMessage renders the staff view of a student.
func (h *Handlers) studentViewMessage(c *call, v *studentView) bot.Message {
	loc, now, s := h.loc(c.Actor), h.now(), v.student
	m := reply(bot.User(s.Name) + "'s plan")
	if s.Away(now) {
		line := "🏖 Away until " + s.AwayUntil.In(loc).Format("Mon 2 Jan")
		if s.AwayNote != "" {
			line += ": " + bot.User(s.AwayNote)
		}
		m.Blocks = append(m.Blocks, bot.Context{Text: line})
	}
	if len(v.flags) > 0 {
		m.Blocks = appendQuoted(append(m.Blocks, bot.Text{Text: "🔒 " + bot.Bold("Staff only") + " — intervention flags"}), "", v.flags, func(f plpbot.Flag) string {
			line := strings.ToUpper(f.Kind) + " · " + f.At.In(loc).Format("2 Jan 2006")
			if f.Note != "" {
				line += ": " + bot.User(f.Note)
			}
			return line
		})
	}
	if fs := staffProfileFields(s.Profile); len(fs) > 0 {
		m.Blocks = append(m.Blocks, bot.Fields{Fields: fs})
	}
	m.Blocks = append(m.Blocks, staffGoalBlocks(v.goals, now, loc)...)
	m.Blocks = append(m.Blocks, activityBlocks(v, loc)...)
	m.Blocks = appendQuoted(m.Blocks, "Conference notes", v.past, func(cf plpbot.Conference) string {
		return notesLine(cf, cf.TeacherName, loc)
	})
	if len(v.coming) > 0 {
		m.Blocks = appendQuoted(m.Blocks, "Coming up", v.coming, func(cf plpbot.Conference) string {
			return "#" + strconv.Itoa(cf.Number) + " · " + formatWhen(cf.At, loc) + " with " + bot.User(cf.TeacherName) +
				" · " + countNoun(len(cf.Agenda), "talking point", "talking points")
		})
	}
	mention := mentionOf(c, s)
	m.Blocks = append(m.Blocks, bot.Context{Text: "Give feedback: `/plp feedback " + mention + " N your note` · Meet: `/plp conference " + mention + " YYYY-MM-DD HH:MM`"})
	return m
}

// activityBlocks lists check-ins, reflections and feedback since v.since,
// each capped at maxActivityItems.
func activityBlocks(v *studentView, loc *time.Location) []bot.Block {
	blocks := []bot.Block{bot.Divider{}, bot.Text{Text: bot.Bold("Since " + v.since.In(loc).Format("Mon 2 Jan 2006"))}}
	if len(v.checkIns)+len(v.reflections)+len(v.feedback) == 0 {
		return append(blocks, bot.Context{Text: "No check-ins, reflections or feedback in this time."})
	}
	blocks = appendCapped(blocks, "Check-ins", v.checkIns, func(ci plpbot.CheckIn) string {
		line := ci.At.In(loc).Format("Mon 2 Jan") + " · goal " + strconv.Itoa(ci.GoalNumber) + " → " + strconv.Itoa(ci.Percent) + "%"
		if ci.Confidence > 0 {
			line += " · confidence " + strconv.Itoa(ci.Confidence) + "/5"
		}
		if ci.Note != "" {
			line += " · " + bot.User(ci.Note)
		}
		return line
	})
	blocks = appendCapped(blocks, "Reflections", v.reflections, func(r plpbot.Reflection) string {
		line := r.At.In(loc).Format("Mon 2 Jan") + ": "
		if r.Prompt != "" {
			line += bot.Italic(bot.User(r.Prompt)) + " "
		}
		return line + bot.User(r.Text)
	})
	return appendCapped(blocks, "Feedback", v.feedback, func(f plpbot.Feedback) string {
		return f.At.In(loc).Format("Mon 2 Jan") + " · " + bot.User(f.StaffName) + " on goal " + strconv.Itoa(f.GoalNumber) + ": " + bot.User(f.Text)
	})
}

// appendCapped adds a heading and up to maxActivityItems lines, with a note
// when there are more.
func appendCapped[T any](blocks []bot.Block, heading string, items []T, line func(T) string) []bot.Block {
	if len(items) == 0 {
		return blocks
	}
	lines := make([]string, 0, min(len(items), maxActivityItems+1))
	for i, it := range items {
		if i == maxActivityItems {
			lines = append(lines, "…and more: narrow it with since:YYYY-MM-DD")
			break
		}
		lines = append(lines, line(it))
	}
	return append(blocks, bot.Text{Text: heading}, bot.List{Items: lines})
}

// staffProfileFields lists the filled-in parts of a learner profile.
func staffProfileFields(p plpbot.Profile) []bot.Field {
	var out []bot.Field
	add := func(label, v string) {
		if v != "" {
			out = append(out, bot.Field{Label: label, Value: bot.User(v)})
		}
	}
	add("Interests", p.Interests)
	add("Strengths", p.Strengths)
	add("Areas to grow", p.Grow)
	add("Learns best", p.Learn)
	add("Career interests", p.Career)
	return out
}

// staffGoalBlocks shows goals for staff: a progress bar per active or paused goal
// with its next step, then finished and dropped goals in one line each.
func staffGoalBlocks(goals []plpbot.Goal, now time.Time, loc *time.Location) []bot.Block {
	if len(goals) == 0 {
		return []bot.Block{bot.Context{Text: "No goals yet."}}
	}
	var out []bot.Block
	var finished []string
	for _, g := range goals {
		label := strconv.Itoa(g.Number) + ". " + bot.User(g.Title)
		switch g.Status {
		case plpbot.GoalDone:
			finished = append(finished, "✓ "+label)
			continue
		case plpbot.GoalDropped:
			finished = append(finished, "✗ "+label+" (dropped)")
			continue
		case plpbot.GoalPaused:
			label += " (paused)"
		}
		out = append(out, bot.Progress{Label: label, Percent: g.Progress})
		var notes []string
		if st, _ := g.NextStep(); st != nil {
			notes = append(notes, "Next step: "+bot.User(st.Text))
		}
		if !g.TargetDate.IsZero() {
			due := "by " + formatDay(g.TargetDate)
			if g.Overdue(now) {
				due += " (past its date)"
			}
			notes = append(notes, due)
		}
		if !g.LastCheckIn.IsZero() {
			notes = append(notes, "checked in "+agoShort(g.LastCheckIn, now))
		}
		if len(notes) > 0 {
			out = append(out, bot.Context{Text: strings.Join(notes, " · ")})
		}
	}
	if len(finished) > 0 {
		out = append(out, bot.List{Items: finished})
	}
	return out
}

// cmdFeedback stores a staff comment on a student's goal and DMs it to the
// student with a way to answer. The feedback is stored only once access is
// confirmed, pushed onto its goal in one request that finds the goal (its
// title for the reply) and is also the audit log's entry of this access
// (storage.ActionFeedback): it names the staff member, the student, the
// goal and the time, and is durable before the reply.
//
// A teacher's access is decided by the ties alone (teacherFeedback): 2
// requests. Anyone else, or a teacher whose ties to the id the mention
// names come back empty, takes the full path: the student's record and the
// ties read together (studentAndTies), refused and audited as any staff
// command is, then the push.
func (h *Handlers) cmdFeedback(ctx context.Context, c *call) ([]bot.Message, error) {
	f := plpbot.Feedback{StaffID: c.Actor.ID, StaffName: c.Actor.Name, GoalNumber: c.Invocation.Int("n"),
		Text: strings.TrimSpace(c.Invocation.Arg("text"))}
	if f.Text == "" {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Write your feedback after the goal number.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	for _, fast := range []func(context.Context, *call, plpbot.Feedback) ([]bot.Message, bool, error){h.teacherFeedback, h.counselorFeedback} {
		if msgs, done, err := fast(ctx, c, f); done || err != nil {
			return msgs, err
		}
	}
	s, _, err := h.studentAndTies(ctx, c, nil)
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	f.StudentID = s.ID
	g, err := h.addFeedback(ctx, c, f, bot.User(s.Name), mentionOf(c, s))
	if err != nil {
		return nil, err
	}
	return h.feedbackSent(c, s, g, f.Text), nil
}

// feedbackSent is the answer to feedback f stored on g for student s: the
// acknowledgement and the student's DM.
func (h *Handlers) feedbackSent(c *call, s *plpbot.Person, g *plpbot.Goal, text string) []bot.Message {
	ack := feedbackAck(bot.User(s.Name), g)
	if s.CantDM != "" {
		ack.Blocks = append(ack.Blocks, bot.Context{Text: "I can't DM them here, so they'll see it next time they open `/plp plan`."})
	}
	return []bot.Message{ack, dmTo(s, h.feedbackDM(c, g, text))}
}

// counselorFeedback is feedback from a counselor to a student on their
// caseload, in two requests: the student's record (the caseload's rules
// read their grade and name) with the counselor's caseload — from memory
// when read within the actor cache's age limit, as their role is
// (storage.AccessCaseload) — then the push. done is false, and nothing is
// written, when the caseload doesn't include the student (a counselor may
// also teach them) or anything is amiss: the full path then decides,
// refuses and audits.
func (h *Handlers) counselorFeedback(ctx context.Context, c *call, f plpbot.Feedback) (msgs []bot.Message, done bool, err error) {
	if c.Actor.Role != plpbot.RoleCounselor {
		return nil, false, nil
	}
	id, err := mentionedID(c, "user")
	if err != nil {
		return nil, false, nil // the full path says why
	}
	var (
		cl      *plpbot.Caseload
		caseErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() { cl, caseErr = h.store.AccessCaseload(ctx, c.Actor) })
	s, err := h.store.User(ctx, id)
	wg.Wait()
	if err != nil || caseErr != nil || !cl.Includes(s) || !plpbot.CanActFor(c.Actor, s, plpbot.Ties{Counsels: true}) {
		return nil, false, nil
	}
	f.StudentID = s.ID
	g, err := h.addFeedback(ctx, c, f, bot.User(s.Name), mentionOf(c, s))
	if err != nil {
		return nil, true, err
	}
	return h.feedbackSent(c, s, g, f.Text), true, nil
}

// teacherFeedback is a teacher's feedback decided by the ties alone:
// plpbot.CanActFor needs only the ids and the ties, so the student's record
// is not read. The ties are read keyed on the id the mention most likely
// names (storage.PersonID: the roster person a mentioned account was lately
// read to be linked to, else the mention's own id, where mentions name
// people by it), then the feedback is pushed: 2 requests. The reply names
// the student as the mention does, and the DM goes to the mentioned chat
// account. done is false, and nothing is written, when this can't decide:
// not a teacher, or no tie to that id (someone else's student, someone
// unknown, or an account whose link isn't known yet); the full path then
// decides, refuses and audits.
func (h *Handlers) teacherFeedback(ctx context.Context, c *call, f plpbot.Feedback) (msgs []bot.Message, done bool, err error) {
	if c.Actor.Role != plpbot.RoleTeacher {
		return nil, false, nil
	}
	mention, ok := c.Invocation.User("user")
	if !ok {
		return nil, false, nil
	}
	id, err := mentionIdentity(c, mention)
	if err != nil {
		return nil, false, nil // the full path says why
	}
	key, linked := h.store.PersonID(storageID(id).UserID())
	if !linked && !mentionsAreAccounts(c) {
		return nil, false, nil
	}
	r, err := h.readTies(ctx, c.Actor, key)
	if err != nil {
		return nil, true, fmt.Errorf("feedback: check access: %w", err)
	}
	student := &plpbot.Person{ID: key}
	if !plpbot.CanActFor(c.Actor, student, r.of(student)) {
		return nil, false, nil
	}
	f.StudentID = key
	name, who := mentionedAs(c, mention)
	g, err := h.addFeedback(ctx, c, f, who, h.mentionIdentityOf(c, id))
	if err != nil {
		return nil, true, err
	}
	dm := h.feedbackDM(c, g, f.Text)
	dm.To = &id
	return []bot.Message{feedbackAck(name, g), dm}, true, nil
}

// mentionedAs is how the reply names the person mention names: as the
// typist's client showed them, or by the id typed where ids are names (the
// console); where they are opaque (Slack, Discord) "them", and who, the
// subject of a sentence, "They".
func mentionedAs(c *call, mention bot.Identity) (name, who string) {
	n := mention.Name
	if _, opaque := c.Request.Adapter.(bot.Mentioner); n == "" && !opaque {
		n = mention.UserID
	}
	if n == "" {
		return "them", "They"
	}
	return bot.User(n), bot.User(n)
}

// mentionIdentityOf writes a mention of the chat account id, for a command
// to suggest (as mentionOf).
func (h *Handlers) mentionIdentityOf(c *call, id bot.Identity) string {
	if m, ok := c.Request.Adapter.(bot.Mentioner); ok {
		return m.Mention(id)
	}
	return "@" + id.UserID
}

// addFeedback stores f on its goal (storage.Store.AddFeedback) and returns
// the goal as it is now; a goal the student doesn't have, or one that
// keeps the most feedback a goal can, gets a friendly error naming the
// student as who (the subject of a sentence) and suggesting a look at their
// plan with mention.
func (h *Handlers) addFeedback(ctx context.Context, c *call, f plpbot.Feedback, who, mention string) (*plpbot.Goal, error) {
	_, g, err := h.store.AddFeedback(ctx, f)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		verb := " doesn't"
		if who == "They" {
			verb = " don't"
		}
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: fmt.Sprintf("%s%s have a goal %d.", who, verb, f.GoalNumber),
			Hint:    "See their goals with `/plp student " + mention + "`."}
	case errors.Is(err, storage.ErrFeedbackFull):
		return nil, &bot.UserError{Code: bot.EInvalid,
			Message: fmt.Sprintf("Goal %d already holds %d pieces of feedback, the most one goal keeps.", f.GoalNumber, plpbot.MaxFeedbackPerGoal),
			Hint:    "Talk it through with them instead: book a time with `/plp conference " + mention + " YYYY-MM-DD HH:MM`."}
	case err != nil:
		return nil, fmt.Errorf("feedback: %w", err)
	}
	return g, nil
}

// feedbackAck is the reply to the staff member who gave feedback on g to
// the student called name.
func feedbackAck(name string, g *plpbot.Goal) bot.Message {
	to := " to " + name
	if name == "them" { // a mention that carried no name: the goal says which student
		to = ""
	}
	return reply("", bot.Text{Text: fmt.Sprintf("Sent%s — your feedback on %s is saved in their plan.", to, bot.Bold(bot.User(g.Title)))})
}

// feedbackDM is the student's DM of feedback text on g, with a way to
// answer.
func (h *Handlers) feedbackDM(c *call, g *plpbot.Goal, text string) bot.Message {
	dm := reply("New feedback 💬",
		bot.Text{Text: fmt.Sprintf("%s left feedback on %s: %s", bot.User(c.Actor.Name), bot.Bold(bot.User(g.Title)), bot.User(text))},
		bot.Context{Text: "Want to answer? Write a reflection — your teacher will see it."})
	dm.Buttons = []bot.Button{{Label: "Reply with a reflection", Command: "reflect", Style: bot.Primary,
		Form: h.grammar.FormFor([]string{"reflect"}, nil)}}
	return dm
}

// cmdFlag records a staff-only intervention flag. It is audited and never
// shown to the student or in a channel.
func (h *Handlers) cmdFlag(ctx context.Context, c *call) ([]bot.Message, error) {
	s, err := h.studentFor(ctx, c)
	if err != nil {
		return nil, err
	}
	if s.ID == c.Actor.ID {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Flags are for students, not for yourself.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	kind := c.Invocation.Arg("kind")
	if err := h.audit(ctx, c.Actor, "flag", s, kind); err != nil {
		return nil, err
	}
	if err := h.store.AddFlag(ctx, plpbot.Flag{StudentID: s.ID, Kind: kind, Note: strings.TrimSpace(c.Invocation.Arg("note")), ByID: c.Actor.ID}); err != nil {
		return nil, fmt.Errorf("flag: %w", err)
	}
	return []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("🔒 Saved %s for %s. It's visible to staff only — never to %s, and never in a channel.",
			flagLabel(kind), bot.User(s.Name), bot.User(s.Name))},
		bot.Context{Text: "See it with `/plp student " + mentionOf(c, s) + "`."})}, nil
}

// flagLabel names a flag kind with its article: "an IEP flag", "a 504 flag".
func flagLabel(kind string) string {
	switch kind {
	case "iep":
		return "an IEP flag"
	case "504":
		return "a 504 flag"
	}
	return "a flag"
}
