package grammar

import (
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
)

func TestNearest(t *testing.T) {
	cands := []string{"help", "plan", "goal", "checkin", "conference", "reflect", "role"}
	tests := []struct{ word, want string }{
		{"chekin", "checkin"},
		{"CHECKIN", "checkin"},
		{"goals", "goal"},
		{"conf", "conference"},
		{"refelct", "reflect"},
		{"xyzzy", ""},
		{"", ""},
		{strings.Repeat("a", 100), ""},
	}
	for _, tt := range tests {
		if got := Nearest(tt.word, cands); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestEchoEscapesAndShortens(t *testing.T) {
	got := echo("a\x00b\ue001" + strings.Repeat("x", 60))
	// Control characters and markers dropped, cut to 40 characters, and
	// wrapped in a User span so adapters escape it.
	if want := bot.User("ab" + strings.Repeat("x", 37) + "…"); got != want {
		t.Errorf("echo = %q, want %q", got, want)
	}
}
