package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/roster"
	"github.com/plpbot/plpbot/storage"
)

// /plp import: an admin sends the SIS's OneRoster .zip in a DM with
// "/plp import" and gets the report plpbot import oneroster -dry-run
// prints; nothing is applied until they press "Apply this import" (/plp
// import apply ID), which imports the copy kept in the database
// (storage.KeepImport, for a day) the same way, validation and all. On the
// console, "/plp import PATH" takes a .zip on this computer instead.

// importTimeout bounds one chat import: downloading the file, reading and
// checking it, and writing the changes (a 2,000-student school imports in
// about 2 s). It replaces the short command deadline, which is for answers.
const importTimeout = 2 * time.Minute

// maxProblemsShown is how many problems a refused import lists in chat.
const maxProblemsShown = 20

// importSubject is what the audit entries of imports are about.
const importSubject = ImportSubject

// ImportSubject is the subject of the audit entries that record roster
// imports from chat (what the dashboard's admin page lists).
const ImportSubject = "roster"

// cmdImport checks an attached roster (a dry run) or applies a kept one.
func (h *Handlers) cmdImport(ctx context.Context, c *call) ([]bot.Message, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), importTimeout)
	defer cancel()
	what := strings.TrimSpace(c.Invocation.Arg("what"))
	if c.Invocation.Arg("apply") == "true" {
		return h.importApply(ctx, c, what)
	}
	if c.Invocation.Arg("link") == "true" {
		return h.importLink(ctx, c)
	}
	dir, err := os.MkdirTemp("", "plpbot-import-")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer os.RemoveAll(dir)
	name, path, err := h.importFile(ctx, c, what, dir)
	if err != nil {
		return nil, err
	}
	rep, err := roster.New(h.store, h.log).Import(ctx, path, roster.Options{DryRun: true})
	rep.Source = name
	if errors.Is(err, roster.ErrInvalid) {
		return h.importRefused(ctx, c, rep, "check "+name)
	}
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	m := reply("Roster import · dry run", bot.Text{Text: bot.User(rep.Heading())}, bot.Text{Text: "```\n" + bot.User(rep.Table()) + "```"})
	if n := importNotes(rep, h.lookupsPlanned(c)); n != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: n})
	}
	if rep.Changes() == 0 {
		m.Blocks = append(m.Blocks, bot.Context{Text: "Nothing would change: plpbot already has this roster. Nothing to apply."})
		return []bot.Message{m}, h.importAudit(ctx, c, "dry run of "+name+": no changes")
	}
	id, err := h.keepImport(ctx, name, path)
	if err != nil {
		return nil, err
	}
	m.Blocks = append(m.Blocks, bot.Context{Text: fmt.Sprintf("Nothing is imported until you confirm. I'll keep this file for a day: press the button, or type `/plp import apply %s`.", id)})
	m.Buttons = []bot.Button{{Label: "Apply this import", Command: "import apply " + id, Style: bot.Primary}}
	return []bot.Message{m}, h.importAudit(ctx, c, fmt.Sprintf("dry run of %s (%s): %d changes", name, id, rep.Changes()))
}

// importFile writes the roster to import into dir and returns its name and
// path: the DM's attachment or, on the console, the .zip at what.
func (h *Handlers) importFile(ctx context.Context, c *call, what, dir string) (name, path string, err error) {
	if atts := c.Request.Attachments; len(atts) > 0 {
		a := atts[0]
		for _, b := range atts {
			if strings.HasSuffix(strings.ToLower(b.Name), ".zip") {
				a = b
				break
			}
		}
		return a.Name, filepath.Join(dir, safeName(a.Name)), h.fetchAttachment(ctx, a, filepath.Join(dir, safeName(a.Name)))
	}
	if what != "" && c.Request.Actor.Platform == bot.Console {
		return localZip(what)
	}
	hint := "In your DM with me, attach the .zip your SIS exported and write `/plp import` as the message (a slash command can't carry a file)."
	if c.Request.Actor.Platform == bot.Console {
		hint = "Give the path of the .zip your SIS exported, such as `/plp import lincoln-2026.zip`."
	}
	return "", "", &bot.UserError{Code: bot.EInvalid, Message: "Send me the school's OneRoster export to import.", Hint: hint}
}

// localZip is the console's roster: a .zip on this computer. A folder is
// for plpbot import oneroster, which reads it in place.
func localZip(p string) (name, path string, err error) {
	info, err := os.Stat(p)
	switch {
	case err != nil:
		return "", "", &bot.UserError{Code: bot.ENotFound, Message: fmt.Sprintf("I can't find %s on this computer.", bot.User(p)),
			Hint: "Give the path of the .zip your SIS exported, such as `/plp import lincoln-2026.zip`."}
	case info.IsDir():
		return "", "", &bot.UserError{Code: bot.EInvalid, Message: fmt.Sprintf("%s is a folder; here I take the .zip.", bot.User(p)),
			Hint: "For a folder, run `plpbot import oneroster " + p + " -dry-run` in a terminal."}
	case info.Size() > bot.MaxAttachmentSize:
		return "", "", tooLarge(filepath.Base(p), info.Size())
	}
	return filepath.Base(p), p, nil
}

// fetchAttachment downloads a to path (readable by plpbot only), refusing
// a file larger than bot.MaxAttachmentSize before and while downloading.
func (h *Handlers) fetchAttachment(ctx context.Context, a bot.Attachment, path string) error {
	if a.Size > bot.MaxAttachmentSize {
		return tooLarge(a.Name, a.Size)
	}
	if a.Fetch == nil {
		return fmt.Errorf("import: attachment %q has no way to download it", a.Name)
	}
	r, err := a.Fetch(ctx)
	if err != nil {
		h.log.WarnContext(ctx, "import: download failed", slog.String("file", a.Name), slog.Any("err", err))
		return &bot.UserError{Code: bot.EInvalid, Message: fmt.Sprintf("I couldn't download %s.", bot.User(a.Name)),
			Hint: "Send it again with `/plp import`; if it fails again, ask your plpbot admin to check the logs."}
	}
	defer r.Close()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, bot.MaxAttachmentSize+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("import: download %q: %w", a.Name, err)
	}
	if n > bot.MaxAttachmentSize {
		return tooLarge(a.Name, n)
	}
	return nil
}

func tooLarge(name string, size int64) *bot.UserError {
	return &bot.UserError{Code: bot.EInvalid,
		Message: fmt.Sprintf("%s is %d MB; I take roster files up to %d MB.", bot.User(name), (size+(1<<20)-1)>>20, bot.MaxAttachmentSize>>20),
		Hint:    "A OneRoster export zips to a few MB: export only the CSV files (no photos or extras), zip them and send `/plp import` again."}
}

// safeName is name reduced to a plain file name for the temporary copy.
func safeName(name string) string {
	n := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r < ' ' {
			return '_'
		}
		return r
	}, filepath.Base(name))
	if n == "" || n == "." || n == ".." {
		return "roster.zip"
	}
	return n
}

// keepImport stores the checked file for its confirmation and returns its id.
func (h *Handlers) keepImport(ctx context.Context, name, path string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	id := hex.EncodeToString(b[:])
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	if _, err := h.store.KeepImport(ctx, id, name, f); err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	return id, nil
}

// importApply imports the kept upload id for real, checked again as it is
// read; the kept copy is deleted once it is applied.
func (h *Handlers) importApply(ctx context.Context, c *call, id string) ([]bot.Message, error) {
	if id == "" {
		return nil, &bot.UserError{Code: bot.EInvalid, Message: "Say which import to apply, such as `/plp import apply 3f9a1c2b7d04`.",
			Hint: "Its id is under the dry run's report; or send the .zip again with `/plp import`."}
	}
	dir, err := os.MkdirTemp("", "plpbot-import-")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "roster.zip")
	name, err := h.copyKept(ctx, id, path)
	if err != nil {
		return nil, err
	}
	rep, err := roster.New(h.store, h.log).Import(ctx, path, roster.Options{})
	rep.Source = name
	if errors.Is(err, roster.ErrInvalid) {
		return h.importRefused(ctx, c, rep, "apply "+name+" ("+id+")")
	}
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", name, err)
	}
	if err := h.store.DropImport(ctx, id); err != nil {
		h.log.WarnContext(ctx, "drop kept import", "id", id, "err", err)
	}
	done := "Nothing had changed since the last import: nothing was written."
	if rep.Changes() > 0 {
		done = fmt.Sprintf("Imported: %d changes written. Staff and students see them now.", rep.Changes())
	}
	audit := fmt.Sprintf("applied %s (%s): %d changes", name, id, rep.Changes())
	m := reply("Roster import", bot.Text{Text: bot.User(rep.Heading())}, bot.Text{Text: "```\n" + bot.User(rep.Table()) + "```"},
		bot.Text{Text: done})
	next := "See a class with `/plp class list`."
	if links, err := h.linkRoster(ctx, c); err != nil {
		h.log.WarnContext(ctx, "import: linking failed", "err", err)
		next = "I couldn't link people to their chat accounts just now: try `/plp " + keepLinking + "`."
	} else {
		rep.Linked(links)
		audit += "; " + linkAudit(links)
		if links.Left > 0 {
			m.Buttons = []bot.Button{{Label: "Keep linking", Command: keepLinking, Style: bot.Primary}}
		}
		if rep.Unmatched[roster.KindStudents]+rep.Unmatched[roster.KindStaff] > 0 {
			next = "" // the note on who isn't linked ends with what to do
		}
	}
	if n := importNotes(rep, ""); n != "" {
		m.Blocks = append(m.Blocks, bot.Text{Text: n})
	}
	if next != "" {
		m.Blocks = append(m.Blocks, bot.Context{Text: next})
	}
	return []bot.Message{m}, h.importAudit(ctx, c, audit)
}

// copyKept writes the kept upload id to path and returns its name.
func (h *Handlers) copyKept(ctx context.Context, id, path string) (string, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("import: %w", err)
	}
	name, err := h.store.CopyImport(ctx, id, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("import: %w", cerr)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return "", &bot.UserError{Code: bot.ENotFound,
			Message: fmt.Sprintf("I don't have the import %s any more: uploads are kept for a day, and once applied they're gone.", bot.User(id)),
			Hint:    "Send the .zip again with `/plp import` to check it and apply it."}
	}
	return name, err
}

// importRefused lists a refused roster's problems (the first
// maxProblemsShown), as file:line: message.
func (h *Handlers) importRefused(ctx context.Context, c *call, rep *roster.Report, what string) ([]bot.Message, error) {
	var lines []string
	for i, p := range rep.Problems {
		if i == maxProblemsShown {
			lines = append(lines, fmt.Sprintf("… and %d more", len(rep.Problems)-maxProblemsShown))
			break
		}
		lines = append(lines, p.String())
	}
	m := reply("Roster import · refused",
		bot.Text{Text: fmt.Sprintf("%s has %s, so I imported nothing:", bot.User(rep.Source), plural(len(rep.Problems), "problem"))},
		bot.Text{Text: "```\n" + bot.User(strings.Join(lines, "\n")) + "\n```"},
		bot.Context{Text: "Fix them in the SIS export, then send the new .zip with `/plp import`."})
	return []bot.Message{m}, h.importAudit(ctx, c, fmt.Sprintf("%s refused: %d problems", what, len(rep.Problems)))
}

// importNotes says what was ignored, which caseloads an admin keeps in
// chat, then who isn't linked to a chat account yet: after linking, who and
// why (the list ends with what to do); before it, how many, and planned,
// what applying will look up.
func importNotes(rep *roster.Report, planned string) string {
	var n []string
	if rep.Ignored > 0 {
		n = append(n, fmt.Sprintf("Ignored: %s plpbot doesn't keep (proctors, administrators, guardians, extension roles).", plural(rep.Ignored, "enrollment")))
	}
	if note := rep.KeptInChatNote(); note != "" {
		n = append(n, note)
	}
	if rep.Links != nil && rep.Links.Skipped == "" {
		return strings.Join(append(n, linkNotes(rep.Links)...), "\n")
	}
	if s, t := rep.Unmatched[roster.KindStudents], rep.Unmatched[roster.KindStaff]; s+t > 0 {
		if planned != "" {
			planned += " The others are linked when they first use plpbot, or with `/plp link @user SOURCEDID`."
		} else {
			planned = "They're linked when they first use plpbot, or with `/plp link @user SOURCEDID`."
		}
		n = append(n, fmt.Sprintf("Unmatched: %s and %s aren't linked to a chat account yet. %s",
			plural(s, "student"), plural(t, "member")+" of staff", planned))
	}
	return strings.Join(n, "\n")
}

// importAudit records an import step; its subject is the roster.
func (h *Handlers) importAudit(ctx context.Context, c *call, detail string) error {
	err := h.store.Audit(ctx, plpbot.AuditEntry{ActorID: c.Actor.ID, ActorName: c.Actor.Name, Action: "import", SubjectID: importSubject, Detail: detail})
	if err != nil {
		return fmt.Errorf("audit import: %w", err)
	}
	return nil
}
