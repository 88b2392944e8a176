package discord

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
)

// discordCDNHost is where Discord serves message attachments.
const discordCDNHost = "cdn.discordapp.com"

// attachments are a DM's attached files, each downloaded on demand from
// Discord's CDN.
func (a *Adapter) attachments(atts []*discordgo.MessageAttachment) []bot.Attachment {
	var out []bot.Attachment
	for _, at := range atts {
		if at == nil {
			continue
		}
		u := at.URL
		out = append(out, bot.Attachment{Name: at.Filename, Size: int64(at.Size),
			Fetch: func(ctx context.Context) (io.ReadCloser, error) { return a.fetchFile(ctx, u) }})
	}
	return out
}

// cdnAllowed reports whether u is on Discord's CDN over https (or, when
// discord.api_url is set, on that API's host, as in tests).
func (a *Adapter) cdnAllowed(u *url.URL) bool {
	if u.Scheme == "https" && strings.EqualFold(u.Hostname(), discordCDNHost) {
		return true
	}
	if a.cfg.APIURL == "" {
		return false
	}
	api, err := url.Parse(a.cfg.APIURL)
	return err == nil && u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host)
}

// fetchFile downloads an attachment from Discord's CDN. Its URL is signed,
// so no token is sent.
func (a *Adapter) fetchFile(ctx context.Context, raw string) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil || !a.cdnAllowed(u) {
		return nil, fmt.Errorf("discord attachment %q: not on Discord's CDN, not downloaded", raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("discord attachment: %w", err)
	}
	var transport http.RoundTripper
	if a.session != nil && a.session.Client != nil {
		transport = a.session.Client.Transport
	}
	hc := &http.Client{Transport: transport, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if !a.cdnAllowed(r.URL) {
			return fmt.Errorf("discord attachment: redirected off Discord's CDN to %s", r.URL.Host)
		}
		return nil
	}}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discord attachment: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("discord attachment: %s", resp.Status)
	}
	return resp.Body, nil
}
