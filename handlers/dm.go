package handlers

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// dmReflection takes a direct message that isn't a command as a reflection
// (the answer to the open prompt, if any). Empty, oversize or unreadable
// text is refused with a friendly note and nothing is stored.
func (h *Handlers) dmReflection(ctx context.Context, c *call, text string) ([]bot.Message, error) {
	text = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n"))
	switch {
	case text == "":
		return nil, &bot.UserError{Code: bot.EInvalid,
			Message: "Send me a few words about your week and I'll save them as a reflection.",
			Hint:    "Or see what I can do: `/plp help`"}
	case !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool {
		return (unicode.IsControl(r) && r != '\n' && r != '\t') || bot.StripMarkup(string(r)) == ""
	}):
		return nil, &bot.UserError{Code: bot.EInvalid,
			Message: "Your message has a hidden character I can't store. Could you type it again without it?"}
	}
	if n := utf8.RuneCountInString(text); n > plpbot.MaxTextLen {
		return nil, &bot.UserError{Code: bot.EInvalid,
			Message: fmt.Sprintf("That's %d characters; a reflection can be up to %d. Could you send it in two parts?", n, plpbot.MaxTextLen)}
	}
	return h.saveReflection(ctx, c, text)
}
