package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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

// cmdForget deletes every record of a person. Without confirm it shows
// exactly what would go and the command that confirms; with it, the erasure
// is audited and done.
func (h *Handlers) cmdForget(ctx context.Context, c *call) ([]bot.Message, error) {
	u, err := h.findMentioned(ctx, c, "user")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: "I don't know anyone called " + bot.User("@"+mentionName(c, "user")) + ", so there's nothing to forget."}
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
	confirm := "forget " + mentionOf(c, u) + " confirm"
	if !c.Invocation.Has("confirm") {
		m := reply("Forget "+bot.User(u.Name)+"?",
			bot.Text{Text: "This deletes every record of " + bot.Bold(bot.User(u.Name)) + " for good:"},
			bot.List{Items: forgetItems(counts)},
			bot.Text{Text: "It can't be undone. The audit log keeps only that a record was erased, and by whom."},
			bot.Context{Text: "To go ahead, type `/plp " + confirm + "`."})
		m.Buttons = []bot.Button{{Label: "Forget " + bot.User(u.Name), Command: confirm, Style: bot.Danger}}
		return []bot.Message{m}, nil
	}
	if err := h.audit(ctx, c.Actor, "forget", u, strconv.FormatInt(counts.Total(), 10)+" records"); err != nil {
		return nil, err
	}
	if err := h.store.Forget(ctx, u.ID); err != nil {
		return nil, fmt.Errorf("forget: %w", err)
	}
	return []bot.Message{reply("",
		bot.Text{Text: fmt.Sprintf("Done: every record of %s is deleted (%s and their account).",
			bot.User(u.Name), countNoun(int(counts.Total()), "record", "records"))},
		bot.Context{Text: "If they use plpbot again, they start fresh."})}, nil
}

// forgetItems lists what Forget deletes, one line per kind, zeros included
// so the admin sees the whole picture.
func forgetItems(rc storage.RecordCounts) []string {
	n := func(v int64, one, many string) string { return countNoun(int(v), one, many) }
	return []string{
		n(rc.Goals, "goal (with its steps)", "goals (with their steps)"),
		n(rc.CheckIns, "check-in", "check-ins"),
		n(rc.Reflections, "reflection", "reflections"),
		n(rc.Feedback, "piece of feedback", "pieces of feedback"),
		n(rc.Flags, "intervention flag", "intervention flags"),
		n(rc.Conferences, "conference", "conferences"),
		n(rc.Classes, "class membership", "class memberships"),
		n(rc.Prompts, "reflection prompt", "reflection prompts"),
		"their profile and account",
	}
}
