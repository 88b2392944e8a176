package discord

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
)

// benchStudent and benchPlace are who and where both benchmarks check in:
// exactly what the adapter builds from the fake's interactions.
var (
	benchStudent = bot.Identity{Platform: bot.Discord, Workspace: "g1", UserID: "u1", Name: "Sam", Locale: "en-US"}
	benchPlace   = bot.Place{Kind: bot.InChannel, Channel: bot.Channel{Platform: bot.Discord, Workspace: "g1", ChannelID: "c1", Name: "period-3"}}
)

// withGoal gives the student goal 1 so check-ins succeed.
func withGoal(b *testing.B, h bot.Handler) {
	b.Helper()
	inv, err := testGrammar().Bind([]string{"goal", "add"}, map[string]string{"title": "Read three novels"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := h.Handle(context.Background(), &bot.Request{Actor: benchStudent, Place: benchPlace, Invocation: inv}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCheckinInteraction measures /plp checkin from the gateway
// dispatch to the interaction callback arriving at the fake REST API, on the
// real handlers and the embedded database.
func BenchmarkCheckinInteraction(b *testing.B) {
	h := realHandler(b)
	withGoal(b, h)
	benchCheckinDispatch(b, h, "b")
}

// BenchmarkHandlerAlone is the same check-in with the handler called
// directly: the difference to BenchmarkCheckinInteraction is what the
// Discord layer adds.
func BenchmarkHandlerAlone(b *testing.B) {
	h := realHandler(b)
	withGoal(b, h)
	g := testGrammar()
	ctx := context.Background()
	for b.Loop() {
		inv, err := g.Bind([]string{"checkin"}, map[string]string{"n": "1", "percent": "40", "note": "finished chapter 3"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		msgs, err := h.Handle(ctx, &bot.Request{Actor: benchStudent, Place: benchPlace, Invocation: inv})
		if err != nil || len(msgs) == 0 {
			b.Fatalf("checkin: %v", err)
		}
	}
}

// BenchmarkDiscordLayer is BenchmarkCheckinInteraction with the database
// taken out: the handler replays the real handler's check-in reply, so the
// figure is the Discord layer's own cost (gateway decode, option mapping and
// Bind, rendering, the REST callback), steady whatever the database's noise.
func BenchmarkDiscordLayer(b *testing.B) {
	real := realHandler(b)
	withGoal(b, real)
	inv, err := testGrammar().Bind([]string{"checkin"}, map[string]string{"n": "1", "percent": "40", "note": "finished chapter 3"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	reply, err := real.Handle(context.Background(), &bot.Request{Actor: benchStudent, Place: benchPlace, Invocation: inv})
	if err != nil {
		b.Fatal(err)
	}
	benchCheckinDispatch(b, bot.HandlerFunc(func(context.Context, *bot.Request) ([]bot.Message, error) { return reply, nil }), "l")
}

// benchCheckinDispatch starts the adapter on h and, for each iteration,
// dispatches a /plp checkin interaction over the fake gateway and waits for
// its callback at the fake REST API (checking it answers that interaction).
func benchCheckinDispatch(b *testing.B, h bot.Handler, idPrefix string) {
	b.Helper()
	f, _, _ := startAdapter(b, h)
	done := make(chan string, 1)
	f.mu.Lock()
	f.onCall = func(c call) {
		if strings.HasSuffix(c.Path, "/callback") {
			done <- c.Path
		}
	}
	f.mu.Unlock()
	opts := []map[string]any{opt("n", 4, 1), opt("percent", 4, 40), opt("note", 3, "finished chapter 3")}
	i := 0
	for b.Loop() {
		i++
		id := idPrefix + strconv.Itoa(i)
		f.dispatch("INTERACTION_CREATE", slashInteraction(id, "u1", []string{"checkin"}, opts, nil))
		if p := <-done; !strings.Contains(p, "/"+id+"/") {
			b.Fatalf("callback %s, want interaction %s", p, id)
		}
	}
	f.mu.Lock()
	f.onCall = nil
	f.mu.Unlock()
}
