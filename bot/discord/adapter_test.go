package discord

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
)

// TestStudentFlow drives a student through Discord: add a goal with the
// slash command, press a button, open and submit a check-in modal, and DM a
// reflection.
func TestStudentFlow(t *testing.T) {
	h := &scripted{}
	f, _, logs := startAdapter(t, h)

	if calls := f.callsTo("PUT", "/applications/app1/guilds/g1/commands"); len(calls) != 1 {
		t.Fatalf("expected the guild command registration at start, calls: %v", f.paths())
	}

	t.Run("goal add with options", func(t *testing.T) {
		h.set(func(req *bot.Request) ([]bot.Message, error) {
			return []bot.Message{{
				Visibility: bot.Public,
				Category:   "academic",
				Title:      "New goal: " + bot.User(req.Invocation.Arg("title")),
				Blocks:     []bot.Block{bot.Text{Text: "Goal 1 is on your plan."}},
				Buttons: []bot.Button{
					{Label: "Check in", Style: bot.Primary, Form: &bot.Form{Command: "checkin", Fixed: map[string]string{"n": "1"}}},
					{Label: "My goals", Command: "goal list"},
				},
			}}, nil
		})
		f.dispatch("INTERACTION_CREATE", slashInteraction("i1", "u1", []string{"goal", "add"}, []map[string]any{
			opt("title", 3, "Read *three* novels @everyone"),
			opt("category", 3, "academic"),
			opt("by", 3, "2027-05-30"),
		}, nil))
		m, kind := lastCallback(t, f, "i1")
		if kind != 4 || m.Flags != 0 {
			t.Fatalf("callback type %d flags %d, want a public reply (4, 0)", kind, m.Flags)
		}
		if got := m.Embeds[0].Title; got != "New goal: Read *three* novels @\u200beveryone" {
			t.Errorf("title %q", got)
		}
		if m.Embeds[0].Color != colourAcademic {
			t.Errorf("colour %x", m.Embeds[0].Color)
		}
		req := h.requests()[0]
		inv := req.Invocation
		if inv == nil || inv.Name() != "goal add" || inv.Arg("title") != "Read *three* novels @everyone" || inv.Arg("category") != "academic" || inv.Arg("by") != "2027-05-30" {
			t.Fatalf("invocation %+v", inv)
		}
		want := bot.Identity{Platform: bot.Discord, Workspace: "g1", UserID: "u1", Name: "Sam", Locale: "en-US", Username: "sam"}
		if req.Actor != want || req.Place.Kind != bot.InChannel || req.Place.Channel.ChannelID != "c1" || req.Place.Channel.Name != "period-3" || req.ID != "i1" {
			t.Errorf("actor %+v place %+v", req.Actor, req.Place)
		}
	})

	t.Run("button runs its command", func(t *testing.T) {
		h.set(nil)
		f.dispatch("INTERACTION_CREATE", buttonInteraction("i2", "u1", "plp:goal list"))
		m, kind := lastCallback(t, f, "i2")
		if kind != 4 || m.Flags != 64 {
			t.Errorf("callback type %d flags %d, want an ephemeral reply", kind, m.Flags)
		}
		req := h.requests()[1]
		if req.Text != "goal list" || !req.Slash || req.Invocation != nil {
			t.Errorf("request %+v", req)
		}
	})

	t.Run("form button opens a modal", func(t *testing.T) {
		f.dispatch("INTERACTION_CREATE", buttonInteraction("i3", "u1", "plpf:checkin?n=1"))
		m, kind := lastCallback(t, f, "i3")
		if kind != 9 || m.CustomID != "plpf:checkin?n=1" {
			t.Fatalf("callback type %d custom_id %q, want a modal", kind, m.CustomID)
		}
		var ids []string
		for _, r := range m.Components {
			ids = append(ids, r.Components[0].CustomID)
		}
		if strings.Join(ids, ",") != "percent,note,confidence" {
			t.Errorf("modal inputs %v", ids)
		}
		if len(h.requests()) != 2 {
			t.Error("opening a modal must not call the handler")
		}
	})

	t.Run("modal submit checks in", func(t *testing.T) {
		f.dispatch("INTERACTION_CREATE", modalInteraction("i4", "u1", "plpf:checkin?n=1", map[string]string{"percent": "40%", "note": "finished chapter 3", "confidence": ""}))
		_, kind := lastCallback(t, f, "i4")
		if kind != 4 {
			t.Errorf("callback type %d", kind)
		}
		inv := h.requests()[2].Invocation
		if inv == nil || inv.Name() != "checkin" || inv.Arg("n") != "1" || inv.Arg("percent") != "40" || inv.Arg("note") != "finished chapter 3" || inv.Has("confidence") {
			t.Errorf("invocation %+v", inv)
		}
	})

	t.Run("invalid modal answer is refused privately", func(t *testing.T) {
		f.dispatch("INTERACTION_CREATE", modalInteraction("i5", "u1", "plpf:checkin?n=1", map[string]string{"percent": "140"}))
		m, _ := lastCallback(t, f, "i5")
		if m.Flags != 64 || !strings.Contains(m.text(), "100") {
			t.Errorf("reply %+v", m)
		}
		if len(h.requests()) != 3 {
			t.Error("the handler must not see an invalid form")
		}
	})

	t.Run("goal add without a title opens a modal", func(t *testing.T) {
		f.dispatch("INTERACTION_CREATE", slashInteraction("i6", "u1", []string{"goal", "add"}, []map[string]any{opt("category", 3, "career")}, nil))
		m, kind := lastCallback(t, f, "i6")
		if kind != 9 || m.CustomID != "plpf:goal add" {
			t.Fatalf("callback type %d custom_id %q", kind, m.CustomID)
		}
		if in := m.Components[1].Components[0]; in.CustomID != "category" || in.Value != "career" {
			t.Errorf("category input %+v, want it prefilled", in)
		}
	})

	t.Run("user options resolve to people", func(t *testing.T) {
		resolved := map[string]any{
			"users":   map[string]any{"u2": map[string]any{"id": "u2", "username": "alex", "global_name": "Alex"}, "u3": map[string]any{"id": "u3", "username": "kim"}},
			"members": map[string]any{"u3": map[string]any{"nick": "Kimmy", "roles": []string{}}},
		}
		f.dispatch("INTERACTION_CREATE", slashInteraction("i7", "t1", []string{"class", "add"}, []map[string]any{
			opt("users", 6, "u2"), opt("users2", 6, "u3"), opt("class", 3, "Period 3"),
		}, resolved))
		lastCallback(t, f, "i7")
		inv := h.requests()[3].Invocation
		us := inv.Users["users"]
		if len(us) != 2 || us[0].UserID != "u2" || us[0].Name != "Alex" || us[1].Name != "Kimmy" || us[1].Workspace != "g1" || inv.Arg("class") != "Period 3" {
			t.Errorf("users %+v args %+v", us, inv.Args)
		}
	})

	t.Run("DM reflection", func(t *testing.T) {
		h.set(func(req *bot.Request) ([]bot.Message, error) {
			return []bot.Message{{Blocks: []bot.Block{bot.Text{Text: "Saved your reflection. " + bot.User(req.Text)}}}}, nil
		})
		f.dispatch("MESSAGE_CREATE", dmMessage("m1", "u1", "I learned outlining first helps <@&99>"))
		cs := f.waitCalls("POST", "/channels/dm-u1/messages", 1)
		var m wireMessage
		cs[0].decode(t, &m)
		if !strings.Contains(m.text(), "<\u200b@&99\\>") {
			t.Errorf("reply %q", m.text())
		}
		req := h.requests()[4]
		if req.Text != "I learned outlining first helps <@&99>" || req.Slash || req.Place.Kind != bot.InDM || req.Actor.UserID != "u1" || req.Actor.Workspace != "g1" {
			t.Errorf("request %+v", req)
		}
		// Messages in servers and from bots are not read.
		guildMsg := dmMessage("m2", "u1", "hello")
		guildMsg["guild_id"] = "g1"
		botMsg := dmMessage("m3", "b2", "beep")
		botMsg["author"].(map[string]any)["bot"] = true
		f.dispatch("MESSAGE_CREATE", guildMsg)
		f.dispatch("MESSAGE_CREATE", botMsg)
		f.dispatch("MESSAGE_CREATE", dmMessage("m4", "u1", "goal list"))
		f.waitCalls("POST", "/channels/dm-u1/messages", 2)
		if reqs := h.requests(); len(reqs) != 6 || reqs[5].Text != "goal list" {
			t.Errorf("handler saw %d requests, want 6 (the guild and bot messages ignored)", len(reqs))
		}
	})

	t.Run("export arrives as an attachment", func(t *testing.T) {
		h.set(func(*bot.Request) ([]bot.Message, error) {
			return []bot.Message{{Visibility: bot.Private, Title: "Your plan",
				File: &bot.File{Name: "plan-sam.md", ContentType: "text/markdown", Data: []byte("# Sam's plan\n")}}}, nil
		})
		f.dispatch("INTERACTION_CREATE", slashInteraction("x1", "u1", []string{"export"}, nil, nil))
		cs := f.waitCalls("POST", "/interactions/x1/", 1)
		if len(cs[0].Files) != 1 || cs[0].Files[0] != "plan-sam.md" {
			t.Errorf("files %v, want plan-sam.md", cs[0].Files)
		}
		var cb callback
		cs[0].decode(t, &cb)
		if cb.Type != 4 || cb.Data.Flags != 64 || cb.Data.Embeds[0].Title != "Your plan" {
			t.Errorf("callback %+v", cb)
		}
	})

	t.Run("handler errors", func(t *testing.T) {
		tests := []struct {
			name      string
			err       error
			panics    bool
			want      string
			wantInLog bool
		}{
			{"user error", &bot.UserError{Code: bot.EInvalid, Message: "That goal number doesn't exist.", Hint: "Try /plp goal list"}, false, "That goal number doesn't exist.", false},
			{"internal error", errors.New("database on fire"), false, "Sorry", true},
			{"panic", nil, true, "Sorry", true},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h.set(func(*bot.Request) ([]bot.Message, error) {
					if tt.panics {
						panic("boom")
					}
					return nil, tt.err
				})
				id := fmt.Sprintf("e%d", i)
				before := len(logs.String())
				f.dispatch("INTERACTION_CREATE", slashInteraction(id, "u1", []string{"goal", "list"}, nil, nil))
				m, _ := lastCallback(t, f, id)
				if m.Flags != 64 || !strings.Contains(m.text(), tt.want) || strings.Contains(m.text(), "fire") {
					t.Errorf("reply %q flags %d", m.text(), m.Flags)
				}
				if got := strings.Contains(logs.String()[before:], "level=ERROR"); got != tt.wantInLog {
					t.Errorf("error logged = %v, want %v", got, tt.wantInLog)
				}
			})
		}
	})
}

// TestDeferredReplies: a slow handler gets a deferred, private response
// that is edited when it finishes; a public reply follows up in the channel.
func TestDeferredReplies(t *testing.T) {
	h := &scripted{}
	f, a, _ := startAdapter(t, h)
	a.deferAfter = 20 * time.Millisecond
	release := make(chan struct{})
	tests := []struct {
		name       string
		visibility bool // public
	}{
		{"private", false},
		{"public", true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.set(func(*bot.Request) ([]bot.Message, error) {
				<-release
				vis := bot.Private
				if tt.visibility {
					vis = bot.Public
				}
				return []bot.Message{{Visibility: vis, Blocks: []bot.Block{bot.Text{Text: "Here is your plan."}}}}, nil
			})
			id := fmt.Sprintf("d%d", i)
			f.dispatch("INTERACTION_CREATE", slashInteraction(id, "u1", []string{"plan"}, nil, nil))
			m, kind := lastCallback(t, f, id)
			if kind != 5 || m.Flags != 64 {
				t.Fatalf("callback type %d flags %d, want a private deferral", kind, m.Flags)
			}
			release <- struct{}{}
			edit := f.waitCalls("PATCH", "/webhooks/app1/tok-"+id+"/messages/@original", 1)[0]
			var em wireMessage
			edit.decode(t, &em)
			if !tt.visibility {
				if !strings.Contains(em.text(), "Here is your plan.") {
					t.Errorf("edit %q", em.text())
				}
				return
			}
			follow := f.waitCalls("POST", "/webhooks/app1/tok-"+id, 1)[0]
			var fm wireMessage
			follow.decode(t, &fm)
			if !strings.Contains(fm.text(), "Here is your plan.") || fm.Flags != 0 {
				t.Errorf("follow-up %q flags %d", fm.text(), fm.Flags)
			}
		})
	}
}

// TestRosterPaginates: a long roster arrives as a reply and follow-ups,
// each within Discord's limits (checked on cleanup), with nothing lost.
func TestRosterPaginates(t *testing.T) {
	h := &scripted{}
	f, _, _ := startAdapter(t, h)
	h.set(func(*bot.Request) ([]bot.Message, error) {
		var rows []bot.Field
		for i := range 300 {
			rows = append(rows, bot.Field{Label: bot.User(fmt.Sprintf("Student %03d", i)), Value: bot.Bar(i%100, 10) + fmt.Sprintf(" %d%% · streak 3 weeks · next conference 2027-01-%02d 10:30", i%100, i%28+1)})
		}
		return []bot.Message{{Visibility: bot.Private, Title: "Roster: Period 3 English", Blocks: []bot.Block{bot.Fields{Fields: rows}}}}, nil
	})
	f.dispatch("INTERACTION_CREATE", slashInteraction("r1", "t1", []string{"roster"}, nil, nil))
	first, _ := lastCallback(t, f, "r1")
	pages := []wireMessage{first}
	footer := first.Embeds[len(first.Embeds)-1].Footer
	if footer == nil || !strings.HasPrefix(footer.Text, "Part 1 of ") {
		t.Fatalf("footer %+v", footer)
	}
	var n int
	fmt.Sscanf(strings.TrimPrefix(footer.Text, "Part 1 of "), "%d", &n)
	for _, c := range f.waitCalls("POST", "/webhooks/app1/tok-r1", n-1) {
		var m wireMessage
		c.decode(t, &m)
		if m.Flags != 64 {
			t.Errorf("follow-up flags %d, want ephemeral like the reply", m.Flags)
		}
		pages = append(pages, m)
	}
	var all strings.Builder
	for _, p := range pages {
		all.WriteString(p.text())
	}
	for i := range 300 {
		if !strings.Contains(all.String(), fmt.Sprintf("Student %03d", i)) {
			t.Fatalf("student %d missing from %d pages", i, len(pages))
		}
	}
}

// TestGatewayDropSurvived: the fake cuts the socket; discordgo resumes and
// the next interaction is handled.
func TestGatewayDropSurvived(t *testing.T) {
	h := &scripted{}
	f, _, _ := startAdapter(t, h)
	f.drop()
	f.waitSession("resume")
	f.dispatch("INTERACTION_CREATE", slashInteraction("g1", "u1", []string{"plan"}, nil, nil))
	lastCallback(t, f, "g1")
	if got := len(h.requests()); got != 1 {
		t.Errorf("handler saw %d requests after the drop", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.identifies != 1 || f.resumes != 1 {
		t.Errorf("identifies %d resumes %d, want 1 and 1", f.identifies, f.resumes)
	}
}

// TestDMRefused: error 50007 is undeliverable "cannot_dm" each time the
// adapter is asked. The one can't-DM mark is the scheduler's, on the person,
// so the adapter keeps no memory of its own and adds no note to the person's
// next interaction (the handlers do, from the stored mark).
func TestDMRefused(t *testing.T) {
	h := &scripted{}
	f, a, _ := startAdapter(t, h)
	f.mu.Lock()
	f.blockedDMs["u9"] = true
	f.mu.Unlock()
	ctx := context.Background()
	prompt := bot.Message{Blocks: []bot.Block{bot.Text{Text: "Time for your weekly check-in!"}}}
	for range 2 {
		err := a.SendDM(ctx, bot.Identity{Platform: bot.Discord, Workspace: "g1", UserID: "u9"}, prompt)
		var ue *bot.UndeliverableError
		if !errors.As(err, &ue) || ue.Reason != "cannot_dm" {
			t.Fatalf("SendDM error %v, want undeliverable cannot_dm", err)
		}
	}
	if n := len(f.callsTo("POST", "/channels/dm-u9/messages")); n != 2 {
		t.Errorf("%d attempts to DM, want 2: the adapter remembers no refusals", n)
	}

	f.dispatch("INTERACTION_CREATE", slashInteraction("n0", "u9", []string{"goal", "list"}, nil, nil))
	lastCallback(t, f, "n0")
	time.Sleep(50 * time.Millisecond) // let a follow-up, if any, arrive
	if notes := f.callsTo("POST", "/webhooks/app1/tok-n0"); len(notes) != 0 {
		t.Errorf("the adapter added %d follow-ups of its own after a refused DM", len(notes))
	}

	t.Run("reply first, then DMs; a refused DM to the asker shows in place", func(t *testing.T) {
		h.set(func(req *bot.Request) ([]bot.Message, error) {
			self, other := req.Actor, bot.Identity{Platform: bot.Discord, Workspace: "g1", UserID: "u5"}
			return []bot.Message{
				{Visibility: bot.Private, Blocks: []bot.Block{bot.Text{Text: "Conference booked."}}},
				{To: &other, Blocks: []bot.Block{bot.Text{Text: "You have a conference with Sam."}}},
				{To: &self, Blocks: []bot.Block{bot.Text{Text: "Your conference is on Tuesday."}}},
			}, nil
		})
		f.dispatch("INTERACTION_CREATE", slashInteraction("n9", "u9", []string{"conference", "list"}, nil, nil))
		follow := f.waitCalls("POST", "/webhooks/app1/tok-n9", 1)
		var order []string
		for _, c := range f.allCalls() {
			if strings.Contains(c.Path, "n9") || strings.HasPrefix(c.Path, "/channels/dm-u5") {
				order = append(order, c.Method+" "+c.Path)
			}
		}
		if len(order) < 2 || !strings.HasSuffix(order[0], "/callback") {
			t.Errorf("the interaction must be answered before any DM is sent: %v", order)
		}
		var fallback wireMessage
		follow[0].decode(t, &fallback)
		if fallback.Flags != 64 || !strings.Contains(fallback.text(), "Tuesday") || !strings.Contains(fallback.text(), a.AllowDMsHint()) {
			t.Errorf("follow-up %q flags %d, want the DM in place, privately, with how to allow DMs", fallback.text(), fallback.Flags)
		}
		if n := len(f.callsTo("POST", "/channels/dm-u5/messages")); n != 1 {
			t.Errorf("DM to the other person sent %d times", n)
		}
	})
}

func TestSenderErrors(t *testing.T) {
	h := &scripted{}
	f := newFakeDiscord(t)
	a, _ := newTestAdapter(t, f, h, "g1")
	f.mu.Lock()
	f.rateLimit["busy"] = true
	f.mu.Unlock()
	ctx := context.Background()
	msg := bot.Message{Blocks: []bot.Block{bot.Text{Text: "Weekly summary"}}}

	err := a.Post(ctx, bot.Channel{Platform: bot.Discord, ChannelID: "busy"}, msg)
	var ra *bot.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 2500*time.Millisecond {
		t.Errorf("Post to a rate-limited channel: %v, want retry after 2.5s", err)
	}
	if err := a.Post(ctx, bot.Channel{Platform: bot.Discord, ChannelID: "c1"}, msg); err != nil {
		t.Errorf("Post: %v", err)
	}
	// A Slack person is not Discord's to reach, which is no refusal of theirs.
	var ue *bot.UndeliverableError
	if err := a.SendDM(ctx, bot.Identity{Platform: bot.Slack, UserID: "U1"}, msg); err == nil || errors.As(err, &ue) {
		t.Errorf("SendDM to a Slack identity: %v, want a plain error", err)
	}
	for range 2 {
		if err := a.SendDM(ctx, bot.Identity{Platform: bot.Discord, UserID: "u5"}, msg); err != nil {
			t.Errorf("SendDM: %v", err)
		}
	}
	if n := len(f.callsTo("POST", "/users/@me/channels")); n != 1 {
		t.Errorf("opened the DM channel %d times, want once (cached)", n)
	}
	checkOutgoing(t, f.allCalls())
}
