package slack

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/plpbot/plpbot/bot"
	"github.com/slack-go/slack"
)

// slackFileHost is where Slack serves the files people share.
const slackFileHost = "files.slack.com"

// attachments are the files of a DM's file share, each downloaded on
// demand from Slack's file host with the bot token (files:read).
func (a *Adapter) attachments(files []slack.File) []bot.Attachment {
	var out []bot.Attachment
	for _, f := range files {
		u := f.URLPrivateDownload
		if u == "" {
			u = f.URLPrivate
		}
		out = append(out, bot.Attachment{Name: f.Name, Size: int64(f.Size),
			Fetch: func(ctx context.Context) (io.ReadCloser, error) { return a.fetchFile(ctx, u) }})
	}
	return out
}

// fileHost is where the adapter downloads shared files (files:read).
func (a *Adapter) fileHost() bot.FileHost {
	return bot.FileHost{Host: slackFileHost, APIURL: a.cfg.APIURL, What: "slack file"}
}

// fileHostAllowed reports whether u is on Slack's file host: the bot token
// goes nowhere else.
func (a *Adapter) fileHostAllowed(u *url.URL) bool { return a.fileHost().Allows(u) }

// fetchFile downloads a shared file with the bot token.
func (a *Adapter) fetchFile(ctx context.Context, raw string) (io.ReadCloser, error) {
	return a.fileHost().Download(ctx, a.hc.Transport, raw, http.Header{"Authorization": {"Bearer " + a.cfg.BotToken}})
}
