package handlers_test

import (
	"strings"
	"testing"
)

// TestSnoozeWithoutAPrompt: with no prompt open there is nothing to put
// off, and nobody is marked away.
func TestSnoozeWithoutAPrompt(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	got := e.ok("sam", "snooze")
	if !strings.Contains(got, "No reflection prompt is waiting for you right now") || !strings.Contains(got, "/plp reflect TEXT") {
		t.Errorf("snooze with no prompt:\n%s", got)
	}
	if plan := e.ok("sam", "plan"); strings.Contains(strings.ToLower(plan), "away") {
		t.Errorf("after a snooze sam's plan says away:\n%s", plan)
	}
}
