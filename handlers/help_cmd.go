package handlers

import (
	"context"
	"slices"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// cmdHelp shows the actor's first help screen (the few commands their role
// uses most), everything they may use ("help all"), or one command. Someone
// the bot has never met before gets a one-line welcome first.
func (h *Handlers) cmdHelp(ctx context.Context, c *call) ([]bot.Message, error) {
	m, err := h.grammar.Help(h.helpGuide(c.Actor), c.Invocation.Arg("command"))
	if err != nil {
		return nil, err
	}
	if c.FirstSeen {
		welcome := bot.Text{Text: "Welcome to plpbot, " + bot.User(c.Actor.Name) + "! I keep your learning plan: goals, steps, check-ins and reflections."}
		m.Blocks = slices.Insert(slices.Clone(m.Blocks), 0, bot.Block(welcome))
	}
	return []bot.Message{m}, nil
}

// helpGuide is how help speaks to u: the handful of commands their role
// uses most, with examples that fit the role (staff act on a student,
// @sam; dates are a week from today in u's zone, so an example never lies
// in the past), and the full list grouped with their own work first. Each
// tip fits one line of a phone (about 50 characters) where it can.
func (h *Handlers) helpGuide(u *plpbot.Person) grammar.Guide {
	week := nextSchoolDay(h.now().In(h.loc(u)).AddDate(0, 0, 7)).Format("2006-01-02")
	gd := grammar.Guide{Audience: helpAudience(u), Sections: helpSections(u.Role)}
	switch u.Role {
	case plpbot.RoleAdmin:
		gd.Top = []grammar.Tip{
			{Line: "role @ms.lee teacher", Note: "give a role"},
			{Line: "roster", Note: "the whole school at a glance"},
			{Line: "class list", Note: "every class in the school"},
			{Line: "student @sam", Note: "any student's plan"},
			{Line: "class create Period 3 English", Note: "new class"},
			{Line: "forget @sam", Note: "erase a person (asks first)"},
		}
	case plpbot.RoleCounselor:
		gd.Top = []grammar.Tip{
			{Line: "student @sam", Note: "their plan and recent work"},
			{Line: "conference @sam " + week + " 10:30", Note: "meet them"},
			{Line: "conference @sam every 2w tue 10:30", Note: "standing 1:1"},
			{Line: "feedback @sam 1 Nice work!", Note: "comment on goal 1"},
			{Line: "flag @sam 504", Note: "a staff-only support flag"},
			{Line: "roster", Note: "your caseload at a glance"},
			{Line: "caseload", Note: "who is on your caseload"},
		}
	case plpbot.RoleTeacher:
		gd.Top = []grammar.Tip{
			{Line: "roster", Note: "your class at a glance"},
			{Line: "student @sam", Note: "their plan and recent work"},
			{Line: "feedback @sam 1 Nice work!", Note: "comment on goal 1"},
			{Line: "conference @sam " + week + " 10:30", Note: "book a conference"},
			{Line: "class create Period 3 English", Note: "new class"},
			{Line: "class add @sam @alex", Note: "add students"},
			{Line: "plan", Note: "your classes and own plan"},
		}
	default:
		gd.Top = []grammar.Tip{
			{Line: "plan", Note: "your whole plan"},
			{Line: "goal add Read 3 novels", Note: "a new goal"},
			{Line: "checkin 1 40%", Note: "progress on goal 1"},
			{Line: "reflect It clicked today", Note: "a reflection"},
			{Line: "conference list", Note: "your conferences"},
			{Line: "conference agenda electives", Note: "add a topic"},
			{Line: "away until " + week, Note: "pause prompts"},
		}
	}
	return gd
}

// helpSections groups "/plp help all" for role, its own work first.
func helpSections(role plpbot.Role) []grammar.Section {
	own := []grammar.Section{
		{Title: "Your plan", Commands: []string{"plan", "profile", "export", "away", "dashboard", "help"}},
		{Title: "Goals & steps", Commands: []string{"goal", "step"}},
		{Title: "Check-ins & reflections", Commands: []string{"checkin", "reflect"}},
	}
	conferences := grammar.Section{Title: "Conferences", Commands: []string{"conference"}}
	staff := grammar.Section{Title: "Classes & students", Commands: []string{"class", "roster", "student", "feedback", "flag", "schedule", "caseload", "term"}}
	switch {
	case role == plpbot.RoleAdmin:
		admin := grammar.Section{Title: "Admin", Commands: []string{"role", "caseload", "term", "forget"}}
		return append([]grammar.Section{admin, staff, conferences}, own...)
	case role.IsStaff():
		return append([]grammar.Section{staff, conferences}, own...)
	}
	return append(own, conferences)
}

// nextSchoolDay is t, or the Monday after it when t falls on a weekend.
func nextSchoolDay(t time.Time) time.Time {
	switch t.Weekday() {
	case time.Saturday:
		return t.AddDate(0, 0, 2)
	case time.Sunday:
		return t.AddDate(0, 0, 1)
	}
	return t
}
