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
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/plpbot/plpbot/storage"
)

// goalRef is a goal's title as it appears inside a sentence.
func goalRef(g *plpbot.Goal) string { return bot.Italic(bot.User(g.Title)) }

// dateIn is the calendar date of t in loc, as midnight UTC: the form dates
// typed as YYYY-MM-DD take (Invocation.Date), so the two compare directly.
func dateIn(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// helpAudience is who u is, for help and usage lines.
func helpAudience(u *plpbot.Person) grammar.Audience {
	switch {
	case u.Role == plpbot.RoleAdmin:
		return grammar.Admins
	case u.Role.IsStaff():
		return grammar.Staff
	}
	return grammar.Everyone
}

// profileParts are the learner-profile fields in the order shown, with the
// label people read and the example a newcomer is offered.
var profileParts = []struct {
	field, label, example string
	get                   func(p *plpbot.Profile) string
}{
	{"interests", "Interests", "robotics, drawing", func(p *plpbot.Profile) string { return p.Interests }},
	{"strengths", "Strengths", "I keep going when it's hard", func(p *plpbot.Profile) string { return p.Strengths }},
	{"grow", "Areas to grow", "speaking up in class", func(p *plpbot.Profile) string { return p.Grow }},
	{"learn", "How I learn best", "by doing and talking it through", func(p *plpbot.Profile) string { return p.Learn }},
	{"career", "Career interests", "engineering, game design", func(p *plpbot.Profile) string { return p.Career }},
}

// nextProfileHint is the exact command that fills the first empty profile
// part, or "" when the profile is complete.
func nextProfileHint(p *plpbot.Profile) string {
	for _, part := range profileParts {
		if part.get(p) == "" {
			return "`/plp profile set " + part.field + " " + part.example + "`"
		}
	}
	return ""
}

// profileHelp names every part of the profile "/plp profile set" can set,
// for its help pages.
func profileHelp() string {
	return "Set one part at a time: interests, strengths, grow (areas to grow), learn (how you learn best), " +
		"career, shoutouts on|off (your class may cheer your finished goals) and timezone Area/City."
}

// profileExamples is one "profile set" example for each part, the same ones
// a newcomer is offered.
func profileExamples() []string {
	ex := make([]string, 0, len(profileParts)+2)
	for _, part := range profileParts {
		ex = append(ex, "profile set "+part.field+" "+part.example)
	}
	return append(ex, "profile set shoutouts on", "profile set timezone America/New_York")
}

// cmdPlan shows the actor's whole plan. Staff see their classes at a
// glance first (this is also what the Slack App Home shows them), then
// their own plan.
func (h *Handlers) cmdPlan(ctx context.Context, c *call) ([]bot.Message, error) {
	own, err := h.ownPlan(ctx, c)
	if err != nil || !c.Actor.Role.IsStaff() {
		return own, err
	}
	classes, err := h.cmdClassList(ctx, c)
	if err != nil {
		return nil, err
	}
	return append(classes, own...), nil
}

// planHeader is the top of a student's plan: their profile (or a hint to
// fill it in), streak, next conference, last reflection, and away status.
func (h *Handlers) planHeader(u *plpbot.Person, streak int, conf *plpbot.Conference, refls []plpbot.Reflection, now time.Time) []bot.Block {
	loc := h.loc(u)
	var blocks []bot.Block
	if summary := profileSummary(&u.Profile); summary != "" {
		blocks = append(blocks, bot.Text{Text: summary})
	} else {
		blocks = append(blocks, bot.Context{Text: "Tell your teachers what you're into: " + nextProfileHint(&u.Profile)})
	}
	fields := []bot.Field{{Label: "Streak", Value: streakText(streak)}}
	if conf != nil {
		fields = append(fields, bot.Field{Label: "Next conference", Value: formatWhen(conf.At, loc) + " with " + bot.User(conf.TeacherName)})
	}
	last := "none yet"
	if len(refls) > 0 {
		last = refls[0].At.In(loc).Format("Mon 2 Jan 2006")
	}
	blocks = append(blocks, bot.Fields{Fields: append(fields, bot.Field{Label: "Last reflection", Value: last})})
	if u.Away(now) {
		blocks = append(blocks, bot.Context{Text: "You're away until " + formatDay(u.AwayUntil.In(loc)) + ": prompts are paused and your streak is frozen. Back early? `/plp away off`"})
	}
	return blocks
}

// ownPlan is the actor's own plan, with a progress card of its active goals.
func (h *Handlers) ownPlan(ctx context.Context, c *call) ([]bot.Message, error) {
	u := c.Actor
	goals, err := h.store.Goals(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	var active, paused []plpbot.Goal
	done := 0
	for _, g := range goals {
		switch g.Status {
		case plpbot.GoalActive:
			active = append(active, g)
		case plpbot.GoalPaused:
			paused = append(paused, g)
		case plpbot.GoalDone:
			done++
		}
	}
	if len(active) == 0 && len(paused) == 0 && done == 0 {
		return []bot.Message{h.emptyPlan(u)}, nil
	}
	now := h.now()
	loc := h.loc(u)
	streak, err := h.streakOf(ctx, u)
	if err != nil {
		return nil, err
	}
	conf, err := h.nextConference(ctx, u.ID, now)
	if err != nil {
		return nil, err
	}
	refls, err := h.store.Reflections(ctx, u.ID, time.Time{}, 1)
	if err != nil {
		return nil, err
	}

	m := reply("Your plan, " + bot.User(u.Name))
	m.Blocks = append(m.Blocks, h.planHeader(u, streak, conf, refls, now)...)
	if len(active) > 0 {
		m.Blocks = append(m.Blocks, bot.Divider{})
	}
	for i := range active {
		g := &active[i]
		m.Blocks = append(m.Blocks, bot.Progress{Label: strconv.Itoa(g.Number) + ". " + bot.User(g.Title), Percent: g.Progress})
		if line := goalDetail(g, now, loc); line != "" {
			m.Blocks = append(m.Blocks, bot.Context{Text: line})
		}
	}
	var tail []string
	if len(paused) > 0 {
		tail = append(tail, fmt.Sprintf("%s paused", plural(len(paused), "goal")))
	}
	if done > 0 {
		tail = append(tail, fmt.Sprintf("%s done", plural(done, "goal")))
	}
	if len(tail) > 0 {
		m.Blocks = append(m.Blocks, bot.Context{Text: strings.Join(tail, " · ") + " — see them all with `/plp goal list`"})
	}
	if len(active) == 0 {
		m.Blocks = append(m.Blocks, bot.Text{Text: "No active goals right now. Start a new one: `/plp goal add TITLE`"})
		m.Buttons = []bot.Button{h.addGoalButton(bot.Primary)}
		return []bot.Message{m}, nil
	}
	m.Buttons = []bot.Button{h.checkInButton(active), h.addGoalButton(bot.Default)}
	m.Chart = progressCard(u, active, streak, conf, loc)
	return []bot.Message{m}, nil
}

// emptyPlan guides someone with no goals to their first one.
func (h *Handlers) emptyPlan(u *plpbot.Person) bot.Message {
	m := reply("Your plan, "+bot.User(u.Name),
		bot.Text{Text: "Your plan is empty — let's add your first goal. Pick something you'd like to get better at this term."},
		bot.Text{Text: "For example: `/plp goal add Read three novels by:2027-05-30 why:I want to enjoy reading again`"},
	)
	if u.Role.IsStaff() {
		m.Blocks = append(m.Blocks, bot.Context{Text: "This is your own plan. Your students' progress: `/plp roster`"})
	}
	m.Buttons = []bot.Button{h.addGoalButton(bot.Primary)}
	return m
}

// addGoalButton opens the goal form, or shows the command where forms don't exist.
func (h *Handlers) addGoalButton(style bot.ButtonStyle) bot.Button {
	return bot.Button{Label: "Add a goal", Command: "goal add", Style: style, Form: h.grammar.FormFor([]string{"goal", "add"}, nil)}
}

// checkInButton offers a check-in on the active goals; with one goal the
// form doesn't ask which.
func (h *Handlers) checkInButton(active []plpbot.Goal) bot.Button {
	var fixed map[string]string
	if len(active) == 1 {
		fixed = map[string]string{"n": strconv.Itoa(active[0].Number)}
	}
	return bot.Button{Label: "Check in", Style: bot.Primary,
		Command: "checkin " + strconv.Itoa(active[0].Number),
		Form:    h.grammar.FormFor([]string{"checkin"}, fixed)}
}

// goalDetail is the line under a goal's progress bar: next step and target date.
func goalDetail(g *plpbot.Goal, now time.Time, loc *time.Location) string {
	var parts []string
	if next, _ := g.NextStep(); next != nil {
		parts = append(parts, "Next step: "+bot.Italic(bot.User(next.Text)))
	} else if len(g.Steps) == 0 {
		parts = append(parts, "Add a step: `/plp step add "+strconv.Itoa(g.Number)+" TEXT`")
	}
	if !g.TargetDate.IsZero() {
		if dateIn(now, loc).After(g.TargetDate) && g.Status == plpbot.GoalActive {
			parts = append(parts, "target was "+formatDay(g.TargetDate)+" — move it with `/plp goal edit "+strconv.Itoa(g.Number)+" by:YYYY-MM-DD`")
		} else {
			parts = append(parts, "by "+formatDay(g.TargetDate))
		}
	}
	return strings.Join(parts, " · ")
}

// nextConference is u's next scheduled conference, or nil.
func (h *Handlers) nextConference(ctx context.Context, userID string, now time.Time) (*plpbot.Conference, error) {
	cs, err := h.store.Conferences(ctx, storage.ConferenceQuery{StudentID: userID, Status: plpbot.ConferenceScheduled, From: now, Limit: 1})
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return &cs[0], nil
}

// profileSummary is the filled profile parts in one short paragraph.
func profileSummary(p *plpbot.Profile) string {
	var parts []string
	for _, part := range profileParts {
		if v := part.get(p); v != "" {
			parts = append(parts, bot.Bold(part.label)+": "+bot.User(v))
		}
	}
	return strings.Join(parts, "\n")
}

// plural is "1 goal", "3 goals".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// cmdProfileShow shows the actor's learner profile.
func (h *Handlers) cmdProfileShow(ctx context.Context, c *call) ([]bot.Message, error) {
	return []bot.Message{h.profileMessage(c.Actor, "")}, nil
}

func (h *Handlers) profileMessage(u *plpbot.Person, lead string) bot.Message {
	m := reply("Your learner profile")
	if lead != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: lead})
	}
	var fields []bot.Field
	for _, part := range profileParts {
		v := part.get(&u.Profile)
		if v == "" {
			v = "—"
		} else {
			v = bot.User(v)
		}
		fields = append(fields, bot.Field{Label: part.label, Value: v})
	}
	shout := "off"
	if u.Shoutouts {
		shout = "on"
	}
	tz := u.TimeZone
	if tz == "" {
		tz = h.zone.String() + " (school default)"
	}
	fields = append(fields, bot.Field{Label: "Class shout-outs", Value: shout}, bot.Field{Label: "Time zone", Value: bot.User(tz)})
	m.Blocks = append(m.Blocks, bot.Fields{Fields: fields})
	if hint := nextProfileHint(&u.Profile); hint != "" {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Next: " + hint})
	} else {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Your profile is complete. See your whole plan: `/plp plan`"})
	}
	m.Buttons = []bot.Button{{Label: "Edit profile", Command: "profile set", Form: h.grammar.FormFor([]string{"profile", "set"}, nil)}}
	return m
}

// cmdProfileSet sets one part of the actor's profile, shout-outs or time zone.
func (h *Handlers) cmdProfileSet(ctx context.Context, c *call) ([]bot.Message, error) {
	field, text := c.Invocation.Arg("field"), c.Invocation.Arg("text")
	usage := h.grammar.Usage([]string{"profile", "set"})
	var (
		u    *plpbot.Person
		err  error
		lead string
	)
	switch field {
	case "shoutouts":
		var on bool
		switch strings.ToLower(text) {
		case "on", "yes", "true":
			on = true
		case "off", "no", "false":
		default:
			return nil, &bot.UserError{Code: bot.EInvalid, Field: "text", Usage: usage,
				Message: fmt.Sprintf("Shout-outs are on or off, not %s.", bot.User(text)),
				Hint:    "`/plp profile set shoutouts on` lets your class cheer your finished goals."}
		}
		u, err = h.store.SetShoutouts(ctx, c.Actor.ID, on)
		lead = "Class shout-outs are off: finished goals stay between you and your teachers."
		if on {
			lead = "Class shout-outs are on: your class channel may cheer when you finish a goal."
		}
	case "timezone":
		loc, lerr := plpbot.ParseZone(text)
		if lerr != nil {
			return nil, zoneError(text, usage, lerr)
		}
		u, err = h.store.SetTimeZone(ctx, c.Actor.ID, loc.String())
		lead = "Time zone set to " + bot.User(loc.String()) + ". It's " + h.now().In(loc).Format("15:04") + " there now."
	default:
		if !slices.Contains(plpbot.ProfileFields, field) {
			return nil, &bot.UserError{Code: bot.EInvalid, Usage: usage, Message: fmt.Sprintf("I can't set %s.", bot.User(field))}
		}
		u, err = h.store.SetProfileField(ctx, c.Actor.ID, field, text)
		for _, part := range profileParts {
			if part.field == field {
				lead = "Saved your " + strings.ToLower(part.label) + "."
			}
		}
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("set profile: the actor vanished: %w", err)
	}
	if err != nil {
		return nil, err
	}
	return []bot.Message{h.profileMessage(u, lead)}, nil
}

// zoneError refuses a time zone that isn't an IANA name: an abbreviation
// gets the exact command for the zone it most likely means.
func zoneError(text, usage string, err error) *bot.UserError {
	ue := &bot.UserError{Code: bot.EInvalid, Field: "text", Usage: usage,
		Hint: "Time zones are Area/City names, such as `/plp profile set timezone America/New_York`"}
	if g, ok := plpbot.GuessZone(text); ok {
		ue.Message = fmt.Sprintf("%s %s. Did you mean `/plp profile set timezone %s`?", bot.User(strings.TrimSpace(text)), g.Why, g.Zone)
		if g.Note != "" {
			ue.Message += " " + g.Note
		}
		return ue
	}
	ue.Message = bot.User(err.Error())
	if de, ok := bot.AsUserError(err); ok { // ParseZone's *plpbot.Error
		ue.Message = bot.User(de.Message)
	}
	return ue
}
