package slack

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/slack-go/slack"
)

// maxAltLen bounds an image's alt text (files.getUploadURLExternal's alt_txt).
const maxAltLen = 1000

// chartInDMHint tells someone who asked privately in a channel where their
// chart went: Slack has no private files in a channel, so it goes to the DM.
const chartInDMHint = "📊 Your chart is in your DM with me."

// withChartHint adds chartInDMHint to a private reply in a channel that
// carries a chart.
func withChartHint(o *origin, inChannel bool, m bot.Message) bot.Message {
	if m.Chart == nil || inChannel || o.place.Kind != bot.InChannel {
		return m
	}
	m.Blocks = append(append([]bot.Block(nil), m.Blocks...), bot.Context{Text: chartInDMHint})
	return m
}

// replyAttachments uploads a reply's file and chart: to the channel it was
// asked in when the reply is public there, else to the person's DM with the
// bot (a file shared in a channel is seen by everyone in it).
func (a *Adapter) replyAttachments(ctx context.Context, o *origin, inChannel bool, m bot.Message) error {
	if m.File == nil && m.Chart == nil {
		return nil
	}
	channel := o.channelID
	if !inChannel {
		err := a.withRetry(ctx, "conversations.open", func() (err error) {
			channel, err = a.dmOf(ctx, o)
			return err
		})
		if err != nil {
			return err
		}
	}
	return a.attach(ctx, channel, m)
}

// attach uploads m's file, then its chart as a PNG with its alt text, to a
// conversation, waiting out rate limits.
func (a *Adapter) attach(ctx context.Context, channel string, m bot.Message) error {
	if m.File != nil {
		if err := a.withRetry(ctx, "files.uploadV2", func() error { return a.upload(ctx, channel, m.File) }); err != nil {
			return err
		}
	}
	if m.Chart == nil {
		return nil
	}
	f, err := bot.ChartPNG(m.Chart)
	if err != nil {
		return fmt.Errorf("slack chart: %w", err)
	}
	title := bot.Format(m.Title, bot.PlainDialect)
	if title == "" {
		title = f.Name
	}
	alt := truncate(m.Chart.Alt(), maxAltLen)
	err = a.uploadImage(withMaxWait(ctx, a.chartWait), channel, f, alt, title)
	if wait, limited := retryAfter(err); limited {
		a.log.Info("slack: a chart was left out: its upload's turn was too far off", slog.Duration("after", wait))
		return nil
	}
	return err
}

// maxChartWait is how long a chart waits for its upload's turn: files are
// uploaded at Slack's Tier 4 pace (about 100 a minute past a burst), and
// more replies with charts than that, kept up, would queue without end. A
// chart is extra — the reply's text already shows the same progress bars —
// so past this wait it is left out; a file someone asked for (an export)
// still waits its turn.
const maxChartWait = 15 * time.Second

// uploadImage shares an image with its alt text (files.uploadV2's three
// steps: get an upload URL, send the bytes, complete into the channel).
func (a *Adapter) uploadImage(ctx context.Context, channel string, f *bot.File, alt, title string) error {
	_, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:   bytes.NewReader(f.Data),
		FileSize: len(f.Data),
		Filename: f.Name,
		Title:    title,
		AltTxt:   alt,
		Channel:  channel,
	})
	if err != nil {
		return fmt.Errorf("slack files.uploadV2 %s: %w", f.Name, err)
	}
	return nil
}
