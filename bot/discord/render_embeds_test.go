package discord

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
)

func TestFormatDiscordDialect(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bold and italic", bot.Bold("Goal 1") + " is " + bot.Italic("done"), "**Goal 1** is *done*"},
		{"markdown in user text", bot.User("*a* _b_ ~c~ `d` |e| > f \\ # [g]"), `\*a\* \_b\_ \~c\~ \` + "`" + `d\` + "`" + ` \|e\| \> f \\ \# \[g\]`},
		{"everyone", bot.User("hi @everyone and @Here"), "hi @\u200beveryone and @\u200bHere"},
		{"user mention", bot.User("<@123> <@!4> <@&5> <#6>"), "<\u200b@123\\> <\u200b@!4\\> <\u200b@&5\\> <\u200b\\#6\\>"},
		{"authored text untouched", "Type /plp goal add", "Type /plp goal add"},
		{"user span in bold", bot.Bold(bot.User("**x**")), `**\*\*x\*\***`},
		{"empty bold", bot.Bold(""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := bot.Format(tt.in, markdownDialect()); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// pageJSON checks one rendered page the way the fake checks sent messages.
func checkPages(t *testing.T, pages []page) []wireMessage {
	t.Helper()
	var out []wireMessage
	for i, p := range pages {
		body, err := json.Marshal(discordgo.MessageSend{Content: p.Content, Embeds: p.Embeds, Components: p.Components, AllowedMentions: allowNoMentions()})
		if err != nil {
			t.Fatal(err)
		}
		c := call{Method: "POST", Path: fmt.Sprintf("/channels/page%d/messages", i), Body: body}
		for _, f := range p.Files {
			c.Files = append(c.Files, f.Name)
		}
		checkOutgoing(t, []call{c})
		var m wireMessage
		c.decode(t, &m)
		out = append(out, m)
	}
	return out
}

func TestRenderSimpleMessage(t *testing.T) {
	msg := bot.Message{
		Title:    "Goal added: " + bot.User("Read *3* novels"),
		Category: "academic",
		Blocks: []bot.Block{
			bot.Text{Text: "Nice one, " + bot.Bold(bot.User("Sam")) + "!"},
			bot.Progress{Label: "Read three novels", Percent: 60},
			bot.Fields{Fields: []bot.Field{{Label: "Due", Value: "2027-05-30"}, {Label: "Why", Value: bot.User("I @everyone love it")}}},
			bot.Context{Text: "Next: /plp step add 1 " + bot.User("<@1>")},
		},
		Buttons: []bot.Button{
			{Label: "Check in", Style: bot.Primary, Form: &bot.Form{Command: "checkin", Fixed: map[string]string{"n": "1"}}},
			{Label: "My goals", Command: "goal list"},
		},
		File: &bot.File{Name: "plan.md", ContentType: "text/markdown", Data: []byte("# plan")},
	}
	pages := renderPages(msg)
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	ms := checkPages(t, pages)
	e := ms[0].Embeds[0]
	if e.Title != "Goal added: Read *3* novels" {
		t.Errorf("title %q", e.Title)
	}
	if e.Color != colourAcademic {
		t.Errorf("colour %x", e.Color)
	}
	if !strings.Contains(e.Description, "**Sam**") || !strings.Contains(e.Description, "▰▰▰▰▰▰▱▱▱▱ 60%") {
		t.Errorf("description %q", e.Description)
	}
	if len(e.Fields) != 3 || e.Fields[1].Value != "I @\u200beveryone love it" {
		t.Fatalf("fields %+v", e.Fields)
	}
	if hint := e.Fields[2]; hint.Value != "-# Next: /plp step add 1 <\u200b@1\\>" || hint.Inline || len(ms[0].Embeds) != 1 {
		t.Errorf("the hint after the fields must close the same embed as subtext: %+v", hint)
	}
	btns := ms[0].Components[0].Components
	if len(btns) != 2 || btns[0].CustomID != "plpf:checkin?n=1" || btns[0].Style != int(discordgo.PrimaryButton) || btns[1].CustomID != "plp:goal list" {
		t.Errorf("buttons %+v", btns)
	}
	if len(pages[0].Files) != 1 || pages[0].Files[0].Name != "plan.md" {
		t.Errorf("files %+v", pages[0].Files)
	}
}

func TestRenderLongRosterPaginates(t *testing.T) {
	var rows []bot.Field
	var items []string
	for i := range 400 {
		name := fmt.Sprintf("Student %03d", i)
		rows = append(rows, bot.Field{Label: name, Value: bot.Bar(i%100, 10) + fmt.Sprintf(" %d%% · 3 goals · last check-in 2026-11-%02d", i%100, i%28+1)})
		items = append(items, bot.User(name)+" — "+strings.Repeat("reflection text ", 8))
	}
	msg := bot.Message{
		Title:   "Period 3 English — roster",
		Blocks:  []bot.Block{bot.Fields{Fields: rows}, bot.Divider{}, bot.List{Items: items}, bot.Context{Text: "Tap a name for details."}},
		Buttons: make([]bot.Button, 0),
	}
	for i := range 30 {
		msg.Buttons = append(msg.Buttons, bot.Button{Label: fmt.Sprintf("Student %d", i), Command: fmt.Sprintf("student <@%d>", 1000+i)})
	}
	pages := renderPages(msg)
	if len(pages) < 3 {
		t.Fatalf("%d pages, want several", len(pages))
	}
	ms := checkPages(t, pages)
	var all strings.Builder
	buttons := 0
	for _, m := range ms {
		all.WriteString(m.text())
		for _, r := range m.Components {
			buttons += len(r.Components)
		}
	}
	for i := range 400 {
		name := fmt.Sprintf("Student %03d", i)
		if c := strings.Count(all.String(), name); c != 2 {
			t.Fatalf("%s appears %d times, want 2 (field and list)", name, c)
		}
	}
	if buttons != 30 {
		t.Errorf("%d buttons, want 30", buttons)
	}
	if !strings.Contains(all.String(), "Tap a name for details.") || !strings.Contains(ms[0].text(), "Part 1 of ") {
		t.Error("footer or page numbers missing")
	}
}

func TestRenderSplitsLongText(t *testing.T) {
	long := strings.Repeat("word ", 3000) // 15,000 characters
	pages := renderPages(bot.Message{Blocks: []bot.Block{bot.Text{Text: bot.User(long)}, bot.Fields{Fields: []bot.Field{{Label: "Notes", Value: strings.Repeat("n", 3000)}}}}})
	ms := checkPages(t, pages)
	var words, ns int
	for _, m := range ms {
		words += strings.Count(m.text(), "word")
		ns += strings.Count(m.text(), "n")
	}
	if words != 3000 || ns < 3000 {
		t.Errorf("lost text: %d words, %d n", words, ns)
	}
}

func TestRenderButtonEdgeCases(t *testing.T) {
	long := "goal add " + strings.Repeat("x", 120)
	pages := renderPages(bot.Message{
		Blocks: []bot.Block{bot.Text{Text: "Pick one"}},
		Buttons: []bot.Button{
			{Label: "Too long", Command: long},
			{Label: "Twice", Command: "goal list"},
			{Label: "Twice again", Command: "goal list"},
		},
	})
	ms := checkPages(t, pages)
	if n := len(ms[0].Components); n != 1 || len(ms[0].Components[0].Components) != 1 {
		t.Errorf("components %+v, want one button", ms[0].Components)
	}
	if !strings.Contains(ms[0].text(), "Too long: type /plp goal add xxx") {
		t.Errorf("a button that can't be encoded must show its command: %q", ms[0].text())
	}
}

func TestRenderEmptyAndTitleOnly(t *testing.T) {
	tests := []struct {
		name string
		msg  bot.Message
	}{
		{"empty", bot.Message{}},
		{"title only", bot.Message{Title: "Saved"}},
		{"context only", bot.Message{Blocks: []bot.Block{bot.Context{Text: "psst"}}}},
		{"divider only", bot.Message{Blocks: []bot.Block{bot.Divider{}, bot.Divider{}}}},
		{"file only", bot.Message{File: &bot.File{Name: "a.md", Data: []byte("x")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := renderPages(tt.msg)
			if len(pages) != 1 {
				t.Fatalf("%d pages", len(pages))
			}
			checkPages(t, pages)
		})
	}
}

func TestModalFor(t *testing.T) {
	g := testGrammar()
	tests := []struct {
		path   []string
		fixed  map[string]string
		fields []string
	}{
		{[]string{"goal", "add"}, nil, []string{"title", "category", "by", "why"}},
		{[]string{"checkin"}, map[string]string{"n": "2"}, []string{"percent", "note", "confidence"}},
		{[]string{"reflect"}, nil, []string{"text"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.path, " "), func(t *testing.T) {
			data := modalFor(g.FormFor(tt.path, tt.fixed))
			body, _ := json.Marshal(discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: data})
			checkOutgoing(t, []call{{Method: "POST", Path: "/interactions/x/y/callback", Body: body}})
			var got []string
			for _, r := range data.Components {
				got = append(got, r.(discordgo.ActionsRow).Components[0].(discordgo.TextInput).CustomID)
			}
			if strings.Join(got, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
			path, fixed, ok := parseFormCustomID(data.CustomID)
			if !ok || strings.Join(path, " ") != strings.Join(tt.path, " ") || len(fixed) != len(tt.fixed) {
				t.Errorf("custom id %q round-trips to %v %v", data.CustomID, path, fixed)
			}
		})
	}
}
