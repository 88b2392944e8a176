package grammar

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// What people mean when they write dates and times without the grammar's
// punctuation: "by 2027-03-01" without the colon, "3:00 PM" as two words,
// 3/1/2027. The obvious intent is read; when two readings are possible the
// reply is the exact command to type, never a guess.

// numDateRE is a date written with the day and month in numbers and a
// four-digit year: 3/1/2027, 15.03.2027, 3-1-2027.
var numDateRE = regexp.MustCompile(`^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4})$`)

// dateShaped reports whether v is written like a date, real or not.
func dateShaped(v string) bool {
	return dateRE.MatchString(v) || numDateRE.MatchString(v)
}

// numericReadings returns the real dates v can mean when written with the
// day and month in numbers: month first, then day first; one when only one
// is a real date or both are the same.
func numericReadings(v string) []time.Time {
	m := numDateRE.FindStringSubmatch(v)
	if m == nil || m[2] != m[4] {
		return nil
	}
	a, _ := strconv.Atoi(m[1])
	c, _ := strconv.Atoi(m[3])
	y, _ := strconv.Atoi(m[5])
	var out []time.Time
	for _, md := range [][2]int{{a, c}, {c, a}} {
		t := time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, time.UTC)
		if md[0] >= 1 && md[0] <= 12 && t.Day() == md[1] && (len(out) == 0 || !out[0].Equal(t)) {
			out = append(out, t)
		}
	}
	return out
}

// bareDate returns the keyed date argument toks[i] names without a colon
// ("by", its alias "due", "since") when toks[i+1] is written like a date.
func (b *binding) bareDate(toks []token, i int) *Arg {
	if i+1 >= len(toks) || toks[i].quoted || b.line[toks[i].start:toks[i].end] != toks[i].val {
		return nil
	}
	a := b.keyedNamed(toks[i].val)
	if a == nil || a.Kind != ArgDate || !dateShaped(toks[i+1].val) {
		return nil
	}
	return a
}

// positionalText returns the command's positional text argument, if any.
func (b *binding) positionalText() *Arg {
	for i := range b.cmd.Args {
		if a := &b.cmd.Args[i]; a.Kind == ArgText && !a.Keyed {
			return a
		}
	}
	return nil
}

// askDateInText refuses "by DATE" in the middle of text ("goal add Finish
// by 2027-03-01 the lab report"): the date may be the target date or part
// of the title, so the reply gives the command for each.
func (b *binding) askDateInText(toks []token, hits []keyHit) *bot.UserError {
	title := b.positionalText()
	inKeyedText := false
	for i := 0; i < len(toks); i++ {
		if hits[i].arg != nil {
			inKeyedText = hits[i].arg.Kind == ArgText
			i += hits[i].width - 1
			continue
		}
		a := b.bareDate(toks, i)
		if a == nil || (title == nil && !inKeyedText) {
			continue
		}
		dates := b.readings(toks[i+1].val)
		if len(dates) == 0 {
			continue
		}
		without := strings.TrimSpace(strings.TrimSpace(b.line[:toks[i].start]) + " " + strings.TrimSpace(b.line[toks[i+1].end:]))
		spell, then := !dateRE.MatchString(toks[i+1].val), "Then "
		if spell {
			then = "Then, "
		}
		msg := fmt.Sprintf("Is %s %s? %s%s.", echo(toks[i+1].val), dateWhat(a), then,
			b.choices(dates, without+" "+a.Name+":", "", a.Name+":", spell))
		if !inKeyedText {
			msg += b.quoteRun(toks, i, title)
		}
		b.progress++
		return b.errorf(a, "%s", msg)
	}
	return nil
}

// askTrailingDate refuses a title that ends in a date when the command
// takes a keyed date not given ("goal add Read three novels 2027-03-01").
func (b *binding) askTrailingDate(rest []token) *bot.UserError {
	last := rest[len(rest)-1]
	a := b.onlyKeyedDate()
	if len(rest) < 2 || last.quoted || a == nil || b.inv.Has(a.Name) || !dateRE.MatchString(last.val) {
		return nil
	}
	dates := b.readings(last.val)
	if len(dates) == 0 {
		return nil
	}
	msg := fmt.Sprintf("Is %s %s? Then %s.", echo(last.val), dateWhat(a),
		b.choices(dates, b.line[:last.start]+a.Name+":", b.line[last.end:], a.Name+":", false))
	if title := b.positionalText(); title != nil {
		msg += b.quoteRun(rest, len(rest)-1, title)
	}
	b.progress++
	return b.errorf(a, "%s", msg)
}

// askNumericDate refuses a date written with the day and month in numbers
// (3/1/2027) for date argument a, written in the words first to last, with
// the exact command for each date it can mean. It returns nil when raw is
// a date as the grammar writes it, or not a numeric date at all.
func (b *binding) askNumericDate(a *Arg, raw string, first, last token) *bot.UserError {
	if b.line == "" {
		return nil
	}
	if _, msg := validateDate(raw); msg == "" {
		return nil
	}
	dates := numericReadings(strings.TrimSpace(raw))
	if len(dates) == 0 {
		return nil
	}
	key := ""
	if a.Keyed {
		key = a.Name + ":"
	}
	lead := ""
	if len(dates) > 1 {
		lead = "Which day is " + echo(raw) + "? "
	}
	return b.errorf(a, "%sI read dates as YYYY-MM-DD: %s.", lead,
		b.choices(dates, b.line[:first.start]+key, b.line[last.end:], key, true))
}

// readings returns the dates v can mean: itself when it is a real
// YYYY-MM-DD, else its numeric readings.
func (b *binding) readings(v string) []time.Time {
	if norm, msg := validateDate(v); msg == "" {
		t, _ := time.Parse(time.DateOnly, norm)
		return []time.Time{t}
	}
	return numericReadings(v)
}

// choices writes the command to type for each date: the whole line for
// the first (before + date + after), "key+date" for a second. spell names
// the day of a single date too, for a date written otherwise.
func (b *binding) choices(dates []time.Time, before, after, key string, spell bool) string {
	cmd := "`/plp " + strings.TrimSpace(before+dates[0].Format(time.DateOnly)+after) + "`"
	day := func(t time.Time) string { return t.Format("2 January 2006") }
	switch {
	case len(dates) == 1 && !spell:
		return "type " + cmd
	case len(dates) == 1:
		return "for " + day(dates[0]) + ", type " + cmd
	}
	return "for " + day(dates[0]) + ", type " + cmd + "; for " + day(dates[1]) + ", `" + key + dates[1].Format(time.DateOnly) + "`"
}

// quoteRun is the sentence offering the words around toks[i] as they
// stand, in quotes, as text argument a; "" when they hold a quote already.
func (b *binding) quoteRun(toks []token, i int, a *Arg) string {
	s, e := i, i
	for s > 0 && b.adjacent(toks[s-1], toks[s]) && b.plain(toks[s-1]) {
		s--
	}
	for e+1 < len(toks) && b.adjacent(toks[e], toks[e+1]) && b.plain(toks[e+1]) {
		e++
	}
	words := b.line[toks[s].start:toks[e].end]
	if strings.ContainsFunc(words, isQuote) || strings.ContainsAny(words, "\n`") {
		return ""
	}
	line := strings.TrimSpace(b.line[:toks[s].start] + `"` + words + `"` + b.line[toks[e].end:])
	return fmt.Sprintf(" If it's part of the %s, put the %s in quotes: `/plp %s`.", a.Name, a.Name, line)
}

// plain reports whether t is ordinary text, not a keyed argument.
func (b *binding) plain(t token) bool {
	a, _ := b.keyedArg(t)
	return a == nil
}

// onlyKeyedDate returns the command's keyed date argument if it has exactly
// one.
func (b *binding) onlyKeyedDate() *Arg {
	var found *Arg
	for i := range b.cmd.Args {
		if a := &b.cmd.Args[i]; a.Keyed && a.Kind == ArgDate {
			if found != nil {
				return nil
			}
			found = a
		}
	}
	return found
}

// dateWhat names what date argument a is for, for a question: "the target
// date" from its description "Target date, YYYY-MM-DD", else "the date for
// since:".
func dateWhat(a *Arg) string {
	d, _, _ := strings.Cut(a.Description, ",")
	if strings.Contains(strings.ToLower(d), "date") {
		return "the " + lowerFirst(strings.TrimSpace(d))
	}
	return "the date for " + a.Name + ":"
}

// meridiems are the words that finish a time written as two: "3:00 PM".
var meridiems = map[string]bool{"am": true, "pm": true, "a.m.": true, "p.m.": true, "a.m": true, "p.m": true,
	"noon": true, "midnight": true}

// timeWords is the time at the front of ts: one word, or two when the
// second is am, pm, noon or midnight and belongs to the time ("3:00 PM",
// "12 noon"). "15:00 am I on track?" keeps "am" for the agenda: 15:00 is a
// time and "15:00 am" isn't. A comma after the time is dropped.
func timeWords(ts []token) (string, int) {
	first := strings.TrimRight(ts[0].val, ",;")
	if len(ts) > 1 && !ts[1].quoted {
		second := strings.TrimRight(ts[1].val, ",;")
		if meridiems[strings.ToLower(second)] {
			joined := first + " " + second
			_, _, errJoined := plpbot.ParseClock(joined)
			_, _, errFirst := plpbot.ParseClock(first)
			if errJoined == nil || errFirst != nil {
				return joined, 2
			}
		}
	}
	return first, 1
}
