package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
)

// The dashboard's collections. Both hold only a hash of each secret (a
// sign-in link's token, a session's cookie), so reading the database
// gives nobody a way in; an expiry on each, since FerretDB has no TTL
// indexes, and SweepSignIns deletes what has expired.
const (
	// colSignIns holds one-time sign-in links: {_id: hash, user_id, expires}.
	colSignIns = "signins"
	// colSessions holds dashboard sessions: {_id: hash, user_id, role, csrf, expires}.
	colSessions = "sessions"
)

// ErrExpired is a sign-in link or session whose time is up.
var ErrExpired = errors.New("expired")

// tokenHash is what the database keeps of a secret token: its SHA-256, in
// hex. Tokens are 256 random bits, so no salt or slow hash is needed.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// signIn is a stored sign-in link.
type signIn struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	Expires   time.Time `bson:"expires"`
	CreatedAt time.Time `bson:"created_at"`
}

// AddSignIn stores a one-time sign-in link for person userID: its token's
// hash, valid until expires.
func (s *Store) AddSignIn(ctx context.Context, token, userID string, expires time.Time) error {
	doc := signIn{ID: tokenHash(token), UserID: userID, Expires: expires.UTC(), CreatedAt: s.Now()}
	if _, err := s.db.Collection(colSignIns).InsertOne(ctx, doc); err != nil {
		return fmt.Errorf("add sign-in link: %w", translate(err))
	}
	return nil
}

// SignInUser reports whose sign-in link token is, without using it up:
// ErrNotFound if it is unknown or was used, ErrExpired if its time is up.
func (s *Store) SignInUser(ctx context.Context, token string, now time.Time) (string, error) {
	var doc signIn
	err := s.db.Collection(colSignIns).FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash(token)}}).Decode(&doc)
	if err != nil {
		return "", fmt.Errorf("read sign-in link: %w", translate(err))
	}
	if !now.Before(doc.Expires) {
		return "", fmt.Errorf("sign-in link: %w", ErrExpired)
	}
	return doc.UserID, nil
}

// RedeemSignIn uses up sign-in link token and returns whose it was. A link
// works once: of two redeeming it at the same moment exactly one gets it
// (a delete by _id is atomic on MongoDB and FerretDB alike), the other
// ErrNotFound, as does an unknown or used token; ErrExpired if its time is
// up (and it is gone too).
func (s *Store) RedeemSignIn(ctx context.Context, token string, now time.Time) (string, error) {
	userID, err := s.SignInUser(ctx, token, now)
	expired := errors.Is(err, ErrExpired)
	if err != nil && !expired {
		return "", err
	}
	res, derr := s.db.Collection(colSignIns).DeleteOne(ctx, bson.D{{Key: "_id", Value: tokenHash(token)}})
	switch {
	case derr != nil:
		return "", fmt.Errorf("use sign-in link: %w", derr)
	case expired:
		return "", err
	case res.DeletedCount == 0:
		return "", fmt.Errorf("use sign-in link: %w", ErrNotFound)
	}
	return userID, nil
}

// Session is someone signed in to the dashboard. It lasts until Expires,
// and only while the person exists with the Role they signed in with.
type Session struct {
	UserID string      `bson:"user_id"`
	Role   plpbot.Role `bson:"role"`
	// CSRF is the session's form token: every form the dashboard serves
	// carries it, and a POST without it is refused.
	CSRF      string    `bson:"csrf"`
	Expires   time.Time `bson:"expires"`
	CreatedAt time.Time `bson:"created_at"`
}

// sessionDoc is a stored session.
type sessionDoc struct {
	ID      string `bson:"_id"`
	Session `bson:",inline"`
}

// AddSession stores a session under its cookie token's hash.
func (s *Store) AddSession(ctx context.Context, token string, sess Session) error {
	sess.Expires = sess.Expires.UTC()
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = s.Now()
	}
	if _, err := s.db.Collection(colSessions).InsertOne(ctx, sessionDoc{ID: tokenHash(token), Session: sess}); err != nil {
		return fmt.Errorf("add session: %w", translate(err))
	}
	return nil
}

// SessionOf returns the session of cookie token: ErrNotFound if there is
// none (never was, signed out, or ended), ErrExpired if its time is up
// (it is deleted then).
func (s *Store) SessionOf(ctx context.Context, token string, now time.Time) (*Session, error) {
	var doc sessionDoc
	err := s.db.Collection(colSessions).FindOne(ctx, bson.D{{Key: "_id", Value: tokenHash(token)}}).Decode(&doc)
	if err != nil {
		return nil, fmt.Errorf("read session: %w", translate(err))
	}
	if !now.Before(doc.Expires) {
		if err := s.EndSession(ctx, token); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("session: %w", ErrExpired)
	}
	return &doc.Session, nil
}

// EndSession deletes the session of cookie token (signing out); ending
// one that doesn't exist is not an error.
func (s *Store) EndSession(ctx context.Context, token string) error {
	if _, err := s.db.Collection(colSessions).DeleteOne(ctx, bson.D{{Key: "_id", Value: tokenHash(token)}}); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

// EndSessionsOf deletes every session and unused sign-in link of person
// userID: when they are forgotten, nothing of theirs stays behind.
func (s *Store) EndSessionsOf(ctx context.Context, userID string) error {
	for _, coll := range []string{colSessions, colSignIns} {
		if _, err := s.db.Collection(coll).DeleteMany(ctx, bson.D{{Key: "user_id", Value: userID}}); err != nil {
			return fmt.Errorf("end sessions of %s: %w", userID, err)
		}
	}
	return nil
}

// SweepSignIns deletes the sign-in links and sessions that expired by now
// and reports how many it deleted.
func (s *Store) SweepSignIns(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	for _, coll := range []string{colSignIns, colSessions} {
		res, err := s.db.Collection(coll).DeleteMany(ctx,
			bson.D{{Key: "expires", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}})
		if err != nil {
			return n, fmt.Errorf("sweep %s: %w", coll, err)
		}
		n += res.DeletedCount
	}
	return n, nil
}
