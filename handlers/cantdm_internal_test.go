package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
	"github.com/plpbot/plpbot/storage/storagetest"
)

// dmAdvisor stands for an adapter with the bot.DMAdvisor capability; the
// Slack and Discord adapters' own wording is checked end to end in their
// packages.
type dmAdvisor string

func (a dmAdvisor) AllowDMsHint() string { return string(a) }

func TestCantDMNote(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	st := storagetest.New(t, func() time.Time { return now })
	h := New(st, Options{Now: func() time.Time { return now }})
	const hint = "Open the Messages tab and say hi."
	tests := []struct {
		name      string
		platform  bot.Platform
		adapter   any
		flagged   bool
		place     bot.PlaceKind
		want      string
		stillFlag bool
	}{
		{"command in a channel", bot.Slack, dmAdvisor(hint), true, bot.InChannel, "you've been missing reminders. " + hint, true},
		{"an adapter that can't advise adds no note", bot.Console, nil, true, bot.InChannel, "", true},
		{"a DM proves DMs work", bot.Slack, dmAdvisor(hint), true, bot.InDM, "reminders are back on", false},
		{"not flagged", bot.Slack, dmAdvisor(hint), false, bot.InChannel, "", false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, _, err := st.EnsureUser(ctx, storage.Identity{Platform: string(tt.platform), Workspace: "W", PlatformID: "u" + string(rune('a'+i))}, storage.UserHints{Name: "Sam"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.flagged {
				if u, err = st.SetCantDM(ctx, u.ID, "cannot_dm_bot"); err != nil {
					t.Fatal(err)
				}
			}
			c := &call{Request: &bot.Request{Place: bot.Place{Kind: tt.place}, Adapter: tt.adapter}, Actor: u}
			in := []bot.Message{dmTo(u, reply("to someone else")), reply("Done", bot.Text{Text: "Saved."})}
			out := h.cantDMNote(ctx, c, in)
			got := out[1].PlainText()
			if tt.want == "" && len(out[1].Blocks) != 1 {
				t.Errorf("reply changed: %s", got)
			}
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("reply lacks %q:\n%s", tt.want, got)
			}
			if len(out[0].Blocks) != 0 {
				t.Errorf("the note went into a DM to someone else: %s", out[0].PlainText())
			}
			stored, err := st.User(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if (stored.CantDM != "") != tt.stillFlag {
				t.Errorf("stored CantDM = %q, want flagged=%v", stored.CantDM, tt.stillFlag)
			}
		})
	}
}
