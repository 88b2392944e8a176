package slack

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/grammar"
	"github.com/slack-go/slack"
)

// Block Kit limits (docs.slack.dev/reference/block-kit). Rendering enforces
// them by splitting content across blocks and messages, never by dropping it.
const (
	MaxBlocksPerMessage = 50    // blocks in one message
	MaxBlocksPerView    = 100   // blocks in a modal or the App Home
	MaxSectionText      = 3000  // characters in a section's text
	MaxFieldText        = 2000  // characters in one section field
	MaxFieldsPerSection = 10    // fields in one section
	MaxHeaderText       = 150   // characters in a header
	MaxActionElements   = 25    // elements in one actions block
	MaxButtonText       = 75    // characters on a button
	MaxButtonValue      = 2000  // characters in a button's value
	MaxMessageChars     = 12000 // all text in one message; Slack has refused ~13,000
	maxFallbackText     = 3000  // the notification text of one message
	maxFieldSection     = MaxMessageChars / 2
	progressBarCells    = 10
)

// Button values carry what a press should do: a command line, or a form to
// open. Both fit in MaxButtonValue; a form too large to carry whole is sent
// as a reference (its command and fixed arguments) and rebuilt from the
// grammar on press.
const (
	formPrefix    = "form:"
	formRefPrefix = "formref:"
	actionPrefix  = "plp_"
)

// mrkdwnEscaper makes text literal in Slack's mrkdwn: &, < and > become
// entities, which also neutralises <!channel>, <!here> and <@U…> pings.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// formattingNeutraliser stops user text from adding bold, italic, strike or
// code. mrkdwn has no escape for these, so each marker is fenced with zero
// width spaces on both sides: whether Slack reads U+200B as a word character
// or as a space, a marker next to it can neither open nor close a span
// (an opener needs a boundary before it and text after it; a closer the
// reverse). The text still reads the same.
var formattingNeutraliser = strings.NewReplacer(
	"*", "\u200b*\u200b",
	"_", "\u200b_\u200b",
	"~", "\u200b~\u200b",
	"`", "\u200b`\u200b",
)

// mrkdwn renders the inline markup of package bot as Slack mrkdwn. All text
// is entity-escaped (authored text is platform-neutral, so it never holds
// Slack syntax on purpose); user spans are additionally stripped of
// formatting power.
func mrkdwn(text string) string {
	return bot.Format(mrkdwnEscaper.Replace(text), bot.Dialect{
		Escape: formattingNeutraliser.Replace,
		Bold:   wrapWith("*"),
		Italic: wrapWith("_"),
	})
}

func wrapWith(marker string) func(string) string {
	return func(s string) string {
		if strings.TrimSpace(s) == "" {
			return s
		}
		return marker + s + marker
	}
}

// plain renders the inline markup as plain text, for plain_text objects and
// fallbacks, where Slack parses nothing.
func plain(text string) string { return bot.Format(text, bot.PlainDialect) }

// piece is one rendered block with what it costs and how it reads as text.
type piece struct {
	block slack.Block
	plain string // for the notification fallback
	size  int    // characters of text it carries
}

// rendered is one Slack message, ready for chat.postMessage or a response_url.
type rendered struct {
	Text   string // plain fallback for notifications and screen readers
	Blocks []slack.Block
}

// renderMessage turns m into one or more Slack messages, each within Block
// Kit's limits. The title heads the first message; buttons end the last.
func renderMessage(m bot.Message) []rendered {
	return pack(renderPieces(m), MaxBlocksPerMessage, MaxMessageChars)
}

// renderPieces renders m into blocks without grouping them into messages.
func renderPieces(m bot.Message) []piece {
	var out []piece
	if t := strings.TrimSpace(plain(m.Title)); t != "" {
		t = truncate(t, MaxHeaderText)
		out = append(out, piece{
			block: slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, t, true, false)),
			plain: t,
			size:  runeLen(t),
		})
	}
	blocks := m.Blocks
	for i := 0; i < len(blocks); i++ {
		switch b := blocks[i].(type) {
		case bot.Text:
			out = append(out, sections([]line{{md: mrkdwn(b.Text), plain: plain(b.Text)}})...)
		case bot.List:
			items := make([]string, 0, len(b.Items))
			for _, it := range b.Items {
				items = append(items, "• "+it)
			}
			out = append(out, sections(lines(items))...)
		case bot.Progress:
			// Consecutive bars share sections: a roster of 200 students
			// then costs a handful of blocks, not 200.
			var bars []string
			for ; i < len(blocks); i++ {
				p, ok := blocks[i].(bot.Progress)
				if !ok {
					break
				}
				bars = append(bars, progressLine(p))
			}
			i--
			out = append(out, sections(lines(bars))...)
		case bot.Fields:
			out = append(out, fieldSections(b.Fields)...)
		case bot.Context:
			for _, chunk := range splitText(mrkdwn(b.Text), MaxSectionText) {
				out = append(out, piece{
					block: slack.NewContextBlock("", slack.NewTextBlockObject(slack.MarkdownType, chunk, false, false)),
					plain: plain(b.Text),
					size:  runeLen(chunk),
				})
			}
		case bot.Divider:
			out = append(out, piece{block: slack.NewDividerBlock()})
		}
	}
	out = append(out, actions(m.Buttons)...)
	return out
}

// progressLine draws "Label  ▰▰▰▰▰▰▱▱▱▱ 60%".
func progressLine(p bot.Progress) string {
	pct := min(max(p.Percent, 0), 100)
	return p.Label + "  " + bot.Bar(pct, progressBarCells) + " " + strconv.Itoa(pct) + "%"
}

// line is one paragraph or list line, rendered as mrkdwn and as plain text.
type line struct{ md, plain string }

// lines renders each string of inline markup separately (a list item, a bar).
func lines(texts []string) []line {
	out := make([]line, 0, len(texts))
	for _, t := range texts {
		out = append(out, line{md: mrkdwn(t), plain: plain(t)})
	}
	return out
}

// sections packs lines into mrkdwn sections, as many to a section as fit in
// MaxSectionText; a longer line is split at line breaks or spaces.
func sections(ls []line) []piece {
	var out []piece
	var text []string
	var plains []string
	size := 0
	flush := func() {
		t := strings.Join(text, "\n")
		if strings.TrimSpace(t) != "" {
			out = append(out, piece{
				block: slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, t, false, false), nil, nil),
				plain: strings.Join(plains, "\n"),
				size:  runeLen(t),
			})
		}
		text, plains, size = nil, nil, 0
	}
	for _, l := range ls {
		for _, chunk := range splitText(l.md, MaxSectionText) {
			n := runeLen(chunk)
			if len(text) > 0 && size+1+n > MaxSectionText {
				flush()
			}
			if len(text) > 0 {
				size++
			}
			text = append(text, chunk)
			size += n
		}
		plains = append(plains, l.plain)
	}
	flush()
	return out
}

// fieldSections renders label/value pairs as sections of at most ten
// fields and maxFieldSection characters, so one section always fits in a
// message.
func fieldSections(fields []bot.Field) []piece {
	var out []piece
	var objs []*slack.TextBlockObject
	var plains []string
	size := 0
	flush := func() {
		if len(objs) > 0 {
			out = append(out, piece{block: slack.NewSectionBlock(nil, objs, nil), plain: strings.Join(plains, "\n"), size: size})
		}
		objs, plains, size = nil, nil, 0
	}
	for _, f := range fields {
		t := truncate("*"+mrkdwn(f.Label)+"*\n"+mrkdwn(f.Value), MaxFieldText)
		n := runeLen(t)
		if len(objs) == MaxFieldsPerSection || (len(objs) > 0 && size+n > maxFieldSection) {
			flush()
		}
		objs = append(objs, slack.NewTextBlockObject(slack.MarkdownType, t, false, false))
		plains = append(plains, plain(f.Label)+": "+plain(f.Value))
		size += n
	}
	flush()
	return out
}

// actions renders buttons as actions blocks of at most 25 buttons.
func actions(buttons []bot.Button) []piece {
	var out []piece
	for start := 0; start < len(buttons); start += MaxActionElements {
		end := min(start+MaxActionElements, len(buttons))
		var elems []slack.BlockElement
		size := 0
		for i, b := range buttons[start:end] {
			label := truncate(plain(b.Label), MaxButtonText)
			value := buttonValue(b)
			btn := slack.NewButtonBlockElement(actionPrefix+strconv.Itoa(start+i), value,
				slack.NewTextBlockObject(slack.PlainTextType, label, true, false))
			switch b.Style {
			case bot.Primary:
				btn = btn.WithStyle(slack.StylePrimary)
			case bot.Danger:
				btn = btn.WithStyle(slack.StyleDanger)
			}
			elems = append(elems, btn)
			size += runeLen(label)
		}
		out = append(out, piece{block: slack.NewActionBlock("", elems...), size: size})
	}
	return out
}

// formRef is the compact form of a button's form: the grammar rebuilds the
// fields.
type formRef struct {
	Command string            `json:"c"`
	Fixed   map[string]string `json:"f,omitempty"`
}

// buttonValue encodes what pressing b does.
func buttonValue(b bot.Button) string {
	if b.Form == nil {
		return b.Command
	}
	if raw, err := json.Marshal(b.Form); err == nil && len(formPrefix)+utf8.RuneCount(raw) <= MaxButtonValue {
		return formPrefix + string(raw)
	}
	raw, _ := json.Marshal(formRef{Command: b.Form.Command, Fixed: b.Form.Fixed})
	return formRefPrefix + string(raw)
}

// decodeButton reads a button value: a command line, or a form to open.
func decodeButton(g *grammar.Grammar, value string) (command string, form *bot.Form) {
	switch {
	case strings.HasPrefix(value, formPrefix):
		var f bot.Form
		if err := json.Unmarshal([]byte(value[len(formPrefix):]), &f); err != nil {
			return "", nil
		}
		return f.Command, &f
	case strings.HasPrefix(value, formRefPrefix):
		var r formRef
		if err := json.Unmarshal([]byte(value[len(formRefPrefix):]), &r); err != nil {
			return "", nil
		}
		return r.Command, g.FormFor(strings.Fields(r.Command), r.Fixed)
	}
	return value, nil
}

// pack groups pieces into messages of at most maxBlocks blocks and maxChars
// characters.
func pack(pieces []piece, maxBlocks, maxChars int) []rendered {
	var out []rendered
	var cur rendered
	var plains []string
	size := 0
	flush := func() {
		if len(cur.Blocks) == 0 {
			return
		}
		cur.Text = fallback(plains)
		out = append(out, cur)
		cur, plains, size = rendered{}, nil, 0
	}
	for _, p := range pieces {
		if len(cur.Blocks)+1 > maxBlocks || (len(cur.Blocks) > 0 && size+p.size > maxChars) {
			flush()
		}
		cur.Blocks = append(cur.Blocks, p.block)
		if p.plain != "" {
			plains = append(plains, p.plain)
		}
		size += p.size
	}
	flush()
	return out
}

// fallback is the notification text of a message: its plain text, cut to a
// length notifications show. Slack reads it as mrkdwn too, so it is
// entity-escaped: a student's "<!channel>" must not ping from here either.
func fallback(plains []string) string {
	t := strings.TrimSpace(strings.Join(plains, "\n"))
	if t == "" {
		t = "plpbot"
	}
	return mrkdwnEscaper.Replace(truncate(t, maxFallbackText))
}

// homeBlocks renders messages for the App Home: one view of at most
// MaxBlocksPerView blocks, the messages separated by dividers.
func homeBlocks(msgs []bot.Message) []slack.Block {
	var blocks []slack.Block
	for i, m := range msgs {
		if i > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		for _, p := range renderPieces(m) {
			blocks = append(blocks, p.block)
		}
	}
	if len(blocks) > MaxBlocksPerView {
		blocks = append(blocks[:MaxBlocksPerView-1], slack.NewContextBlock("",
			slack.NewTextBlockObject(slack.MarkdownType, "There's more: type `/plp plan` to see all of it.", false, false)))
	}
	return blocks
}

// splitText cuts s into pieces of at most max characters, at a line break
// if there is one, else at a space, else mid-word.
func splitText(s string, max int) []string {
	var out []string
	for runeLen(s) > max {
		r := []rune(s)
		cut := max
		head := string(r[:max])
		if i := strings.LastIndex(head, "\n"); i > 0 {
			cut = utf8.RuneCountInString(head[:i])
		} else if i := strings.LastIndex(head, " "); i > 0 {
			cut = utf8.RuneCountInString(head[:i])
		}
		out = append(out, strings.TrimRight(string(r[:cut]), " \n"))
		s = strings.TrimLeft(string(r[cut:]), " \n")
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// truncate cuts s to at most max characters, ending with "…" if cut.
func truncate(s string, max int) string {
	if runeLen(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
