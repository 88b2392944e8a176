package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Class lists without a student information system: sync a class from its
// Slack channel or a Discord role, or paste a list of emails (Slack) or
// usernames (Discord, the console) into /plp class add.

// cmdClassSync enrolls, as students, everyone in the class's linked Slack
// channel (or, on Discord, with the role named) who isn't staff, and says
// who was added. Like /plp class add, each addition is audited and each new
// student gets a welcome DM; nobody is removed (a student who left the
// channel may still be in the class: /plp class remove takes them out).
func (h *Handlers) cmdClassSync(ctx context.Context, c *call) ([]bot.Message, error) {
	if err := h.requireEnrol(c, "add", ""); err != nil {
		return nil, err
	}
	cl, err := h.pickClass(ctx, c, c.Invocation.Arg("class"), func(n string) string { return "/plp class sync class:" + n })
	if err != nil {
		return nil, err
	}
	ids, err := h.syncMembers(ctx, c, cl)
	var tooMany *bot.TooManyMembersError
	if errors.As(err, &tooMany) {
		return nil, tooManyToSync(tooMany.N)
	}
	if err != nil {
		return nil, err
	}
	if len(ids) > bot.MaxSyncMembers {
		return nil, tooManyToSync(len(ids))
	}
	people, err := h.syncPeople(ctx, c, ids)
	if err != nil {
		return nil, fmt.Errorf("class sync: %w", err)
	}
	var students, staff []*plpbot.Person
	for _, u := range people {
		switch {
		case u.ID == c.Actor.ID:
		case u.Role.IsStaff():
			staff = append(staff, u)
		default:
			students = append(students, u)
		}
	}
	ch, err := h.classChanges(ctx, cl, students)
	if err != nil {
		return nil, fmt.Errorf("class sync: %w", err)
	}
	if err := h.enrolStudents(ctx, c, cl, ch.students, " (class sync)"); err != nil {
		return nil, err
	}
	already := len(ch.unchanged)
	ch.unchanged, ch.teachers = nil, nil
	msgs := h.classAddMessages(c, cl, ch)
	head := &msgs[0]
	head.Title = "Class synced"
	var notes []string
	if len(ch.students) == 0 {
		notes = append(notes, "Nobody new: everyone there is already in "+bot.Bold(bot.User(cl.Name))+".")
	}
	if already > 0 && len(ch.students) > 0 {
		notes = append(notes, countNoun(already, "student was", "students were")+" already in.")
	}
	if len(staff) > 0 {
		notes = append(notes, "Staff aren't added as students: "+peopleNames(staff)+". Add a co-teacher with `/plp class add @name`.")
	}
	for _, n := range notes {
		head.Blocks = slices.Insert(head.Blocks, len(head.Blocks)-1, bot.Block(bot.Text{Text: n}))
	}
	return msgs, nil
}

// tooManyToSync refuses a channel or role too big to be a class.
func tooManyToSync(n int) *bot.UserError {
	return &bot.UserError{Code: bot.EInvalid,
		Message: fmt.Sprintf("That's %d people, more than a class (up to %d), so I didn't add anyone.", n, bot.MaxSyncMembers),
		Hint:    "Sync from the class's own channel or role, or add students with `/plp class add @sam @alex`."}
}

// syncMembers asks the platform who is in the class: the members of the
// role named (Discord), else of the class's linked channel (Slack).
func (h *Handlers) syncMembers(ctx context.Context, c *call, cl *plpbot.Class) ([]bot.Identity, error) {
	if role := c.Invocation.Arg("role"); role != "" {
		rm, ok := c.Request.Adapter.(bot.RoleMembers)
		if !ok {
			return nil, &bot.UserError{Code: bot.EInvalid, Message: "Roles are Discord's. Here, run `/plp class sync` in the class's channel."}
		}
		return rm.RoleMembers(ctx, c.Request.Actor.Workspace, role)
	}
	cm, ok := c.Request.Adapter.(bot.ChannelMembers)
	switch {
	case !ok && isRoleMembers(c.Request.Adapter):
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "On Discord, a role says who is in a class: name it.",
			Usage: h.grammar.Usage(c.Invocation.Path), Hint: "Such as `/plp class sync role:@Period 3`."}
	case !ok:
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Class sync reads a Slack channel or a Discord role, and there's neither here.",
			Hint: "Add students with `/plp class add @sam @alex`."}
	case cl.ChannelID == "":
		return nil, &bot.UserError{Code: bot.EInvalid,
			Message: fmt.Sprintf("%s isn't linked to a channel, so I don't know whom to sync.", bot.Bold(bot.User(cl.Name))),
			Hint:    "Add students with `/plp class add @sam @alex`, or create the class in its own channel."}
	}
	return cm.ChannelMembers(ctx, bot.Channel{Platform: bot.Platform(cl.Platform), Workspace: cl.Workspace, ChannelID: cl.ChannelID, Name: cl.ChannelName})
}

func isRoleMembers(a any) bool {
	_, ok := a.(bot.RoleMembers)
	return ok
}

// syncPeople turns the platform's members into stored people: those plpbot
// knows in one read, newcomers created (as students, unless configured as
// admins) with what the platform told of them.
func (h *Handlers) syncPeople(ctx context.Context, c *call, ids []bot.Identity) ([]*plpbot.Person, error) {
	keys := make([]string, 0, len(ids))
	for i := range ids {
		ids[i].Platform, ids[i].Workspace = c.Request.Actor.Platform, c.Request.Actor.Workspace
		keys = append(keys, storageID(ids[i]).UserID())
	}
	known, err := h.store.Users(ctx, keys)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*plpbot.Person, len(known))
	for i := range known {
		byID[known[i].ID] = &known[i]
	}
	out := make([]*plpbot.Person, 0, len(ids))
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[keys[i]] {
			continue
		}
		seen[keys[i]] = true
		u, ok := byID[keys[i]]
		if !ok {
			if u, _, err = h.resolveActor(ctx, id, nil); err != nil {
				return nil, err
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// enrolStudents audits, then enrolls, new students of a class; how names
// the way they came in the audit (" (class sync)").
func (h *Handlers) enrolStudents(ctx context.Context, c *call, cl *plpbot.Class, students []*plpbot.Person, how string) error {
	subjects := make([]auditSubject, len(students))
	for i, u := range students {
		subjects[i] = auditSubject{id: u.ID, detail: cl.Name + how}
	}
	if err := h.auditMany(ctx, c.Actor, "class_add", subjects); err != nil {
		return err
	}
	if err := h.store.Enroll(ctx, cl.ID, peopleIDs(students), plpbot.MemberStudent); err != nil {
		return fmt.Errorf("enroll: %w", err)
	}
	return nil
}

// maxPasted bounds the emails or usernames one /plp class add takes.
const maxPasted = 200

// pastedHandles splits a pasted list of emails or usernames: by white
// space, commas and semicolons, with Slack's link markup (<mailto:…|…>)
// and a leading @ taken off, each once.
func pastedHandles(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		f = strings.TrimSuffix(strings.TrimPrefix(f, "<"), ">")
		f, _, _ = strings.Cut(f, "|") // Slack links an email: <mailto:sam@school.org|sam@school.org>
		f = strings.TrimPrefix(strings.TrimPrefix(f, "mailto:"), "@")
		if f != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, f) }) {
			out = append(out, f)
		}
	}
	return out
}

// listedPeople finds the people of a pasted list (argument "list"): by
// email on Slack and by username on Discord (bot.UserFinder), by name on
// the console (where a username is the person's id). unknown are the
// handles nobody answers to, as typed.
func (h *Handlers) listedPeople(ctx context.Context, c *call) (people []*plpbot.Person, unknown []string, err error) {
	handles := pastedHandles(c.Invocation.Arg("list"))
	if len(handles) > maxPasted {
		return nil, nil, &bot.UserError{Code: bot.EInvalid,
			Message: fmt.Sprintf("That's %d names; I take up to %d at a time. Paste the rest in a second `/plp class add`.", len(handles), maxPasted)}
	}
	if len(handles) == 0 {
		return nil, nil, nil
	}
	platform := c.Request.Actor.Platform
	finder, _ := c.Request.Adapter.(bot.UserFinder)
	if platform != bot.Console && finder == nil {
		return nil, nil, &bot.UserError{Code: bot.EInvalid, Message: "Here I can't look people up from a list.",
			Hint: "Mention them instead, such as `/plp class add @sam @alex`."}
	}
	for _, handle := range handles {
		u, err := h.findListed(ctx, c, finder, handle)
		switch {
		case errors.Is(err, bot.ErrNoSuchUser):
			unknown = append(unknown, handle)
		case err != nil:
			return nil, nil, err
		default:
			people = append(people, u)
		}
	}
	return people, unknown, nil
}

// findListed finds the person of one pasted handle.
func (h *Handlers) findListed(ctx context.Context, c *call, finder bot.UserFinder, handle string) (*plpbot.Person, error) {
	actor := c.Request.Actor
	if finder == nil { // the console: a username is the id
		if strings.ContainsFunc(handle, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '_' && r != '-'
		}) {
			return nil, bot.ErrNoSuchUser
		}
		return h.resolveUser(ctx, c, bot.Identity{Platform: actor.Platform, Workspace: actor.Workspace, UserID: strings.ToLower(handle), Name: handle})
	}
	id, err := finder.FindUser(ctx, actor.Workspace, handle)
	if err != nil {
		if !errors.Is(err, bot.ErrNoSuchUser) {
			h.log.WarnContext(ctx, "finding a pasted person failed", slog.Any("err", err))
		}
		return nil, err
	}
	id.Platform, id.Workspace = actor.Platform, actor.Workspace
	u, err := h.store.User(ctx, storageID(id).UserID())
	if errors.Is(err, storage.ErrNotFound) {
		u, _, err = h.resolveActor(ctx, id, nil)
	}
	return u, err
}

// unknownNote says which pasted handles nobody answers to, and what to do.
func unknownNote(c *call, unknown []string) bot.Block {
	what := "name"
	if f, ok := c.Request.Adapter.(bot.UserFinder); ok {
		what = f.FindsBy()
	}
	quoted := make([]string, len(unknown))
	for i, u := range unknown {
		quoted[i] = bot.User(u)
	}
	return bot.Text{Text: fmt.Sprintf("I couldn't find anyone by the %s %s, so I left them out. Check the spelling, or mention them: `/plp class add @name`.",
		what, andJoin(quoted))}
}
