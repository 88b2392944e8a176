package handlers_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// slackEnv is a Slack workspace T1 whose platform knows the people in
// profiles (by user id): Lookup answers from it, as users.info would.
type slackEnv struct {
	*env
	profiles map[string]string // user id → display name
}

func newSlackEnv(t *testing.T) *slackEnv {
	t.Helper()
	return &slackEnv{env: newEnv(t), profiles: map[string]string{}}
}

func (e *slackEnv) lookup(_ context.Context, id bot.Identity) (bot.Identity, error) {
	name, ok := e.profiles[id.UserID]
	if !ok {
		return bot.Identity{}, errors.New("users.info: user_not_found")
	}
	id.Name = name
	return id, nil
}

func (e *slackEnv) run(uid, line string) ([]bot.Message, error) {
	e.t.Helper()
	return e.h.Handle(context.Background(), &bot.Request{
		Actor: bot.Identity{Platform: bot.Slack, Workspace: "T1", UserID: uid, Name: e.profiles[uid]},
		Text:  line, Slash: true, Lookup: e.lookup,
		Place: bot.Place{Kind: bot.InChannel, Channel: bot.Channel{Platform: bot.Slack, Workspace: "T1", ChannelID: "C1"}},
	})
}

func (e *slackEnv) person(uid string) *plpbot.Person {
	e.t.Helper()
	p, err := e.store.User(context.Background(), "slack:T1:"+uid)
	if err != nil {
		e.t.Fatalf("load %s: %v", uid, err)
	}
	return p
}

// slackSchool: admin UADMIN, teacher ULEE with a class holding student
// USAM1 ("Sam"); another student USAM2 is also called "Sam".
func slackSchool(t *testing.T) *slackEnv {
	t.Helper()
	e := newSlackEnv(t)
	e.profiles = map[string]string{"UADMIN": "Principal", "ULEE": "Ms Lee", "USAM1": "Sam", "USAM2": "Sam"}
	for _, u := range []string{"UADMIN", "USAM1", "USAM2"} {
		if _, err := e.run(u, "plan"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.SetRole(context.Background(), "slack:T1:UADMIN", plpbot.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"role <@ULEE> teacher"} {
		if _, err := e.run("UADMIN", line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	for _, line := range []string{"class create Period 3", "class add <@USAM1>"} {
		if _, err := e.run("ULEE", line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	return e
}

// TestMentionIsAPlatformIDNeverADisplayName: a plain "@Sam" on Slack names
// nobody; it must not pick whichever student is called Sam.
func TestMentionIsAPlatformIDNeverADisplayName(t *testing.T) {
	e := slackSchool(t)
	_, err := e.run("ULEE", "feedback @sam 1 great work")
	if _, ok := bot.AsUserError(err); !ok {
		t.Fatalf("feedback @sam (plain text on Slack) = %v, want a friendly refusal", err)
	}
	for _, uid := range []string{"USAM1", "USAM2"} {
		fb, ferr := e.store.FeedbackFor(context.Background(), "slack:T1:"+uid, e.now.AddDate(-1, 0, 0), 0)
		if ferr != nil || len(fb) != 0 {
			t.Errorf("feedback for %s = %+v, %v; want none", uid, fb, ferr)
		}
	}
	if msg := bot.ErrorMessage(err).PlainText(); !strings.Contains(msg, "pick") {
		t.Errorf("refusal %q doesn't say how to mention on Slack", msg)
	}
}

// TestMentionNameNeverRenames: <@ID|name> carries what the typist's client
// showed, not the person's name: it must not rename them.
func TestMentionNameNeverRenames(t *testing.T) {
	e := slackSchool(t)
	if _, err := e.run("ULEE", "class add <@USAM1|Mallory>"); err != nil {
		t.Fatal(err)
	}
	if got := e.person("USAM1").Name; got != "Sam" {
		t.Errorf("after a mention written <@USAM1|Mallory>, the student is called %q, want Sam", got)
	}
}

// TestMentionNeverCreatesAnUnownedAccount: on Slack an id the platform
// doesn't know creates nobody; admins hear "I don't know that person yet".
func TestMentionNeverCreatesAnUnownedAccount(t *testing.T) {
	e := slackSchool(t)
	_, err := e.run("ULEE", "class add <@UGHOST>")
	if ue, ok := bot.AsUserError(err); !ok || ue.Code != bot.ENotFound {
		t.Fatalf("class add <@UGHOST> = %v, want not found", err)
	}
	if _, err := e.store.User(context.Background(), "slack:T1:UGHOST"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an account for UGHOST exists (%v): nobody owns it", err)
	}
	_, err = e.run("UADMIN", "role <@UGHOST> teacher")
	if msg := bot.ErrorMessage(err).PlainText(); !strings.Contains(msg, "don't know that person yet") {
		t.Errorf("admin's role <@UGHOST> = %q, want \"I don't know that person yet\"", msg)
	}
	// A real person the platform knows is added on first mention.
	e.profiles["UNEW"] = "Noor"
	if _, err := e.run("ULEE", "class add <@UNEW>"); err != nil {
		t.Fatalf("class add <@UNEW>: %v", err)
	}
	if got := e.person("UNEW").Name; got != "Noor" {
		t.Errorf("new student's name = %q, want Noor from the profile", got)
	}
}
