package grammar

import (
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
)

func TestParseMention(t *testing.T) {
	tests := []struct {
		in      string
		want    bot.Identity
		ok      bool
		errPart string
	}{
		{in: "<@U123ABC|sam>", want: bot.Identity{UserID: "U123ABC", Name: "sam"}, ok: true},
		{in: "<@W42>", want: bot.Identity{UserID: "W42"}, ok: true},
		{in: "<@80351110224678912>", want: bot.Identity{UserID: "80351110224678912"}, ok: true},
		{in: "<@!80351110224678912>", want: bot.Identity{UserID: "80351110224678912"}, ok: true},
		{in: "@Sam", want: bot.Identity{Platform: bot.Console, UserID: "sam", Name: "sam"}, ok: true},
		{in: "@ms.lee,", want: bot.Identity{Platform: bot.Console, UserID: "ms.lee", Name: "ms.lee"}, ok: true},
		{in: "sam"},
		{in: "@"},
		{in: "@everyone", errPart: "whole group"},
		{in: "@HERE", errPart: "whole group"},
		{in: "<!channel>", errPart: "whole group"},
		{in: "<!here>", errPart: "whole group"},
		{in: "<!subteam^S1|@team>", errPart: "whole group"},
		{in: "<@&123>", errPart: "role, not a person"},
		{in: "<@nope>", errPart: "can't read the mention"},
		{in: "<@U123", errPart: "can't read the mention"},
		{in: "@sam<b>", errPart: "can't read the mention"},
	}
	for _, tt := range tests {
		got, ok, uerr := parseMention(tt.in)
		if tt.errPart != "" {
			if uerr == nil || !strings.Contains(uerr.Message, tt.errPart) {
				t.Errorf("parseMention(%q) error = %v, want one containing %q", tt.in, uerr, tt.errPart)
			}
			continue
		}
		if uerr != nil || ok != tt.ok || got != tt.want {
			t.Errorf("parseMention(%q) = %+v, %v, %v; want %+v, %v", tt.in, got, ok, uerr, tt.want, tt.ok)
		}
	}
}
