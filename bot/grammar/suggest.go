package grammar

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// maxSuggestLen bounds the words we compare: a 40-letter word is not a typo
// of a command name, and the edit distance is quadratic.
const maxSuggestLen = 40

// Nearest returns the candidate closest to word (case-insensitive) if it is
// close enough to be a likely typo or an abbreviation, else "". Ties go to
// the earlier candidate, so callers list the most common first.
func Nearest(word string, candidates []string) string {
	w := strings.ToLower(strings.TrimSpace(word))
	if w == "" || utf8.RuneCountInString(w) > maxSuggestLen {
		return ""
	}
	best, bestD := "", -1
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if lc == w {
			return c
		}
		d := levenshtein.ComputeDistance(w, lc)
		if d > typoBudget(w, lc) {
			continue
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" {
		return best
	}
	// An abbreviation: "conf" for "conference", "ref" for "reflect".
	if utf8.RuneCountInString(w) >= 3 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), w) {
				return c
			}
		}
	}
	return ""
}

// typoBudget is how many edits still look like a typo: one for short
// words, about a third of the longer word otherwise.
func typoBudget(a, b string) int {
	n := max(utf8.RuneCountInString(a), utf8.RuneCountInString(b))
	return max(1, n/3)
}

// typedNamesIn returns the names people type among cmds: every name but a
// Default subcommand's, which runs without being named ("/plp away until
// …" runs "away set"), so suggesting it would teach a word nobody needs.
func typedNamesIn(cmds []*Command) []string {
	names := make([]string, 0, len(cmds))
	for _, c := range cmds {
		if !c.Default {
			names = append(names, c.Name)
		}
	}
	return names
}

// defaultNamesIn returns the names of the Default subcommands among cmds.
func defaultNamesIn(cmds []*Command) []string {
	var names []string
	for _, c := range cmds {
		if c.Default {
			names = append(names, c.Name)
		}
	}
	return names
}

// listWords joins words as "a, b or c".
func listWords(words []string, conj string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// echo prepares a value a person typed for quoting back in a message: at
// most 40 characters (cut between words where it can), control characters
// and markup markers removed, and wrapped in bot.User so adapters escape it.
func echo(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		if unicode.IsControl(r) || bot.IsMarker(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return bot.User(plpbot.Clip(strings.TrimSpace(s), 40))
}
