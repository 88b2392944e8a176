package slack

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/chart"
)

func sampleCard() chart.ProgressCard {
	return chart.ProgressCard{Name: "Sam", Goals: []chart.GoalBar{{Title: "Read three novels", Category: "academic", Percent: 40}}, Streak: "2 weeks"}
}

// TestPrivateChartGoesToTheDMWithItsAltText: a private reply in a channel
// carries its chart as a PNG uploaded (files.uploadV2) to the person's DM,
// never the channel, with the chart's alt text; the reply says where it went.
func TestPrivateChartGoesToTheDMWithItsAltText(t *testing.T) {
	card := sampleCard()
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{Title: "Your plan, Sam", Blocks: []bot.Block{bot.Progress{Label: "Read three novels", Percent: 40}}, Chart: card}}, nil
	}}
	ta := newTestAdapter(t, rec)
	ta.command(t, map[string]string{"text": "plan"})

	done := ta.fake.waitCalls(t, "files.completeUploadExternal", 1)[0]
	if got := done.param("channel_id"); got != "DU1" {
		t.Errorf("the chart was shared to %q, want the DM", got)
	}
	if !strings.Contains(done.param("files"), "Your plan, Sam") {
		t.Errorf("files = %s, want the message's title", done.param("files"))
	}
	get := ta.fake.callsTo("files.getUploadURLExternal")[0]
	if get.param("alt_txt") != card.Alt() || get.param("filename") != card.FileName() {
		t.Errorf("alt_txt %q filename %q, want %q %q", get.param("alt_txt"), get.param("filename"), card.Alt(), card.FileName())
	}
	up := ta.fake.callsTo("upload")
	if len(up) != 1 {
		t.Fatalf("uploads = %d", len(up))
	}
	if _, err := png.Decode(bytes.NewReader(up[0].File)); err != nil {
		t.Errorf("the upload is no PNG: %v", err)
	}
	reply := ta.fake.waitCalls(t, "response_url", 1)[0]
	if !strings.Contains(reply.param("blocks"), chartInDMHint) {
		t.Errorf("the ephemeral reply doesn't say where the chart went: %s", reply.param("blocks"))
	}
}

// TestPostedChartGoesToTheChannel: a chart posted to a class channel (the
// weekly summary) is uploaded there.
func TestPostedChartGoesToTheChannel(t *testing.T) {
	ta := newTestAdapter(t, nil)
	wk := chart.Weekly{Title: "Period 3", Weeks: []chart.Week{{Participation: 50, Progress: 40}}}
	msg := bot.Message{Visibility: bot.Public, Title: "This week in Period 3", Blocks: []bot.Block{bot.Text{Text: "Hi"}}, Chart: wk}
	if err := ta.Post(context.Background(), bot.Channel{Platform: bot.Slack, ChannelID: "C9"}, msg); err != nil {
		t.Fatal(err)
	}
	done := ta.fake.callsTo("files.completeUploadExternal")
	if len(done) != 1 || done[0].param("channel_id") != "C9" {
		t.Fatalf("completeUploadExternal calls %+v", done)
	}
	if got := ta.fake.callsTo("files.getUploadURLExternal")[0].param("alt_txt"); got != wk.Alt() {
		t.Errorf("alt_txt %q", got)
	}
	if post := ta.fake.callsTo("chat.postMessage"); len(post) != 1 || strings.Contains(post[0].param("blocks"), chartInDMHint) {
		t.Errorf("posts %v", post)
	}
}

// TestChartsPastTheUploadPaceAreLeftOut: more replies with charts than
// files.uploadV2's tier allows, kept up, would queue without end (each
// waiting with its PNG); a chart whose turn is further off than the
// adapter's chart wait is left out instead — the reply itself, whose text
// shows the same progress, is delivered — and nothing is logged as failed.
func TestChartsPastTheUploadPaceAreLeftOut(t *testing.T) {
	card := sampleCard()
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{Title: "Period 3 this week", Visibility: bot.Public,
			Blocks: []bot.Block{bot.Progress{Label: "Read three novels", Percent: 40}}, Chart: card}}, nil
	}}
	ta := newTestAdapter(t, rec)
	ta.limits.scale = 1 // Slack's own pace: about 100 uploads a minute past a burst of 10
	ta.chartWait = 200 * time.Millisecond
	const replies = 30
	for i := range replies { // thirty people at once, each chart to the class channel
		ta.command(t, map[string]string{"text": "plan", "user_id": fmt.Sprintf("U%d", i)})
	}
	ta.fake.waitCalls(t, "response_url", replies)
	time.Sleep(500 * time.Millisecond) // past the chart wait: every chart is uploaded or left out by now
	uploaded := len(ta.fake.callsTo("files.completeUploadExternal"))
	if uploaded == 0 || uploaded >= replies {
		t.Errorf("%d of %d charts uploaded: want the burst's, the rest left out", uploaded, replies)
	}
	time.Sleep(1500 * time.Millisecond) // at the tier's pace, two or three more would go
	if later := len(ta.fake.callsTo("files.completeUploadExternal")); later != uploaded {
		t.Errorf("charts still queued: %d more uploaded after every reply's chart wait", later-uploaded)
	}
	if !strings.Contains(ta.logs.String(), "a chart was left out") {
		t.Error("no log line says charts were left out")
	}
	if strings.Contains(ta.logs.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", ta.logs.String())
	}
}
