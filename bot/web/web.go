// Package web is plpbot's dashboard: an adapter like the chat ones, for the
// browser. It renders the same views under the same access policy — it asks
// plpbot's Can* rules with the handlers' ties, writes the same audit entries
// ("view_plan", "roster"), answers through the same commands (feedback,
// conference list) and draws the same charts (bot/chart, as inline SVG).
//
// Everything is rendered on the server (net/http and html/template): no
// JavaScript at all, one stylesheet served by the bot, no third-party font,
// CDN or tracker, so a school's students' data stays on its server. Every
// answer carries a strict Content-Security-Policy (default-src 'self';
// nothing inline), frame-ancestors 'none', no referrer and nosniff.
//
// People sign in with a one-time link from /plp dashboard (valid 10
// minutes, used up by the first sign-in); the session lives in the database
// (cookie HttpOnly, SameSite=Lax, Secure behind https) and ends on sign-out,
// at its expiry, when the person's role changes or when they are forgotten.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
)

// Prefix is where the dashboard is mounted: every path it serves starts
// with it.
const Prefix = "/dash/"

// DefaultSessionTTL is how long a dashboard session lasts: a school day.
const DefaultSessionTTL = 8 * time.Hour

// Options configure the dashboard.
type Options struct {
	// Sender delivers the direct messages a command sends (feedback tells
	// the student), on the recipient's platform, as chat does; nil drops
	// them (tests of pages only).
	Sender bot.Sender
	// Secure marks the session cookie Secure: set it when people reach the
	// dashboard over https (http.public_url).
	Secure bool
	// SessionTTL is how long a session lasts; default DefaultSessionTTL.
	SessionTTL time.Duration
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Commands runs the commands the dashboard's forms send, as the chat
	// adapters do (cmd/plpbot counts and times them for /metrics); default
	// the handlers themselves.
	Commands bot.Handler
}

// Server is the dashboard, an http.Handler for paths under Prefix.
type Server struct {
	h      *handlers.Handlers
	cmds   bot.Handler // runs the forms' commands (Options.Commands)
	store  *storage.Store
	sender bot.Sender
	secure bool
	ttl    time.Duration
	log    *slog.Logger
	pages  *pages
	mux    *http.ServeMux
}

var _ http.Handler = (*Server)(nil)

// New returns the dashboard over the handlers h and their store.
func New(h *handlers.Handlers, store *storage.Store, opts Options) (*Server, error) {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	p, err := loadPages()
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if opts.Commands == nil {
		opts.Commands = h
	}
	s := &Server{h: h, cmds: opts.Commands, store: store, sender: opts.Sender, secure: opts.Secure, ttl: opts.SessionTTL,
		log: opts.Logger.With(slog.String("adapter", "web")), pages: p}
	s.mux = s.routes()
	return s, nil
}

// routes maps each page to its handler.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+Prefix+"dash.css", serveCSS)
	mux.HandleFunc("GET "+Prefix+"signin", s.serveSignInPage)
	mux.HandleFunc("POST "+Prefix+"signin", s.serveSignIn)
	mux.Handle("POST "+Prefix+"signout", s.signedIn(s.serveSignOut))
	mux.Handle("GET "+Prefix+"{$}", s.signedIn(s.serveHome))
	mux.Handle("GET "+Prefix+"class/{id}", s.signedIn(s.serveClass))
	mux.Handle("GET "+Prefix+"student/{id}", s.signedIn(s.serveStudent))
	mux.Handle("POST "+Prefix+"student/{id}/feedback", s.signedIn(s.serveFeedback))
	mux.Handle("GET "+Prefix+"conferences", s.signedIn(s.serveConferences))
	mux.Handle("GET "+Prefix+"admin", s.signedIn(s.serveAdmin))
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, nil, http.StatusNotFound, "There's no such page.", "Go to your dashboard's home page.")
	})
	return mux
}

// ServeHTTP serves the dashboard with its security headers, recovering
// from a panic with a plain error page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(r.Context(), "dashboard panic", slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			s.problem(w, r, nil, http.StatusInternalServerError, "Sorry — something went wrong on our side.", "Try again in a minute. If it keeps happening, tell your school's IT.")
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// visit is one signed-in request: who is asking, under which session.
type visit struct {
	person *plpbot.Person
	sess   *storage.Session
}

// pageFunc serves a page for a signed-in person. An error that is a
// *bot.UserError is shown as it is (forbidden, not found, invalid); any
// other is logged and shown as a plain apology.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *visit) error

// fail answers a page's error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	ue, ok := bot.AsUserError(err)
	if !ok {
		if !errors.Is(err, context.Canceled) {
			s.log.ErrorContext(r.Context(), "dashboard page", slog.String("path", r.URL.Path), slog.Any("err", err))
		}
		s.problem(w, r, v, http.StatusInternalServerError, "Sorry — something went wrong on our side and nothing was changed.",
			"Try again in a minute. If it keeps happening, tell your school's IT.")
		return
	}
	status := http.StatusBadRequest
	switch ue.Code {
	case bot.EForbidden:
		status = http.StatusForbidden
	case bot.ENotFound:
		status = http.StatusNotFound
	case bot.EConflict:
		status = http.StatusConflict
	}
	s.problem(w, r, v, status, bot.StripMarkup(ue.Message), bot.StripMarkup(ue.Hint))
}
