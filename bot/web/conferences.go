package web

import (
	"context"
	"crypto/rand"
	"html/template"
	"net/http"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// messageView is a page made of the handlers' replies to a command,
// rendered as chat adapters render them.
type messageView struct {
	Heading  string
	Messages []template.HTML
	Note     string
}

// serveConferences is the conferences page: /plp conference list, exactly
// as chat answers it (for staff: upcoming ones with their agendas, recent
// notes and who is due for a meeting; for a student: their upcoming ones,
// and their notes where the school allows), with the same audit.
func (s *Server) serveConferences(w http.ResponseWriter, r *http.Request, v *visit) error {
	msgs, err := s.command(r.Context(), v.person, []string{"conference", "list"}, nil, nil)
	if err != nil {
		return err
	}
	mv := messageView{Heading: "Conferences"}
	for _, m := range msgs {
		if m.To != nil {
			continue
		}
		h, err := messageHTML(m)
		if err != nil {
			return err
		}
		mv.Messages = append(mv.Messages, h)
	}
	if v.person.Role.IsStaff() {
		mv.Note = "Book, close or cancel conferences in chat: the commands are shown above."
	}
	s.renderFor(w, r, v, http.StatusOK, "message", "conferences", "Conferences", mv)
	return nil
}

// command runs a chat command as u, bound by the grammar from args and
// users (so checked as chat checks it: a bad value is a *bot.UserError),
// and returns the handlers' replies. Its place is not a DM: the dashboard
// proves nothing about whether the platform lets the bot message u.
func (s *Server) command(ctx context.Context, u *plpbot.Person, path []string, args map[string]string, users map[string][]bot.Identity) ([]bot.Message, error) {
	inv, err := s.h.Grammar().Bind(path, args, users)
	if err != nil {
		return nil, err
	}
	return s.cmds.Handle(ctx, &bot.Request{
		ID:         "web-" + rand.Text(),
		Actor:      identityOf(u),
		Place:      bot.Place{Kind: bot.InChannel, Channel: bot.Channel{Platform: bot.Platform(u.Platform), Workspace: u.Workspace}},
		Invocation: inv,
		Adapter:    s,
	})
}
