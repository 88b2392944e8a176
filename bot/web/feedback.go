package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// serveFeedback gives feedback on a student's goal from the student page.
// It is the chat command itself (/plp feedback, bound by the grammar, run
// by the handlers as the signed-in person), so it is checked, saved,
// audited and worded exactly as in chat; the message it sends the student
// goes out through the chat platform, as chat's would. Then it redirects
// back (post/redirect/get), saying what happened.
func (s *Server) serveFeedback(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	st, err := s.store.User(ctx, r.PathValue("id"))
	if errors.Is(err, storage.ErrNotFound) {
		return planForbidden(v.person)
	}
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	n, text := r.PostFormValue("goal"), r.PostFormValue("text")
	msgs, err := s.command(ctx, v.person, []string{"feedback"}, map[string]string{"n": n, "text": text},
		map[string][]bot.Identity{"user": {identityOf(st)}})
	if ue, ok := bot.AsUserError(err); ok && ue.Code != bot.EForbidden {
		return s.feedbackAgain(w, r, v, st.ID, n, text, ue)
	}
	if err != nil {
		return err
	}
	dm := "1"
	if !s.deliver(ctx, msgs) {
		dm = "0"
	}
	http.Redirect(w, r, studentURL(st.ID)+"?sent="+strconv.Itoa(atoi(n))+"&dm="+dm+"#feedback", http.StatusSeeOther)
	return nil
}

// feedbackAgain shows the student page again with the form as it was
// sent and what to fix, so nothing typed is lost.
// The page is a view of the plan, so it is checked and audited as one.
func (s *Server) feedbackAgain(w http.ResponseWriter, r *http.Request, v *visit, id, n, text string, ue *bot.UserError) error {
	st, err := s.studentFor(r.Context(), v, id)
	if err != nil {
		return err
	}
	sv, err := s.studentView(r.Context(), v, st)
	if err != nil {
		return err
	}
	if sv.Form == nil {
		return ue
	}
	sv.Form.Text = text
	for i := range sv.Form.Goals {
		sv.Form.Goals[i].Selected = strconv.Itoa(sv.Form.Goals[i].Number) == n
	}
	msg := ue.Message
	if ue.Hint != "" {
		msg += " " + ue.Hint
	}
	sv.Form.Error = markup(msg)
	s.renderFor(w, r, v, http.StatusBadRequest, "student", "home", st.Name, sv)
	return nil
}

// deliver sends the direct messages among msgs (those with To set) through
// the sender, as chat adapters do, and reports whether all went out. The
// replies to the asker are not shown: the page says what happened.
func (s *Server) deliver(ctx context.Context, msgs []bot.Message) bool {
	ok := true
	for _, m := range msgs {
		if m.To == nil {
			continue
		}
		if s.sender == nil {
			s.log.WarnContext(ctx, "dashboard: no sender, a DM was not delivered", slog.String("to", m.To.UserID))
			ok = false
			continue
		}
		if err := s.sender.SendDM(ctx, *m.To, m); err != nil {
			s.log.WarnContext(ctx, "dashboard: a DM was not delivered", slog.String("to", m.To.UserID), slog.Any("err", err))
			ok = false
		}
	}
	return ok
}

// identityOf is the chat identity of a stored person.
func identityOf(u *plpbot.Person) bot.Identity {
	return bot.Identity{Platform: bot.Platform(u.Platform), Workspace: u.Workspace, UserID: u.PlatformID, Name: u.Name, TimeZone: u.TimeZone}
}

// atoi reads a number, or 0.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
