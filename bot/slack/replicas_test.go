package slack

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/handlers"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// replicaHandlers is plpbot's handlers on store, as one replica builds them.
func replicaHandlers(store *storage.Store) *handlers.Handlers {
	return handlers.New(store, handlers.Options{Logger: slog.New(slog.DiscardHandler)})
}

// newReplicaHTTP is one replica in HTTP mode: its own fake Slack, its own
// database client on store's database, the real handlers, and the shared
// event log.
func newReplicaHTTP(t *testing.T, store *storage.Store) *testAdapter {
	t.Helper()
	fake := newFakeSlack(t)
	h := replicaHandlers(store)
	logs := &syncBuffer{}
	a, err := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, Mode: ModeHTTP, HTTPAddr: "127.0.0.1:0", APIURL: fake.apiURL()},
		h.Grammar(), h, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), WithEventLog(store))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.drain)
	return &testAdapter{Adapter: a, fake: fake, handler: a.HTTPHandler(), logs: logs}
}

// reflectionsOf counts the reflections stored for Slack user id in T1.
func reflectionsOf(t *testing.T, store *storage.Store, id string) int {
	t.Helper()
	uid := storage.Identity{Platform: string(bot.Slack), Workspace: "T1", PlatformID: id}.UserID()
	rs, err := store.Reflections(context.Background(), uid, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// dmEvent is a student's DM to the bot as the Events API carries it.
func dmEvent(user, text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel": "D" + user, "channel_type": "im", "user": user, "text": text, "ts": ts}
}

// TestReplicasHandleARetriedEventOnce: Slack retries an event (here while
// the first delivery is still being handled, as an http_timeout retry is),
// and the retry reaches the other replica. Each replica checks its memory,
// then the database: the DM is handled, stored and answered once.
func TestReplicasHandleARetriedEventOnce(t *testing.T) {
	store := storagetest.New(t, nil)
	a := newReplicaHTTP(t, store)
	b := newReplicaHTTP(t, storagetest.Replica(t, store, nil))

	dm := dmEvent("U1", "I learned that outlining first helps", "1700000000.000100")
	deliveries := []struct {
		to     *testAdapter
		header map[string]string
	}{
		{a, nil},
		{b, map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}},
		{a, map[string]string{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"}},
		{b, map[string]string{"X-Slack-Retry-Num": "3", "X-Slack-Retry-Reason": "http_error"}},
	}
	for i, d := range deliveries {
		if w := d.to.event(t, "EvTwice", dm, d.header); w.Code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, w.Code)
		}
	}
	a.wait()
	b.wait()
	answers := len(a.fake.callsTo("chat.postMessage")) + len(b.fake.callsTo("chat.postMessage"))
	if n := reflectionsOf(t, store, "U1"); n != 1 || answers != 1 {
		t.Errorf("one DM delivered 4 times to 2 replicas: %d reflections stored, %d answers; want 1 and 1\na: %s\nb: %s",
			n, answers, a.logs.String(), b.logs.String())
	}

	// Another event is new to both.
	if w := b.event(t, "EvOther", dmEvent("U1", "And that drafts get easier", "1700000000.000200"), nil); w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	b.wait()
	if n := reflectionsOf(t, store, "U1"); n != 2 {
		t.Errorf("%d reflections after a second event, want 2", n)
	}
}

// socketEnvelope is an events_api envelope carrying inner as event id.
func socketEnvelope(envelopeID, eventID string, retry int, inner map[string]any) map[string]any {
	env := map[string]any{"envelope_id": envelopeID, "type": "events_api", "accepts_response_payload": false, "payload": map[string]any{
		"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": eventID, "event_time": 1700000000,
		"event": inner,
	}}
	if retry > 0 {
		env["retry_attempt"], env["retry_reason"] = retry, "timeout"
	}
	return env
}

// runSocketReplica runs a Socket Mode replica on store whose connection
// delivers envelopes, and returns its fake once every envelope is acked.
func runSocketReplica(t *testing.T, store *storage.Store, envelopes ...map[string]any) (*fakeSlack, func()) {
	t.Helper()
	fake := newFakeSlack(t)
	acks := make(chan string, len(envelopes))
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	fake.mu.Lock()
	fake.ws = func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
			return
		}
		for _, env := range envelopes {
			if err := conn.WriteJSON(env); err != nil {
				return
			}
		}
		for {
			var ack map[string]any
			if err := conn.ReadJSON(&ack); err != nil {
				return
			}
			id, _ := ack["envelope_id"].(string)
			acks <- id
		}
	}
	fake.mu.Unlock()
	h := replicaHandlers(store)
	a, err := New(Config{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: fake.apiURL()}, h.Grammar(), h,
		slog.New(slog.DiscardHandler), WithEventLog(store))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	for range envelopes {
		select {
		case <-acks:
		case <-time.After(10 * time.Second):
			t.Fatal("an envelope was not acked")
		}
	}
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	return fake, stop
}

// TestSocketModeReplicasHandleARedeliveryOnce: Socket Mode delivers an
// event on one replica's connection and its retry on another's: handled
// once. Run stops only after its work is done, so the counts are final.
func TestSocketModeReplicasHandleARedeliveryOnce(t *testing.T) {
	store := storagetest.New(t, nil)
	dm := dmEvent("U2", "Practising scales every day works", "1700000000.000300")
	fa, stopA := runSocketReplica(t, store, socketEnvelope("env-1", "EvSock", 0, dm))
	fb, stopB := runSocketReplica(t, storagetest.Replica(t, store, nil),
		socketEnvelope("env-2", "EvSock", 1, dm), socketEnvelope("env-3", "EvSock", 2, dm))
	stopA()
	stopB()
	answers := len(fa.callsTo("chat.postMessage")) + len(fb.callsTo("chat.postMessage"))
	if n := reflectionsOf(t, store, "U2"); n != 1 || answers != 1 {
		t.Errorf("one DM delivered on two replicas' connections: %d reflections, %d answers; want 1 and 1", n, answers)
	}
}

// TestEventLogIsSweptWhileRunning: Run deletes expired marks while it
// serves, so an id is new again once its mark has expired and been swept.
func TestEventLogIsSweptWhileRunning(t *testing.T) {
	ctx := context.Background()
	store := storagetest.New(t, nil)
	if _, err := store.MarkEventSeen(ctx, "slack:EvOld", time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.MarkEventSeen(ctx, "slack:EvNew", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ta := newReplicaHTTP(t, store)
	ta.sweepEvery = 20 * time.Millisecond
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ta.Run(runCtx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		first, err := store.MarkEventSeen(ctx, "slack:EvOld", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the expired mark was not swept")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if first, err := store.MarkEventSeen(ctx, "slack:EvNew", time.Now()); err != nil || first {
		t.Errorf("the unexpired mark was swept (%v, %v)", first, err)
	}
}
