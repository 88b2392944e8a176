package handlers_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

func TestRole(t *testing.T) {
	e := newEnv(t)
	e.ok("admin", "plan")
	ctx := context.Background()

	msgs := e.staffMsgs("admin", "role @ms-lee teacher")
	mustContain(t, plain(msgs), "ms-lee is now a teacher (was student)")
	mustContain(t, staffDM(t, msgs, "ms-lee").PlainText(), "admin made you a teacher", "/plp class create")
	if u, _ := e.store.User(ctx, staffUID("ms-lee")); u.Role != plpbot.RoleTeacher {
		t.Errorf("role not stored: %s", u.Role)
	}
	mustContain(t, e.ok("admin", "role @ms-lee teacher"), "ms-lee is already a teacher")
	msgs = e.staffMsgs("admin", "role @sam student")
	mustContain(t, plain(msgs), "sam is already a student")
	staffNoDM(t, msgs, "sam")
	if !slices.Contains(e.staffAudit("ms-lee"), staffUID("admin")+" role") {
		t.Errorf("role change not audited: %v", e.staffAudit("ms-lee"))
	}

	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"the last admin steps down", "admin", "role @admin teacher", bot.EConflict, "only admin"},
		{"a teacher grants roles", "ms-lee", "role @sam admin", bot.EForbidden, "for admins"},
		{"a student promotes themself", "sam", "role @sam admin", bot.EForbidden, "for admins"},
		{"an unknown role", "admin", "role @sam principal", bot.EInvalid, "principal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
	for _, name := range []string{"admin", "sam"} {
		if u, _ := e.store.User(ctx, staffUID(name)); (name == "admin") != (u.Role == plpbot.RoleAdmin) {
			t.Errorf("%s has role %s after refused changes", name, u.Role)
		}
	}

	// With a second admin, the first may step down.
	e.ok("admin", "role @principal admin")
	mustContain(t, e.ok("admin", "role @admin teacher"), "admin is now a teacher (was admin)")
	e.fails("admin", "role @sam teacher", bot.EForbidden)
}

func TestForget(t *testing.T) {
	e := newEnv(t)
	e.setupClass("sam", "alex")
	ctx := context.Background()
	e.staffGoal("sam", "Read three novels", 40, e.now.Add(-time.Hour))
	e.staffGoal("sam", "Run a 5k", 10, time.Time{})
	if _, err := e.store.AddReflection(ctx, plpbot.Reflection{UserID: staffUID("sam"), Text: "I learned a lot"}); err != nil {
		t.Fatal(err)
	}
	e.ok("ms-lee", "feedback @sam 1 Great pace")
	e.ok("ms-lee", "flag @sam 504")
	e.ok("ms-lee", "conference @sam 2026-12-01 10:30")

	before := e.staffCounts()
	// The feedback is the audit log's entry of itself: counted once, as feedback.
	out := e.ok("admin", "forget @sam")
	mustContain(t, out, "Forget sam?", "2 goals (with their steps)", "1 check-in", "1 reflection", "1 piece of feedback",
		"1 intervention flag", "1 conference", "1 class membership", "0 reflection prompts", "0 scheduled messages",
		"2 audit entries about them", "their profile and account", "can't be undone", "/plp forget @sam confirm")
	mustNotContain(t, out, "a former staff member")
	e.staffSame(before, "forget without confirm")
	msgs := e.staffMsgs("admin", "forget @sam")
	if b := msgs[0].Buttons; len(b) != 1 || b[0].Command != "forget @sam confirm" || b[0].Style != bot.Danger {
		t.Errorf("forget should offer a danger button that confirms: %+v", b)
	}

	tests := []struct {
		name, who, line string
		code            bot.Code
		want            string
	}{
		{"a teacher", "ms-lee", "forget @sam confirm", bot.EForbidden, "for admins"},
		{"the student", "sam", "forget @sam confirm", bot.EForbidden, "for admins"},
		{"yourself", "admin", "forget @admin confirm", bot.EForbidden, "can't forget yourself"},
		{"someone unknown", "admin", "forget @ghost confirm", bot.ENotFound, "nothing to forget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustContain(t, e.staffFails(tt.who, tt.line, tt.code), tt.want)
		})
	}
	if _, err := e.store.User(ctx, "console::ghost"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("forget @ghost created ghost: %v", err)
	}

	mustContain(t, e.ok("admin", "forget @sam confirm"), "every record of sam is deleted (10 records and their account)")
	if _, err := e.store.User(ctx, staffUID("sam")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("sam's account survived: %v", err)
	}
	rc, err := e.store.CountRecords(ctx, staffUID("sam"))
	if err != nil || rc.Total() != 0 {
		t.Errorf("records left after forget: %+v %v", rc, err)
	}
	// The audit keeps one erasure record that doesn't name them.
	if got := e.staffAudit("sam"); len(got) != 0 {
		t.Errorf("audit entries about sam survived: %v", got)
	}
	if erased, err := e.store.Erasures(ctx, staffUID("sam")); err != nil || len(erased) != 1 || erased[0].ByID != staffUID("admin") {
		t.Errorf("erasure record = %+v, %v; want one, by admin", erased, err)
	}
	// Was sam erased? Asking to forget them again says so.
	mustContain(t, e.ok("admin", "forget @sam"), "@sam was forgotten on Wed 25 Nov 2026 by admin (10 records deleted, 0 anonymised)")
	// alex is untouched, and the roster no longer lists sam.
	out = e.ok("ms-lee", "roster")
	mustContain(t, out, "alex", "1 student")
	mustNotContain(t, out, "sam")
}
