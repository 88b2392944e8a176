package bot

import (
	"strings"
	"unicode/utf8"
)

// Span markers of the inline markup. They are Unicode private-use code
// points, which the parser refuses in user input, so user text can never
// open or close a span.
const (
	userOpen    = '\uE000'
	userClose   = '\uE001'
	boldOpen    = '\uE002'
	boldClose   = '\uE003'
	italicOpen  = '\uE004'
	italicClose = '\uE005'
)

// User marks s as user-entered text: adapters escape it for their platform
// so it shows literally and can never mention a channel or add formatting.
// Markers inside s are removed.
func User(s string) string {
	return string(userOpen) + StripMarkup(s) + string(userClose)
}

// Bold marks s as strong text. s may contain User spans.
func Bold(s string) string { return string(boldOpen) + s + string(boldClose) }

// Italic marks s as emphasised text. s may contain User spans.
func Italic(s string) string { return string(italicOpen) + s + string(italicClose) }

// StripMarkup removes every markup marker from s.
func StripMarkup(s string) string {
	if !strings.ContainsFunc(s, IsMarker) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsMarker(r) {
			return -1
		}
		return r
	}, s)
}

// IsMarker reports whether r is a span marker of the inline markup. Text a
// person types must never contain one, so it can never open or close a span:
// parsers refuse markers and echoes drop them.
func IsMarker(r rune) bool { return r >= userOpen && r <= italicClose }

// Dialect is how one platform writes the inline markup.
type Dialect struct {
	// Escape makes user text literal (Slack: &, <, >; Discord: markdown and mentions).
	Escape func(string) string
	// Bold and Italic wrap already-rendered text.
	Bold   func(string) string
	Italic func(string) string
}

// PlainDialect drops all formatting; user text is kept as is.
var PlainDialect = Dialect{
	Escape: func(s string) string { return s },
	Bold:   func(s string) string { return s },
	Italic: func(s string) string { return s },
}

// Format renders text written with User, Bold and Italic in dialect d.
// Authored text outside User spans is passed through unescaped: it is ours.
func Format(text string, d Dialect) string {
	if !strings.ContainsFunc(text, IsMarker) {
		return text
	}
	out, _ := formatUntil(text, 0, d)
	return out
}

// formatUntil renders text until the closing marker `until` (0 = end) and
// returns the rendered string and the rest of the input.
func formatUntil(text string, until rune, d Dialect) (string, string) {
	var b strings.Builder
	for len(text) > 0 {
		i := strings.IndexFunc(text, IsMarker)
		if i < 0 {
			b.WriteString(text)
			return b.String(), ""
		}
		b.WriteString(text[:i])
		r, size := utf8.DecodeRuneInString(text[i:])
		text = text[i+size:]
		switch r {
		case until:
			return b.String(), text
		case userOpen:
			j := strings.IndexRune(text, userClose)
			if j < 0 {
				j = len(text)
				b.WriteString(d.Escape(StripMarkup(text)))
				return b.String(), ""
			}
			b.WriteString(d.Escape(StripMarkup(text[:j])))
			text = text[j+len(string(userClose)):]
		case boldOpen:
			var inner string
			inner, text = formatUntil(text, boldClose, d)
			b.WriteString(d.Bold(inner))
		case italicOpen:
			var inner string
			inner, text = formatUntil(text, italicClose, d)
			b.WriteString(d.Italic(inner))
		default:
			// A stray closing marker: drop it.
		}
	}
	return b.String(), ""
}
