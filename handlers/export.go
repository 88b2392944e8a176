package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// How much history an export carries: enough for a conference, short
// enough to read.
const (
	exportCheckIns    = 20
	exportReflections = 10
	exportFeedback    = 10
)

// cmdExport sends a plan as a Markdown file: the actor's own, or (staff) a
// student's they teach, for a parent conference. Staff exports are audited
// before the plan is read.
func (h *Handlers) cmdExport(ctx context.Context, c *call) ([]bot.Message, error) {
	student := c.Actor
	if c.Invocation.Has("user") && !h.mentionsActor(c, "user") {
		if !c.Actor.Role.IsStaff() {
			return nil, &bot.UserError{Code: bot.EForbidden, Message: "Plans are private: you can only export your own.",
				Hint: "Type `/plp export` for yours."}
		}
		u, err := h.studentFor(ctx, c)
		if err != nil {
			return nil, err
		}
		if err := h.audit(ctx, c.Actor, "export", u, "plan exported as Markdown"); err != nil {
			return nil, err
		}
		student = u
	}
	md, err := h.planMarkdown(ctx, student, h.loc(c.Actor))
	if err != nil {
		return nil, err
	}
	m := reply("")
	m.File = &bot.File{Name: "plan-" + fileSlug(student.Name) + ".md", ContentType: "text/markdown", Data: []byte(md)}
	if student.ID == c.Actor.ID {
		m.Blocks = []bot.Block{bot.Text{Text: "Here's your plan as a Markdown file — ready to print or share with your family."},
			bot.Context{Text: "See it here any time: `/plp plan`"}}
	} else {
		m.Blocks = []bot.Block{bot.Text{Text: "Here's " + bot.User(student.Name) + "'s plan for the conference."},
			bot.Context{Text: "Intervention flags are never included in exports. This export is recorded in the student's access log."}}
	}
	return []bot.Message{m}, nil
}

// mentionsActor reports whether user argument arg names the actor themselves.
func (h *Handlers) mentionsActor(c *call, arg string) bool {
	m, ok := c.Invocation.User(arg)
	if !ok {
		return false
	}
	a := c.Request.Actor
	return (m.Platform == "" || m.Platform == a.Platform) && (m.Workspace == "" || m.Workspace == a.Workspace) &&
		m.UserID != "" && m.UserID == a.UserID
}

// planMarkdown writes u's plan as Markdown, times in loc.
//
// Exports are made to be handed to students and parents, so intervention
// flags (IEP / 504 / other) are deliberately NOT included, and no audit
// details are: only what the student themselves can see in their plan.
func (h *Handlers) planMarkdown(ctx context.Context, u *plpbot.Person, loc *time.Location) (string, error) {
	x, err := h.loadExport(ctx, u)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Learning plan: %s\n\n", mdInline(u.Name))
	fmt.Fprintf(&b, "_Exported %s · %s_\n\n", formatWhen(h.now(), loc), streakText(x.streak))
	writeProfileMD(&b, &u.Profile)
	writeGoalsMD(&b, x.goals)
	writeActivityMD(&b, x, loc)
	b.WriteString("\n## Next conference\n\n")
	if x.conf == nil {
		b.WriteString("None scheduled.\n")
	} else {
		fmt.Fprintf(&b, "%s with %s\n", formatWhen(x.conf.At, loc), mdInline(x.conf.TeacherName))
		for _, a := range x.conf.Agenda {
			fmt.Fprintf(&b, "- %s\n", mdInline(a.Text))
		}
	}
	return b.String(), nil
}

// export is what a plan export reads.
type export struct {
	goals    []plpbot.Goal
	checkIns []plpbot.CheckIn
	refls    []plpbot.Reflection
	feedback []plpbot.Feedback
	conf     *plpbot.Conference
	streak   int
}

func (h *Handlers) loadExport(ctx context.Context, u *plpbot.Person) (*export, error) {
	x := &export{}
	var err error
	if x.goals, err = h.store.Goals(ctx, u.ID); err != nil {
		return nil, err
	}
	if x.checkIns, err = h.store.CheckIns(ctx, u.ID, time.Time{}, exportCheckIns); err != nil {
		return nil, err
	}
	if x.refls, err = h.store.Reflections(ctx, u.ID, time.Time{}, exportReflections); err != nil {
		return nil, err
	}
	x.feedback = plpbot.FeedbackOn(x.goals, time.Time{}, exportFeedback) // kept on the goals
	if x.conf, err = h.nextConference(ctx, u.ID, h.now()); err != nil {
		return nil, err
	}
	x.streak, err = h.streakOf(ctx, u)
	return x, err
}

func writeProfileMD(b *strings.Builder, p *plpbot.Profile) {
	b.WriteString("## Learner profile\n\n")
	for _, part := range profileParts {
		v := part.get(p)
		if v == "" {
			v = "—"
		} else {
			v = mdInline(v)
		}
		fmt.Fprintf(b, "- **%s:** %s\n", part.label, v)
	}
}

func writeGoalsMD(b *strings.Builder, goals []plpbot.Goal) {
	b.WriteString("\n## Goals\n\n")
	if len(goals) == 0 {
		b.WriteString("No goals yet.\n")
	}
	for i := range goals {
		g := &goals[i]
		fmt.Fprintf(b, "### %d. %s\n\n", g.Number, mdInline(g.Title))
		fmt.Fprintf(b, "- **Status:** %s · %s · %d%% %s\n", g.Status, g.Category, g.Progress, bot.Bar(g.Progress, 10))
		if !g.TargetDate.IsZero() {
			fmt.Fprintf(b, "- **Target date:** %s\n", formatDay(g.TargetDate))
		}
		if g.Why != "" {
			fmt.Fprintf(b, "- **Why it matters:** %s\n", mdInline(g.Why))
		}
		if g.Tag != "" {
			fmt.Fprintf(b, "- **Standard:** %s\n", mdInline(g.Tag))
		}
		if len(g.Steps) > 0 {
			b.WriteString("- **Steps:**\n")
			for _, s := range g.Steps {
				mark := " "
				if s.Done {
					mark = "x"
				}
				fmt.Fprintf(b, "  - [%s] %s\n", mark, mdInline(s.Text))
			}
		}
		b.WriteString("\n")
	}
}

func writeActivityMD(b *strings.Builder, x *export, loc *time.Location) {
	day := func(t time.Time) string { return t.In(loc).Format("Mon 2 Jan 2006") }
	b.WriteString("## Recent check-ins\n\n")
	if len(x.checkIns) == 0 {
		b.WriteString("None yet.\n")
	}
	for _, ci := range x.checkIns {
		fmt.Fprintf(b, "- %s — goal %d: %d%%", day(ci.At), ci.GoalNumber, ci.Percent)
		if ci.Confidence > 0 {
			fmt.Fprintf(b, " (confidence %d/5)", ci.Confidence)
		}
		if ci.Note != "" {
			b.WriteString(" — " + mdInline(ci.Note))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Reflections\n\n")
	if len(x.refls) == 0 {
		b.WriteString("None yet.\n\n")
	}
	for _, r := range x.refls {
		fmt.Fprintf(b, "**%s**", day(r.At))
		if r.Prompt != "" {
			b.WriteString(" — " + mdInline(r.Prompt))
		}
		b.WriteString("\n\n" + mdQuote(r.Text) + "\n\n")
	}
	b.WriteString("## Feedback from teachers\n\n")
	if len(x.feedback) == 0 {
		b.WriteString("None yet.\n")
	}
	for _, f := range x.feedback {
		fmt.Fprintf(b, "- %s — %s on goal %d: %s\n", day(f.At), mdInline(f.StaffName), f.GoalNumber, mdInline(f.Text))
	}
}

// mdInline makes user text literal in Markdown on one line: inline
// formatting characters are backslash-escaped, a leading character that
// would start a heading or a list is too, and line breaks become spaces, so
// a title can't open a heading, a link or an HTML tag.
func mdInline(s string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(bot.StripMarkup(s)) {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case strings.ContainsRune("\\`*_[]<>|~&", r), i == 0 && strings.ContainsRune("#-+=>", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdQuote quotes multi-line user text as a Markdown block quote.
func mdQuote(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "> " + mdInline(l)
	}
	return strings.Join(lines, "\n")
}

// fileSlug makes a name safe for a file name: lower-case letters, digits
// and dashes.
func fileSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		return "student"
	}
	return s
}
