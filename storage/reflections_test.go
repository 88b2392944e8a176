package storage_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// TestReflectAnswersTheOpenPrompt: a reflection answers the student's
// newest open prompt, which is marked answered in the request that finds
// it, so the next reflection answers none.
func TestReflectAnswersTheOpenPrompt(t *testing.T) {
	s, clk := newStore(t)
	ctx := context.Background()
	p := storage.Prompt{ID: "reflect|2026-W10|s1", UserID: "s1", Text: "What did you learn?", SentAt: t0}
	must(t, "SavePrompt", s.SavePrompt(ctx, p))
	clk.Advance(time.Hour)
	r, got, err := s.Reflect(ctx, plpbot.Reflection{UserID: "s1", Text: "fractions"})
	must(t, "Reflect", err)
	if got == nil || got.ID != p.ID || r.PromptID != p.ID || r.Prompt != p.Text {
		t.Fatalf("Reflect = %+v answering %+v; want it to answer %s", r, got, p.ID)
	}
	_, err = s.OpenPrompt(ctx, "s1", clk.Now())
	isNotFound(t, "OpenPrompt once answered", err)
	r, got, err = s.Reflect(ctx, plpbot.Reflection{UserID: "s1", Text: "and decimals"})
	must(t, "Reflect again", err)
	if got != nil || r.PromptID != "" {
		t.Errorf("second reflection answers %+v (%q); want none", got, r.PromptID)
	}
}

// TestReflectCutAfterThePromptLosesNothing: when the reflection's insert
// fails after its prompt was marked answered, the prompt is open again, so
// the student's next reflection answers it.
func TestReflectCutAfterThePromptLosesNothing(t *testing.T) {
	clk := newClock()
	ctx, cut := context.WithCancel(context.Background())
	opts := storagetest.Options(t)
	opts.Now = clk.Now
	opts.Monitor = &event.CommandMonitor{Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
		if e.CommandName == "findAndModify" {
			cut()
		}
	}}
	s := storagetest.Open(t, opts)
	bg := context.Background()
	p := storage.Prompt{ID: "reflect|2026-W10|s1", UserID: "s1", Text: "What did you learn?", SentAt: t0}
	must(t, "SavePrompt", s.SavePrompt(bg, p))
	clk.Advance(time.Hour)
	if _, _, err := s.Reflect(ctx, plpbot.Reflection{UserID: "s1", Text: "fractions"}); err == nil {
		t.Fatal("Reflect with the link cut after the prompt: no error")
	}
	if rs, err := s.Reflections(bg, "s1", time.Time{}, 0); err != nil || len(rs) != 0 {
		t.Errorf("reflections after the cut: %+v, %v; want none", rs, err)
	}
	if got, err := s.OpenPrompt(bg, "s1", clk.Now()); err != nil || got.ID != p.ID {
		t.Errorf("OpenPrompt after the cut = %+v, %v; want %s open again", got, err, p.ID)
	}
}
