package discord

import (
	"context"
	"io"
	"net/http"
	"net/url"

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

// cdn is where the adapter downloads attachments.
func (a *Adapter) cdn() bot.FileHost {
	return bot.FileHost{Host: discordCDNHost, APIURL: a.cfg.APIURL, What: "discord attachment"}
}

// cdnAllowed reports whether u is on Discord's CDN.
func (a *Adapter) cdnAllowed(u *url.URL) bool { return a.cdn().Allows(u) }

// fetchFile downloads an attachment from Discord's CDN. Its URL is signed,
// so no token is sent.
func (a *Adapter) fetchFile(ctx context.Context, raw string) (io.ReadCloser, error) {
	var transport http.RoundTripper
	if a.session != nil && a.session.Client != nil {
		transport = a.session.Client.Transport
	}
	return a.cdn().Download(ctx, transport, raw, nil)
}
