package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// FileHost is where an adapter may download the files people send it: the
// platform's own host over https, or, when APIURL is set (a local fake in
// tests), that API's host and scheme. A token or a file request goes
// nowhere else, redirects included.
type FileHost struct {
	// Host is the platform's file host, such as files.slack.com.
	Host string
	// APIURL is the configured API base URL, if any.
	APIURL string
	// What names the files in errors, such as "slack file".
	What string
}

// Allows reports whether u is on the file host.
func (f FileHost) Allows(u *url.URL) bool {
	if u.Scheme == "https" && strings.EqualFold(u.Hostname(), f.Host) {
		return true
	}
	if f.APIURL == "" {
		return false
	}
	api, err := url.Parse(f.APIURL)
	return err == nil && u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host)
}

// Download GETs raw through rt (nil: the default transport) with header,
// refusing any URL or redirect off the host, and returns the body of a 200.
func (f FileHost) Download(ctx context.Context, rt http.RoundTripper, raw string, header http.Header) (io.ReadCloser, error) {
	u, err := url.Parse(raw)
	if err != nil || !f.Allows(u) {
		return nil, fmt.Errorf("%s %q: not on %s, not downloaded", f.What, raw, f.Host)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.What, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	hc := &http.Client{Transport: rt, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if !f.Allows(r.URL) {
			return fmt.Errorf("%s: redirected off %s to %s", f.What, f.Host, r.URL.Host)
		}
		return nil
	}}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.What, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s", f.What, resp.Status)
	}
	return resp.Body, nil
}
