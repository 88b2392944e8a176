package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/storage"
)

// What a direct message means, decided in this order:
//   - a greeting, thanks or a short question gets help and the one next
//     step (a question can also be kept as a reflection, by a button);
//   - a line that parses as a command, with or without "/plp", "plp" or
//     "/", runs as one;
//   - a student's line that starts with a command's name but reads as a
//     sentence ("plan to study more") is kept undecided and they are asked,
//     with buttons, whether it was a reflection or the command;
//   - anything else is a reflection, the answer to the open prompt if any.
// Only what the person wrote is ever stored.

// handleDM answers a direct message.
func (h *Handlers) handleDM(ctx context.Context, c *call, raw string) ([]bot.Message, error) {
	text := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(raw, "\r\n", "\n"), "\r", "\n"))
	line, explicit := commandLine(text)
	first := strings.ToLower(firstWord(line))
	switch {
	case !explicit && isSmallTalk(text):
		return h.greet(ctx, c, "")
	case !explicit && (isQuestion(text) || first == "help" && !h.grammar.IsCommand(secondWord(line))):
		return h.greet(ctx, c, text)
	case !h.grammar.IsCommand(first):
		if explicit {
			_, err := h.grammar.Parse(line) // says what was meant, with a suggestion
			return nil, err
		}
		return h.dmReflection(ctx, c, text)
	}
	inv, err := h.grammar.Parse(line)
	// Staff type commands; a student's "plan to study more" is a sentence.
	sentence := !explicit && !c.Actor.Role.IsStaff() && len(strings.Fields(line)) >= 3
	if err != nil {
		if sentence {
			return h.askWhatItMeans(ctx, c, text, first)
		}
		return nil, err
	}
	c.Invocation = inv
	msgs, err := h.route(ctx, c)
	if _, isUser := bot.AsUserError(err); isUser && sentence {
		return h.askWhatItMeans(ctx, c, text, first)
	}
	return msgs, err
}

// commandLine strips what people put before a command in a DM: "/plp",
// "plp" or a bare "/". explicit is true when something was stripped: the
// person meant a command.
func commandLine(text string) (line string, explicit bool) {
	lower := strings.ToLower(text)
	for _, p := range []string{"/plp", "plp", "/"} {
		if !strings.HasPrefix(lower, p) {
			continue
		}
		rest := text[len(p):]
		if p == "/" || rest == "" || rest[0] == ' ' || rest[0] == '\n' {
			return strings.TrimSpace(rest), true
		}
	}
	return text, false
}

func firstWord(s string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return f
}

func secondWord(s string) string {
	_, rest, _ := strings.Cut(strings.TrimSpace(s), " ")
	return firstWord(rest)
}

// smallTalk are whole messages that greet or thank rather than say
// anything to keep.
var smallTalk = map[string]bool{
	"hi": true, "hello": true, "hey": true, "hiya": true, "yo": true, "sup": true, "howdy": true,
	"good morning": true, "good afternoon": true, "good evening": true, "hi there": true, "hello there": true,
	"thanks": true, "thank you": true, "thx": true, "ty": true, "ok": true, "okay": true, "cool": true,
	"help": true, "help me": true, "?": true, "start": true, "menu": true,
}

func isSmallTalk(text string) bool {
	t := strings.ToLower(strings.TrimFunc(text, func(r rune) bool { return unicode.IsPunct(r) && r != '?' || unicode.IsSpace(r) }))
	t = strings.TrimRight(t, "!.")
	return smallTalk[t] || smallTalk[strings.TrimSuffix(t, "?")] && strings.HasSuffix(t, "?")
}

// questionWords start the short questions that get help.
var questionWords = map[string]bool{
	"what": true, "how": true, "can": true, "could": true, "where": true, "who": true, "when": true,
	"is": true, "are": true, "do": true, "does": true, "should": true, "which": true, "will": true,
}

func isQuestion(text string) bool {
	words := strings.Fields(strings.ToLower(text))
	return strings.HasSuffix(text, "?") && len(words) <= 12 && len(words) > 0 && questionWords[words[0]]
}

// greet answers a greeting or a question with help for the person's role
// and their one next step. A question of some length is kept undecided
// with a button to save it as a reflection, so nothing is lost.
func (h *Handlers) greet(ctx context.Context, c *call, question string) ([]bot.Message, error) {
	var m bot.Message
	var err error
	if c.Actor.Role.IsStaff() {
		m = staffGreeting(c.Actor)
	} else if m, err = h.studentGreeting(ctx, c.Actor); err != nil {
		return nil, err
	}
	if len(strings.Fields(question)) >= 3 {
		if err := h.store.SetDraft(ctx, c.Actor.ID, question, h.now()); err != nil {
			return nil, err
		}
		m.Buttons = append(m.Buttons, bot.Button{Label: "Save my message as a reflection", Command: "keep"})
	}
	return []bot.Message{m}, nil
}

// studentGreeting welcomes a student with no goals to their first step, or
// shows one who has goals what to do next.
func (h *Handlers) studentGreeting(ctx context.Context, u *plpbot.Person) (bot.Message, error) {
	goals, err := h.store.Goals(ctx, u.ID)
	if err != nil {
		return bot.Message{}, fmt.Errorf("greet: %w", err)
	}
	name := bot.User(plpbot.FirstName(u.Name))
	active := activeGoals(goals)
	if len(active) == 0 {
		m := reply("Welcome, "+name+" 👋",
			bot.Text{Text: "I keep your learning plan: a few goals you care about, small steps, and quick check-ins your teachers can cheer on."},
			bot.Text{Text: "Your first step: pick one thing you'd like to get better at this term. `/plp goal add TITLE`"},
			bot.Context{Text: "Any time: `/plp help` shows what I can do."})
		m.Buttons = []bot.Button{h.addGoalButton(bot.Primary)}
		return m, nil
	}
	g := active[0]
	m := reply("Hi "+name+" 👋",
		bot.Text{Text: "Here's what you can do:"},
		bot.List{Items: []string{
			fmt.Sprintf("`/plp checkin %d 40%%` — log progress on %s", g.Number, goalRef(&g)),
			"`/plp reflect TEXT` — or just tell me how your week went",
			"`/plp plan` — your whole plan",
			"`/plp help` — everything else",
		}})
	m.Buttons = []bot.Button{h.checkInButton(active[:1]), {Label: "See my plan", Command: "plan"}}
	return m, nil
}

// staffGreeting shows staff their most used commands.
func staffGreeting(u *plpbot.Person) bot.Message {
	return reply("Hi "+bot.User(plpbot.FirstName(u.Name))+" 👋",
		bot.Text{Text: "Here's what you can do:"},
		bot.List{Items: []string{
			"`/plp roster` — your class at a glance",
			"`/plp student @name` — one student's plan",
			"`/plp conference @name YYYY-MM-DD 15:00` — book a conference",
			"`/plp help` — everything else",
		}})
}

// askWhatItMeans keeps a DM that reads both as a command and as a sentence
// and asks which it was, with a button for each.
func (h *Handlers) askWhatItMeans(ctx context.Context, c *call, text, command string) ([]bot.Message, error) {
	if err := h.checkDMText(text); err != nil {
		return nil, err
	}
	if err := h.store.SetDraft(ctx, c.Actor.ID, text, h.now()); err != nil {
		return nil, err
	}
	m := reply("",
		bot.Text{Text: fmt.Sprintf("Did you mean that as a reflection, or as the command `/plp %s`?", command)},
		bot.Context{Text: "Nothing is saved until you choose."})
	m.Buttons = []bot.Button{
		{Label: "Save as a reflection", Command: "keep", Style: bot.Primary},
		{Label: "How /plp " + command + " works", Command: "help " + command},
	}
	return []bot.Message{m}, nil
}

// cmdKeep saves the DM the person was asked about as a reflection.
func (h *Handlers) cmdKeep(ctx context.Context, c *call) ([]bot.Message, error) {
	text, err := h.store.TakeDraft(ctx, c.Actor.ID, h.now())
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &bot.UserError{Code: bot.ENotFound, Message: "There's nothing waiting to be saved.",
			Hint: "Send me a few words about your week and I'll keep them as a reflection, or use `/plp reflect TEXT`."}
	}
	if err != nil {
		return nil, err
	}
	return h.saveReflection(ctx, c, text)
}

// dmReflection takes a direct message that isn't a command as a reflection
// (the answer to the open prompt, if any). Empty, oversize or unreadable
// text is refused with a friendly note and nothing is stored.
func (h *Handlers) dmReflection(ctx context.Context, c *call, text string) ([]bot.Message, error) {
	if err := h.checkDMText(text); err != nil {
		return nil, err
	}
	return h.saveReflection(ctx, c, text)
}

// checkDMText refuses empty, oversize or unreadable text.
func (h *Handlers) checkDMText(text string) error {
	switch {
	case text == "":
		return &bot.UserError{Code: bot.EInvalid,
			Message: "Send me a few words about your week and I'll save them as a reflection.",
			Hint:    "Or see what I can do: `/plp help`"}
	case !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool {
		return (unicode.IsControl(r) && r != '\n' && r != '\t') || bot.StripMarkup(string(r)) == ""
	}):
		return &bot.UserError{Code: bot.EInvalid,
			Message: "Your message has a hidden character I can't store. Could you type it again without it?"}
	}
	if n := utf8.RuneCountInString(text); n > plpbot.MaxTextLen {
		return &bot.UserError{Code: bot.EInvalid,
			Message: fmt.Sprintf("That's %d characters; a reflection can be up to %d. Could you send it in two parts?", n, plpbot.MaxTextLen)}
	}
	return nil
}
