package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
)

// Limits of the admin page.
const (
	auditPageSize = 25
	maxDayEntries = 200
	maxMatches    = 20
	maxFailures   = 5
)

// errStop ends a walk of the audit log early.
var errStop = errors.New("stop")

// maxImports is how many roster imports the admin page lists.
const maxImports = 10

// adminView is the admin page: the audit log searched by person and day,
// and the outbox's health.
type adminView struct {
	Person  string // the name typed
	Day     string // YYYY-MM-DD typed
	Error   string
	Matches []personLink
	Heading string
	Entries []auditRow
	Older   string // the next page's URL, if any
	Empty   string
	Outbox  []bot.Field
	Failed  []string
	// Imports are the latest roster imports from chat, in words.
	Imports []auditRow
}

// personLink is one person a name matched.
type personLink struct {
	URL  string
	Name string
	Role string
}

// auditRow is one audit entry in words.
type auditRow struct {
	When    string
	Actor   string
	Action  string
	Subject string
	Detail  string
}

// serveAdmin is the admin page, for admins only (plpbot.CanAdminister).
// Reading the audit log is not itself logged, as in chat: it is the record
// of disclosures, not anyone's plan.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request, v *visit) error {
	if !plpbot.CanAdminister(v.person) {
		return &bot.UserError{Code: bot.EForbidden, Message: "The admin page is for plpbot's admins.",
			Hint: "What you can see is on your dashboard's home page."}
	}
	ctx, q := r.Context(), r.URL.Query()
	av := &adminView{Person: strings.TrimSpace(q.Get("person")), Day: strings.TrimSpace(q.Get("day"))}
	if err := s.auditSearch(ctx, v.person, av, q.Get("id"), max(atoi(q.Get("page")), 1)); err != nil {
		return err
	}
	if err := s.outboxHealth(ctx, av, s.h.Location(v.person)); err != nil {
		return err
	}
	imports, err := s.store.AuditLog(ctx, handlers.ImportSubject, maxImports)
	if err != nil {
		return fmt.Errorf("admin: imports: %w", err)
	}
	loc := s.h.Location(v.person)
	for _, e := range imports {
		av.Imports = append(av.Imports, auditRow{When: e.At.In(loc).Format("Mon 2 Jan 2006, 15:04"), Actor: e.ActorName, Detail: e.Detail})
	}
	s.renderFor(w, r, v, http.StatusOK, "admin", "admin", "Admin", av)
	return nil
}

// auditSearch fills av with the entries asked for: about one person (id,
// or the one person whose name matches), newest first, a page at a time,
// on a day if one is given; without a person, everything on the day
// (today by default).
func (s *Server) auditSearch(ctx context.Context, u *plpbot.Person, av *adminView, id string, pageNo int) error {
	loc, now := s.h.Location(u), s.h.Now()
	day := now.In(loc)
	dayGiven := av.Day != ""
	if dayGiven {
		d, err := time.ParseInLocation(time.DateOnly, av.Day, loc)
		if err != nil {
			av.Error = "That isn't a date I can read: " + av.Day + ". Use YYYY-MM-DD, such as " + now.In(loc).Format(time.DateOnly) + "."
			return nil
		}
		day = d
	}
	from := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)
	to := from.AddDate(0, 0, 1)
	if id == "" && av.Person != "" {
		matches, err := s.store.PeopleNamed(ctx, u.Platform, u.Workspace, av.Person, maxMatches+1)
		if err != nil {
			return err
		}
		switch len(matches) {
		case 0:
			av.Empty = "Nobody here has a name with “" + av.Person + "” in it."
			return nil
		case 1:
			id = matches[0].ID
		default:
			for _, m := range matches[:min(len(matches), maxMatches)] {
				av.Matches = append(av.Matches, personLink{URL: adminURL(m.ID, av.Day, 1), Name: m.Name, Role: string(m.Role)})
			}
			return nil
		}
	}
	if id == "" {
		return s.auditDay(ctx, av, from, to, loc)
	}
	return s.auditPerson(ctx, av, id, dayGiven, from, to, pageNo, loc)
}

// auditDay fills av with every entry of the day [from, to), newest first.
func (s *Server) auditDay(ctx context.Context, av *adminView, from, to time.Time, loc *time.Location) error {
	var entries []plpbot.AuditEntry
	err := s.store.EachAudit(ctx, from, func(e *plpbot.AuditEntry) error {
		if !e.At.Before(to) || len(entries) == maxDayEntries {
			return errStop
		}
		entries = append(entries, *e)
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	slices.Reverse(entries)
	av.Heading = "Everything on " + from.Format("Mon 2 Jan 2006") + ", newest first"
	if len(entries) == maxDayEntries {
		av.Heading += " (the first " + strconv.Itoa(maxDayEntries) + ": search by person for more)"
	}
	av.Empty = "Nothing was read or changed that day."
	return s.auditRows(ctx, av, entries, loc)
}

// auditPerson fills av with a page of the entries about person id, newest
// first; with a day, only that day's.
func (s *Server) auditPerson(ctx context.Context, av *adminView, id string, dayGiven bool, from, to time.Time, pageNo int, loc *time.Location) error {
	since := time.Time{}
	if dayGiven {
		since = from
	}
	entries, more, err := s.store.AuditPage(ctx, id, since, (pageNo-1)*auditPageSize, auditPageSize)
	if err != nil {
		return err
	}
	if dayGiven {
		entries = slices.DeleteFunc(entries, func(e plpbot.AuditEntry) bool { return !e.At.Before(to) })
	}
	name := id
	if p, err := s.store.User(ctx, id); err == nil {
		name = p.Name
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	av.Heading = "Who read or changed " + name + "'s records, newest first"
	if dayGiven {
		av.Heading += ", on " + from.Format("Mon 2 Jan 2006")
	}
	if pageNo > 1 {
		av.Heading += " (page " + strconv.Itoa(pageNo) + ")"
	}
	if more && !dayGiven {
		av.Older = adminURL(id, "", pageNo+1)
	}
	av.Empty = "Nobody else has read or changed " + name + "'s records."
	if dayGiven {
		av.Empty = "Nobody else read or changed " + name + "'s records that day."
	}
	return s.auditRows(ctx, av, entries, loc)
}

// auditRows writes entries in words, naming the people they are about.
func (s *Server) auditRows(ctx context.Context, av *adminView, entries []plpbot.AuditEntry, loc *time.Location) error {
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.SubjectID)
	}
	slices.Sort(ids)
	people, err := s.store.Users(ctx, slices.Compact(ids))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, p := range people {
		names[p.ID] = p.Name
	}
	for _, e := range entries {
		subject := names[e.SubjectID]
		if subject == "" {
			subject = e.SubjectID
			if strings.HasPrefix(subject, "erased:") {
				subject = "someone since forgotten"
			}
		}
		av.Entries = append(av.Entries, auditRow{When: e.At.In(loc).Format("Mon 2 Jan 2006, 15:04"), Actor: e.ActorName,
			Action: strings.ReplaceAll(e.Action, "_", " "), Subject: subject, Detail: e.Detail})
	}
	return nil
}

// outboxHealth fills the scheduled messages' counts by status and the
// latest failures.
func (s *Server) outboxHealth(ctx context.Context, av *adminView, loc *time.Location) error {
	counts, err := s.store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	for _, st := range []struct {
		status storage.OutboxStatus
		label  string
	}{{storage.OutboxPending, "Waiting to go out"}, {storage.OutboxSending, "Being sent now"}, {storage.OutboxSent, "Sent"},
		{storage.OutboxSkipped, "Skipped (no longer owed)"}, {storage.OutboxFailed, "Failed"}} {
		av.Outbox = append(av.Outbox, bot.Field{Label: st.label, Value: strconv.FormatInt(counts[st.status], 10)})
	}
	failed, err := s.store.OutboxItems(ctx, storage.OutboxFailed, maxFailures)
	if err != nil {
		return err
	}
	for _, it := range failed {
		av.Failed = append(av.Failed, fmt.Sprintf("%s · %s: %s", it.UpdatedAt.In(loc).Format("Mon 2 Jan 15:04"),
			strings.ReplaceAll(it.Job, "_", " "), it.Reason))
	}
	return nil
}

// adminURL is the admin page showing person id's entries.
func adminURL(id, day string, page int) string {
	q := url.Values{"id": {id}}
	if day != "" {
		q.Set("day", day)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return Prefix + "admin?" + q.Encode()
}
