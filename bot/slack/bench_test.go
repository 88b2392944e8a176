package slack

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
)

// benchHandler parses the command line with the grammar and answers with a
// check-in card, standing in for the real handler.
func benchHandler(g *grammar.Grammar) bot.Handler {
	return bot.HandlerFunc(func(_ context.Context, req *bot.Request) ([]bot.Message, error) {
		inv, err := g.Parse(req.Text)
		if err != nil {
			return nil, err
		}
		return []bot.Message{{
			Title: "Check-in saved",
			Blocks: []bot.Block{
				bot.Progress{Label: "Goal " + inv.Arg("n"), Percent: inv.Int("percent")},
				bot.Context{Text: "Nice steady progress. Next: " + bot.Bold("/plp step done 1.2")},
			},
			Buttons: []bot.Button{{Label: "See my plan", Command: "plan"}},
		}}, nil
	})
}

// benchmarkSlash posts signed "/plp checkin 1 40%" commands to a running
// adapter over loopback HTTP and waits for each answer at the fake's
// response_url.
func benchmarkSlash(b *testing.B, h bot.Handler) {
	fake := newFakeSlack(b)
	fake.delivered = make(chan apiCall, 16)
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, Mode: ModeHTTP, HTTPAddr: "127.0.0.1:0", APIURL: fake.apiURL()},
		testGrammar(), h, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.HTTPHandler())
	defer srv.Close()
	defer a.drain()
	body := url.Values{
		"team_id": {"T1"}, "channel_id": {"D1"}, "user_id": {"U1"}, "user_name": {"sam"},
		"command": {"/plp"}, "text": {"checkin 1 40%"}, "response_url": {fake.responseURL("bench")},
	}.Encode()
	client := srv.Client()
	b.ReportAllocs()
	for b.Loop() {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sign(testSecret, ts, []byte(body)))
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		if c := <-fake.delivered; c.Method != "response_url" {
			b.Fatalf("unexpected %s", c.Method)
		}
	}
}

// BenchmarkSlashCommandHTTP is the whole Slack path: signature check, form
// parsing, the handler, Block Kit rendering and the response_url post.
func BenchmarkSlashCommandHTTP(b *testing.B) {
	benchmarkSlash(b, benchHandler(testGrammar()))
}

// BenchmarkHandlerAlone is the same handler called directly.
func BenchmarkHandlerAlone(b *testing.B) {
	h := benchHandler(testGrammar())
	req := &bot.Request{Actor: bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: "U1"}, Text: "checkin 1 40%", Slash: true}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Handle(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderRoster renders a 200-student roster into Block Kit.
func BenchmarkRenderRoster(b *testing.B) {
	var blocks []bot.Block
	for i := range 200 {
		blocks = append(blocks, bot.Progress{Label: bot.User("Student " + strconv.Itoa(i)), Percent: i % 101})
	}
	m := bot.Message{Title: "Roster", Blocks: blocks}
	b.ReportAllocs()
	for b.Loop() {
		renderMessage(m)
	}
}
