package grammar

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

// Validation of single values. Each check returns the normalised value, or
// a message for the person naming what was wrong.

var (
	dateRE     = regexp.MustCompile(`^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})$`)
	stepRE     = regexp.MustCompile(`^#?(\d{1,6})\.(\d{1,6})$`)
	durationRE = regexp.MustCompile(`^(\d{1,4})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)$`)
)

// maxNumber bounds goal, step and conference numbers: far above any real
// plan, far below overflow.
const maxNumber = 999999

// maxDuration bounds ArgDuration.
const maxDuration = 366 * 24 * time.Hour

// validateValue checks raw for argument a and returns its normalised value;
// msg is non-empty when raw is not acceptable. An empty value returns "".
func validateValue(a *Arg, raw string) (val, msg string) {
	if a.Kind == ArgText || a.Kind == ArgWord {
		return validateText(a, raw)
	}
	v := strings.TrimSpace(raw)
	if v == "" {
		return "", ""
	}
	if !isPrintable(v) {
		return "", fmt.Sprintf("%s has a character I can't read. Please type it again.", echo(v))
	}
	switch a.Kind {
	case ArgNumber:
		n, ok := atoiBounded(strings.TrimPrefix(v, "#"))
		if !ok || n < 1 {
			return "", fmt.Sprintf("%s isn't a number I can use for %s. Use a whole number from 1 up, such as 2.", echo(v), placeholder(a))
		}
		return strconv.Itoa(n), ""
	case ArgStep:
		m := stepRE.FindStringSubmatch(v)
		if m == nil {
			return "", fmt.Sprintf("%s isn't a step number. Write goal.step, such as 1.2 for step 2 of goal 1.", echo(v))
		}
		n, _ := strconv.Atoi(m[1])
		s, _ := strconv.Atoi(m[2])
		if n < 1 || s < 1 {
			return "", fmt.Sprintf("%s isn't a step number: goals and steps count from 1, such as 1.2.", echo(v))
		}
		return strconv.Itoa(n) + "." + strconv.Itoa(s), ""
	case ArgPercent:
		n, ok := atoiBounded(strings.TrimSpace(strings.TrimSuffix(v, "%")))
		if !ok {
			return "", fmt.Sprintf("%s isn't a percent. Use a whole number from 0 to 100, such as 40%%.", echo(v))
		}
		if n > 100 {
			return "", fmt.Sprintf("%s is more than 100%%. Use a number from 0 to 100, such as 40%%.", echo(v))
		}
		return strconv.Itoa(n), ""
	case ArgDate:
		return validateDate(v)
	case ArgTime:
		return validateTime(v)
	case ArgRange:
		n, ok := atoiBounded(v)
		if !ok || n < a.Min || n > a.Max {
			return "", fmt.Sprintf("%s doesn't fit %s. Pick a whole number from %d to %d.", echo(v), a.Name, a.Min, a.Max)
		}
		return strconv.Itoa(n), ""
	case ArgChoice:
		lv := strings.ToLower(v)
		if slices.Contains(a.Choices, lv) {
			return lv, ""
		}
		msg := fmt.Sprintf("%s isn't a %s I know.", echo(v), a.Name)
		if s := Nearest(lv, a.Choices); s != "" {
			msg += " Did you mean " + bot.Bold(s) + "?"
		}
		return "", msg + " Pick one of " + listWords(a.Choices, "or") + "."
	case ArgCron:
		return validateCron(v)
	case ArgDuration:
		return validateDuration(v)
	case ArgRole:
		return validateRole(v)
	case ArgLiteral:
		if strings.EqualFold(v, a.Name) || strings.EqualFold(v, "true") {
			return "true", ""
		}
		return "", fmt.Sprintf("I expected the word %s here, not %s.", bot.Bold(a.Name), echo(v))
	}
	return "", fmt.Sprintf("I can't read %s.", echo(v))
}

// validateText trims and checks free text: length in characters, and no
// control characters (newlines and tabs are fine in ArgText) or markup
// markers. Text such as "@everyone" or "{"$gt": ""}" is fine: it is
// stored as a value and escaped when shown.
func validateText(a *Arg, raw string) (string, string) {
	if !utf8.ValidString(raw) {
		return "", fmt.Sprintf("Your %s has a character I can't read. Please type it again.", a.Name)
	}
	v := strings.TrimSpace(normalizeNewlines(raw))
	if v == "" {
		return "", ""
	}
	bad := strings.IndexFunc(v, func(r rune) bool {
		if bot.IsMarker(r) {
			return true
		}
		if a.Kind == ArgText && (r == '\n' || r == '\t') {
			return false
		}
		return unicode.IsControl(r)
	})
	if bad >= 0 {
		return "", fmt.Sprintf("Your %s has a hidden character I can't store. Please type it again without it.", a.Name)
	}
	if a.Kind == ArgWord && strings.ContainsFunc(v, unicode.IsSpace) {
		return "", fmt.Sprintf("%s should be one word, not %s.", a.Name, echo(v))
	}
	limit := a.MaxLen
	if limit <= 0 {
		limit = plpbot.MaxTextLen
	}
	if n := utf8.RuneCountInString(v); n > limit {
		return "", fmt.Sprintf("Your %s is %d characters long; the limit is %d. Could you shorten it?", a.Name, n, limit)
	}
	return v, ""
}

// atoiBounded parses a small non-negative whole number.
func atoiBounded(s string) (int, bool) {
	if s == "" || len(s) > 6 || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= maxNumber
}

// validateDate reads YYYY-MM-DD (also with / or . between the parts, as
// some phones and spreadsheets write it) and normalises it to YYYY-MM-DD.
func validateDate(v string) (string, string) {
	m := dateRE.FindStringSubmatch(v)
	if m == nil || m[2] != m[4] {
		return "", fmt.Sprintf("%s isn't a date I can read. Write it as YYYY-MM-DD, such as 2027-05-30.", echo(v))
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[3])
	d, _ := strconv.Atoi(m[5])
	norm := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
	t, err := time.Parse(time.DateOnly, norm)
	if err != nil || t.Format(time.DateOnly) != norm {
		return "", "That date doesn't exist: " + echo(v)
	}
	if y < 1900 || y > 2199 {
		return "", fmt.Sprintf("%s is too far away. Pick a date between 1900 and 2199.", echo(v))
	}
	return norm, ""
}

// validateTime reads a time of day with plpbot.ParseClock, the one reader
// of times people type, and normalises it to HH:MM.
func validateTime(v string) (string, string) {
	h, m, err := plpbot.ParseClock(v)
	if err != nil {
		return "", domainMessage(err)
	}
	return fmt.Sprintf("%02d:%02d", h, m), ""
}

// domainMessage is the message of the domain's *plpbot.Error in err,
// marked as user text: it quotes what the person typed, so adapters must
// escape all of it.
func domainMessage(err error) string {
	if ue, ok := bot.AsUserError(err); ok {
		return bot.User(ue.Message)
	}
	return bot.User(err.Error())
}

// maxCronLen bounds a schedule spec: the longest sensible one, with a
// CRON_TZ= zone and lists in every field, is far shorter.
const maxCronLen = 200

// validateCron reads a schedule with plpbot.ParseSchedule, as the
// scheduler will (five fields or a descriptor such as @weekly, optionally
// after CRON_TZ=Area/City), and normalises its spacing. Its errors explain
// the five fields with an example, in the product's words.
func validateCron(v string) (string, string) {
	if utf8.RuneCountInString(v) > maxCronLen {
		return "", fmt.Sprintf("That schedule is %d characters long; five fields need far fewer, such as \"0 14 * * FRI\" (Fridays at 14:00).", utf8.RuneCountInString(v))
	}
	if _, err := plpbot.ParseSchedule(v, time.UTC); err != nil {
		return "", domainMessage(err)
	}
	spec := strings.Join(strings.Fields(strings.Trim(v, `"'“”`)), " ")
	if rest, ok := strings.CutPrefix(spec, "TZ="); ok {
		spec = "CRON_TZ=" + rest
	}
	return spec, ""
}

// validateRole reads a role mention (<@&123>) or a bare role id, as
// Discord's role options send it, and returns the id.
func validateRole(v string) (string, string) {
	id := v
	if inner, ok := strings.CutPrefix(v, "<@&"); ok {
		id, ok = strings.CutSuffix(inner, ">")
		if !ok {
			id = ""
		}
	}
	if id == "" || len(id) > 24 || strings.Trim(id, "0123456789") != "" {
		return "", fmt.Sprintf("%s isn't a role. Mention one, such as @Period 3: pick it from the list as you type @.", echo(v))
	}
	return id, ""
}

func validateDuration(v string) (string, string) {
	m := durationRE.FindStringSubmatch(strings.ToLower(v))
	if m == nil {
		return "", fmt.Sprintf("%s isn't a length of time. Use a number and a unit, such as 1d, 2w, 24h or 90m.", echo(v))
	}
	n, _ := strconv.Atoi(m[1])
	unit := m[2][:1]
	per := map[string]time.Duration{"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour, "w": 7 * 24 * time.Hour}[unit]
	if n < 1 || time.Duration(n)*per > maxDuration {
		return "", fmt.Sprintf("%s is out of range. Use something from 1m up to a year, such as 2w.", echo(v))
	}
	return strconv.Itoa(n) + unit, ""
}

// printableOnly drops invalid bytes, control characters and markup markers.
func printableOnly(s string) string {
	if isPrintable(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || bot.IsMarker(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// isPrintable reports whether s is valid UTF-8 without control characters
// or markup markers.
func isPrintable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || bot.IsMarker(r)
	}) < 0
}
