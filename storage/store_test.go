package storage_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	for _, action := range []string{"view_plan", "export", "flag"} {
		clk.Advance(time.Minute)
		must(t, "Audit", s.Audit(ctx, plpbot.AuditEntry{ActorID: "t1", ActorName: "Ms. Rivera", Action: action, SubjectID: "s1", Detail: "d"}))
	}
	must(t, "Audit other", s.Audit(ctx, plpbot.AuditEntry{ActorID: "t1", Action: "view_plan", SubjectID: "s2"}))

	log, err := s.AuditLog(ctx, "s1", 0)
	must(t, "AuditLog", err)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
		if e.ActorName != "Ms. Rivera" || e.Detail != "d" || e.SubjectID != "s1" {
			t.Errorf("entry = %+v", e)
		}
	}
	if len(actions) != 3 || actions[0] != "flag" || actions[2] != "view_plan" {
		t.Errorf("AuditLog(s1) actions = %v, want newest first", actions)
	}
	sameTime(t, "newest entry At", log[0].At, clk.Now())
	log, err = s.AuditLog(ctx, "s1", 1)
	must(t, "AuditLog limit", err)
	if len(log) != 1 || log[0].Action != "flag" {
		t.Errorf("AuditLog(s1, 1) = %+v", log)
	}
}

func TestPrompts(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := storage.Prompt{ID: "reflect|2026-W10|s1", UserID: "s1", Text: "What did you learn?", SentAt: t0}
	must(t, "SavePrompt", s.SavePrompt(ctx, p))
	// Saving again (a retried outbox delivery) keeps the first.
	must(t, "SavePrompt again", s.SavePrompt(ctx, storage.Prompt{ID: p.ID, UserID: "s1", Text: "changed", SentAt: t0.Add(time.Hour)}))
	must(t, "SavePrompt older", s.SavePrompt(ctx, storage.Prompt{ID: "old", UserID: "s1", Text: "old", SentAt: t0.Add(-time.Hour)}))

	got, err := s.OpenPrompt(ctx, "s1", t0.Add(time.Hour))
	must(t, "OpenPrompt", err)
	if got.ID != p.ID || got.Text != "What did you learn?" {
		t.Errorf("OpenPrompt = %+v, want the newest, as first saved", *got)
	}
	sameTime(t, "SentAt", got.SentAt, t0)
	_, err = s.OpenPrompt(ctx, "s1", t0.Add(storage.PromptOpenFor+time.Hour))
	isNotFound(t, "OpenPrompt after it expired", err)
	_, err = s.OpenPrompt(ctx, "s2", t0)
	isNotFound(t, "OpenPrompt of another student", err)

	must(t, "AnswerPrompt", s.AnswerPrompt(ctx, p.ID, t0.Add(2*time.Hour)))
	got, err = s.OpenPrompt(ctx, "s1", t0.Add(3*time.Hour))
	must(t, "OpenPrompt after answering", err)
	if got.ID != "old" {
		t.Errorf("after answering the newest, OpenPrompt = %s, want the older one", got.ID)
	}
}

// TestReopenKeepsData opens the store on its own embedded database, writes,
// closes, and opens the same directory again.
func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := storage.Options{DataDir: dir, Database: "plpbot", Logger: slog.New(slog.DiscardHandler)}
	s, err := storage.Open(ctx, opts)
	must(t, "Open", err)
	if !s.Embedded() {
		t.Error("Embedded() = false with an empty URI")
	}
	u, _, err := s.EnsureUser(ctx, slackID("R"), storage.UserHints{Name: "Rae"})
	must(t, "EnsureUser", err)
	g, err := s.AddGoal(ctx, plpbot.Goal{UserID: u.ID, Title: "Survive a restart"})
	must(t, "AddGoal", err)
	_, err = s.AddStep(ctx, u.ID, g.Number, "close cleanly")
	must(t, "AddStep", err)
	must(t, "Close", s.Close(ctx))

	s, err = storage.Open(ctx, opts) // ensures the indexes again: must be idempotent
	must(t, "reopen", err)
	defer func() { must(t, "Close", s.Close(ctx)) }()
	got, err := s.Goal(ctx, u.ID, g.Number)
	must(t, "Goal after reopen", err)
	if got.Title != "Survive a restart" || len(got.Steps) != 1 || got.Steps[0].Text != "close cleanly" {
		t.Errorf("goal after reopen = %+v", *got)
	}
	again, created, err := s.EnsureUser(ctx, slackID("R"), storage.UserHints{Name: "Rae"})
	must(t, "EnsureUser after reopen", err)
	if created || again.Name != "Rae" {
		t.Errorf("after reopen: created %v, %+v; want the stored user", created, again)
	}
	// Unique indexes survive too.
	if g2 := mustGoal(t, s, u.ID, "second"); g2.Number != 2 {
		t.Errorf("next goal after reopen is number %d, want 2", g2.Number)
	}
}

// TestLegacyObjectIDsStillRead: records stored before ids became strings
// have ObjectID ids; they read back with the id in hex.
func TestLegacyObjectIDsStillRead(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	u := mustUser(t, s, "L", "Lee", "")
	oid := bson.NewObjectID()
	if _, err := storagetest.Collection(t, s, "reflections").InsertOne(ctx, bson.D{
		{Key: "_id", Value: oid}, {Key: "user_id", Value: u.ID}, {Key: "text", Value: "old one"}, {Key: "at", Value: t0},
	}); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Reflections(ctx, u.ID, time.Time{}, 0)
	if err != nil || len(rs) != 1 || rs[0].ID != oid.Hex() || rs[0].Text != "old one" {
		t.Errorf("Reflections = %+v, %v; want the legacy one with id %s", rs, err, oid.Hex())
	}
}

// TestSecondProcessSharesTheServer opens a second store on a data
// directory the first one serves (plpbot outbox beside the running bot):
// it shares that server through its socket, sees the first one's writes,
// and closing it leaves the server running.
func TestSecondProcessSharesTheServer(t *testing.T) {
	ctx := context.Background()
	opts := storage.Options{DataDir: t.TempDir(), Database: "plpbot", Logger: slog.New(slog.DiscardHandler)}
	first, err := storage.Open(ctx, opts)
	must(t, "Open", err)
	defer func() { must(t, "Close", first.Close(ctx)) }()
	u, _, err := first.EnsureUser(ctx, slackID("S"), storage.UserHints{Name: "Sol"})
	must(t, "EnsureUser", err)
	mustGoal(t, first, u.ID, "Written by the bot")

	second, err := storage.Open(ctx, opts)
	must(t, "Open beside the first", err)
	if !second.Embedded() {
		t.Error("Embedded() = false on the shared embedded database")
	}
	if g, err := second.Goal(ctx, u.ID, 1); err != nil || g.Title != "Written by the bot" {
		t.Errorf("the second store reads goal 1 = %+v, %v", g, err)
	}
	must(t, "Close the second", second.Close(ctx))

	if _, err := first.Goal(ctx, u.ID, 1); err != nil {
		t.Errorf("after the second store closed, the first reads: %v", err)
	}
}
