package slack

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plpbot/plpbot/bot"
)

func TestMrkdwnEscapesUserText(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		want      string   // exact output, if set
		contains  []string // substrings the output must have
		forbidden []string // substrings it must not have
	}{
		{name: "authored bold and italic", in: "Goal " + bot.Bold("1") + " is " + bot.Italic("on track"), want: "Goal *1* is _on track_"},
		{name: "pings are neutralised", in: "Note: " + bot.User("<!channel> <!here> <!everyone> <@U123>"),
			contains: []string{"&lt;!channel&gt;", "&lt;!here&gt;", "&lt;!everyone&gt;", "&lt;@U123&gt;"}, forbidden: []string{"<!", "<@"}},
		{name: "ampersands once", in: bot.User("Tom & Jerry &amp;"), want: "Tom &amp; Jerry &amp;amp;"},
		{name: "user formatting is fenced", in: bot.User("*free* _pizza_ ~now~ `code`"),
			contains:  []string{"\u200b*\u200bfree\u200b*\u200b", "\u200b_\u200bpizza", "\u200b~\u200bnow", "\u200b`\u200bcode"},
			forbidden: []string{"*free*", "_pizza_", "~now~", "`code`"}},
		{name: "bold around user text", in: bot.Bold(bot.User("Sam <3")), want: "*Sam &lt;3*"},
		{name: "authored angle brackets are escaped too", in: "Use goal add <title>", want: "Use goal add &lt;title&gt;"},
		{name: "empty bold adds nothing", in: bot.Bold(""), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mrkdwn(tt.in)
			if tt.want != "" || tt.contains == nil {
				if got != tt.want {
					t.Errorf("mrkdwn = %q, want %q", got, tt.want)
				}
			}
			for _, s := range tt.contains {
				if !strings.Contains(got, s) {
					t.Errorf("mrkdwn = %q, want it to contain %q", got, s)
				}
			}
			for _, s := range tt.forbidden {
				if strings.Contains(got, s) {
					t.Errorf("mrkdwn = %q, must not contain %q", got, s)
				}
			}
		})
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want []string
	}{
		{"short", 10, []string{"short"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"line one\nline two", 12, []string{"line one", "line two"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ééééé", 2, []string{"éé", "éé", "é"}},
	}
	for _, tt := range tests {
		got := splitText(tt.in, tt.max)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("splitText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestRenderingOfEachBlock(t *testing.T) {
	m := bot.Message{
		Title: "Sam's plan",
		Blocks: []bot.Block{
			bot.Text{Text: "Hello " + bot.User("Sam")},
			bot.Fields{Fields: []bot.Field{{Label: "Goals", Value: "3"}, {Label: "Next conference", Value: "2027-01-12"}}},
			bot.Progress{Label: "Read three novels", Percent: 60},
			bot.Progress{Label: "Run 5k", Percent: 130},
			bot.List{Items: []string{"Finish Beloved", "Start Dune"}},
			bot.Divider{},
			bot.Context{Text: "Last check-in 2 days ago"},
		},
		Buttons: []bot.Button{{Label: "Check in", Command: "checkin 1", Style: bot.Primary}, {Label: "Drop", Command: "goal drop 1", Style: bot.Danger}},
	}
	msgs := renderMessage(m)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	var types []string
	for _, b := range msgs[0].Blocks {
		types = append(types, string(b.BlockType()))
	}
	if got := strings.Join(types, ","); got != "header,section,section,section,section,divider,context,actions" {
		t.Errorf("blocks = %s", got)
	}
	ta := apiCall{Form: map[string][]string{"blocks": {mustJSON(t, msgs[0].Blocks)}}}
	text := ta.allText(t)
	for _, want := range []string{"Sam's plan", "*Goals*\n3", "Read three novels  ▰▰▰▰▰▰▱▱▱▱ 60%\nRun 5k  ▰▰▰▰▰▰▰▰▰▰ 100%", "• Finish Beloved\n• Start Dune", "Last check-in", "Check in"} {
		if !strings.Contains(text, want) {
			t.Errorf("rendered text lacks %q:\n%s", want, text)
		}
	}
	blocks := ta.blocks(t)
	acts := blocks[len(blocks)-1]["elements"].([]any)
	if b := acts[0].(map[string]any); b["value"] != "checkin 1" || b["style"] != "primary" || b["action_id"] != "plp_0" {
		t.Errorf("button = %v", b)
	}
	if b := acts[1].(map[string]any); b["style"] != "danger" || b["action_id"] != "plp_1" {
		t.Errorf("button = %v", b)
	}
	if !strings.Contains(msgs[0].Text, "Sam's plan") || !strings.Contains(msgs[0].Text, "Goals: 3") {
		t.Errorf("fallback = %q", msgs[0].Text)
	}
}

// checkLimits fails if a message breaks a Block Kit limit.
func checkLimits(t *testing.T, c apiCall) {
	t.Helper()
	blocks := c.blocks(t)
	if len(blocks) > MaxBlocksPerMessage {
		t.Errorf("%s: %d blocks", c.Method, len(blocks))
	}
	if c.param("text") == "" {
		t.Errorf("%s: no fallback text", c.Method)
	}
	total := 0
	count := func(s string, max int, what string) {
		n := utf8.RuneCountInString(s)
		total += n
		if n > max {
			t.Errorf("%s: %s of %d characters (max %d)", c.Method, what, n, max)
		}
	}
	for _, b := range blocks {
		switch b["type"] {
		case "header":
			count(b["text"].(map[string]any)["text"].(string), MaxHeaderText, "header")
		case "section":
			if txt, ok := b["text"].(map[string]any); ok {
				count(txt["text"].(string), MaxSectionText, "section text")
			}
			if fs, ok := b["fields"].([]any); ok {
				if len(fs) > MaxFieldsPerSection {
					t.Errorf("%s: %d fields", c.Method, len(fs))
				}
				for _, f := range fs {
					count(f.(map[string]any)["text"].(string), MaxFieldText, "field")
				}
			}
		case "context":
			for _, e := range b["elements"].([]any) {
				count(e.(map[string]any)["text"].(string), MaxSectionText, "context")
			}
		case "actions":
			es := b["elements"].([]any)
			if len(es) > MaxActionElements {
				t.Errorf("%s: %d buttons", c.Method, len(es))
			}
			for _, e := range es {
				btn := e.(map[string]any)
				count(btn["text"].(map[string]any)["text"].(string), MaxButtonText, "button text")
				if v := btn["value"].(string); utf8.RuneCountInString(v) > MaxButtonValue {
					t.Errorf("%s: button value of %d characters", c.Method, len(v))
				}
			}
		}
	}
	if total > MaxMessageChars {
		t.Errorf("%s: %d characters in one message", c.Method, total)
	}
}

func TestA200StudentRosterIsSplitWithinBlockKitLimits(t *testing.T) {
	var blocks []bot.Block
	var fields []bot.Field
	var names []string
	for i := range 200 {
		name := fmt.Sprintf("Student %03d", i)
		names = append(names, name)
		blocks = append(blocks, bot.Progress{Label: bot.Bold(bot.User(name)) + " · goal " + fmt.Sprint(i%5+1), Percent: i % 101})
		blocks = append(blocks, bot.Text{Text: bot.User(strings.Repeat("reflection ", 8) + name)})
		fields = append(fields, bot.Field{Label: name, Value: strings.Repeat("x", 2500)})
	}
	blocks = append(blocks, bot.Fields{Fields: fields[:25]})
	blocks = append(blocks, bot.List{Items: names})
	blocks = append(blocks, bot.Text{Text: strings.Repeat("A very long paragraph. ", 500)})
	var buttons []bot.Button
	for i := range 30 {
		buttons = append(buttons, bot.Button{Label: strings.Repeat("Check in ", 12), Command: fmt.Sprintf("student <@U%d>", i)})
	}
	roster := bot.Message{Visibility: bot.Private, Title: strings.Repeat("Period 3 English — roster ", 10), Blocks: blocks, Buttons: buttons}
	want := len(renderMessage(roster))
	if want < 3 {
		t.Fatalf("a 200-student roster became %d messages; expected a split", want)
	}

	ta := newTestAdapter(t, &recorder{reply: func(*bot.Request) ([]bot.Message, error) { return []bot.Message{roster}, nil }})
	ta.command(t, map[string]string{"text": "roster"})
	ta.rec.waitRequests(t, 1)
	ta.wait()
	var got []apiCall
	for _, c := range ta.fake.callsTo("") {
		if c.Method == "response_url" || c.Method == "chat.postMessage" {
			got = append(got, c)
		}
	}
	if len(got) != want {
		t.Fatalf("Slack received %d messages, want %d (%v)", len(got), want, ta.fake.methods())
	}
	if n := len(ta.fake.callsTo("response_url")); n != maxResponseURLPosts {
		t.Errorf("%d response_url posts, want the %d Slack allows, the rest by DM", n, maxResponseURLPosts)
	}
	var all strings.Builder
	for _, c := range got {
		if c.Status != http.StatusOK {
			t.Errorf("%s answered %d", c.Method, c.Status)
		}
		checkLimits(t, c)
		all.WriteString(c.allText(t))
	}
	for _, name := range names {
		if strings.Count(all.String(), name) < 3 {
			t.Errorf("%s is missing from some part of the roster", name)
			break
		}
	}
}

func TestButtonValuesCarryFormsWithinLimits(t *testing.T) {
	g := testGrammar()
	small := g.FormFor([]string{"checkin"}, map[string]string{"n": "1"})
	big := *small
	big.Fields = append([]bot.FormField(nil), small.Fields...)
	big.Fields[0].Placeholder = strings.Repeat("p", 3000)
	for _, tt := range []struct {
		name   string
		form   *bot.Form
		prefix string
	}{{"whole form", small, formPrefix}, {"reference", &big, formRefPrefix}} {
		t.Run(tt.name, func(t *testing.T) {
			v := buttonValue(bot.Button{Label: "Check in", Form: tt.form})
			if !strings.HasPrefix(v, tt.prefix) || utf8.RuneCountInString(v) > MaxButtonValue {
				t.Fatalf("value %q…", v[:min(len(v), 40)])
			}
			cmd, f := decodeButton(g, v)
			if cmd != "checkin" || f == nil || f.Fixed["n"] != "1" || len(f.Fields) != 2 {
				t.Errorf("decoded %q %+v", cmd, f)
			}
		})
	}
	if cmd, f := decodeButton(g, "goal list"); cmd != "goal list" || f != nil {
		t.Errorf("decoded %q %+v", cmd, f)
	}
}

func TestNoPingReachesSlackFromUserText(t *testing.T) {
	ping := bot.User("<!channel> <!here> hi")
	m := bot.Message{Title: ping, Blocks: []bot.Block{
		bot.Text{Text: ping}, bot.List{Items: []string{ping}}, bot.Progress{Label: ping, Percent: 5},
		bot.Fields{Fields: []bot.Field{{Label: ping, Value: ping}}}, bot.Context{Text: ping},
	}, Buttons: []bot.Button{{Label: ping, Command: "plan"}}}
	for _, r := range renderMessage(m) {
		c := apiCall{Form: map[string][]string{"blocks": {mustJSON(t, r.Blocks)}, "text": {r.Text}}}
		for _, bl := range c.blocks(t) {
			raw := mustJSON(t, bl)
			isPlain := bl["type"] == "header" || bl["type"] == "actions" // plain_text: Slack parses nothing
			if strings.Contains(raw, "<!channel>") && !isPlain {
				t.Errorf("a %s block carries a live ping: %s", bl["type"], raw)
			}
		}
		if strings.Contains(r.Text, "<!") {
			t.Errorf("fallback text carries a live ping: %q", r.Text)
		}
	}
}

func TestResponseURLsMustBeSlacks(t *testing.T) {
	ta := newTestAdapter(t, nil)
	tests := []struct {
		url  string
		want bool
	}{
		{"https://hooks.slack.com/commands/T1/1/abc", true},
		{"https://hooks.slack-gov.com/commands/T1/1/abc", true},
		{ta.fake.responseURL("x"), true}, // the configured API host
		{"http://hooks.slack.com/commands/T1/1/abc", false},
		{"https://evil.example/hooks.slack.com", false},
		{"https://slack.com.evil.example/", false},
		{"http://169.254.169.254/latest/meta-data", false},
	}
	for _, tt := range tests {
		if got := ta.trustedURL(tt.url); got != tt.want {
			t.Errorf("trustedURL(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}
