package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

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

// fileHostAllowed reports whether u is on Slack's file host (or, when
// slack.api_url is set, on that API's host), over https unless it is the
// configured API's own scheme. The bot token goes nowhere else.
func (a *Adapter) fileHostAllowed(u *url.URL) bool {
	if u.Scheme == "https" && strings.EqualFold(u.Hostname(), slackFileHost) {
		return true
	}
	if a.cfg.APIURL == "" {
		return false
	}
	api, err := url.Parse(a.cfg.APIURL)
	return err == nil && u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host)
}

// fetchFile downloads a shared file with the bot token.
func (a *Adapter) fetchFile(ctx context.Context, raw string) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil || !a.fileHostAllowed(u) {
		return nil, fmt.Errorf("slack file %q: not on Slack's file host, not downloaded", raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("slack file: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.BotToken)
	hc := &http.Client{Transport: a.hc.Transport, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if !a.fileHostAllowed(r.URL) {
			return fmt.Errorf("slack file: redirected off Slack's file host to %s", r.URL.Host)
		}
		return nil
	}}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("slack file: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("slack file: %s", resp.Status)
	}
	return resp.Body, nil
}
