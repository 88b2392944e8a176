package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
)

// auditColumns are the columns of plpbot audit export, in order.
var auditColumns = []string{"at", "actor_id", "actor_name", "action", "subject_id", "subject_name", "detail"}

// auditBatch is how many entries are written per lookup of their
// subjects' names: memory stays flat however long the log is.
const auditBatch = 500

// exportAudit writes the audit log since m.AuditSince as CSV to m.AuditOut
// (0600: it names students), or to Stdout. A file appears only once
// complete, so a failed export never leaves a log that looks whole.
func (m *Main) exportAudit(ctx context.Context) (err error) {
	if m.AuditOut == "" {
		_, err := writeAuditCSV(ctx, m.Store, m.Stdout, m.AuditSince)
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(m.AuditOut), "."+filepath.Base(m.AuditOut)+".*")
	if err != nil {
		return fmt.Errorf("create %s: %w", m.AuditOut, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	n, err := writeAuditCSV(ctx, m.Store, tmp, m.AuditSince)
	if err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", m.AuditOut, err)
	}
	if err := os.Rename(tmp.Name(), m.AuditOut); err != nil {
		return fmt.Errorf("write %s: %w", m.AuditOut, err)
	}
	fmt.Fprintf(m.Stdout, "Wrote %d audit entries to %s.\n", n, m.AuditOut)
	return nil
}

// writeAuditCSV writes the audit log since a time (zero: all), oldest
// first, as RFC 4180 CSV with a header row, streaming from the store's
// cursor. Subject names are today's (a forgotten person has none); actor
// names are as they were when the entry was written. It returns how many
// entries it wrote.
func writeAuditCSV(ctx context.Context, store *storage.Store, w io.Writer, since time.Time) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(auditColumns); err != nil {
		return 0, fmt.Errorf("write csv: %w", err)
	}
	names := map[string]string{}
	batch := make([]plpbot.AuditEntry, 0, auditBatch)
	n := 0
	flush := func() error {
		if err := lookUpNames(ctx, store, batch, names); err != nil {
			return err
		}
		for i := range batch {
			if err := cw.Write(auditRecord(&batch[i], names)); err != nil {
				return fmt.Errorf("write csv: %w", err)
			}
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	err := store.EachAudit(ctx, since, func(e *plpbot.AuditEntry) error {
		batch = append(batch, *e)
		if len(batch) == auditBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return n, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("write csv: %w", err)
	}
	return n, nil
}

// lookUpNames adds to names the current name of every subject of batch
// not yet in it ("" for someone no longer known).
func lookUpNames(ctx context.Context, store *storage.Store, batch []plpbot.AuditEntry, names map[string]string) error {
	var ids []string
	for _, e := range batch {
		if _, ok := names[e.SubjectID]; !ok && e.SubjectID != "" {
			names[e.SubjectID] = ""
			ids = append(ids, e.SubjectID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	users, err := store.Users(ctx, ids)
	if err != nil {
		return fmt.Errorf("look up names: %w", err)
	}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	return nil
}

// auditRecord is one entry as a CSV row, in auditColumns' order.
func auditRecord(e *plpbot.AuditEntry, names map[string]string) []string {
	return []string{
		e.At.UTC().Format(time.RFC3339),
		cell(e.ActorID), cell(e.ActorName), cell(e.Action),
		cell(e.SubjectID), cell(names[e.SubjectID]), cell(e.Detail),
	}
}

// cell guards a value a spreadsheet would run as a formula (=, +, -, @,
// tab or carriage return first) with a leading apostrophe, as OWASP
// advises for CSV files people open in Excel; other values are unchanged.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
