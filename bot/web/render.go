package web

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// files are the dashboard's templates and its one stylesheet, compiled in.
//
//go:embed templates/*.html static/dash.css
var files embed.FS

// pages are the parsed templates, one set per page, each with the layout.
type pages struct{ sets map[string]*template.Template }

// loadPages parses every page template with the layout.
func loadPages() (*pages, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"markup": markup,
	"pct":    func(n int) string { return strconv.Itoa(n) + "%" },
}

// page is what every page template gets: the layout's parts and the
// page's own view in Body.
type page struct {
	Title  string
	Viewer *plpbot.Person // nil when nobody is signed in
	CSRF   string
	Nav    string // the current section: "home", "conferences", "admin"
	Body   any
}

// Staff reports whether the viewer is staff (the layout's navigation).
func (p page) Staff() bool { return p.Viewer != nil && p.Viewer.Role.IsStaff() }

// Admin reports whether the viewer is an admin.
func (p page) Admin() bool { return p.Viewer != nil && plpbot.CanAdminister(p.Viewer) }

// render writes page name with status. The page is rendered to memory
// first, so a template error is a plain 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages.sets[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "dashboard: no such template", slog.String("name", name))
		http.Error(w, "Sorry — something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	var b bytes.Buffer
	if err := t.Execute(&b, p); err != nil {
		s.log.ErrorContext(r.Context(), "dashboard: render", slog.String("page", name), slog.Any("err", err))
		http.Error(w, "Sorry — something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// renderFor renders a signed-in page for v.
func (s *Server) renderFor(w http.ResponseWriter, r *http.Request, v *visit, status int, name, nav, title string, body any) {
	s.render(w, r, status, name, page{Title: title, Viewer: v.person, CSRF: v.sess.CSRF, Nav: nav, Body: body})
}

// problemView is a plain page that says what happened and what to do next.
type problemView struct {
	Status  int
	Message template.HTML
	Next    template.HTML
}

// problem answers with a plain page: what happened (message) and the next
// step (next), both in the bot's inline markup. v is the signed-in visit,
// or nil.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, v *visit, status int, message, next string) {
	p := page{Title: "plpbot", Body: problemView{Status: status, Message: markup(message), Next: markup(next)}}
	if v != nil {
		p.Viewer, p.CSRF = v.person, v.sess.CSRF
	}
	s.render(w, r, status, "problem", p)
}

// htmlDialect writes the inline markup as HTML. markup escapes the whole
// text first, so Escape only keeps user text's backticks from pairing up
// into code.
var htmlDialect = bot.Dialect{
	Escape: func(s string) string { return strings.ReplaceAll(s, "`", "&#96;") },
	Bold:   func(s string) string { return "<strong>" + s + "</strong>" },
	Italic: func(s string) string { return "<em>" + s + "</em>" },
}

// markup turns text in the bot's inline markup (User, Bold, Italic spans
// and `code`) into safe HTML: everything is escaped first, authored text
// and user text alike, then the spans become elements.
func markup(s string) template.HTML {
	out := bot.Format(html.EscapeString(s), htmlDialect)
	if strings.Count(out, "`") >= 2 {
		parts := strings.Split(out, "`")
		var b strings.Builder
		for i, part := range parts {
			switch {
			case i == len(parts)-1 && i%2 == 1: // an unpaired backtick
				b.WriteString("`" + part)
			case i%2 == 1:
				b.WriteString("<code>" + part + "</code>")
			default:
				b.WriteString(part)
			}
		}
		out = b.String()
	}
	return template.HTML(out) //nolint:gosec // escaped above; only our own tags are added
}

// svgOf draws chart c as inline SVG, or returns the error; the chart
// package escapes its text and uses presentation attributes only, so it is
// safe to inline under the dashboard's Content-Security-Policy.
func svgOf(c bot.Chart) (template.HTML, error) {
	var b bytes.Buffer
	if err := c.SVG(&b); err != nil {
		return "", fmt.Errorf("draw %s: %w", c.FileName(), err)
	}
	return template.HTML(b.String()), nil //nolint:gosec // bot/chart escapes its text
}

// messageHTML renders a handler's reply as HTML, block by block, the way a
// chat adapter renders it natively: headings, paragraphs, label/value
// pairs, progress bars, lists, muted lines and the chart inline. Buttons
// are chat actions, so the page leaves them out.
func messageHTML(m bot.Message) (template.HTML, error) {
	var b strings.Builder
	b.WriteString(`<section class="message">`)
	if m.Title != "" {
		b.WriteString("<h2>" + string(markup(m.Title)) + "</h2>")
	}
	for _, bl := range m.Blocks {
		writeBlock(&b, bl)
	}
	if m.Chart != nil {
		svg, err := svgOf(m.Chart)
		if err != nil {
			return "", err
		}
		b.WriteString(`<figure class="chart">` + string(svg) + "</figure>")
	}
	b.WriteString("</section>")
	return template.HTML(b.String()), nil //nolint:gosec // every text passes through markup
}

// writeBlock writes one block of a message.
func writeBlock(b *strings.Builder, bl bot.Block) {
	switch v := bl.(type) {
	case bot.Text:
		b.WriteString("<p>" + strings.ReplaceAll(string(markup(v.Text)), "\n", "<br>") + "</p>")
	case bot.Fields:
		b.WriteString(`<dl class="fields">`)
		for _, f := range v.Fields {
			b.WriteString("<div><dt>" + string(markup(f.Label)) + "</dt><dd>" + string(markup(f.Value)) + "</dd></div>")
		}
		b.WriteString("</dl>")
	case bot.Progress:
		pct := min(max(v.Percent, 0), 100)
		b.WriteString(`<p class="bar"><span>` + string(markup(v.Label)) + `</span> <progress max="100" value="` +
			strconv.Itoa(pct) + `">` + strconv.Itoa(pct) + `%</progress> ` + strconv.Itoa(pct) + "%</p>")
	case bot.List:
		b.WriteString("<ul>")
		for _, it := range v.Items {
			b.WriteString("<li>" + string(markup(it)) + "</li>")
		}
		b.WriteString("</ul>")
	case bot.Context:
		b.WriteString(`<p class="muted">` + string(markup(v.Text)) + "</p>")
	case bot.Divider:
		b.WriteString("<hr>")
	}
}

// serveCSS serves the dashboard's one stylesheet.
func serveCSS(w http.ResponseWriter, _ *http.Request) {
	css, err := files.ReadFile("static/dash.css")
	if err != nil {
		http.Error(w, "no stylesheet", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(css)
}
