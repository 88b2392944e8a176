package storage_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

func TestSignInLinkWorksOnce(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	must(t, "add", s.AddSignIn(ctx, "tok-1", "slack:T1:U1", clk.Now().Add(10*time.Minute)))

	who, err := s.SignInUser(ctx, "tok-1", clk.Now())
	must(t, "peek", err)
	if who != "slack:T1:U1" {
		t.Errorf("SignInUser = %q, want slack:T1:U1", who)
	}
	who, err = s.RedeemSignIn(ctx, "tok-1", clk.Now())
	must(t, "redeem", err)
	if who != "slack:T1:U1" {
		t.Errorf("RedeemSignIn = %q, want slack:T1:U1", who)
	}
	_, err = s.RedeemSignIn(ctx, "tok-1", clk.Now())
	isNotFound(t, "second redeem", err)
	_, err = s.RedeemSignIn(ctx, "never-issued", clk.Now())
	isNotFound(t, "unknown token", err)
}

func TestSignInLinkStoresOnlyAHash(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	must(t, "add", s.AddSignIn(ctx, "secret-token-value", "slack:T1:U1", clk.Now().Add(time.Minute)))
	must(t, "session", s.AddSession(ctx, "secret-cookie-value", storage.Session{UserID: "slack:T1:U1", Role: plpbot.RoleStudent, CSRF: "c", Expires: clk.Now().Add(time.Hour)}))
	for _, coll := range []string{"signins", "sessions"} {
		raw, err := storagetest.Collection(t, s, coll).FindOne(ctx, bson.D{}).Raw()
		must(t, "read "+coll, err)
		if text := raw.String(); strings.Contains(text, "secret-token-value") || strings.Contains(text, "secret-cookie-value") {
			t.Errorf("%s holds a token in clear: %s", coll, text)
		}
	}
}

func TestSignInLinkExpires(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	must(t, "add", s.AddSignIn(ctx, "tok", "slack:T1:U1", clk.Now().Add(10*time.Minute)))
	clk.Advance(10 * time.Minute)
	if _, err := s.RedeemSignIn(ctx, "tok", clk.Now()); !errors.Is(err, storage.ErrExpired) {
		t.Fatalf("redeem at expiry: err = %v, want ErrExpired", err)
	}
	_, err := s.RedeemSignIn(ctx, "tok", clk.Now())
	isNotFound(t, "an expired link, again", err)
}

// Two browsers opening the same link at once: exactly one signs in.
func TestSignInLinkRaceHasOneWinner(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	must(t, "add", s.AddSignIn(ctx, "tok", "slack:T1:U1", clk.Now().Add(10*time.Minute)))
	var wins, losses atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := s.RedeemSignIn(ctx, "tok", clk.Now())
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, storage.ErrNotFound):
				losses.Add(1)
			default:
				t.Errorf("redeem: %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || losses.Load() != 7 {
		t.Errorf("wins, losses = %d, %d; want 1, 7", wins.Load(), losses.Load())
	}
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	sess := storage.Session{UserID: "slack:T1:U1", Role: plpbot.RoleTeacher, CSRF: "csrf-1", Expires: clk.Now().Add(8 * time.Hour)}
	must(t, "add", s.AddSession(ctx, "cookie", sess))
	got, err := s.SessionOf(ctx, "cookie", clk.Now())
	must(t, "read", err)
	if got.UserID != sess.UserID || got.Role != sess.Role || got.CSRF != sess.CSRF {
		t.Errorf("SessionOf = %+v, want %+v", *got, sess)
	}
	sameTime(t, "Expires", got.Expires, sess.Expires)

	must(t, "sign out", s.EndSession(ctx, "cookie"))
	_, err = s.SessionOf(ctx, "cookie", clk.Now())
	isNotFound(t, "after sign-out", err)

	must(t, "add again", s.AddSession(ctx, "cookie2", sess))
	clk.Advance(8 * time.Hour)
	if _, err := s.SessionOf(ctx, "cookie2", clk.Now()); !errors.Is(err, storage.ErrExpired) {
		t.Errorf("at expiry: err = %v, want ErrExpired", err)
	}
	_, err = s.SessionOf(ctx, "cookie2", clk.Now())
	isNotFound(t, "an expired session, again", err)
}

func TestSweepSignInsDeletesOnlyExpired(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	now := clk.Now()
	must(t, "old link", s.AddSignIn(ctx, "old", "slack:T1:U1", now.Add(-time.Minute)))
	must(t, "new link", s.AddSignIn(ctx, "new", "slack:T1:U1", now.Add(time.Minute)))
	must(t, "old session", s.AddSession(ctx, "olds", storage.Session{UserID: "slack:T1:U1", Expires: now.Add(-time.Second)}))
	must(t, "new session", s.AddSession(ctx, "news", storage.Session{UserID: "slack:T1:U1", Expires: now.Add(time.Hour)}))
	n, err := s.SweepSignIns(ctx, now)
	must(t, "sweep", err)
	if n != 2 {
		t.Errorf("swept %d, want 2", n)
	}
	if _, err := s.SignInUser(ctx, "new", now); err != nil {
		t.Errorf("the live link was swept: %v", err)
	}
	if _, err := s.SessionOf(ctx, "news", now); err != nil {
		t.Errorf("the live session was swept: %v", err)
	}
}

func TestForgetEndsSessions(t *testing.T) {
	ctx := context.Background()
	s, clk := newStore(t)
	u, _, err := s.EnsureUser(ctx, slackID("U9"), storage.UserHints{Name: "Gone Soon"})
	must(t, "user", err)
	must(t, "link", s.AddSignIn(ctx, "link", u.ID, clk.Now().Add(time.Minute)))
	must(t, "session", s.AddSession(ctx, "cookie", storage.Session{UserID: u.ID, Expires: clk.Now().Add(time.Hour)}))
	_, err = s.Forget(ctx, u.ID, storage.Eraser{ID: "slack:T1:A1", Name: "Admin"})
	must(t, "forget", err)
	_, err = s.SessionOf(ctx, "cookie", clk.Now())
	isNotFound(t, "their session", err)
	_, err = s.SignInUser(ctx, "link", clk.Now())
	isNotFound(t, "their link", err)
}
