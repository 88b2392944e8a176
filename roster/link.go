package roster

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// Linking at import: once an import is applied, the roster people no chat
// account is linked to yet are looked up on each platform plpbot runs (by
// email on Slack, by username or a "discord:name" SIS id on Discord) and
// linked to the account found with storage.Link, as on first use and with
// /plp link. A person found on several platforms is linked on each: one
// plan. A chat account that has a plan of its own, or is linked to someone
// else, is never merged: it is reported as a conflict for staff to settle.
//
// Lookups go at the platform's pace (each adapter keeps to its rate limit:
// Slack's users.lookupByEmail is Tier 3, about 50 a minute), one at a time,
// and each link is written as it is made, so the step can stop at any
// moment and run again later at little cost: it never looks up a person
// already linked, and trusts a lookup that found nobody for relookAfter,
// unless the person's email or username changed since.
//
// When more than listAbove people are due on a platform whose adapter can
// list its members (bot.UserDirectory: Slack's users.list, 200 people a
// call), the list is read once instead and people are matched against it
// locally, case-insensitively, each match linked as its page arrives, the
// same way as a lookup's: a school of 2,000 takes about ten calls, not 40
// minutes. A list read to its end is the workspace: a due person not on it
// is a miss, as a lookup that found nobody would be (the list holds
// everyone a lookup finds). A list cut short (time ran out, the platform
// refused) leaves those not matched yet for the next run. The list is kept
// only while the run reads it.

// Finder is one chat platform on which roster people can be looked up.
type Finder struct {
	// Platform is the platform: bot.Slack finds people by email,
	// bot.Discord by username.
	Platform bot.Platform
	// Workspace is the Slack workspace or Discord server to look in; ""
	// for the adapter's own.
	Workspace string
	// Users is the platform's adapter.
	Users bot.UserFinder
}

// LinkOptions change what Link does.
type LinkOptions struct {
	// Until, if set, is when to stop looking people up (a chat command must
	// answer in time); the people not looked up wait for the next run.
	Until time.Time
	// ActorID and ActorName are who the audit log says linked people;
	// default the roster import itself.
	ActorID, ActorName string
	// Progress, if set, hears how far the lookups are: once before the
	// first, then after each.
	Progress func(LinkProgress)
}

// LinkProgress is how far Link's lookups are.
type LinkProgress struct {
	// Due is how many lookups the run has to make, by platform.
	Due map[bot.Platform]int
	// Done is how many it made so far, and Linked how many people it linked.
	Done, Linked int
	// Listed are the platforms whose member list is read once, people
	// being matched against it rather than looked up one by one: there,
	// each person matched or missed counts as a lookup made.
	Listed map[bot.Platform]bool
}

// listAbove is how many people due on a platform make Link read its member
// list rather than look each up: up to this many, lookups take seconds
// (Slack: a burst of 5, then 1.2 s each) and touch only those people;
// beyond, reading the list, 200 people a call, is sooner.
const listAbove = 20

// relookAfter is how long a lookup that found nobody is trusted: the person
// is not looked up again on that platform, by the same email or username,
// before then (they are still linked at once when they first use plpbot).
const relookAfter = 7 * 24 * time.Hour

// maxListed is how many people the notes name, conflicts and unmatched each.
const maxListed = 20

// Linking is what linking at import did.
type Linking struct {
	// Skipped, when set, is why nobody was looked up (a dry run, no
	// platform to look on), as a sentence for people; the rest is empty.
	Skipped string
	// Platforms are the platforms looked on, in the order given.
	Platforms []PlatformLinking
	// Linked counts the people linked to at least one account.
	Linked int
	// Unmatched are the people still not linked to any account:
	// conflicts first, then staff, then students, each by name.
	Unmatched []Unmatched
	// Left counts the unmatched people some lookups of whom were not made:
	// time ran out, the run was stopped, or a platform refused.
	Left int
	// OutOfTime is true when lookups stopped at LinkOptions.Until or
	// because the run was stopped.
	OutOfTime bool
}

// PlatformLinking is what linking did on one platform.
type PlatformLinking struct {
	Platform bot.Platform
	// By is what the platform finds people by: "email" or "username".
	By string
	// Looked counts the lookups made, Linked the accounts linked.
	Looked, Linked int
	// Listed is true when the platform's member list was read and people
	// matched against it: Looked then counts the people matched or missed.
	Listed bool
	// Problem is why lookups on the platform stopped, for people to read
	// (such as a missing Slack scope, with what to do); "" if they didn't.
	Problem string
}

// Unmatched is a roster person no chat account is linked to, and why.
type Unmatched struct {
	ID, Name, SourcedID string
	Student             bool
	// Conflict is true when an account was found but could not be linked
	// (it has a plan of its own, or belongs to someone else), or the SIS
	// gives the same email or username to someone else: staff must look.
	Conflict bool
	// Why says, per platform, what happened, for people to read.
	Why string
}

// Counts returns how many unmatched people are students and staff.
func (l *Linking) Counts() map[Kind]int {
	out := map[Kind]int{}
	for _, u := range l.Unmatched {
		if u.Student {
			out[KindStudents]++
		} else {
			out[KindStaff]++
		}
	}
	return out
}

// linkRun is one run of Link: the people, what happened to each, and
// where the lookups stand.
type linkRun struct {
	im      *Importer
	finders []Finder
	opts    LinkOptions
	out     *Linking
	look    context.Context // ctx, ending at opts.Until: for lookups only
	now     time.Time
	// shared marks the handles two pending people share, by platform.
	shared   map[bot.Platform]map[string][]*storage.PendingPerson
	progress LinkProgress
	stopped  bool // out of time or stopped: no more lookups
	// lists are the member lists read, by finder; nil where people are
	// looked up one at a time.
	lists []*memberList
}

// memberList is what matching people against one platform's member list
// did.
type memberList struct {
	// matched are the people found on the list, by person id: why they
	// aren't linked there and what happened, as lookUp says it.
	matched map[string]listMatch
	// complete is true when the list was read to its end: the due people
	// not on it are misses.
	complete bool
}

// listMatch is what matching one person against a member list did.
type listMatch struct {
	why     string
	outcome int
}

// Link looks up the roster people no chat account is linked to yet on
// each finder's platform and links those found (see the comment at the top
// of this file). It returns what it did even when it stopped early; the
// error is for a failure of the database. A run whose ctx ends stops
// looking people up and reports those left, without an error.
func (im *Importer) Link(ctx context.Context, finders []Finder, opts LinkOptions) (*Linking, error) {
	r := &linkRun{im: im, finders: finders, opts: opts, out: &Linking{}, now: im.store.Now(),
		progress: LinkProgress{Due: map[bot.Platform]int{}, Listed: map[bot.Platform]bool{}}, lists: make([]*memberList, len(finders))}
	r.opts.ActorID = cmp.Or(r.opts.ActorID, importActorID)
	r.opts.ActorName = cmp.Or(r.opts.ActorName, importActorName)
	for _, f := range finders {
		r.out.Platforms = append(r.out.Platforms, PlatformLinking{Platform: f.Platform, By: f.Users.FindsBy()})
	}
	pending, err := im.store.PendingPeople(ctx)
	if err != nil {
		return r.out, fmt.Errorf("link roster people: %w", err)
	}
	slices.SortFunc(pending, func(a, b storage.PendingPerson) int {
		return cmp.Or(cmp.Compare(rank(&a.Person), rank(&b.Person)), cmp.Compare(a.NameLower, b.NameLower), cmp.Compare(a.ID, b.ID))
	})
	r.planLookups(pending)
	var cancel context.CancelFunc = func() {}
	r.look = ctx
	if !opts.Until.IsZero() {
		r.look, cancel = context.WithDeadline(ctx, opts.Until)
	}
	defer cancel()
	r.report()
	if err := r.readLists(ctx, pending); err != nil {
		return r.out, err
	}
	for i := range pending {
		err := r.person(ctx, &pending[i])
		switch {
		case err != nil && ctx.Err() != nil: // stopped while writing: nothing is lost, the rest waits
			r.stopped = true
			p := &pending[i]
			r.out.Left++
			r.out.Unmatched = append(r.out.Unmatched, Unmatched{ID: p.ID, Name: p.Name, SourcedID: p.SIS.SourcedID,
				Student: p.Role == plpbot.RoleStudent, Why: "not looked up yet"})
		case err != nil:
			return r.out, err
		}
	}
	// Conflicts first (staff must act on them), each part in lookup order.
	slices.SortStableFunc(r.out.Unmatched, func(a, b Unmatched) int {
		return cmp.Compare(conflictRank(a), conflictRank(b))
	})
	r.out.OutOfTime = r.stopped
	return r.out, nil
}

func conflictRank(u Unmatched) int {
	if u.Conflict {
		return 0
	}
	return 1
}

// rank orders people for lookups and lists: staff (few, and they run the
// classes) before students.
func rank(p *plpbot.Person) int {
	if p.Role == plpbot.RoleStudent {
		return 1
	}
	return 0
}

// handleOn is what finds the person on platform: the SIS email on Slack;
// on Discord a "discord:name" SIS id, else the SIS username. "" when the
// SIS gives nothing, or the platform can't be searched.
func handleOn(p *plpbot.Person, platform bot.Platform) string {
	if p.SIS == nil {
		return ""
	}
	switch platform {
	case bot.Slack:
		return strings.TrimSpace(p.SIS.Email)
	case bot.Discord:
		for _, id := range p.SIS.IDs {
			if typ, name, ok := strings.Cut(id, ":"); ok && strings.EqualFold(typ, string(bot.Discord)) && strings.TrimSpace(name) != "" {
				return strings.TrimSpace(name)
			}
		}
		return strings.TrimSpace(p.SIS.Username)
	}
	return ""
}

// digest is what a miss keeps of a handle: enough to see it changed,
// nothing to read it back by.
func digest(handle string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(handle))))
	return hex.EncodeToString(sum[:8])
}

// recentMiss returns when p was last looked up on platform by handle and
// not found, if that is recent enough to trust.
func (r *linkRun) recentMiss(p *storage.PendingPerson, platform bot.Platform, handle string) (time.Time, bool) {
	m, ok := p.Misses[string(platform)]
	if !ok || m.Handle != digest(handle) || r.now.Sub(m.At) >= relookAfter {
		return time.Time{}, false
	}
	return m.At, true
}

// planLookups counts the lookups due and finds the handles two pending
// people share (looked up for neither: a guess would hand one student's
// plan to another).
func (r *linkRun) planLookups(pending []storage.PendingPerson) {
	r.shared = map[bot.Platform]map[string][]*storage.PendingPerson{}
	for _, f := range r.finders {
		by := map[string][]*storage.PendingPerson{}
		for i := range pending {
			if h := handleOn(&pending[i].Person, f.Platform); h != "" {
				by[strings.ToLower(h)] = append(by[strings.ToLower(h)], &pending[i])
			}
		}
		for h, ps := range by {
			if len(ps) < 2 {
				delete(by, h)
			}
		}
		r.shared[f.Platform] = by
		for i := range pending {
			if r.due(&pending[i], f.Platform) != "" {
				r.progress.Due[f.Platform]++
			}
		}
		if _, ok := f.Users.(bot.UserDirectory); ok && r.progress.Due[f.Platform] > listAbove {
			r.progress.Listed[f.Platform] = true
		}
	}
}

// due returns the handle p is to be looked up by on platform, or "" if p
// isn't: no handle, one another pending person shares, or a recent miss.
func (r *linkRun) due(p *storage.PendingPerson, platform bot.Platform) string {
	h := handleOn(&p.Person, platform)
	if h == "" || r.shared[platform][strings.ToLower(h)] != nil {
		return ""
	}
	if _, missed := r.recentMiss(p, platform, h); missed {
		return ""
	}
	return h
}

// readLists reads the member list of each platform planLookups chose
// (LinkProgress.Listed), matching and linking the due people on it as each
// page arrives. The error is the database's.
func (r *linkRun) readLists(ctx context.Context, pending []storage.PendingPerson) error {
	for i, f := range r.finders {
		dir, ok := f.Users.(bot.UserDirectory)
		if !ok || !r.progress.Listed[f.Platform] || r.stopped {
			continue
		}
		byHandle := map[string]*storage.PendingPerson{}
		for j := range pending {
			if h := r.due(&pending[j], f.Platform); h != "" {
				byHandle[strings.ToLower(h)] = &pending[j]
			}
		}
		l := &memberList{matched: map[string]listMatch{}}
		r.lists[i] = l
		if err := r.readList(ctx, dir, f, &r.out.Platforms[i], byHandle, l); err != nil {
			return err
		}
	}
	return nil
}

// readList reads one platform's member list into l, linking each due
// person found (byHandle, by lower-case handle) as lookUp links a person
// looked up. A list cut short by time stops the run's lookups; one the
// platform refuses stops the platform's, with why (PlatformLinking.Problem).
func (r *linkRun) readList(ctx context.Context, dir bot.UserDirectory, f Finder, pl *PlatformLinking,
	byHandle map[string]*storage.PendingPerson, l *memberList) error {
	pl.Listed = true
	var dbErr error
	err := dir.EachUser(r.look, f.Workspace, func(page []bot.Listed) error {
		for _, u := range page {
			p := byHandle[strings.ToLower(strings.TrimSpace(u.Handle))]
			if p == nil {
				continue
			}
			delete(byHandle, strings.ToLower(strings.TrimSpace(u.Handle))) // one account a handle: the first listed
			r.looked(pl, false)
			why, outcome, err := r.link(ctx, f, pl, p, u.Identity)
			if err != nil {
				dbErr = err
				return err
			}
			l.matched[p.ID] = listMatch{why: why, outcome: outcome}
		}
		return nil
	})
	switch {
	case err == nil:
		l.complete = true
	case dbErr != nil && ctx.Err() == nil:
		return dbErr
	case dbErr != nil, r.look.Err() != nil: // out of time, or stopped: the rest waits
		r.stopped = true
	default:
		pl.Problem = lookupProblem(f.Platform, err)
		r.im.log.WarnContext(ctx, "roster linking: reading the member list stopped", slog.String("platform", string(f.Platform)), slog.Any("err", err))
	}
	return nil
}

// report tells opts.Progress where the lookups stand.
func (r *linkRun) report() {
	if r.opts.Progress != nil {
		r.opts.Progress(r.progress)
	}
}

// person looks p up on each platform and links the accounts found; if
// none is, p joins the unmatched with why.
func (r *linkRun) person(ctx context.Context, p *storage.PendingPerson) error {
	var whys []string
	linked, conflict, left := false, false, false
	for i, f := range r.finders {
		pl := &r.out.Platforms[i]
		why, outcome, err := r.lookUp(ctx, f, pl, r.lists[i], p)
		if err != nil {
			return err
		}
		switch outcome {
		case outLinked:
			linked = true
		case outConflict:
			conflict = true
		case outLeft:
			left = true
		}
		if why != "" {
			whys = append(whys, why)
		}
	}
	if linked {
		r.out.Linked++
		return nil
	}
	if left {
		r.out.Left++
	}
	if len(r.finders) == 0 {
		whys = []string{"nowhere to look them up"}
	}
	r.out.Unmatched = append(r.out.Unmatched, Unmatched{ID: p.ID, Name: p.Name, SourcedID: p.SIS.SourcedID,
		Student: p.Role == plpbot.RoleStudent, Conflict: conflict, Why: strings.Join(whys, "; ")})
	return nil
}

// Outcomes of looking one person up on one platform.
const (
	outNone     = iota // not found, or nothing to look up by
	outLinked          // found and linked
	outConflict        // found, not linked: staff must look
	outLeft            // not looked up: out of time, or the platform refused
)

// lookUp looks p up on one platform and links the account found; where
// the platform's member list was read (list), it says what matching p
// against it did instead. It returns why p is not linked there (for the
// unmatched list) and what happened; the error is the database's.
func (r *linkRun) lookUp(ctx context.Context, f Finder, pl *PlatformLinking, list *memberList, p *storage.PendingPerson) (string, int, error) {
	handle := handleOn(&p.Person, f.Platform)
	if handle == "" {
		return "no " + pl.By + " in the SIS", outNone, nil
	}
	if others := r.shared[f.Platform][strings.ToLower(handle)]; others != nil {
		return "the SIS gives " + sharedWith(others, p) + " the same " + pl.By + ": fix it there", outConflict, nil
	}
	if at, ok := r.recentMiss(p, f.Platform, handle); ok {
		return notFound(f.Platform, pl.By) + " (as of " + at.Format(time.DateOnly) + ")", outNone, nil
	}
	notYet := "not looked up on " + PlatformName(f.Platform) + " yet"
	if list != nil {
		if m, ok := list.matched[p.ID]; ok {
			return m.why, m.outcome, nil
		}
		if list.complete {
			return r.missed(ctx, f, pl, p, handle)
		}
		return notYet, outLeft, nil
	}
	if r.stopped || pl.Problem != "" {
		return notYet, outLeft, nil
	}
	id, err := f.Users.FindUser(r.look, f.Workspace, handle)
	switch {
	case err == nil:
	case r.look.Err() != nil:
		r.stopped = true
		return notYet, outLeft, nil
	case errors.Is(err, bot.ErrNoSuchUser):
		return r.missed(ctx, f, pl, p, handle)
	default:
		pl.Problem = lookupProblem(f.Platform, err)
		r.im.log.WarnContext(ctx, "roster linking: lookups stopped", slog.String("platform", string(f.Platform)), slog.Any("err", err))
		return notYet, outLeft, nil
	}
	r.looked(pl, false)
	return r.link(ctx, f, pl, p, id)
}

// missed records that nobody on f's platform has p's handle: a lookup
// made, and a miss trusted for relookAfter.
func (r *linkRun) missed(ctx context.Context, f Finder, pl *PlatformLinking, p *storage.PendingPerson, handle string) (string, int, error) {
	r.looked(pl, false)
	if err := r.im.store.NoteLinkMiss(ctx, p.ID, string(f.Platform), digest(handle)); err != nil {
		return "", outNone, err
	}
	return notFound(f.Platform, pl.By), outNone, nil
}

// looked counts one lookup made (linked: one account linked) and tells
// Progress.
func (r *linkRun) looked(pl *PlatformLinking, linked bool) {
	if linked {
		pl.Linked++
		r.progress.Linked++
		r.report()
		return
	}
	pl.Looked++
	r.progress.Done++
	r.report()
}

// link links the account id, found by p's handle, to p, the way first use
// and /plp link do (storage.Link), and audits it.
func (r *linkRun) link(ctx context.Context, f Finder, pl *PlatformLinking, p *storage.PendingPerson, id bot.Identity) (string, int, error) {
	sid := storage.Identity{Platform: string(f.Platform), Workspace: cmp.Or(id.Workspace, f.Workspace), PlatformID: id.UserID}
	if sid.PlatformID == "" || sid.Workspace == "" {
		r.im.log.WarnContext(ctx, "roster linking: an account without an id or workspace", slog.String("platform", string(f.Platform)))
		return notFound(f.Platform, pl.By), outNone, nil
	}
	account := accountName(f.Platform, id)
	_, err := r.im.store.Link(ctx, sid, p.ID, pl.By)
	switch {
	case errors.Is(err, storage.ErrHasPlan):
		return "their " + account + " already has a plan of its own", outConflict, nil
	case errors.Is(err, storage.ErrLinkedElsewhere):
		who := "someone else"
		if u, err := r.im.store.User(ctx, sid.UserID()); err == nil {
			who = u.Name
			if u.SIS != nil {
				who += " (" + u.SIS.SourcedID + ")"
			}
		}
		return "the " + account + " with their " + pl.By + " is linked to " + who, outConflict, nil
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrNotRoster):
		return "no longer on the roster", outNone, nil // forgotten while the run went on
	case err != nil:
		return "", outNone, fmt.Errorf("link %s: %w", p.ID, err)
	}
	r.looked(pl, true)
	if p.TimeZone == "" && id.TimeZone != "" {
		if _, err := r.im.store.SetTimeZone(ctx, p.ID, id.TimeZone); err != nil {
			return "", outLinked, fmt.Errorf("link %s: %w", p.ID, err)
		}
		p.TimeZone = id.TimeZone
	}
	err = r.im.store.Audit(ctx, plpbot.AuditEntry{ActorID: r.opts.ActorID, ActorName: r.opts.ActorName, Action: "link",
		SubjectID: p.ID, Detail: sid.UserID() + " by " + pl.By + " at import", At: r.now})
	if err != nil {
		return "", outLinked, fmt.Errorf("audit link of %s: %w", p.ID, err)
	}
	r.im.log.DebugContext(ctx, "linked at import", slog.String("person", p.ID), slog.String("account", sid.UserID()))
	return "", outLinked, nil
}

// sharedWith names, for p, the other pending people with p's handle.
func sharedWith(others []*storage.PendingPerson, p *storage.PendingPerson) string {
	var names []string
	for _, o := range others {
		if o.ID != p.ID {
			names = append(names, o.Name+" ("+o.SIS.SourcedID+")")
		}
	}
	return strings.Join(names, " and ")
}

// notFound says nobody on platform answers to the person's handle.
func notFound(platform bot.Platform, by string) string {
	return "no " + PlatformName(platform) + " account has their " + by
}

// accountName names a found account for a conflict: "Slack account
// @Sam Lee (U123)".
func accountName(platform bot.Platform, id bot.Identity) string {
	s := PlatformName(platform) + " account "
	if id.Name != "" {
		return s + "@" + id.Name + " (" + id.UserID + ")"
	}
	return s + id.UserID
}

// lookupProblem is why lookups on a platform stopped, for people: a
// *bot.UserError's words (a missing scope or intent, with what to do), or
// a plain note that the platform didn't answer.
func lookupProblem(platform bot.Platform, err error) string {
	var ue *bot.UserError
	if errors.As(err, &ue) {
		return strings.TrimSpace(ue.Message + " " + ue.Hint)
	}
	return PlatformName(platform) + " didn't answer, so I stopped looking people up there; the next import tries again."
}

// PlatformName is a platform as people write it: "Slack", "Discord".
func PlatformName(p bot.Platform) string {
	switch p {
	case bot.Slack:
		return "Slack"
	case bot.Discord:
		return "Discord"
	}
	return string(p)
}

// Notes are the linking as short paragraphs for people: who was linked,
// why lookups stopped on a platform, who needs staff, who isn't linked yet
// and why. quote marks SIS text for the medium (bot.User in chat; nil
// leaves it as it is); again is the next action when lookups stopped
// early, such as "run the import again: it goes on where this one stopped".
// Empty when there is nothing to say.
func (l *Linking) Notes(quote func(string) string, again string) []string {
	if quote == nil {
		quote = func(s string) string { return s }
	}
	if l.Skipped != "" {
		return []string{l.Skipped}
	}
	var notes []string
	if s := l.linkedNote(); s != "" {
		notes = append(notes, s)
	}
	for _, p := range l.Platforms {
		if p.Problem != "" {
			notes = append(notes, PlatformName(p.Platform)+": "+p.Problem)
		}
	}
	var conflicts, rest []Unmatched
	for _, u := range l.Unmatched {
		if u.Conflict {
			conflicts = append(conflicts, u)
		} else {
			rest = append(rest, u)
		}
	}
	if len(conflicts) > 0 {
		notes = append(notes, fmt.Sprintf("%s I couldn't link, because plpbot never merges two plans or guesses:\n%s\nSettle each by hand, then link them with `/plp link @user SOURCEDID`.",
			people(len(conflicts)), listed(conflicts, quote)))
	}
	if len(rest) > 0 {
		next := "they'll be linked when they first message me, or use `/plp link @user SOURCEDID`"
		s := fmt.Sprintf("%s %s linked yet — %s:\n%s", people(len(rest)), isAre(len(rest)), next, byReason(rest, quote))
		if l.Left > 0 && again != "" {
			s += fmt.Sprintf("\nI didn't get to look up %s of them: %s", num(l.Left), again)
		}
		notes = append(notes, s)
	}
	return notes
}

// linkedNote says who was linked where, or that lookups found nobody new.
func (l *Linking) linkedNote() string {
	var where []string
	looked := 0
	for _, p := range l.Platforms {
		looked += p.Looked
		if p.Linked > 0 {
			where = append(where, fmt.Sprintf("%s on %s by %s", num(p.Linked), PlatformName(p.Platform), p.By))
		}
	}
	switch {
	case l.Linked > 0:
		return fmt.Sprintf("Linked %s to their chat accounts (%s).", people(l.Linked), strings.Join(where, ", "))
	case looked > 0:
		return fmt.Sprintf("I looked up %s and found no account to link.", people(looked))
	}
	return ""
}

// byReason lists people by why they aren't linked, one line a reason:
// "• why: Name (sourcedId), … and 3 more", up to maxListed names a line.
func byReason(us []Unmatched, quote func(string) string) string {
	var order []string
	names := map[string][]string{}
	for _, u := range us {
		if names[u.Why] == nil {
			order = append(order, u.Why)
		}
		names[u.Why] = append(names[u.Why], quote(u.Name)+" ("+quote(u.SourcedID)+")")
	}
	lines := make([]string, len(order))
	for i, why := range order {
		ns := names[why]
		more := ""
		if len(ns) > maxListed {
			more = fmt.Sprintf(" and %s more", num(len(ns)-maxListed))
			ns = ns[:maxListed]
		}
		lines[i] = "• " + quote(upperFirst(why)) + ": " + strings.Join(ns, ", ") + more
	}
	return strings.Join(lines, "\n")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// listed is up to maxListed people as "• Name (sourcedId): why" lines.
func listed(us []Unmatched, quote func(string) string) string {
	var b strings.Builder
	for i, u := range us {
		if i > 0 {
			b.WriteString("\n")
		}
		if i == maxListed {
			fmt.Fprintf(&b, "… and %s more", num(len(us)-maxListed))
			break
		}
		fmt.Fprintf(&b, "• %s (%s): %s", quote(u.Name), quote(u.SourcedID), quote(u.Why))
	}
	return b.String()
}

func people(n int) string {
	if n == 1 {
		return "1 person"
	}
	return num(n) + " people"
}

func isAre(n int) string {
	if n == 1 {
		return "isn't"
	}
	return "aren't"
}

// Linked records in the report what linking did after the import: its
// notes follow the table, and Unmatched counts the people still not
// linked. A skipped linking leaves the counts as the import found them.
func (r *Report) Linked(l *Linking) {
	r.Links = l
	if l != nil && l.Skipped == "" {
		r.Unmatched = l.Counts()
	}
}
