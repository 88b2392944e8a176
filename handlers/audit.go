package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// auditPageSize is how many entries /plp audit shows a page.
const auditPageSize = 20

// auditSubject is one person a bulk read or change is about, with what
// the entry says of them.
type auditSubject struct {
	id, detail string
}

// auditMany records, in one write, that actor read or changed the records
// of several people (a roster: one entry per student shown). The actor's
// own records are not audited. As with audit, a failure refuses the read.
func (h *Handlers) auditMany(ctx context.Context, actor *plpbot.Person, action string, subjects []auditSubject) error {
	entries := make([]plpbot.AuditEntry, 0, len(subjects))
	for _, s := range subjects {
		if s.id != actor.ID {
			entries = append(entries, plpbot.AuditEntry{ActorID: actor.ID, ActorName: actor.Name, Action: action, SubjectID: s.id, Detail: s.detail})
		}
	}
	if err := h.store.AuditMany(ctx, entries); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// auditRefusal records that a member of staff asked for a student the
// access policy kept from them (refused, a UserError): a security signal
// the admins can read in /plp audit. Students asking for someone else's
// plan are refused by the command's audience and are not recorded.
func (h *Handlers) auditRefusal(ctx context.Context, c *call, student *plpbot.Person, refused error) error {
	ue, ok := bot.AsUserError(refused)
	if !ok || ue.Code != bot.EForbidden || !c.Actor.Role.IsStaff() {
		return nil
	}
	return h.audit(ctx, c.Actor, "refused:"+c.Invocation.Name(), student, "")
}

// cmdAudit shows an admin who read or changed a person's records, what and
// when, newest first, a page at a time. The person's own actions are not
// in the log. Reading the log is not itself logged: it is the record of
// disclosures, not the plan, and a new entry at the top would shift the
// pages under the reader.
func (h *Handlers) cmdAudit(ctx context.Context, c *call) ([]bot.Message, error) {
	u, err := h.findMentioned(ctx, c, "user")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: "I don't know anyone called " + bot.User("@"+mentionName(c, "user")) + ".",
			Hint:    "They appear once they've used plpbot or been added to a class."}
	}
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	since, err := h.auditSince(c)
	if err != nil {
		return nil, err
	}
	page := max(c.Invocation.Int("page"), 1)
	entries, more, err := h.store.AuditPage(ctx, u.ID, since, (page-1)*auditPageSize, auditPageSize)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if len(entries) == 0 && page > 1 {
		return nil, &bot.UserError{Code: bot.ENotFound,
			Message: fmt.Sprintf("There's no page %d: %s's log is shorter than that.", page, bot.User(u.Name)),
			Hint:    "Start from the newest with `" + h.auditLine(c, u, 0) + "`."}
	}
	return []bot.Message{h.auditMessage(c, u, since, page, entries, more)}, nil
}

// auditSince is the since: of /plp audit, midnight in the viewer's zone,
// or zero for the whole log.
func (h *Handlers) auditSince(c *call) (time.Time, error) {
	d, ok := c.Invocation.Date("since")
	if !ok {
		return time.Time{}, nil
	}
	since := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, h.loc(c.Actor))
	if since.After(h.now()) {
		return time.Time{}, &bot.UserError{Code: bot.EInvalid, Field: "since",
			Message: "since: " + bot.User(c.Invocation.Arg("since")) + " is in the future. Pick today or an earlier day.",
			Usage:   h.grammar.Usage(c.Invocation.Path)}
	}
	return since, nil
}

// auditLine is the /plp audit command for u, keeping since: if given, on
// page (0: the first, written without page:).
func (h *Handlers) auditLine(c *call, u *plpbot.Person, page int) string {
	line := "/plp audit " + mentionOf(c, u)
	if s := c.Invocation.Arg("since"); s != "" {
		line += " since:" + s
	}
	if page > 1 {
		line += " page:" + strconv.Itoa(page)
	}
	return line
}

// auditMessage renders one page of u's audit log in the viewer's zone.
func (h *Handlers) auditMessage(c *call, u *plpbot.Person, since time.Time, page int, entries []plpbot.AuditEntry, more bool) bot.Message {
	loc := h.loc(c.Actor)
	m := reply("Audit · " + bot.User(u.Name))
	scope := "Who read or changed " + bot.User(u.Name) + "'s records"
	if !since.IsZero() {
		scope += " since " + since.Format("Mon 2 Jan 2006")
	}
	if len(entries) == 0 {
		m.Blocks = append(m.Blocks, bot.Text{Text: scope + ": nobody yet."},
			bot.Context{Text: bot.User(u.Name) + "'s own reads and changes aren't listed: they're theirs."})
		return m
	}
	head := scope + ", newest first"
	if page > 1 || more {
		first := (page-1)*auditPageSize + 1
		head += fmt.Sprintf(" · %d–%d", first, first+len(entries)-1)
	}
	m.Blocks = append(m.Blocks, bot.Text{Text: head})
	items := make([]string, len(entries))
	for i := range entries {
		items[i] = auditItem(&entries[i], loc)
	}
	m.Blocks = append(m.Blocks, bot.List{Items: items})
	foot := "Times in " + loc.String() + ". For the school's records: `plpbot audit export`."
	if more {
		foot = "More: `" + h.auditLine(c, u, page+1) + "` · " + foot
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: foot})
	return m
}

// auditItem is one entry: when, who, what they did.
func auditItem(e *plpbot.AuditEntry, loc *time.Location) string {
	line := formatWhen(e.At, loc) + " · " + bot.Bold(bot.User(e.ActorName)) + " · " + auditAction(e.Action)
	if e.Detail != "" {
		line += ": " + bot.User(e.Detail)
	}
	return line
}

// auditWords says what each audited action was, for people.
var auditWords = map[string]string{
	"view_plan":       "read the plan",
	"export":          "exported the plan",
	"feedback":        "gave feedback",
	"flag":            "recorded a flag",
	"prep_brief":      "was sent a conference prep brief",
	"roster":          "saw them on a roster",
	"conference_list": "saw them in a conference list",
	"class_add":       "added them to a class",
	"class_remove":    "removed them from a class",
	"role":            "changed their role",
	"grade":           "changed their grade",
	"caseload_add":    "added them to a caseload",
	"caseload_remove": "took them off a caseload",
	"caseload_rule":   "changed their caseload's rules",
	"forget":          "erased their records",
}

// auditAction is an action in words; a refusal stands out, as the
// security signal it is.
func auditAction(action string) string {
	if cmd, ok := strings.CutPrefix(action, "refused:"); ok {
		return "⚠️ was refused `/plp " + bot.User(cmd) + "`"
	}
	if w, ok := auditWords[action]; ok {
		return w
	}
	return bot.User(action)
}
