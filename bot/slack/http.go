package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds what Slack may post to us; its payloads are far smaller.
const maxBody = 1 << 20

// HTTPHandler serves Slack's HTTP mode: POST /slack/commands (slash
// commands), /slack/events (Events API, including url_verification) and
// /slack/interactions (buttons, modal submissions). Every request must carry
// a valid v0 signature no older than 5 minutes; anything else gets 401 and
// changes nothing.
func (a *Adapter) HTTPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", a.serveCommand)
	mux.HandleFunc("POST /slack/events", a.serveEvents)
	mux.HandleFunc("POST /slack/interactions", a.serveInteraction)
	return a.verify(mux)
}

// verify passes on only requests signed with the signing secret, with the
// body restored for the next handler.
func (a *Adapter) verify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			a.log.Warn("slack: refused a request with a bad signature", slog.String("path", r.URL.Path), slog.Any("err", err))
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	writeAck(w, a.onSlashCommand(cmd))
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		// An event type slack-go doesn't know: accept it, so Slack doesn't
		// retry what we'll never handle.
		a.log.Debug("slack: ignoring an event", slog.Any("err", err))
		w.WriteHeader(http.StatusOK)
		return
	}
	if ev.Type == slackevents.URLVerification {
		uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
		if !ok {
			http.Error(w, "bad url_verification", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, uv.Challenge)
		return
	}
	a.onEvent(ev)
	w.WriteHeader(http.StatusOK)
}

func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	cb, err := slack.InteractionCallbackParse(r)
	if err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	writeAck(w, a.onInteraction(cb))
}

// writeAck answers 200, with payload as JSON if there is one.
func writeAck(w http.ResponseWriter, payload any) {
	if payload == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(payload)
}

// runHTTP serves HTTPHandler on HTTPAddr until ctx is done; with
// SharedServer, the caller serves it and runHTTP only waits.
func (a *Adapter) runHTTP(ctx context.Context) error {
	if a.cfg.SharedServer {
		a.connected.Store(true)
		<-ctx.Done()
		a.connected.Store(false)
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("slack http mode: listen on http.addr %s: %w", a.cfg.HTTPAddr, err)
	}
	srv := &http.Server{
		Handler:           a.HTTPHandler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.log.Info("slack: serving the Events API", slog.String("addr", ln.Addr().String()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.connected.Store(true)
	defer a.connected.Store(false)
	select {
	case err := <-errc:
		return fmt.Errorf("slack http mode: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("slack http mode: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("slack http mode: %w", err)
	}
	return nil
}
