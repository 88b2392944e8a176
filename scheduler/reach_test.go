package scheduler_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/scheduler"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// platformSender is one process's way out: it runs adapters for some
// platforms only (a `plpbot console` on a shared database, a replica with
// other adapters). Asked for any other platform it answers as cmd/plpbot's
// router once did, "undeliverable: platform_not_running", so a scheduler that
// still asks it would take a process-local gap for the person's refusal.
type platformSender struct {
	*fakePlatform
	platforms []bot.Platform

	mu     sync.Mutex
	strays []string // recipients asked for on a platform this process doesn't run
}

// Reaches implements bot.Reacher.
func (p *platformSender) Reaches() []bot.Platform { return p.platforms }

func (p *platformSender) stray(pl bot.Platform, to string) error {
	p.mu.Lock()
	p.strays = append(p.strays, string(pl)+":"+to)
	p.mu.Unlock()
	return &bot.UndeliverableError{Reason: "platform_not_running", Err: fmt.Errorf("no %q adapter is running", pl)}
}

// SendDM implements bot.Sender.
func (p *platformSender) SendDM(ctx context.Context, to bot.Identity, msg bot.Message) error {
	if !slices.Contains(p.platforms, to.Platform) {
		return p.stray(to.Platform, to.UserID)
	}
	return p.fakePlatform.SendDM(ctx, to, msg)
}

// Post implements bot.Sender.
func (p *platformSender) Post(ctx context.Context, to bot.Channel, msg bot.Message) error {
	if !slices.Contains(p.platforms, to.Platform) {
		return p.stray(to.Platform, to.ChannelID)
	}
	return p.fakePlatform.Post(ctx, to, msg)
}

func (p *platformSender) Strays() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.strays)
}

// TestItemsWaitForAProcessThatRunsTheirPlatform reproduces issue 8: a
// console-only process on a shared database must leave Slack messages to a
// process that runs Slack, instead of failing them and marking the students
// as people who can't get DMs.
func TestItemsWaitForAProcessThatRunsTheirPlatform(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	slackUser := func(id, name string, role plpbot.Role) *plpbot.Person {
		t.Helper()
		u, _, err := e.store.EnsureUser(e.ctx, storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: id},
			storage.UserHints{Name: name, TimeZone: "America/New_York"})
		if err != nil {
			t.Fatal(err)
		}
		if role != plpbot.RoleStudent {
			if u, err = e.store.SetRole(e.ctx, u.ID, role); err != nil {
				t.Fatal(err)
			}
		}
		return u
	}
	lee := slackUser("U0", "Ms Lee", plpbot.RoleTeacher)
	sam := slackUser("U1", "Sam", plpbot.RoleStudent)
	bio, err := e.store.CreateClass(e.ctx, plpbot.Class{Name: "Biology", Platform: "slack", Workspace: "T1", ChannelID: "C1",
		TimeZone: "America/New_York", CreatedBy: lee.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Enroll(e.ctx, bio.ID, []string{sam.ID}, plpbot.MemberStudent); err != nil {
		t.Fatal(err)
	}
	// A console class too, so the console process has work of its own.
	ana := e.user("Ana", "America/New_York", plpbot.RoleStudent)
	e.class("Art", e.user("Mr Fox", "America/New_York", plpbot.RoleTeacher), "America/New_York", "", "0 0 1 1 *", ana)

	consoleOnly := &platformSender{fakePlatform: e.fake, platforms: []bot.Platform{bot.Console}}
	o := e.opts
	o.ReplicaID = "console"
	console := scheduler.New(e.store, e.composer, consoleOnly, o)
	if err := console.Advance(e.ctx, at(3, 6, 15, 30).Sub(e.clock.Now())); err != nil {
		t.Fatal(err)
	}

	if got := perRecipient(e.fake.DMs("Reflection time")); len(got) != 1 || got["ana"] != 1 {
		t.Errorf("console prompts = %v, want one to ana", got)
	}
	if s := consoleOnly.Strays(); len(s) != 0 {
		t.Errorf("the console process was asked to reach %v", s)
	}
	u, err := e.store.User(e.ctx, sam.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.CantDM != "" {
		t.Errorf("Sam is flagged can't-DM (%q) because this process runs no Slack", u.CantDM)
	}
	if c := e.counts(); c[storage.OutboxFailed] != 0 || c[storage.OutboxSkipped] != 0 {
		t.Errorf("outbox = %v, want nothing failed or skipped", c)
	}
	pending, err := e.store.OutboxItems(e.ctx, storage.OutboxPending, 0)
	if err != nil {
		t.Fatal(err)
	}
	waiting := map[string]string{} // recipient → job
	for _, it := range pending {
		waiting[it.Recipient] = it.Job
	}
	if waiting[sam.ID] != "reflect" || waiting["class:"+bio.ID] != "summary" {
		t.Fatalf("pending = %v, want Sam's prompt and Biology's summary waiting for Slack", waiting)
	}

	// A process that runs Slack delivers them.
	slackFake := &fakePlatform{clock: e.clock}
	slackOnly := &platformSender{fakePlatform: slackFake, platforms: []bot.Platform{bot.Slack}}
	o.ReplicaID = "slack"
	if err := scheduler.New(e.store, e.composer, slackOnly, o).Tick(e.ctx, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got := perRecipient(slackFake.DMs("Reflection time")); len(got) != 1 || got["U1"] != 1 {
		t.Errorf("Slack prompts = %v, want one to U1", got)
	}
	if posts := slackFake.Posts(); len(posts) != 1 || posts[0].To != "C1" {
		t.Errorf("Slack posts = %+v, want Biology's summary in C1", posts)
	}
	if s := slackOnly.Strays(); len(s) != 0 {
		t.Errorf("the Slack process was asked to reach %v", s)
	}
	if c := e.counts(); c[storage.OutboxFailed] != 0 || c[storage.OutboxSkipped] != 0 || c[storage.OutboxSent] != 3 {
		t.Errorf("outbox = %v, want 3 sent and nothing failed or skipped", c)
	}
}

// TestItemWithoutPlatformIsRetriedNotFlagged: an item planned before items
// named their platform may reach a process that doesn't run its recipient's
// platform. It is not sent there and nobody is flagged: it is retried later,
// perhaps by a replica that runs the platform.
func TestItemWithoutPlatformIsRetriedNotFlagged(t *testing.T) {
	e := newEnv(t, monday, scheduler.Options{TimeZone: "America/New_York"})
	sam, _, err := e.store.EnsureUser(e.ctx, storage.Identity{Platform: "slack", Workspace: "T1", PlatformID: "U1"}, storage.UserHints{Name: "Sam"})
	if err != nil {
		t.Fatal(err)
	}
	id := storage.OutboxKey("nudge", "never", sam.ID)
	if _, err := storagetest.Collection(e.t, e.store, "outbox").InsertOne(e.ctx, bson.D{{Key: "_id", Value: id}, {Key: "job", Value: "nudge"},
		{Key: "period", Value: "never"}, {Key: "recipient", Value: sam.ID}, {Key: "due", Value: monday.UTC()},
		{Key: "status", Value: storage.OutboxPending}, {Key: "attempt", Value: 0}, {Key: "failures", Value: 0},
		{Key: "created_at", Value: monday.UTC()}, {Key: "updated_at", Value: monday.UTC()}}); err != nil {
		t.Fatal(err)
	}
	consoleOnly := &platformSender{fakePlatform: e.fake, platforms: []bot.Platform{bot.Console}}
	if err := scheduler.New(e.store, e.composer, consoleOnly, e.opts).Tick(e.ctx, monday); err != nil {
		t.Fatal(err)
	}
	if s := consoleOnly.Strays(); len(s) != 0 {
		t.Errorf("the console process was asked to reach %v", s)
	}
	if u, err := e.store.User(e.ctx, sam.ID); err != nil || u.CantDM != "" {
		t.Errorf("Sam's can't-DM flag = %q, %v; want none", u.CantDM, err)
	}
	it, err := e.store.OutboxItemByID(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != storage.OutboxPending || it.Failures != 1 || !it.Due.After(monday) || !strings.Contains(it.Reason, "no slack adapter") {
		t.Errorf("item = %s, %d failures, due %s, %q; want pending for a later retry", it.Status, it.Failures, it.Due, it.Reason)
	}
}
