package console

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot/bot/grammar"
)

// consoleCommands returns the ":" commands' names, for suggestions.
func consoleCommands() []string {
	return []string{"as", "channel", "advance", "now", "dashboard", "help", "quit"}
}

// consoleCommand runs a line starting with ":".
func (c *Console) consoleCommand(ctx context.Context, line string) (bool, error) {
	word, rest, _ := strings.Cut(strings.TrimPrefix(line, ":"), " ")
	word = strings.ToLower(strings.TrimSpace(word))
	rest = strings.TrimSpace(rest)
	switch word {
	case "quit", "q", "exit":
		return true, nil
	case "help", "h", "?":
		return false, c.help()
	case "as":
		return false, c.switchUser(rest)
	case "channel":
		return false, c.switchChannel(rest)
	case "advance":
		return false, c.advance(ctx, rest)
	case "now":
		return false, c.now(rest)
	case "dashboard":
		// The same one-time link /plp dashboard gives, for whoever :as
		// made the current person, so a newcomer can open it at once.
		return false, c.ask(ctx, "dashboard", true)
	}
	msg := fmt.Sprintf("I don't know :%s.", literal(word))
	if s := grammar.Nearest(word, consoleCommands()); s != "" {
		msg += " Did you mean :" + s + "?"
	}
	return false, c.note("%s Type :help for console commands.", msg)
}

func (c *Console) help() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	lines := []string{
		c.style.bold("Console commands"),
		"  :as NAME         act as someone else (created on first use), such as :as sam",
		"  :channel NAME    make slash commands in another channel, such as :channel period-3",
		"  :advance 7d      run the scheduler over the next 7 days (m, h, d or w)",
		"  :now             the console's time; :now reset goes back to the real time",
		"  :dashboard       a sign-in link to the dashboard in your browser, as the current person",
		"  :quit            leave (or press Ctrl-D)",
		"Type /plp help to see what the bot can do. A line without /plp is a DM to the bot.",
		c.style.dim(fmt.Sprintf("You are %s, in #%s.", c.actor.Name, c.channel.Name)),
	}
	return c.write(strings.Join(lines, "\n") + "\n")
}

func (c *Console) switchUser(arg string) error {
	name, msg := checkName(arg, "person", ":as sam")
	if msg != "" {
		return c.note("%s", msg)
	}
	c.mu.Lock()
	c.actor = identity(name)
	c.mu.Unlock()
	return c.note("You are now %s.", name)
}

func (c *Console) switchChannel(arg string) error {
	if arg == "" {
		c.mu.Lock()
		name := c.channel.Name
		c.mu.Unlock()
		return c.note("Slash commands are made in #%s. Switch with :channel NAME.", name)
	}
	name, msg := checkName(strings.TrimPrefix(arg, "#"), "channel", ":channel period-3")
	if msg != "" {
		return c.note("%s", msg)
	}
	c.mu.Lock()
	c.channel = channel(name)
	c.mu.Unlock()
	return c.note("Slash commands now go to #%s.", name)
}

func (c *Console) advance(ctx context.Context, arg string) error {
	if c.opts.Advance == nil {
		return c.note("The scheduler isn't running here, so there's nothing to advance yet.")
	}
	d, ok := ParseDuration(arg)
	if !ok {
		return c.note("%s isn't a length of time. Try :advance 7d (m, h, d or w).", literal(arg))
	}
	if err := c.opts.Advance(ctx, d); err != nil {
		c.log.Error("advance the scheduler", "duration", d.String(), "error", err)
		return c.note("Sorry — the scheduler couldn't move forward. The log has the details.")
	}
	if c.opts.Clock == nil {
		return c.note("Moved forward %s.", strings.TrimSpace(arg))
	}
	return c.note("Moved forward %s: it's now %s.", strings.TrimSpace(arg), c.timeText())
}

// now answers ":now" (the simulated time and how far ahead it runs) and
// ":now reset" (back to the real time).
func (c *Console) now(arg string) error {
	switch strings.ToLower(arg) {
	case "":
		return c.note("%s", c.nowLine())
	case "reset":
	default:
		return c.note("%s isn't something :now does. :now shows the time; :now reset goes back to the real time.", literal(arg))
	}
	if c.opts.Clock == nil || c.opts.Clock.Ahead() <= 0 {
		return c.note("The clock already shows the real time: %s.", c.timeText())
	}
	if err := c.opts.Clock.Reset(); err != nil {
		c.log.Error("reset the clock", "error", err)
		return c.note("Sorry — the clock couldn't go back to the real time. The log has the details.")
	}
	return c.note("Back to the real time: %s. What you did in simulated time keeps its later dates.", c.timeText())
}

// nowLine says what time it is for the console and how far ahead of the
// real clock that is.
func (c *Console) nowLine() string {
	ahead := time.Duration(0)
	if c.opts.Clock != nil {
		ahead = c.opts.Clock.Ahead()
	}
	if ahead <= 0 {
		return fmt.Sprintf("Now: %s (the real time). :advance 1d moves it.", c.timeText())
	}
	return fmt.Sprintf("Now: %s (%s ahead of the real clock). :advance 1d moves it; :now reset goes back to the real time.",
		c.timeText(), spanText(ahead))
}

// timeText is the console's time, such as "Tue 8 Dec 2026, 14:00 EST".
func (c *Console) timeText() string {
	now := time.Now()
	if c.opts.Clock != nil {
		now = c.opts.Clock.Now()
	}
	zone := c.opts.Zone
	if zone == nil {
		zone = time.UTC
	}
	return now.In(zone).Format("Mon 2 Jan 2006, 15:04 MST")
}

// spanText writes a span for people, to the minute: "7 days", "1 day and
// 3 hours", "2 hours and 30 minutes".
func spanText(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "less than a minute"
	}
	var parts []string
	for _, u := range []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}} {
		if n := int(d / u.size); n > 0 {
			parts = append(parts, plural(n, u.name))
			d -= time.Duration(n) * u.size
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// checkName validates a user or channel name typed after :as or :channel;
// it takes the same characters as an @mention, so "@ms-lee" in a command
// names the same person as ":as ms-lee".
func checkName(arg, what, example string) (string, string) {
	name := strings.TrimPrefix(strings.TrimSpace(arg), "@")
	if name == "" {
		return "", fmt.Sprintf("Which %s? Such as %s.", what, example)
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return "", fmt.Sprintf("That name is too long: keep it under %d characters.", MaxNameLen)
	}
	if strings.IndexFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '_' && r != '-'
	}) >= 0 {
		return "", fmt.Sprintf("%s can't be a %s name: use letters, digits, dots, dashes or underscores, such as %s.", literal(name), what, example)
	}
	return name, ""
}

// ParseDuration reads a span such as 90m, 24h, 7d or 2w (or any Go
// duration such as 1h30m). It refuses zero, negative and spans over a year.
func ParseDuration(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, false
	}
	var d time.Duration
	if n, unit := strings.TrimRight(s, "dw"), s[len(strings.TrimRight(s, "dw")):]; len(unit) == 1 {
		v, err := strconv.Atoi(n)
		if err != nil {
			return 0, false
		}
		d = time.Duration(v) * 24 * time.Hour
		if unit == "w" {
			d *= 7
		}
		if v > 3660 {
			return 0, false
		}
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, false
		}
	}
	if d <= 0 || d > 366*24*time.Hour {
		return 0, false
	}
	return d, true
}
