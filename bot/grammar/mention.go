package grammar

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot/bot"
)

// parseMention reads one mention of a person: Slack <@U123|name> or <@U123>,
// Discord <@123> or <@!123>, or the console's @name (user id and name are
// then both the lower-cased name, and the platform is the console's). ok is false when s is not a mention at
// all; an error means s mentions something that is not one person, such as
// @everyone, <!here> or a Discord role.
func parseMention(s string) (id bot.Identity, ok bool, uerr *bot.UserError) {
	s = strings.TrimRight(s, ",;.!?")
	group := func() (bot.Identity, bool, *bot.UserError) {
		return bot.Identity{}, false, &bot.UserError{Code: bot.EInvalid,
			Message: echo(s) + " means a whole group, not one person. Mention one person, such as @sam."}
	}
	bad := func() (bot.Identity, bool, *bot.UserError) {
		return bot.Identity{}, false, &bot.UserError{Code: bot.EInvalid,
			Message: "I can't read the mention " + echo(s) + ". Mention one person, such as @sam."}
	}
	switch {
	case strings.HasPrefix(s, "<!"):
		return group()
	case strings.HasPrefix(s, "<@&"):
		return bot.Identity{}, false, &bot.UserError{Code: bot.EInvalid,
			Message: "That's a role, not a person. Mention one person, such as @sam."}
	case strings.HasPrefix(s, "<@"):
		if !strings.HasSuffix(s, ">") {
			return bad()
		}
		inner := strings.TrimPrefix(s[2:len(s)-1], "!")
		uid, name, _ := strings.Cut(inner, "|")
		if !isPlatformID(uid) {
			return bad()
		}
		if !isPrintable(name) || utf8.RuneCountInString(name) > 80 {
			name = ""
		}
		return bot.Identity{UserID: uid, Name: name}, true, nil
	case strings.HasPrefix(s, "@") && len(s) > 1:
		name := strings.ToLower(s[1:])
		switch name {
		case "everyone", "here", "channel":
			return group()
		}
		if utf8.RuneCountInString(name) > 80 || strings.IndexFunc(name, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '_' && r != '-'
		}) >= 0 {
			return bad()
		}
		// The console's own syntax: on Slack and Discord, text that only
		// looks like a mention (nobody was picked from the list).
		return bot.Identity{Platform: bot.Console, UserID: name, Name: name}, true, nil
	}
	return bot.Identity{}, false, nil
}

// isPlatformID reports whether s looks like a Discord snowflake (digits) or
// a Slack user id (U or W then upper-case letters and digits).
func isPlatformID(s string) bool {
	if s == "" || len(s) > 24 {
		return false
	}
	digits, slack := true, s[0] == 'U' || s[0] == 'W'
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			digits = false
		}
		if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			slack = false
		}
	}
	return digits || (slack && len(s) > 1)
}
