package web

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/plpbot/plpbot/storage"
)

// cookieName is the session cookie's name.
const cookieName = "plpbot_session"

// getLink is the next step on every sign-in problem page.
const getLink = "Type `/plp dashboard` in chat to get a new sign-in link."

// serveSignInPage answers a sign-in link. It doesn't use the link up: chat
// apps fetch links to preview them (Discord and Slack unfurl), and that
// must not spend it. The person presses a button, a POST, to sign in.
func (s *Server) serveSignInPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	if token == "" {
		s.problem(w, r, nil, http.StatusBadRequest, "This sign-in link is missing its code.", getLink)
		return
	}
	userID, err := s.store.SignInUser(r.Context(), token, s.h.Now())
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	u, err := s.store.User(r.Context(), userID)
	if errors.Is(err, storage.ErrNotFound) {
		s.problem(w, r, nil, http.StatusGone, "This sign-in link is for someone who is no longer in plpbot.", getLink)
		return
	}
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	s.render(w, r, http.StatusOK, "signin", page{Title: "Sign in", Body: signInView{Name: u.Name, Token: token}})
}

// signInView is the sign-in page: whose link it is, and the button.
type signInView struct {
	Name  string
	Token string
}

// badLink explains a sign-in link that can't be used.
func (s *Server) badLink(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, storage.ErrExpired):
		s.problem(w, r, nil, http.StatusGone, "This sign-in link has expired: links work for 10 minutes.", getLink)
	case errors.Is(err, storage.ErrNotFound):
		s.problem(w, r, nil, http.StatusGone, "This sign-in link has already been used, or it isn't one of mine. Each link works once.", getLink)
	default:
		s.fail(w, r, nil, err)
	}
}

// serveSignIn uses up a sign-in link and starts a session: a new random
// cookie (only its hash is stored) and the session's form token. Expired
// links and sessions are swept here, as sign-ins are rare.
func (s *Server) serveSignIn(w http.ResponseWriter, r *http.Request) {
	ctx, now := r.Context(), s.h.Now()
	userID, err := s.store.RedeemSignIn(ctx, r.PostFormValue("t"), now)
	if err != nil {
		s.badLink(w, r, err)
		return
	}
	u, err := s.store.User(ctx, userID)
	if errors.Is(err, storage.ErrNotFound) {
		s.problem(w, r, nil, http.StatusGone, "This sign-in link is for someone who is no longer in plpbot.", getLink)
		return
	}
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	if old, err := r.Cookie(cookieName); err == nil {
		_ = s.store.EndSession(ctx, old.Value)
	}
	token := rand.Text()
	sess := storage.Session{UserID: u.ID, Role: u.Role, CSRF: rand.Text(), Expires: now.Add(s.ttl)}
	if err := s.store.AddSession(ctx, token, sess); err != nil {
		s.fail(w, r, nil, fmt.Errorf("sign in: %w", err))
		return
	}
	if _, err := s.store.SweepSignIns(ctx, now); err != nil {
		s.log.WarnContext(ctx, "sweep sign-in links", slog.Any("err", err))
	}
	http.SetCookie(w, s.cookie(token))
	s.log.InfoContext(ctx, "signed in to the dashboard", slog.String("user", u.ID))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// cookie is the session cookie carrying token; an empty token clears it.
// It has no Max-Age, so it ends with the browser too; the session's own
// expiry is kept on the server.
func (s *Server) cookie(token string) *http.Cookie {
	c := &http.Cookie{Name: cookieName, Value: token, Path: Prefix, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}

// signedIn serves fn for a signed-in person only. The session must exist
// and be unexpired, and its person must exist with the role they signed
// in with: a role change or being forgotten ends the session at the next
// request. A POST must carry the session's form token.
func (s *Server) signedIn(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := r.Cookie(cookieName)
		if err != nil || c.Value == "" {
			s.problem(w, r, nil, http.StatusUnauthorized, "You're not signed in to the dashboard.", getLink)
			return
		}
		sess, err := s.store.SessionOf(ctx, c.Value, s.h.Now())
		switch {
		case errors.Is(err, storage.ErrExpired):
			s.signedOut(w, r, "Your session has ended: sessions last a school day.")
			return
		case errors.Is(err, storage.ErrNotFound):
			s.signedOut(w, r, "You're signed out.")
			return
		case err != nil:
			s.fail(w, r, nil, err)
			return
		}
		u, err := s.store.User(ctx, sess.UserID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			s.fail(w, r, nil, err)
			return
		}
		if err != nil || u.Role != sess.Role {
			why := "Your role in plpbot changed, so you were signed out to keep students' plans safe."
			if err != nil {
				why = "You're signed out: your account is no longer in plpbot."
			}
			if err := s.store.EndSession(ctx, c.Value); err != nil {
				s.fail(w, r, nil, err)
				return
			}
			s.log.InfoContext(ctx, "dashboard session ended", slog.String("user", sess.UserID), slog.Bool("forgotten", u == nil))
			s.signedOut(w, r, why)
			return
		}
		v := &visit{person: u, sess: sess}
		if r.Method == http.MethodPost && subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.CSRF)) != 1 {
			s.problem(w, r, v, http.StatusForbidden, "That form had expired, so nothing was sent.", "Go back, reload the page and try again.")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if err := fn(w, r, v); err != nil {
			s.fail(w, r, v, err)
		}
	})
}

// signedOut clears the cookie and says why the person is signed out.
func (s *Server) signedOut(w http.ResponseWriter, r *http.Request, why string) {
	http.SetCookie(w, s.cookie(""))
	s.problem(w, r, nil, http.StatusUnauthorized, why, getLink)
}

// serveSignOut ends the session.
func (s *Server) serveSignOut(w http.ResponseWriter, r *http.Request, v *visit) error {
	if c, err := r.Cookie(cookieName); err == nil {
		if err := s.store.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, s.cookie(""))
	s.problem(w, r, nil, http.StatusOK, "You're signed out. Thanks for stopping by!", "To come back, type `/plp dashboard` in chat for a new link.")
	return nil
}
