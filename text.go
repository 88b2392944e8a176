package plpbot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what people type, in characters.
const (
	// MaxTitleLen bounds goal titles, step texts and class names.
	MaxTitleLen = 200
	// MaxTextLen bounds reflections, notes, feedback, agenda items and
	// profile fields.
	MaxTextLen = 2000
	// MaxTagLen bounds a goal's competency or standard tag.
	MaxTagLen = 100
	// MaxClassNameLen bounds a class name.
	MaxClassNameLen = 100
)

// ValidateText checks one piece of text a person typed: valid UTF-8, no
// control characters except newline and tab, at most max characters, and
// (when required) not blank. field names it in the error.
func ValidateText(field, text string, max int, required bool) error {
	switch {
	case !utf8.ValidString(text):
		return fieldErrorf(field, "The %s has a character I can't read. Could you type it again?", field)
	case required && strings.TrimSpace(text) == "":
		return fieldErrorf(field, "The %s is empty.", field)
	case strings.ContainsFunc(text, isForbiddenControl):
		return fieldErrorf(field, "The %s has a hidden control character. Could you type it again without it?", field)
	}
	if n := utf8.RuneCountInString(text); n > max {
		return fieldErrorf(field, "The %s is %d characters; the limit is %d.", field, n, max)
	}
	return nil
}

func isForbiddenControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// FirstName is the first word of a display name, for a friendly greeting.
func FirstName(name string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return f
}

// Clip shortens s to at most n characters, ending with "…" when cut. It
// cuts between words, so a message never ends mid-word, unless one word
// fills more than half of the room.
func Clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 2 {
		return "…"
	}
	cut := n - 1
	for i := cut; i > cut/2; i-- {
		if unicode.IsSpace(r[i]) && !unicode.IsSpace(r[i-1]) {
			return string(r[:i]) + "…"
		}
	}
	return string(r[:cut]) + "…"
}
