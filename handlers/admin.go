package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// cmdRole gives someone a role. An admin can't step down while they are
// the workspace's last admin, so the school never locks itself out.
func (h *Handlers) cmdRole(ctx context.Context, c *call) ([]bot.Message, error) {
	u, _, err := h.mentioned(ctx, c, "user")
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Mention who gets the role, such as @ms.lee.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	role := plpbot.Role(c.Invocation.Arg("role"))
	gradeNote, err := h.setGrade(ctx, c, u, role)
	if err != nil {
		return nil, err
	}
	if u.Role == role {
		if gradeNote != "" {
			return []bot.Message{reply("", bot.Text{Text: gradeNote})}, nil
		}
		return []bot.Message{reply("", bot.Text{Text: fmt.Sprintf("%s is already %s.", bot.User(u.Name), roleWithArticle(role))})}, nil
	}
	if u.ID == c.Actor.ID && u.Role == plpbot.RoleAdmin {
		n, err := h.store.CountAdmins(ctx, u.Platform, u.Workspace)
		if err != nil {
			return nil, fmt.Errorf("role: %w", err)
		}
		if n <= 1 {
			return nil, &bot.UserError{Code: bot.EConflict,
				Message: "You're the only admin, so you can't step down yet — nobody could manage roles after you.",
				Hint:    "Make someone else an admin first: `/plp role @name admin`."}
		}
	}
	if err := h.audit(ctx, c.Actor, "role", u, string(u.Role)+" → "+string(role)); err != nil {
		return nil, err
	}
	old := u.Role
	if u, err = h.store.SetRole(ctx, u.ID, role); err != nil {
		return nil, fmt.Errorf("role: %w", err)
	}
	done := reply("", bot.Text{Text: fmt.Sprintf("%s is now %s (was %s).", bot.User(u.Name), roleWithArticle(role), old)})
	if gradeNote != "" {
		done.Blocks = append(done.Blocks, bot.Text{Text: gradeNote})
	}
	out := []bot.Message{done}
	if u.ID != c.Actor.ID && role.IsStaff() {
		var next string
		switch role {
		case plpbot.RoleTeacher:
			next = "First step: create your class with `/plp class create Period 3 English` — in the class channel, to link it."
		case plpbot.RoleCounselor:
			next = "An admin gives you your caseload (a grade, last names or students by name); then see your students with `/plp roster`."
		default:
			next = "Type `/plp help` to see everything you can do now."
		}
		out = append(out, dmTo(u, reply("You're "+roleWithArticle(role)+" in plpbot",
			bot.Text{Text: fmt.Sprintf("%s made you %s.", bot.User(c.Actor.Name), roleWithArticle(role))},
			bot.Context{Text: next})))
	}
	return out, nil
}

// setGrade sets a student's grade level from the grade: argument of
// /plp role, if given, and says what changed. Grades are for students
// (role is the role they will have). It is audited: counselor caseloads by
// grade read it.
func (h *Handlers) setGrade(ctx context.Context, c *call, u *plpbot.Person, role plpbot.Role) (string, error) {
	raw := c.Invocation.Arg("grade")
	if raw == "" {
		return "", nil
	}
	if role != plpbot.RoleStudent {
		return "", &bot.UserError{Code: bot.EInvalid, Message: "Grades are for students.",
			Usage: h.grammar.Usage(c.Invocation.Path), Hint: "Such as `/plp role " + mentionOf(c, u) + " student grade:9`."}
	}
	grade, err := plpbot.NormalizeGrade(raw)
	if err != nil {
		return "", h.typedError(c, err)
	}
	if grade == u.Grade {
		return fmt.Sprintf("%s is in grade %s already.", bot.User(u.Name), bot.User(grade)), nil
	}
	was := u.Grade
	if was == "" {
		was = "none"
	}
	if err := h.audit(ctx, c.Actor, "grade", u, was+" → "+grade); err != nil {
		return "", err
	}
	if _, err := h.store.SetGrade(ctx, u.ID, grade); err != nil {
		return "", fmt.Errorf("role: %w", err)
	}
	return fmt.Sprintf("%s is in grade %s now (was %s): counselors' caseloads by grade follow at once.", bot.User(u.Name), bot.User(grade), bot.User(was)), nil
}

func roleWithArticle(r plpbot.Role) string {
	if r == plpbot.RoleAdmin {
		return "an admin"
	}
	return "a " + string(r)
}

// cmdForget forgets a person: without confirm it shows exactly what would
// change, on both sides (their own records deleted; what they wrote about
// others anonymised) and the command that confirms; with it, it is done,
// and an erasure record that names neither them nor their id replaces
// the audit entries about them. Asked about someone unknown, it says
// whether they were forgotten before (the erasure log), so an admin can
// answer "was X erased?".
func (h *Handlers) cmdForget(ctx context.Context, c *call) ([]bot.Message, error) {
	u, err := h.findMentioned(ctx, c, "user")
	if errors.Is(err, storage.ErrNotFound) {
		return h.forgetUnknown(ctx, c)
	}
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	if u.ID == c.Actor.ID {
		return nil, &bot.UserError{Code: bot.EForbidden, Message: "You can't forget yourself.",
			Hint: "Ask another admin to do it."}
	}
	counts, err := h.store.CountRecords(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	if !c.Invocation.Has("confirm") {
		return h.forgetPreview(ctx, c, u, counts)
	}
	done, err := h.store.Forget(ctx, u.ID, storage.Eraser{ID: c.Actor.ID, Name: c.Actor.Name})
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	blocks := []bot.Block{bot.Text{Text: fmt.Sprintf("Done: every record of %s is deleted (%s and their account).",
		bot.User(u.Name), countNoun(int(done.Total()), "record", "records"))}}
	if n := done.Anonymised(); n > 0 {
		blocks = append(blocks, bot.Text{Text: fmt.Sprintf("%s they wrote about others now %s “%s”.",
			countNoun(int(n), "record", "records"), pick(n, "says", "say"), storage.FormerStaffName)})
	}
	if n := done.UpcomingHeld; n > 0 {
		blocks = append(blocks, bot.Text{Text: fmt.Sprintf("%s they were to hold %s cancelled: those students may need a new time (`/plp conference @student YYYY-MM-DD HH:MM`).",
			countNoun(int(n), "upcoming conference", "upcoming conferences"), pick(n, "is", "are"))})
	}
	blocks = append(blocks, bot.Context{Text: "If they use plpbot again, they start fresh. Backups still hold them until they age out."})
	return []bot.Message{reply("", blocks...)}, nil
}

// forgetPreview shows what forgetting u would change and how to confirm.
func (h *Handlers) forgetPreview(ctx context.Context, c *call, u *plpbot.Person, counts storage.RecordCounts) ([]bot.Message, error) {
	confirm := "forget " + mentionOf(c, u) + " confirm"
	blocks := []bot.Block{
		bot.Text{Text: "This deletes every record of " + bot.Bold(bot.User(u.Name)) + " for good:"},
		bot.List{Items: forgetItems(counts, u.Role.IsStaff())},
	}
	if counts.Anonymised() > 0 {
		blocks = append(blocks,
			bot.Text{Text: "What they wrote about others stays, with their name replaced by “" + storage.FormerStaffName + "”:"},
			bot.List{Items: anonymisedItems(counts)})
	}
	blocks = append(blocks, bot.Text{Text: "It can't be undone. The audit log keeps only that someone was erased, when and by whom — not who."})
	before, err := h.store.Erasures(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	if len(before) > 0 {
		blocks = append(blocks, bot.Context{Text: "They were forgotten once before, on " + formatDay(before[0].At) + ", and came back."})
	}
	blocks = append(blocks, bot.Context{Text: "To go ahead, type `/plp " + confirm + "`."})
	m := reply("Forget "+bot.User(u.Name)+"?", blocks...)
	m.Buttons = []bot.Button{{Label: "Forget " + bot.User(u.Name), Command: confirm, Style: bot.Danger}}
	return []bot.Message{m}, nil
}

// forgetUnknown answers /plp forget about someone the bot doesn't know:
// whether the erasure log says they were forgotten.
func (h *Handlers) forgetUnknown(ctx context.Context, c *call) ([]bot.Message, error) {
	name := bot.User("@" + mentionName(c, "user"))
	mention, _ := c.Invocation.User("user")
	if mention.Platform == "" {
		mention.Platform = c.Request.Actor.Platform
	}
	if mention.Workspace == "" {
		mention.Workspace = c.Request.Actor.Workspace
	}
	erased, err := h.store.Erasures(ctx, storageID(mention).UserID())
	if err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	if len(erased) == 0 {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: "I don't know anyone called " + name + ", so there's nothing to forget."}
	}
	e := erased[0]
	return []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("%s was forgotten on %s by %s (%s). Nothing of theirs is left here.",
			name, formatDay(e.At), bot.User(e.ByName), e.Detail)},
		bot.Context{Text: "Backups made before then still hold them until they age out."})}, nil
}

// forgetItems lists the person's own records Forget deletes, one line per
// kind: for a student zeros included, so the admin sees the whole picture;
// for staff, whose plan is usually empty, only what they have.
func forgetItems(rc storage.RecordCounts, staff bool) []string {
	var out []string
	n := func(v int64, one, many string) {
		if v > 0 || !staff {
			out = append(out, countNoun(int(v), one, many))
		}
	}
	n(rc.Goals, "goal (with its steps)", "goals (with their steps)")
	n(rc.CheckIns, "check-in", "check-ins")
	n(rc.Reflections, "reflection", "reflections")
	n(rc.Feedback, "piece of feedback", "pieces of feedback")
	n(rc.Flags, "intervention flag", "intervention flags")
	n(rc.Conferences, "conference", "conferences")
	n(rc.Classes, "class membership", "class memberships")
	n(rc.Prompts, "reflection prompt", "reflection prompts")
	n(rc.Messages, "scheduled message", "scheduled messages")
	n(rc.Audit, "audit entry about them", "audit entries about them")
	return append(out, "their profile and account")
}

// anonymisedItems lists the kinds of others' records that name the person,
// non-zero ones only.
func anonymisedItems(rc storage.RecordCounts) []string {
	var out []string
	add := func(v int64, one, many string) {
		if v > 0 {
			out = append(out, countNoun(int(v), one, many))
		}
	}
	add(rc.FeedbackGiven, "piece of feedback they gave", "pieces of feedback they gave")
	add(rc.FlagsRecorded, "intervention flag they recorded", "intervention flags they recorded")
	add(rc.ClassesCreated, "class they created (its students stay)", "classes they created (their students stay)")
	if rc.ConferencesHeld > 0 {
		s := countNoun(int(rc.ConferencesHeld), "conference they held", "conferences they held")
		if rc.UpcomingHeld > 0 {
			s += fmt.Sprintf(" (%d upcoming: cancelled)", rc.UpcomingHeld)
		}
		out = append(out, s)
	}
	add(rc.AgendaItems, "talking point they added", "talking points they added")
	add(rc.AuditActions, "audit entry of what they did", "audit entries of what they did")
	return out
}

// pick picks one or many by n.
func pick(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
