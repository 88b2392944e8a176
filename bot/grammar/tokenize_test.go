package grammar

import (
	"reflect"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"a b  c", []string{"a", "b", "c"}},
		{"  lead\ttab\nnew  ", []string{"lead", "tab", "new"}},
		{`schedule reflections "0 14 * * FRI"`, []string{"schedule", "reflections", "0 14 * * FRI"}},
		{"x “0 14 * * FRI” y", []string{"x", "0 14 * * FRI", "y"}},
		{`why:"two words" next`, []string{"why:two words", "next"}},
		{`an "unterminated quote`, []string{"an", `"unterminated`, "quote"}},
		{`I'm "fine" ok`, []string{"I'm", "fine", "ok"}},
		{`""`, []string{""}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range tokenize(tt.line) {
			got = append(got, tok.val)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("tokenize(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
