package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Counselor caseloads (plpbot.Caseload): admins keep them, counselors see
// the students on theirs as a teacher sees a class. Rules are stored, not
// their results, so who is on a caseload is decided when it is used.

// caseloadWord is the class name that means "my caseload" to a counselor
// in /plp roster.
const caseloadWord = "caseload"

// counselorFor loads the counselor a caseload command names: the person
// mentioned (only admins may name someone else), or the actor. Only
// counselors have caseloads.
func (h *Handlers) counselorFor(ctx context.Context, c *call) (*plpbot.Person, error) {
	u := c.Actor
	if _, ok := c.Invocation.User("user"); ok {
		var err error
		u, err = h.findMentioned(ctx, c, "user")
		if errors.Is(err, storage.ErrNotFound) {
			return nil, unknownPerson()
		}
		if err != nil {
			return nil, fmt.Errorf("find counselor: %w", err)
		}
	}
	switch {
	case u.ID != c.Actor.ID && c.Actor.Role != plpbot.RoleAdmin:
		return nil, &bot.UserError{Code: bot.EForbidden, Message: "Only admins can see or change someone else's caseload.",
			Hint: "See yours with `/plp caseload`."}
	case u.Role == plpbot.RoleCounselor:
		return u, nil
	case u.ID == c.Actor.ID && c.Actor.Role == plpbot.RoleAdmin:
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Name the counselor whose caseload you mean.",
			Usage: h.grammar.Usage(c.Invocation.Path), Hint: "Such as `/plp caseload @mx.rivera`."}
	case u.ID == c.Actor.ID:
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Caseloads are for counselors, and you're " + roleWithArticle(u.Role) + ".",
			Hint: "See your classes with `/plp class list`."}
	}
	return nil, &bot.UserError{Code: bot.EInvalid,
		Message: fmt.Sprintf("%s is %s, and caseloads are for counselors.", bot.User(u.Name), roleWithArticle(u.Role)),
		Hint:    "Make them one first: `/plp role " + mentionOf(c, u) + " counselor`."}
}

// cmdCaseload shows a counselor's caseload or, for admins, changes it:
// a rule by grade: or last:, or students added or removed by name.
func (h *Handlers) cmdCaseload(ctx context.Context, c *call) ([]bot.Message, error) {
	inv := c.Invocation
	change := inv.Arg("change")
	students, rules := inv.Has("users"), inv.Has("grade") || inv.Has("last")
	if change == "" && !students && !rules {
		return h.cmdCaseloadShow(ctx, c)
	}
	if c.Actor.Role != plpbot.RoleAdmin {
		return nil, &bot.UserError{Code: bot.EForbidden, Message: "Only admins change caseloads.",
			Hint: "See yours with `/plp caseload`."}
	}
	switch {
	case change == "remove":
		return h.cmdCaseloadRemove(ctx, c)
	case students && rules:
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "One change at a time: students by name, or a rule.",
			Hint: "Such as `/plp caseload @mx.rivera add @sam`, then `/plp caseload @mx.rivera grade:9`."}
	case students && change == "add":
		return h.cmdCaseloadAdd(ctx, c)
	case students:
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Add or remove them? Say which before the students.",
			Usage: h.grammar.Usage(inv.Path), Hint: "Such as `/plp caseload @mx.rivera add @sam`."}
	}
	return h.cmdCaseloadRule(ctx, c)
}

// cmdCaseloadShow shows a counselor's caseload: its rules, the students
// added and removed by name, and how many students are on it now. It shows
// no plan data, so it is not audited; the roster of the caseload is.
func (h *Handlers) cmdCaseloadShow(ctx context.Context, c *call) ([]bot.Message, error) {
	couns, err := h.counselorFor(ctx, c)
	if err != nil {
		return nil, err
	}
	cl, err := h.store.Caseload(ctx, couns)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	on, err := h.store.CaseloadStudents(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	named, err := h.namesOf(ctx, append(slices.Clone(cl.Added), cl.Removed...))
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	own := couns.ID == c.Actor.ID
	title := "Your caseload"
	if !own {
		title = "Caseload · " + bot.User(couns.Name)
	}
	m := reply(title)
	if cl.Empty() {
		m.Blocks = append(m.Blocks, bot.Text{Text: "No students on it yet."})
		if own {
			m.Blocks = append(m.Blocks, bot.Context{Text: "An admin assigns it: a grade, a range of last names, or students by name."})
		} else {
			m.Blocks = append(m.Blocks, bot.Context{Text: "Give them a grade: `/plp caseload " + mentionOf(c, couns) + " grade:9`, " +
				"last names: `last:A-L`, or students: `/plp caseload " + mentionOf(c, couns) + " add @sam`."})
		}
		return []bot.Message{m}, nil
	}
	m.Blocks = append(m.Blocks, bot.Text{Text: countNoun(len(on), "student", "students") + " on it now."},
		bot.Fields{Fields: caseloadFields(cl, named)})
	if own {
		m.Blocks = append(m.Blocks, bot.Context{Text: "See them at a glance with `/plp roster caseload`."})
	} else {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Change it: `/plp caseload " + mentionOf(c, couns) + " grade:10` · `/plp caseload " +
			mentionOf(c, couns) + " remove @sam`"})
	}
	return []bot.Message{m}, nil
}

// caseloadFields lists a caseload's rules and named students; named maps
// ids to names.
func caseloadFields(cl *plpbot.Caseload, named map[string]string) []bot.Field {
	var fs []bot.Field
	if len(cl.Grades) > 0 {
		fs = append(fs, bot.Field{Label: "Grades", Value: bot.User(strings.Join(cl.Grades, ", "))})
	}
	if len(cl.LastNames) > 0 {
		rs := make([]string, len(cl.LastNames))
		for i, r := range cl.LastNames {
			rs[i] = r.String()
		}
		fs = append(fs, bot.Field{Label: "Last names", Value: bot.User(strings.Join(rs, ", ")) + " (the last word of each name)"})
	}
	list := func(ids []string) string {
		ns := make([]string, 0, len(ids))
		for _, id := range ids {
			if n, ok := named[id]; ok {
				ns = append(ns, bot.User(n))
			}
		}
		slices.Sort(ns)
		return andJoin(ns)
	}
	if v := list(cl.Added); v != "" {
		fs = append(fs, bot.Field{Label: "Added by name", Value: v})
	}
	if v := list(cl.Removed); v != "" {
		fs = append(fs, bot.Field{Label: "Kept off by name", Value: v})
	}
	return fs
}

// typedError turns the domain's refusal of what a person typed (a
// *plpbot.Error, which quotes it) into a reply with its text escaped and the
// command's usage.
func (h *Handlers) typedError(c *call, err error) error {
	if ue, ok := bot.AsUserError(err); ok {
		return &bot.UserError{Code: ue.Code, Field: ue.Field, Message: bot.User(ue.Message), Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	return err
}

// namesOf maps the ids of stored people to their names.
func (h *Handlers) namesOf(ctx context.Context, ids []string) (map[string]string, error) {
	us, err := h.store.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(us))
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

// caseloadRules reads the grade: and last: arguments of a caseload command.
func (h *Handlers) caseloadRules(c *call) (grades []string, ranges []plpbot.NameRange, words []string, err error) {
	if g := c.Invocation.Arg("grade"); g != "" {
		n, err := plpbot.NormalizeGrade(g)
		if err != nil {
			return nil, nil, nil, h.typedError(c, err)
		}
		grades, words = append(grades, n), append(words, "grade "+n)
	}
	if l := c.Invocation.Arg("last"); l != "" {
		r, err := plpbot.ParseNameRange(l)
		if err != nil {
			return nil, nil, nil, h.typedError(c, err)
		}
		ranges, words = append(ranges, r), append(words, "last names "+r.String())
	}
	return grades, ranges, words, nil
}

// cmdCaseloadRule gives a counselor the students of a grade or a range of
// last names. It is audited on the counselor (who gains access), and the
// counselor hears of it.
func (h *Handlers) cmdCaseloadRule(ctx context.Context, c *call) ([]bot.Message, error) {
	couns, err := h.counselorFor(ctx, c)
	if err != nil {
		return nil, err
	}
	grades, ranges, words, err := h.caseloadRules(c)
	if err != nil {
		return nil, err
	}
	if len(words) == 0 {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Say which students: a grade, such as grade:9, or last names, such as last:A-L.",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	what := andJoin(words)
	if err := h.audit(ctx, c.Actor, "caseload_rule", couns, "added "+what); err != nil {
		return nil, err
	}
	cl, err := h.store.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddGrades: grades, AddLastNames: ranges})
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	return h.caseloadChanged(ctx, c, couns, cl, fmt.Sprintf("%s's caseload now takes in %s.", bot.User(couns.Name), bot.User(what)),
		fmt.Sprintf("%s gave you %s.", bot.User(c.Actor.Name), bot.User(what)))
}

// caseloadChanged is the reply to an admin's change of couns's caseload,
// with how many students are on it now, and the counselor's DM.
func (h *Handlers) caseloadChanged(ctx context.Context, c *call, couns *plpbot.Person, cl *plpbot.Caseload, done, dm string) ([]bot.Message, error) {
	on, err := h.store.CaseloadStudents(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	total := "That's " + countNoun(len(on), "student", "students") + " on it now."
	out := []bot.Message{reply("", bot.Text{Text: done + " " + total},
		bot.Context{Text: "See the whole caseload with `/plp caseload " + mentionOf(c, couns) + "`."})}
	if couns.ID != c.Actor.ID {
		out = append(out, dmTo(couns, reply("Your caseload changed",
			bot.Text{Text: dm + " " + total},
			bot.Context{Text: "See them at a glance with `/plp roster caseload`."})))
	}
	return out, nil
}

// caseloadStudents resolves the students mentioned in users argument arg,
// refusing staff: caseloads hold students.
func (h *Handlers) caseloadStudents(ctx context.Context, c *call, arg string) ([]*plpbot.Person, error) {
	people, err := h.mentionedPeople(ctx, c, arg)
	if err != nil {
		return nil, err
	}
	for _, u := range people {
		if u.Role != plpbot.RoleStudent {
			return nil, &bot.UserError{Code: bot.EInvalid,
				Message: fmt.Sprintf("%s is %s: caseloads hold students.", bot.User(u.Name), roleWithArticle(u.Role)),
				Hint:    "Mention only students, such as `/plp caseload @mx.rivera add @sam`."}
		}
	}
	return people, nil
}

// cmdCaseloadAdd puts students on a counselor's caseload by name (and takes
// back an earlier removal). Each is audited: it grants the counselor
// their plan.
func (h *Handlers) cmdCaseloadAdd(ctx context.Context, c *call) ([]bot.Message, error) {
	couns, err := h.counselorFor(ctx, c)
	if err != nil {
		return nil, err
	}
	students, err := h.caseloadStudents(ctx, c, "users")
	if err != nil {
		return nil, err
	}
	subjects := make([]auditSubject, len(students))
	for i, u := range students {
		subjects[i] = auditSubject{id: u.ID, detail: "caseload of " + couns.Name}
	}
	if err := h.auditMany(ctx, c.Actor, "caseload_add", subjects); err != nil {
		return nil, err
	}
	cl, err := h.store.ChangeCaseload(ctx, couns, storage.CaseloadChange{AddStudents: peopleIDs(students)})
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	who := peopleNames(students)
	return h.caseloadChanged(ctx, c, couns, cl, fmt.Sprintf("Added %s to %s's caseload.", who, bot.User(couns.Name)),
		fmt.Sprintf("%s added %s to your caseload.", bot.User(c.Actor.Name), who))
}

// cmdCaseloadRemove takes students (by name), a grade or a range of last
// names off a caseload. A student removed by name stays off whatever the
// rules say, until added again. Access ends at once: it is decided when used.
func (h *Handlers) cmdCaseloadRemove(ctx context.Context, c *call) ([]bot.Message, error) {
	couns, err := h.counselorFor(ctx, c)
	if err != nil {
		return nil, err
	}
	grades, ranges, words, err := h.caseloadRules(c)
	if err != nil {
		return nil, err
	}
	var students []*plpbot.Person
	if c.Invocation.Has("users") {
		if students, err = h.caseloadStudents(ctx, c, "users"); err != nil {
			return nil, err
		}
	}
	if len(words) == 0 && len(students) == 0 {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Say what comes off: students, such as @sam, a grade (grade:9) or last names (last:A-L).",
			Usage: h.grammar.Usage(c.Invocation.Path)}
	}
	before, err := h.store.Caseload(ctx, couns)
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	if uerr := missingRules(c, couns, before, grades, ranges); uerr != nil {
		return nil, uerr
	}
	cl, err := h.store.ChangeCaseload(ctx, couns, storage.CaseloadChange{RemoveStudents: peopleIDs(students), RemoveGrades: grades, RemoveLastNames: ranges})
	if err != nil {
		return nil, fmt.Errorf("caseload: %w", err)
	}
	// Removals only take access away: audited once done.
	if len(words) > 0 {
		if err := h.audit(ctx, c.Actor, "caseload_rule", couns, "removed "+andJoin(words)); err != nil {
			return nil, err
		}
	}
	subjects := make([]auditSubject, len(students))
	for i, u := range students {
		subjects[i] = auditSubject{id: u.ID, detail: "caseload of " + couns.Name}
	}
	if err := h.auditMany(ctx, c.Actor, "caseload_remove", subjects); err != nil {
		return nil, err
	}
	var parts []string
	if len(students) > 0 {
		parts = append(parts, peopleNames(students))
	}
	if len(words) > 0 {
		parts = append(parts, bot.User(andJoin(words)))
	}
	what := andJoin(parts)
	return h.caseloadChanged(ctx, c, couns, cl, fmt.Sprintf("Took %s off %s's caseload.", what, bot.User(couns.Name)),
		fmt.Sprintf("%s took %s off your caseload.", bot.User(c.Actor.Name), what))
}

// missingRules refuses removing a rule the caseload doesn't have.
func missingRules(c *call, couns *plpbot.Person, cl *plpbot.Caseload, grades []string, ranges []plpbot.NameRange) *bot.UserError {
	var missing []string
	for _, g := range grades {
		if !slices.Contains(cl.Grades, g) {
			missing = append(missing, "grade "+g)
		}
	}
	for _, r := range ranges {
		if !slices.Contains(cl.LastNames, r) {
			missing = append(missing, "last names "+r.String())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &bot.UserError{Code: bot.ENotFound,
		Message: fmt.Sprintf("%s's caseload has no rule for %s.", bot.User(couns.Name), bot.User(andJoin(missing))),
		Hint:    "See its rules with `/plp caseload " + mentionOf(c, couns) + "`."}
}

// caseloadRoster is a counselor's roster of their caseload, audited per
// student like a class roster.
func (h *Handlers) caseloadRoster(ctx context.Context, c *call, cl *plpbot.Caseload) ([]bot.Message, error) {
	rows, err := h.store.CaseloadRoster(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("roster: %w", err)
	}
	subjects := make([]auditSubject, len(rows))
	for i := range rows {
		subjects[i] = auditSubject{id: rows[i].UserID, detail: caseloadWord}
	}
	if err := h.auditMany(ctx, c.Actor, "roster", subjects); err != nil {
		return nil, err
	}
	m := h.rosterMessage("Your caseload", rows, h.loc(c.Actor))
	if len(rows) == 0 {
		m.Blocks = []bot.Block{bot.Text{Text: "No students on your caseload yet."},
			bot.Context{Text: "An admin assigns it: a grade, a range of last names, or students by name. See it with `/plp caseload`."}}
	}
	return []bot.Message{m}, nil
}

// caseloadPeople returns the students on a counselor's caseload now (none
// for anyone else), for lists such as who's due.
func (h *Handlers) caseloadPeople(ctx context.Context, u *plpbot.Person) ([]plpbot.Person, error) {
	if u.Role != plpbot.RoleCounselor {
		return nil, nil
	}
	cl, err := h.store.Caseload(ctx, u)
	if err != nil {
		return nil, err
	}
	return h.store.CaseloadStudents(ctx, cl)
}
