package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
	"golang.org/x/sync/errgroup"
)

// cmdClassCreate creates a class taught by the actor. Typed in a channel, it
// links that channel for progress summaries, unless another class already
// has it.
func (h *Handlers) cmdClassCreate(ctx context.Context, c *call) ([]bot.Message, error) {
	name := strings.Join(strings.Fields(c.Invocation.Arg("name")), " ")
	if name == "" {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Give the class a name.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	cl := plpbot.Class{
		Name: name, Platform: c.Actor.Platform, Workspace: c.Actor.Workspace,
		TimeZone: c.Actor.TimeZone, CreatedBy: c.Actor.ID,
	}
	var term *plpbot.Term
	if tn := strings.Join(strings.Fields(c.Invocation.Arg("term")), " "); tn != "" {
		var err error
		if term, err = h.termNamed(ctx, c, tn); err != nil {
			return nil, err
		}
		cl.TermID = term.ID
	}
	var channelNote string
	if ch := c.Request.Place.Channel; c.Request.Place.Kind == bot.InChannel && ch.ChannelID != "" {
		other, err := h.store.ClassByChannel(ctx, c.Actor.Platform, c.Actor.Workspace, ch.ChannelID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			cl.ChannelID, cl.ChannelName = ch.ChannelID, ch.Name
			channelNote = "Class summaries will go to " + channelTag(ch.Name, ch.ChannelID) + "."
		case err != nil:
			return nil, fmt.Errorf("class create: %w", err)
		default:
			channelNote = "This channel already belongs to " + bot.Bold(bot.User(other.Name)) +
				", so the new class isn't linked to a channel. Create it in its own channel to get summaries there."
		}
	}
	created, err := h.store.CreateClass(ctx, cl)
	if errors.Is(err, storage.ErrDuplicate) {
		return nil, &bot.UserError{Code: bot.EConflict,
			Message: "There's already a class called " + bot.Bold(bot.User(name)) + ".",
			Hint:    "Pick another name, or add students to that one with `/plp class add @name class:" + bot.User(name) + "`."}
	}
	if err != nil {
		return nil, fmt.Errorf("class create: %w", err)
	}
	m := reply("Class created",
		bot.Text{Text: bot.Bold(bot.User(created.Name)) + " is ready, and you're its teacher."})
	if channelNote != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: channelNote})
	}
	if term != nil {
		m.Blocks = append(m.Blocks, bot.Text{Text: "It belongs to " + bot.Bold(bot.User(term.Name)) + " and is archived after " + formatDay(term.Ends) + "."})
	}
	next := "Next: add your students with `/plp class add @sam @alex`."
	if !h.staffEnrol() && c.Actor.Role != plpbot.RoleAdmin {
		next = "Next: ask an admin to add your students with `/plp class add @sam class:" + bot.User(created.Name) + "`."
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: next})
	return []bot.Message{m}, nil
}

// EnrolBy says who may add people to classes and remove them
// (classes.enrol_by). Adding someone to a class grants its teachers the
// student's whole plan, so a school whose rosters come from its SIS may
// keep that to admins.
type EnrolBy string

// Who may change class lists.
const (
	// EnrolByStaff lets teachers and counselors change the classes they
	// teach, and admins any class: the default.
	EnrolByStaff EnrolBy = "staff"
	// EnrolByAdmins lets only admins change class lists.
	EnrolByAdmins EnrolBy = "admins"
)

// staffEnrol reports whether teachers and counselors may change the class
// lists of the classes they teach (else only admins may).
func (h *Handlers) staffEnrol() bool { return h.enrolBy != EnrolByAdmins }

// requireEnrol refuses a class list change by anyone but an admin when the
// school keeps class lists to admins. verb is "add" or "remove"; the
// refusal names the people mentioned in users argument arg, as typed.
func (h *Handlers) requireEnrol(c *call, verb, arg string) error {
	if h.staffEnrol() || c.Actor.Role == plpbot.RoleAdmin {
		return nil
	}
	var names []string
	for _, m := range c.Invocation.Users[arg] {
		names = append(names, mentionOfIdentity(c, m))
	}
	who := andJoin(names)
	if who == "" {
		who = "them"
	}
	return &bot.UserError{Code: bot.EForbidden,
		Message: "In this school, class lists come from the office. Ask an admin to " + verb + " " + who + "."}
}

// mentionOfIdentity writes a mention of a person as they were mentioned
// (see mentionOf), filling in the asker's platform and workspace.
func mentionOfIdentity(c *call, id bot.Identity) string {
	if id.Platform == "" {
		id.Platform = c.Request.Actor.Platform
	}
	if id.Workspace == "" {
		id.Workspace = c.Request.Actor.Workspace
	}
	if m, ok := c.Request.Adapter.(bot.Mentioner); ok && id.UserID != "" {
		return m.Mention(id)
	}
	return bot.User("@" + cmp.Or(id.UserID, id.Name))
}

// cmdClassAdd enrolls the mentioned people: students as students, staff as
// co-teachers. Each new student gets a welcome DM with their first step,
// naming who added them. Every addition is audited: it grants the class's
// teachers the student's plan.
func (h *Handlers) cmdClassAdd(ctx context.Context, c *call) ([]bot.Message, error) {
	if err := h.requireEnrol(c, "add", "users"); err != nil {
		return nil, err
	}
	cl, err := h.pickClass(ctx, c, c.Invocation.Arg("class"), func(n string) string { return "/plp class add @sam class:" + n })
	if err != nil {
		return nil, err
	}
	people, unknown, err := h.peopleToAdd(ctx, c)
	if err != nil {
		return nil, err
	}
	ch, err := h.classChanges(ctx, cl, people)
	if err != nil {
		return nil, fmt.Errorf("class add: %w", err)
	}
	var added []auditSubject
	for _, u := range ch.students {
		added = append(added, auditSubject{id: u.ID, detail: cl.Name})
	}
	for _, u := range ch.teachers {
		added = append(added, auditSubject{id: u.ID, detail: cl.Name + " (co-teacher)"})
	}
	if err := h.auditMany(ctx, c.Actor, "class_add", added); err != nil {
		return nil, err
	}
	if err := h.store.Enroll(ctx, cl.ID, peopleIDs(ch.students), plpbot.MemberStudent); err != nil {
		return nil, fmt.Errorf("class add: %w", err)
	}
	if err := h.store.Enroll(ctx, cl.ID, peopleIDs(ch.teachers), plpbot.MemberTeacher); err != nil {
		return nil, fmt.Errorf("class add: %w", err)
	}
	msgs := h.classAddMessages(c, cl, ch)
	if len(unknown) > 0 {
		msgs[0].Blocks = slices.Insert(msgs[0].Blocks, len(msgs[0].Blocks)-1, unknownNote(c, unknown))
	}
	return msgs, nil
}

// peopleToAdd resolves whom /plp class add names: the people mentioned and
// those of a pasted list, each once. unknown are pasted handles nobody
// answers to; if nobody at all is found, that is the error.
func (h *Handlers) peopleToAdd(ctx context.Context, c *call) (people []*plpbot.Person, unknown []string, err error) {
	if c.Invocation.Has("users") {
		if people, err = h.mentionedPeople(ctx, c, "users"); err != nil {
			return nil, nil, err
		}
	}
	listed, unknown, err := h.listedPeople(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	for _, u := range listed {
		if !slices.ContainsFunc(people, func(p *plpbot.Person) bool { return p.ID == u.ID }) {
			people = append(people, u)
		}
	}
	if len(people) == 0 {
		ue := &bot.UserError{Code: bot.EInvalid, Message: "Mention who to add, such as @sam, or paste a list of their emails (Slack) or usernames.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
		if len(unknown) > 0 {
			ue.Message = unknownNote(c, unknown).(bot.Text).Text
		}
		return nil, nil, ue
	}
	return people, unknown, nil
}

// mentionedPeople resolves the people of a users argument, each once.
func (h *Handlers) mentionedPeople(ctx context.Context, c *call, arg string) ([]*plpbot.Person, error) {
	found, err := h.resolveUsers(ctx, c, c.Invocation.Users[arg])
	if err != nil {
		return nil, err
	}
	var people []*plpbot.Person
	seen := map[string]bool{}
	for _, u := range found {
		if !seen[u.ID] {
			seen[u.ID] = true
			people = append(people, u)
		}
	}
	if len(people) == 0 {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Mention who to add, such as @sam.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	return people, nil
}

// maxLookupsAtOnce bounds the mentions resolveUsers resolves at a time: a
// new person is looked up on the platform, whose pace the adapter keeps.
const maxLookupsAtOnce = 8

// resolveUsers is resolveUser for several mentions, in their order, up to
// maxLookupsAtOnce at a time: a class's worth of people new to plpbot are
// looked up on the platform within the command's time. The first error
// (in mention order) is the answer.
func (h *Handlers) resolveUsers(ctx context.Context, c *call, mentions []bot.Identity) ([]*plpbot.Person, error) {
	people := make([]*plpbot.Person, len(mentions))
	errs := make([]error, len(mentions))
	g := errgroup.Group{}
	g.SetLimit(maxLookupsAtOnce)
	for i, mention := range mentions {
		g.Go(func() error {
			people[i], errs[i] = h.resolveUser(ctx, c, mention)
			return nil
		})
	}
	_ = g.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return people, nil
}

// classChange sorts people being added to a class.
type classChange struct {
	students, teachers, unchanged []*plpbot.Person
}

// classChanges sorts people into new students, new co-teachers (staff) and
// those already in the class with that membership.
func (h *Handlers) classChanges(ctx context.Context, cl *plpbot.Class, people []*plpbot.Person) (*classChange, error) {
	already := map[string]string{}
	for _, role := range []string{plpbot.MemberStudent, plpbot.MemberTeacher} {
		ids, err := h.store.ClassMembers(ctx, cl.ID, role)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			already[id] = role
		}
	}
	ch := &classChange{}
	for _, u := range people {
		want := plpbot.MemberStudent
		if u.Role.IsStaff() {
			want = plpbot.MemberTeacher
		}
		switch {
		case already[u.ID] == want:
			ch.unchanged = append(ch.unchanged, u)
		case want == plpbot.MemberTeacher:
			ch.teachers = append(ch.teachers, u)
		default:
			ch.students = append(ch.students, u)
		}
	}
	return ch, nil
}

// classAddMessages are the reply to whoever added people to cl and the DMs
// to those added.
func (h *Handlers) classAddMessages(c *call, cl *plpbot.Class, ch *classChange) []bot.Message {
	className := bot.Bold(bot.User(cl.Name))
	m := reply("Class updated")
	for _, part := range []struct {
		lead   string
		people []*plpbot.Person
	}{{"Added to", ch.students}, {"Co-teaching", ch.teachers}, {"Already in", ch.unchanged}} {
		if len(part.people) > 0 {
			m.Blocks = append(m.Blocks, bot.Text{Text: fmt.Sprintf("%s %s: %s.", part.lead, className, peopleNames(part.people))})
		}
	}
	var cantDM []*plpbot.Person
	out := []bot.Message{}
	for _, u := range ch.students {
		if u.CantDM != "" {
			cantDM = append(cantDM, u)
		}
		out = append(out, dmTo(u, h.welcomeStudent(c.Actor, cl)))
	}
	for _, u := range ch.teachers {
		if u.ID != c.Actor.ID {
			out = append(out, dmTo(u, reply("You're co-teaching "+bot.User(cl.Name),
				bot.Text{Text: fmt.Sprintf("%s added you as a teacher of %s.", bot.User(c.Actor.Name), className)},
				bot.Context{Text: "See how the class is doing with `/plp roster " + bot.User(cl.Name) + "`."})))
		}
	}
	if len(ch.students) > 0 {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Each new student got a welcome DM with their first step."})
	}
	if len(cantDM) > 0 {
		m.Blocks = append(m.Blocks, bot.Text{Text: fmt.Sprintf("I can't DM %s here, so please give them the news in person.", peopleNames(cantDM))})
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: "See everyone's progress with `/plp roster`."})
	return append([]bot.Message{m}, out...)
}

// welcomeStudent is the DM a student gets on joining a class: what this is,
// and the one first step.
func (h *Handlers) welcomeStudent(teacher *plpbot.Person, cl *plpbot.Class) bot.Message {
	m := reply("Welcome to "+bot.User(cl.Name)+" 👋",
		bot.Text{Text: fmt.Sprintf("%s added you to %s. Here you keep your learning plan: a few goals you care about, small steps, and quick check-ins.",
			bot.User(teacher.Name), bot.Bold(bot.User(cl.Name)))},
		bot.Text{Text: "First step: set one goal. It can be small."},
		bot.Context{Text: "Or type `/plp goal add Read three novels`."})
	m.Buttons = []bot.Button{{Label: "Add my first goal", Command: "goal add", Style: bot.Primary,
		Form: h.grammar.FormFor([]string{"goal", "add"}, nil)}}
	return m
}

// cmdClassRemove takes someone out of a class. Their plan is untouched.
// The removal is audited once done (it only takes access away).
func (h *Handlers) cmdClassRemove(ctx context.Context, c *call) ([]bot.Message, error) {
	if err := h.requireEnrol(c, "remove", "user"); err != nil {
		return nil, err
	}
	cl, err := h.pickClass(ctx, c, c.Invocation.Arg("class"), func(n string) string { return "/plp class remove @sam class:" + n })
	if err != nil {
		return nil, err
	}
	u, err := h.findMentioned(ctx, c, "user")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, notInClass(mentionName(c, "user"), cl)
	}
	if err != nil {
		return nil, err
	}
	if u.ID == c.Actor.ID {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "You can't remove yourself from a class.",
			Hint: "Ask a co-teacher or an admin to do it."}
	}
	if err := h.store.Unenroll(ctx, cl.ID, u.ID); errors.Is(err, storage.ErrNotFound) {
		return nil, notInClass(u.Name, cl)
	} else if err != nil {
		return nil, fmt.Errorf("class remove: %w", err)
	}
	if err := h.audit(ctx, c.Actor, "class_remove", u, cl.Name); err != nil {
		return nil, err
	}
	return []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("Removed %s from %s. Their plan stays as it is.", bot.User(u.Name), bot.Bold(bot.User(cl.Name)))},
		bot.Context{Text: "Changed your mind? `/plp class add " + mentionOf(c, u) + " class:" + bot.User(cl.Name) + "`"})}, nil
}

func notInClass(name string, cl *plpbot.Class) *bot.UserError {
	return &bot.UserError{Code: bot.ENotFound,
		Message: fmt.Sprintf("%s isn't in %s.", bot.User(name), bot.Bold(bot.User(cl.Name))),
		Hint:    "See who is with `/plp roster " + bot.User(cl.Name) + "`."}
}

// cmdClassList lists the actor's classes (an admin's: every class of the
// workspace) with their sizes and linked channels.
func (h *Handlers) cmdClassList(ctx context.Context, c *call) ([]bot.Message, error) {
	admin := c.Actor.Role == plpbot.RoleAdmin
	var classes []plpbot.Class
	var err error
	if admin {
		classes, err = h.store.ClassesIn(ctx, c.Actor.Platform, c.Actor.Workspace)
	} else {
		classes, err = h.store.ClassesOf(ctx, c.Actor.ID, plpbot.MemberTeacher)
	}
	if err != nil {
		return nil, fmt.Errorf("class list: %w", err)
	}
	if len(classes) == 0 {
		return []bot.Message{reply("Your classes",
			bot.Text{Text: "You don't have a class yet."},
			bot.Context{Text: "Create one with `/plp class create Period 3 English` — in the class channel, to link it."})}, nil
	}
	ids := make([]string, len(classes))
	for i := range classes {
		ids[i] = classes[i].ID
	}
	sizes, err := h.store.ClassSizes(ctx, ids, plpbot.MemberStudent)
	if err != nil {
		return nil, fmt.Errorf("class list: %w", err)
	}
	active, err := h.activeClasses(ctx, classes)
	if err != nil {
		return nil, fmt.Errorf("class list: %w", err)
	}
	live := map[string]bool{}
	for _, cl := range active {
		live[cl.ID] = true
	}
	var mine map[string]bool
	if admin {
		own, err := h.store.ClassesOf(ctx, c.Actor.ID, plpbot.MemberTeacher)
		if err != nil {
			return nil, fmt.Errorf("class list: %w", err)
		}
		mine = map[string]bool{}
		for _, cl := range own {
			mine[cl.ID] = true
		}
	}
	items := make([]string, 0, len(classes))
	for _, cl := range classes {
		line := bot.Bold(bot.User(cl.Name)) + " · " + countNoun(sizes[cl.ID], "student", "students")
		if cl.ChannelID != "" {
			line += " · " + channelTag(cl.ChannelName, cl.ChannelID)
		}
		if mine[cl.ID] {
			line += " · you teach it"
		}
		if !live[cl.ID] {
			line += " · archived"
		}
		items = append(items, line)
	}
	title := "Your classes"
	if admin {
		title = "Every class"
	}
	return []bot.Message{reply(title, bot.List{Items: items},
		bot.Context{Text: "Open one with `/plp roster " + bot.User(classes[0].Name) + "`."})}, nil
}

// pickClass finds the class a staff command is about: the one named, else
// the one linked to the channel, else the actor's only class; with several
// it asks which (of the classes not archived, if any is). Teachers may
// only pick classes they teach; admins any.
// example shows the command with a class name, for the hint.
func (h *Handlers) pickClass(ctx context.Context, c *call, name string, example func(name string) string) (*plpbot.Class, error) {
	admin := c.Actor.Role == plpbot.RoleAdmin
	teaches := func(cl *plpbot.Class) (bool, error) {
		return h.store.IsMember(ctx, cl.ID, c.Actor.ID, plpbot.MemberTeacher)
	}
	name = strings.Join(strings.Fields(name), " ")
	if name != "" {
		cl, err := h.classNamed(ctx, c, name)
		if err != nil {
			return nil, err
		}
		if !admin {
			ok, err := teaches(cl)
			if err != nil {
				return nil, fmt.Errorf("find class: %w", err)
			}
			if !ok {
				return nil, notYourClass(cl)
			}
		}
		return cl, nil
	}
	if ch := c.Request.Place.Channel; c.Request.Place.Kind == bot.InChannel && ch.ChannelID != "" {
		cl, err := h.store.ClassByChannel(ctx, c.Actor.Platform, c.Actor.Workspace, ch.ChannelID)
		switch {
		case err == nil:
			ok := admin
			if !ok {
				if ok, err = teaches(cl); err != nil {
					return nil, fmt.Errorf("find class: %w", err)
				}
			}
			if ok {
				return cl, nil
			}
		case !errors.Is(err, storage.ErrNotFound):
			return nil, fmt.Errorf("find class: %w", err)
		}
	}
	mine, err := h.store.ClassesOf(ctx, c.Actor.ID, plpbot.MemberTeacher)
	if err != nil {
		return nil, fmt.Errorf("find class: %w", err)
	}
	terms, err := h.termsOf(ctx, mine)
	if err != nil {
		return nil, fmt.Errorf("find class: %w", err)
	}
	return h.classMeant(mine, terms, example)
}

// classNamed finds the workspace's class called name, or says there is
// none.
func (h *Handlers) classNamed(ctx context.Context, c *call, name string) (*plpbot.Class, error) {
	cl, err := h.store.ClassByName(ctx, c.Actor.Platform, c.Actor.Workspace, name)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: "I can't find a class called " + bot.Bold(bot.User(name)) + ".",
			Hint:    "Type `/plp class list` to see your classes."}
	}
	if err != nil {
		return nil, fmt.Errorf("find class: %w", err)
	}
	return cl, nil
}

// notYourClass refuses a class the actor doesn't teach.
func notYourClass(cl *plpbot.Class) *bot.UserError {
	return &bot.UserError{Code: bot.EForbidden,
		Message: "You don't teach " + bot.Bold(bot.User(cl.Name)) + ", so you can't open or change it.",
		Hint:    "Type `/plp class list` to see your classes."}
}

// classMeant is the class a command naming none means, of those the actor
// teaches (mine, ordered by name; terms holds their terms by id): the
// only one, else the only one running — last term's classes stay,
// archived, and unnamed a command means this term's. With several it asks
// which (of those not archived, if any is); example shows the command
// with a class name, for the hint.
func (h *Handlers) classMeant(mine []plpbot.Class, terms map[string]*plpbot.Term, example func(name string) string) (*plpbot.Class, error) {
	if active := h.activeIn(mine, terms); len(active) > 0 {
		mine = active
	}
	switch len(mine) {
	case 0:
		return nil, &bot.UserError{Code: bot.ENotFound, Message: "You don't have a class yet.",
			Hint: "Create one with `/plp class create Period 3 English`."}
	case 1:
		return &mine[0], nil
	}
	names := make([]string, len(mine))
	for i := range mine {
		names[i] = bot.Bold(bot.User(mine[i].Name))
	}
	return nil, &bot.UserError{Code: bot.EInvalid,
		Message: fmt.Sprintf("You teach %d classes: %s. Which one?", len(mine), andJoin(names)),
		Hint:    "Name it, such as `" + example(bot.User(mine[0].Name)) + "`."}
}

// channelTag shows a channel as #name, or by id if its name is unknown.
func channelTag(name, id string) string {
	if name == "" {
		name = id
	}
	return "#" + bot.User(name)
}

// peopleIDs returns the ids of users.
func peopleIDs(us []*plpbot.Person) []string {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	return ids
}

// peopleNames lists users' names, escaped, as "sam, alex and jo".
func peopleNames(us []*plpbot.Person) string {
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = bot.User(u.Name)
	}
	return andJoin(names)
}

// andJoin joins items as "a, b and c".
func andJoin(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// countNoun writes n with the singular or plural noun: "1 goal", "3 goals".
func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
