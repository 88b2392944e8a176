package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/chart"
)

// chartPayload is what a message with a chart carries: embeds with an image.
type chartPayload struct {
	Data   *chartPayload `json:"data"` // interaction callbacks nest the message
	Embeds []struct {
		Title string `json:"title"`
		Image *struct {
			URL string `json:"url"`
		} `json:"image"`
	} `json:"embeds"`
}

// assertChartAttached checks that c carries the chart's PNG as its only file
// and shows it in its last embed.
func assertChartAttached(t *testing.T, c call, ch bot.Chart) {
	t.Helper()
	if len(c.Files) != 1 || c.Files[0] != ch.FileName() {
		t.Fatalf("files %v, want [%s]", c.Files, ch.FileName())
	}
	if _, err := png.Decode(bytes.NewReader(c.Data[0])); err != nil {
		t.Errorf("the attachment is no PNG: %v", err)
	}
	var p chartPayload
	if err := json.Unmarshal(c.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Data != nil {
		p = *p.Data
	}
	if len(p.Embeds) == 0 {
		t.Fatalf("no embeds: %s", c.Body)
	}
	last := p.Embeds[len(p.Embeds)-1]
	if last.Image == nil || last.Image.URL != "attachment://"+ch.FileName() {
		t.Errorf("embed image %+v, want attachment://%s", last.Image, ch.FileName())
	}
}

// TestChartIsAnAttachmentShownInTheEmbed: a reply's chart is attached as a
// PNG (multipart, beside payload_json) and shown in the embed; so is a
// chart posted to a class channel.
func TestChartIsAnAttachmentShownInTheEmbed(t *testing.T) {
	card := chart.ProgressCard{Name: "Sam", Goals: []chart.GoalBar{{Title: "Read three novels", Category: "academic", Percent: 40}}}
	h := &scripted{}
	f, a, _ := startAdapter(t, h)
	h.set(func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{Title: "Your plan, Sam", Blocks: []bot.Block{bot.Progress{Label: "Read three novels", Percent: 40}}, Chart: card}}, nil
	})
	f.dispatch("INTERACTION_CREATE", slashInteraction("c1", "u1", []string{"plan"}, nil, nil))
	assertChartAttached(t, f.waitCalls("POST", "/interactions/c1/", 1)[0], card)

	wk := chart.Weekly{Title: "Period 3", Weeks: []chart.Week{{Participation: 50, Progress: 40}}}
	msg := bot.Message{Visibility: bot.Public, Title: "This week in Period 3", Blocks: []bot.Block{bot.Text{Text: "Hi"}}, Chart: wk}
	if err := a.Post(context.Background(), bot.Channel{Platform: bot.Discord, Workspace: "g1", ChannelID: "ch9"}, msg); err != nil {
		t.Fatal(err)
	}
	assertChartAttached(t, f.waitCalls("POST", "/channels/ch9/messages", 1)[0], wk)
}
