// Package handlers implements every plpbot command, platform-neutrally: it
// turns a bot.Request into bot.Messages using the storage model, and enforces
// who may see and change what.
//
// Permission rules, in one place:
//   - A student sees and changes only their own plan.
//   - Teachers and counselors see the students of classes they teach, and
//     counselors those on their caseload; every staff read of a student's
//     plan is audited.
//   - Admins see every student and may grant roles and forget people.
//   - Intervention flags are shown to staff only, never to students or channels.
package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/storage"
)

// Options configure the handlers.
type Options struct {
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Admins lists platform user ids that are always admins, per platform.
	Admins map[bot.Platform][]string
	// DefaultTimeZone is used for people whose zone is unknown; default UTC.
	DefaultTimeZone string
	// Reflections and Summaries are the configured default crons of classes
	// that set none (schedule.reflections and schedule.summaries), shown by
	// /plp schedule; empty: the built-in defaults.
	Reflections, Summaries string
	// Holidays are school holidays (dates as midnight UTC): a week with one
	// neither counts nor breaks a check-in streak.
	Holidays []time.Time
	// NotesVisibleToStudents shows students the notes of their own past
	// conferences (conferences.notes_visible_to_students); staff always see
	// them.
	NotesVisibleToStudents bool
	// MinClassSize is the smallest class whose channel summary shows figures
	// (summaries.min_class_size); 0 means plpbot.DefaultMinClassSize.
	MinClassSize int
	// EnrolBy is who may add people to classes and remove them
	// (classes.enrol_by); empty means EnrolByStaff.
	EnrolBy EnrolBy
	// DashboardURL is where the dashboard is served, ending in "/" (such
	// as "https://plp.school.example/dash/"): /plp dashboard links there.
	// Empty: there is no dashboard to sign in to.
	DashboardURL string
	// CommandTimeout is how long one command may wait on the database
	// (mongodb.command_timeout); 0 means DefaultCommandTimeout.
	CommandTimeout time.Duration
	// Finders returns the running adapters that can find people
	// (bot.UserFinder), by platform: after an import from chat, the people
	// not linked yet are looked up on each, not only on the platform the
	// admin asked from. It is called at the moment of use, since the
	// adapters are built after the handlers. Nil: the request's adapter only.
	Finders func() map[bot.Platform]bot.UserFinder
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// DefaultCommandTimeout is a command's deadline for the database: past it
// the person hears at once that nothing was saved (unreachable).
const DefaultCommandTimeout = 4 * time.Second

// Handlers answers every plpbot command. It implements bot.Handler.
type Handlers struct {
	store    *storage.Store
	grammar  *grammar.Grammar
	now      func() time.Time
	admins   map[bot.Platform][]string
	zone     *time.Location
	holidays []time.Time
	enrolBy  EnrolBy
	// reflectionsCron and summariesCron are the default class schedules.
	reflectionsCron, summariesCron string
	log                            *slog.Logger
	minClassSize                   int
	notesToStudents                bool
	dashboardURL                   string
	commandTimeout                 time.Duration
	finders                        func() map[bot.Platform]bot.UserFinder
}

// call is one command being answered (grammar.Call): every command
// function of the handlers takes one.
type call = grammar.Call

// New returns the handlers over store.
func New(store *storage.Store, opts Options) *Handlers {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	zone := time.UTC
	if opts.DefaultTimeZone != "" {
		if loc, err := time.LoadLocation(opts.DefaultTimeZone); err == nil {
			zone = loc
		}
	}
	h := &Handlers{
		store:           store,
		now:             opts.Now,
		admins:          opts.Admins,
		zone:            zone,
		holidays:        opts.Holidays,
		enrolBy:         opts.EnrolBy,
		reflectionsCron: cmp.Or(opts.Reflections, plpbot.DefaultReflections),
		summariesCron:   cmp.Or(opts.Summaries, plpbot.DefaultSummaries),
		log:             opts.Logger,
		minClassSize:    opts.MinClassSize,
		notesToStudents: opts.NotesVisibleToStudents,
		dashboardURL:    opts.DashboardURL,
		commandTimeout:  cmp.Or(opts.CommandTimeout, DefaultCommandTimeout),
		finders:         opts.Finders,
	}
	h.grammar = h.commands()
	return h
}

// Grammar returns the command tree the handlers answer.
func (h *Handlers) Grammar() *grammar.Grammar { return h.grammar }

// Handle answers one request. User mistakes come back as *bot.UserError;
// panics are recovered and reported as internal errors. The request has
// CommandTimeout to get its work done on the database; when the database
// can't be reached in that time the answer says so at once, with a button
// to try again (unreachable).
func (h *Handlers) Handle(parent context.Context, req *bot.Request) (msgs []bot.Message, err error) {
	ctx, cancel := context.WithTimeout(parent, h.commandTimeout)
	defer cancel()
	defer func() {
		if storage.IsUnreachable(err) {
			h.log.WarnContext(ctx, "database unreachable", slog.Any("err", err))
			msgs, err = []bot.Message{h.unreachable(req)}, nil
		}
	}()
	defer func() {
		if p := recover(); p != nil {
			h.log.ErrorContext(ctx, "handler panic", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			msgs, err = nil, fmt.Errorf("handler panic: %v", p)
		}
	}()
	actor, created, err := h.resolveActor(ctx, req.Actor, req.Lookup)
	if err != nil {
		return nil, fmt.Errorf("resolve actor: %w", err)
	}
	c := &call{Request: req, Actor: actor, FirstSeen: created}
	// A person the platform refused DMs to hears how to allow them (and a
	// DM from them clears the flag), whatever the command.
	defer func() {
		if err == nil {
			msgs = h.cantDMNote(ctx, c, msgs)
		}
	}()
	switch {
	case req.Invocation != nil:
		c.Invocation = req.Invocation
	case req.Slash:
		inv, err := h.grammar.Parse(req.Text)
		if err != nil {
			return nil, err
		}
		c.Invocation = inv
	default:
		return h.handleDM(ctx, c, req.Text)
	}
	if extra := lookupAllowance(c.Invocation); extra > 0 {
		ctx, cancel = context.WithTimeout(parent, h.commandTimeout+extra)
		defer cancel()
	}
	return h.route(ctx, c)
}

// lookupPace is how long the platform may take to look up one more person
// a command mentions who is new to plpbot: Slack answers users.info about
// 100 times a minute, past a burst.
const lookupPace = 600 * time.Millisecond

// lookupAllowance is the time a command that mentions many people (a
// teacher adding a whole class of new students) is given on top of
// CommandTimeout: looking them up on the platform waits on its pace, not
// on the database, and must not use up the command's time for it.
func lookupAllowance(inv *bot.Invocation) time.Duration {
	n := 0
	for _, ids := range inv.Users {
		n += len(ids)
	}
	if n <= 1 {
		return 0
	}
	return time.Duration(n) * lookupPace
}

// route runs the parsed command of c, checking its audience first.
func (h *Handlers) route(ctx context.Context, c *call) ([]bot.Message, error) {
	actor := c.Actor
	name := c.Invocation.Name()
	fn := h.grammar.Runner(c.Invocation.Path...)
	if fn == nil {
		return nil, bot.Errorf(bot.ENotFound, "I can't do %s yet. Try `/plp help`.", bot.User("/plp "+name))
	}
	bot.NoteCommand(ctx, name)
	if cmd := h.grammar.Find(c.Invocation.Path...); cmd != nil && !h.allowed(actor, cmd.Audience) {
		return nil, forbidden(cmd.Audience)
	}
	h.log.DebugContext(ctx, "command", slog.String("command", name), slog.String("user", actor.ID))
	return fn(ctx, c)
}

// unreachable is the answer when the database could not be reached in
// time: nothing was changed (each write either lands whole or not at all,
// see storage) — or, for a command that only shows, nothing could be
// loaded — and a button sends the same command again.
func (h *Handlers) unreachable(req *bot.Request) bot.Message {
	what := "I couldn't save that just now — nothing was changed."
	if h.onlyShows(req) {
		what = "I couldn't load that just now."
	}
	m := reply("", bot.Text{Text: what},
		bot.Context{Text: "The school's database didn't answer in time. Try again in a few seconds."})
	if cmd := retryCommand(req); cmd != "" {
		m.Buttons = []bot.Button{{Label: "Try again", Command: cmd, Style: bot.Primary}}
	}
	return m
}

// onlyShows reports whether req is a command that only shows what is
// stored (grammar.Command.Shows); a DM or a line that doesn't parse is not.
func (h *Handlers) onlyShows(req *bot.Request) bool {
	inv := req.Invocation
	if inv == nil && req.Slash {
		inv, _ = h.grammar.Parse(req.Text)
	}
	if inv == nil {
		return false
	}
	cmd := h.grammar.Find(inv.Path...)
	return cmd != nil && cmd.Shows
}

// retryCommand is the command (without "/plp") that repeats req: its text
// as typed, or the name of an invocation without arguments; "" for a DM or
// a form's invocation, which the person sends again themselves.
func retryCommand(req *bot.Request) string {
	switch {
	case req.Slash && req.Text != "":
		return req.Text
	case req.Invocation != nil && len(req.Invocation.Args) == 0 && len(req.Invocation.Users) == 0:
		return req.Invocation.Name()
	}
	return ""
}

func forbidden(a grammar.Audience) *bot.UserError {
	who := "staff"
	if a == grammar.Admins {
		who = "admins"
	}
	return &bot.UserError{Code: bot.EForbidden,
		Message: "That command is for " + who + ".",
		Hint:    "Type `/plp help` to see what you can do."}
}

func (h *Handlers) allowed(u *plpbot.Person, a grammar.Audience) bool {
	switch a {
	case grammar.Staff:
		return u.Role.IsStaff()
	case grammar.Admins:
		return u.Role == plpbot.RoleAdmin
	}
	return true
}

func storageID(id bot.Identity) storage.Identity {
	return storage.Identity{Platform: string(id.Platform), Workspace: id.Workspace, PlatformID: id.UserID}
}

// resolveActor loads (or creates) the asking user and applies configured
// admins and the console's first-user-is-admin rule.
func (h *Handlers) resolveActor(ctx context.Context, id bot.Identity, lookup func(context.Context, bot.Identity) (bot.Identity, error)) (*plpbot.Person, bool, error) {
	u, created, err := h.store.EnsureUser(ctx, storageID(id), storage.UserHints{Name: id.Name, TimeZone: id.TimeZone, Locale: id.Locale})
	if err != nil {
		return nil, false, err
	}
	if created && lookup != nil && (id.TimeZone == "" || id.Name == "" || needsMatchKey(id)) {
		if full, err := lookup(ctx, id); err == nil {
			if u2, _, err := h.store.EnsureUser(ctx, storageID(id), storage.UserHints{Name: full.Name, TimeZone: full.TimeZone, Locale: full.Locale}); err == nil {
				u = u2
			}
			id.Email, id.Username = cmp.Or(id.Email, full.Email), cmp.Or(id.Username, full.Username)
		} else {
			h.log.WarnContext(ctx, "user lookup failed", slog.String("user", u.ID), slog.Any("err", err))
		}
	}
	if created {
		u = h.linkOnFirstSight(ctx, id, u)
	}
	if u.Role != plpbot.RoleAdmin && h.isConfiguredAdmin(id) {
		if u, err = h.store.SetRole(ctx, u.ID, plpbot.RoleAdmin); err != nil {
			return nil, false, err
		}
	}
	if created && id.Platform == bot.Console && u.Role != plpbot.RoleAdmin {
		n, err := h.store.CountAdmins(ctx, string(id.Platform), id.Workspace)
		if err != nil {
			return nil, false, err
		}
		if n == 0 {
			if u, err = h.store.SetRole(ctx, u.ID, plpbot.RoleAdmin); err != nil {
				return nil, false, err
			}
		}
	}
	return u, created, nil
}

// needsMatchKey reports whether id lacks what links it to the roster: a
// Slack email, a Discord username.
func needsMatchKey(id bot.Identity) bool {
	return (id.Platform == bot.Slack && id.Email == "") || (id.Platform == bot.Discord && id.Username == "")
}

func (h *Handlers) isConfiguredAdmin(id bot.Identity) bool {
	return slices.Contains(h.admins[id.Platform], id.UserID)
}

// mentionIdentity completes a mentioned identity with the actor's platform
// and workspace. On Slack and Discord a mention must carry the platform's
// user id: a plain "@sam" names nobody, and a person is never picked by
// display name, which two students can share.
func mentionIdentity(c *call, mention bot.Identity) (bot.Identity, error) {
	if mention.Platform == "" {
		mention.Platform = c.Request.Actor.Platform
	}
	if mention.Workspace == "" {
		mention.Workspace = c.Request.Actor.Workspace
	}
	if mention.Platform != c.Request.Actor.Platform { // "@sam" typed as text on Slack or Discord
		return bot.Identity{}, &bot.UserError{Code: bot.EInvalid,
			Message: fmt.Sprintf("I couldn't tell who %s is.", bot.User("@"+cmp.Or(mention.Name, mention.UserID))),
			Hint:    "As you type @, pick the person from the list so their name becomes a mention, then send it again."}
	}
	mention.Name = "" // what the typist's client showed, not the person's name
	return mention, nil
}

// unknownPerson is the error for a mention of someone plpbot doesn't know
// and the platform doesn't either.
func unknownPerson() *bot.UserError {
	return &bot.UserError{Code: bot.ENotFound, Message: "I don't know that person yet.",
		Hint: "They appear once they've used plpbot or been added to a class."}
}

// resolveUser turns a mentioned identity into a stored person, by platform
// id only. Someone new is created (in the actor's workspace) with the name
// their platform profile gives; on Slack and Discord only if the platform
// confirms they exist, so a mention never creates an account nobody owns.
// A mention never renames anyone.
func (h *Handlers) resolveUser(ctx context.Context, c *call, mention bot.Identity) (*plpbot.Person, error) {
	id, err := mentionIdentity(c, mention)
	if err != nil {
		return nil, err
	}
	u, err := h.store.User(ctx, storageID(id).UserID())
	if err == nil || !errors.Is(err, storage.ErrNotFound) {
		return u, err
	}
	if id.Platform != bot.Console {
		if c.Request.Lookup == nil {
			return nil, unknownPerson()
		}
		full, err := c.Request.Lookup(ctx, id)
		if err != nil {
			h.log.InfoContext(ctx, "mentioned person not found on the platform", slog.String("user", storageID(id).UserID()), slog.Any("err", err))
			return nil, unknownPerson()
		}
		id.Name, id.TimeZone, id.Locale, id.Email, id.Username = full.Name, full.TimeZone, full.Locale, full.Email, full.Username
	}
	u, _, err = h.resolveActor(ctx, id, nil)
	return u, err
}

// mentioned resolves the user argument name of the call, if given.
func (h *Handlers) mentioned(ctx context.Context, c *call, arg string) (*plpbot.Person, bool, error) {
	id, ok := c.Invocation.User(arg)
	if !ok {
		return nil, false, nil
	}
	u, err := h.resolveUser(ctx, c, id)
	if err != nil {
		return nil, false, err
	}
	return u, true, nil
}

// tiesOf looks up, now, how staff serves student (plpbot.Ties): whether
// they teach a class the student is in, and, for a counselor, whether the
// student is on their caseload (one read by _id, its rules applied to the
// student as they are now). student must be the stored person: the
// caseload's rules read their grade, name and workspace.
func (h *Handlers) tiesOf(ctx context.Context, staff, student *plpbot.Person) (plpbot.Ties, error) {
	r, err := h.readTies(ctx, staff, student.ID)
	if err != nil {
		return plpbot.Ties{}, err
	}
	return r.of(student), nil
}

// tieReads is what decides a member of staff's ties to one student, as
// read now by the student's id: whether they teach a class the student is
// in, and a counselor's caseload, whose rules apply to the student's
// stored record (of).
type tieReads struct {
	teaches  bool
	caseload *plpbot.Caseload // nil: not a counselor
}

// of is the ties the reads give staff to student, the stored person.
func (r tieReads) of(student *plpbot.Person) plpbot.Ties {
	return plpbot.Ties{Teaches: r.teaches, Counsels: r.caseload != nil && r.caseload.Includes(student)}
}

// readTies reads, now, what decides staff's ties to the student with
// studentID (tieReads): the enrollments of both in one read
// (storage.Store.Teaches), and a counselor's caseload with it. Nothing is
// read for someone who isn't staff, or about themselves.
func (h *Handlers) readTies(ctx context.Context, staff *plpbot.Person, studentID string) (tieReads, error) {
	var r tieReads
	if !staff.Role.IsStaff() || staff.Role == plpbot.RoleAdmin || staff.ID == studentID {
		return r, nil // the access policy asks no ties of them (plpbot.CanViewPlan)
	}
	// The caseload and the classes are read together: one wait, not two.
	g, gctx := errgroup.WithContext(ctx)
	if staff.Role == plpbot.RoleCounselor {
		g.Go(func() (err error) { r.caseload, err = h.store.AccessCaseload(gctx, staff); return err })
	}
	g.Go(func() (err error) { r.teaches, err = h.store.Teaches(gctx, staff.ID, studentID); return err })
	if err := g.Wait(); err != nil {
		return tieReads{}, fmt.Errorf("check ties: %w", err)
	}
	return r, nil
}

// canSeeStudent asks the access policy whether actor may read student's
// plan (plpbot.CanViewPlan).
func (h *Handlers) canSeeStudent(ctx context.Context, actor, student *plpbot.Person) (bool, error) {
	if actor.ID == student.ID || actor.Role == plpbot.RoleAdmin {
		return true, nil // no lookup needed
	}
	ties, err := h.tiesOf(ctx, actor, student)
	if err != nil {
		return false, err
	}
	return plpbot.CanViewPlan(actor, student, ties), nil
}

// requireStudentAccess returns a friendly forbidden error unless actor may
// see student. It does not reveal whether the student has a plan.
func (h *Handlers) requireStudentAccess(ctx context.Context, actor, student *plpbot.Person) error {
	ok, err := h.canSeeStudent(ctx, actor, student)
	if err != nil {
		return fmt.Errorf("check access: %w", err)
	}
	if !ok {
		return accessRefusal(actor, student, h.staffEnrol())
	}
	return nil
}

// accessRefusal is the friendly refusal of actor seeing student's plan; it
// does not reveal whether the student has one. staffEnrol says whether
// staff add students to their classes themselves.
func accessRefusal(actor, student *plpbot.Person, staffEnrol bool) error {
	if !actor.Role.IsStaff() {
		return &bot.UserError{Code: bot.EForbidden, Message: "Plans are private: you can only see your own.",
			Hint: "Type `/plp plan` to see yours."}
	}
	if actor.Role == plpbot.RoleCounselor {
		return &bot.UserError{Code: bot.EForbidden,
			Message: fmt.Sprintf("%s isn't on your caseload or in your classes, so their plan is private to you.", bot.User(student.Name)),
			Hint:    "If they should be, ask an admin to add them to your caseload. See who is on it with `/plp caseload`."}
	}
	hint := "Add them with `/plp class add @" + student.Name + "` if they're your student."
	if !staffEnrol {
		hint = "If they're your student, ask an admin to add them to your class."
	}
	return &bot.UserError{Code: bot.EForbidden,
		Message: fmt.Sprintf("%s isn't in any of your classes, so their plan is private to you.", bot.User(student.Name)),
		Hint:    hint}
}

// audit records a staff read or change of a student's records; failures are
// logged, and the read is refused, because an unaudited read breaks the
// school's disclosure log.
func (h *Handlers) audit(ctx context.Context, actor *plpbot.Person, action string, subject *plpbot.Person, detail string) error {
	if actor.ID == subject.ID {
		return nil
	}
	err := h.store.Audit(ctx, plpbot.AuditEntry{ActorID: actor.ID, ActorName: actor.Name, Action: action, SubjectID: subject.ID, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// loc returns the time zone to show times in for u.
func (h *Handlers) loc(u *plpbot.Person) *time.Location { return u.Location(h.zone) }

// notFoundGoal is the error for a goal number the student doesn't have.
func notFoundGoal(n int) *bot.UserError {
	return &bot.UserError{Code: bot.ENotFound, Message: fmt.Sprintf("You don't have a goal %d.", n),
		Hint: "Type `/plp goal list` to see your goals and their numbers."}
}

// reply builds a private reply.
func reply(title string, blocks ...bot.Block) bot.Message {
	return bot.Message{Visibility: bot.Private, Title: title, Blocks: blocks}
}

// dmTo builds a DM to a stored user.
func dmTo(u *plpbot.Person, m bot.Message) bot.Message {
	id := bot.Identity{Platform: bot.Platform(u.Platform), Workspace: u.Workspace, UserID: u.PlatformID, Name: u.Name, TimeZone: u.TimeZone,
		DMChannel: u.DMChannel}
	m.To = &id
	return m
}

// formatWhen shows t in loc as "Tue 12 Jan, 10:30".
func formatWhen(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006, 15:04 MST")
}

// formatDay shows a date as "Fri 30 May 2027".
func formatDay(t time.Time) string { return t.UTC().Format("Mon 2 Jan 2006") }
