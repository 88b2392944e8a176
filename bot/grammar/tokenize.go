package grammar

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a command line. Text arguments are cut from the line
// itself (line[start:end]) so their spacing, newlines and quotes survive;
// other arguments use val, the word with its quotes removed.
type token struct {
	val        string
	start, end int  // byte offsets of the raw word in the line
	quoted     bool // the whole word was one quoted string
}

// isQuote reports whether r opens or closes a quoted string. Phones turn "
// into smart quotes, so “ ” „ count too; apostrophes do not (I'm, don't).
func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

// tokenize splits line on white space, keeping "quoted strings" together.
// A quote with no closing partner is an ordinary character.
func tokenize(line string) []token {
	var toks []token
	i := 0
	for i < len(line) {
		r, n := utf8.DecodeRuneInString(line[i:])
		if unicode.IsSpace(r) {
			i += n
			continue
		}
		t := token{start: i}
		var b strings.Builder
		whole := isQuote(r)
		for i < len(line) {
			r, n = utf8.DecodeRuneInString(line[i:])
			if unicode.IsSpace(r) {
				break
			}
			if isQuote(r) {
				if j := strings.IndexFunc(line[i+n:], isQuote); j >= 0 {
					b.WriteString(line[i+n : i+n+j])
					_, qn := utf8.DecodeRuneInString(line[i+n+j:])
					i += n + j + qn
					if whole && (i >= len(line) || startsWithSpace(line[i:])) {
						t.quoted = true
					}
					whole = false
					continue
				}
			}
			whole = false
			b.WriteString(line[i : i+n])
			i += n
		}
		t.end = i
		t.val = b.String()
		toks = append(toks, t)
	}
	return toks
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// unquoteAll returns the value of a keyed word after its colon, with its
// quotes removed.
func unquoteAll(s string) string {
	var parts []string
	for _, t := range tokenize(s) {
		parts = append(parts, t.val)
	}
	return strings.Join(parts, " ")
}

// unquoteWhole removes the quotes around s if s is one quoted string.
func unquoteWhole(s string) string {
	ts := tokenize(s)
	if len(ts) == 1 && ts[0].quoted {
		return ts[0].val
	}
	return s
}

func normalizeNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
