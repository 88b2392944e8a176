package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/plpbot/plpbot/storage"
)

// restoreEraser is who erases again the people a restored backup brought
// back (plpbot erasures -apply).
var restoreEraser = storage.Eraser{ID: "plpbot:restore", Name: "the erasure log, after a restore"}

// checkPrivacyFlags refuses the retention and erasures flags on any other
// subcommand, and -export with -apply.
func (m *Main) checkPrivacyFlags() error {
	switch {
	case m.DryRun && m.Command != cmdRetention && m.Command != cmdImport:
		return fmt.Errorf("plpbot %s: -dry-run is for plpbot retention and plpbot import (see plpbot -h)", m.Command)
	case (m.ExportPath != "" || m.ApplyPath != "") && m.Command != cmdErasures:
		return fmt.Errorf("plpbot %s: -export and -apply are for plpbot erasures (see plpbot -h)", m.Command)
	case m.ExportPath != "" && m.ApplyPath != "":
		return errors.New("plpbot erasures: -export or -apply, not both (see plpbot -h)")
	}
	return nil
}

// runPrivacy runs the retention or erasures subcommand on the open store.
func (m *Main) runPrivacy(ctx context.Context) error {
	if m.Command == cmdRetention {
		return m.retention(ctx)
	}
	switch {
	case m.ExportPath != "":
		return m.exportErasures(ctx)
	case m.ApplyPath != "":
		return m.applyErasures(ctx)
	}
	return m.showErasures(ctx)
}

// retention lists (-dry-run) or purges the people privacy.retention_days
// purges tonight: what cron runs, so it asks nothing.
func (m *Main) retention(ctx context.Context) error {
	days := int(m.Config.Retention() / (24 * time.Hour))
	since := m.clock.Now().Add(-m.Config.Retention())
	people, err := m.Store.Inactive(ctx, since)
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	w := m.Stdout
	if !m.DryRun {
		n, err := m.Store.Purge(ctx, people, storage.RetentionEraser)
		if err != nil {
			return fmt.Errorf("retention: purged %d of %d: %w", n, len(people), err)
		}
		fmt.Fprintf(w, "Purged %s: in no class, and nothing done since %s (privacy.retention_days: %d).\n",
			people1(n), since.Format(time.DateOnly), days)
		return nil
	}
	fmt.Fprintf(w, "privacy.retention_days is %d: people in no class who did nothing since %s.\n", days, since.Format(time.DateOnly))
	if len(people) == 0 {
		fmt.Fprintln(w, "Nobody would be purged.")
		return nil
	}
	fmt.Fprintf(w, "%-10s  %-9s  %s\n", "last seen", "role", "who")
	for _, p := range people {
		fmt.Fprintf(w, "%-10s  %-9s  %s (%s)\n", p.LastActive.Format(time.DateOnly), p.Role, p.Name, p.ID)
	}
	fmt.Fprintf(w, "%s would be purged, as /plp forget does. The nightly job does it at 02:00; `plpbot retention` does it now.\n", people1(len(people)))
	return nil
}

// people1 is "1 person" or "N people".
func people1(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// records is "1 erasure record" or "N erasure records".
func records(n int) string {
	if n == 1 {
		return "1 erasure record"
	}
	return fmt.Sprintf("%d erasure records", n)
}

// showErasures prints the erasure log: when, by whom, how much; nobody's name.
func (m *Main) showErasures(ctx context.Context) error {
	log, err := m.Store.ErasureLog(ctx)
	if err != nil {
		return fmt.Errorf("erasures: %w", err)
	}
	w := m.Stdout
	if len(log.Erasures) == 0 {
		fmt.Fprintln(w, "Nobody has been erased.")
		return nil
	}
	for _, e := range log.Erasures {
		fmt.Fprintf(w, "%s  %s…  by %s  (%s)\n", e.At.UTC().Format(time.RFC3339), e.Hash[:12], e.ByName, e.Detail)
	}
	fmt.Fprintf(w, "%s in the log. Keep a copy beside your backups: plpbot erasures -export FILE.\n", records(len(log.Erasures)))
	return nil
}

// exportErasures writes the erasure log and its key to ExportPath (0600).
func (m *Main) exportErasures(ctx context.Context) error {
	log, err := m.Store.ErasureLog(ctx)
	if err != nil {
		return fmt.Errorf("erasures: %w", err)
	}
	data, err := json.MarshalIndent(log, "", "  ")
	if err != nil {
		return fmt.Errorf("erasures: %w", err)
	}
	if err := os.WriteFile(m.ExportPath, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("erasures: %w", err)
	}
	fmt.Fprintf(m.Stdout, "Wrote %s and their key to %s. After restoring a backup: plpbot erasures -apply %s.\n",
		records(len(log.Erasures)), m.ExportPath, m.ExportPath)
	return nil
}

// applyErasures forgets again everyone a restored backup brought back.
func (m *Main) applyErasures(ctx context.Context) error {
	data, err := os.ReadFile(m.ApplyPath)
	if err != nil {
		return fmt.Errorf("erasures: %w", err)
	}
	var log storage.ErasureLog
	if err := json.Unmarshal(data, &log); err != nil {
		return fmt.Errorf("erasures: %s is not an erasure log (plpbot erasures -export writes one): %w", m.ApplyPath, err)
	}
	n, err := m.Store.ApplyErasureLog(ctx, log, restoreEraser)
	if err != nil {
		return fmt.Errorf("erasures: %w", err)
	}
	verb := "were"
	if n == 1 {
		verb = "was"
	}
	fmt.Fprintf(m.Stdout, "Applied %s: %s the database held again %s forgotten again.\n", records(len(log.Erasures)), people1(n), verb)
	return nil
}
