package plpbot_test

import (
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
)

// TestParseClock: the forms people type are read; what can't be read is
// refused with an example, never guessed.
func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in        string
		hour, min int
	}{
		{"15:00", 15, 0}, {"9:05", 9, 5}, {"09:05", 9, 5}, {"0:00", 0, 0}, {"23:59", 23, 59},
		{"3pm", 15, 0}, {"3 PM", 15, 0}, {"3 pm", 15, 0}, {"3:00 PM", 15, 0}, {"3:30pm", 15, 30},
		{"3.30pm", 15, 30}, {"3:30 p.m.", 15, 30}, {"10 a.m.", 10, 0}, {"10am", 10, 0}, {"10 A.M", 10, 0},
		{"12am", 0, 0}, {"12pm", 12, 0}, {"12:15 am", 0, 15}, {"11:59pm", 23, 59},
		{"noon", 12, 0}, {"Noon", 12, 0}, {"midnight", 0, 0}, {"12 noon", 12, 0}, {"midday", 12, 0},
		{"15.30", 15, 30}, {"15h30", 15, 30}, {"  7:45  ", 7, 45},
	} {
		h, m, err := plpbot.ParseClock(tt.in)
		if err != nil || h != tt.hour || m != tt.min {
			t.Errorf("ParseClock(%q) = %d, %d, %v; want %d, %d", tt.in, h, m, err, tt.hour, tt.min)
		}
	}
}

func TestParseClockRefuses(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"25:00", "I couldn't read that time: 25:00 (hours run from 0 to 23). Try 15:00 or 3pm."},
		{"24:00", "I couldn't read that time: 24:00 (hours run from 0 to 23)."},
		{"13pm", "I couldn't read that time: 13pm (with am or pm, the hour runs from 1 to 12). Try 15:00 or 3pm."},
		{"0am", "with am or pm, the hour runs from 1 to 12"},
		{"3:75", "I couldn't read that time: 3:75 (minutes run from 00 to 59). Try 15:00 or 3pm."},
		{"half past three", "I couldn't read that time: half past three. Try 15:00 or 3pm."},
		{"3", "Is 3 in the morning or the afternoon? Try 15:00 or 3pm."},
		{"15", "I couldn't read that time: 15 (write the minutes too, such as 15:00)."},
		{"3:5", "I couldn't read that time: 3:5. Try"},
		{"3 o'clock", "I couldn't read that time"},
		{"3pm EST", "I couldn't read that time"},
		{"1530", "I couldn't read that time"},
		{"", "I couldn't read that time"},
		{"tomorrow afternoon, once the bell has gone and the room is empty", "I couldn't read that time: tomorrow afternoon, once the bell has…"},
	} {
		_, _, err := plpbot.ParseClock(tt.in)
		if err == nil {
			t.Errorf("ParseClock(%q) = nil error, want %q", tt.in, tt.want)
			continue
		}
		var e *plpbot.Error
		if !asError(err, &e) || e.Code != plpbot.EINVALID || e.Field != "time" || !strings.Contains(e.Message, tt.want) {
			t.Errorf("ParseClock(%q) error = %#v, want EINVALID on time containing %q", tt.in, err, tt.want)
		}
	}
}

func TestParseClockRange(t *testing.T) {
	for _, tt := range []struct {
		in       string
		from, to int
	}{
		{"20:00-07:00", 20 * 60, 7 * 60}, {"8pm-7am", 20 * 60, 7 * 60}, {"8 PM - 7 AM", 20 * 60, 7 * 60},
		{"21:30 – 6:45", 21*60 + 30, 6*60 + 45}, {"10pm to 6am", 22 * 60, 6 * 60}, {"noon-1pm", 12 * 60, 13 * 60},
	} {
		from, to, err := plpbot.ParseClockRange(tt.in)
		if err != nil || from != tt.from || to != tt.to {
			t.Errorf("ParseClockRange(%q) = %d, %d, %v; want %d, %d", tt.in, from, to, err, tt.from, tt.to)
		}
	}
	for _, tt := range []struct{ in, want string }{
		{"8pm", "I couldn't read 8pm as a start and an end. Write it as 20:00-07:00 or 8pm-7am."},
		{"8pm-", "as a start and an end"},
		{"8pm-7am-9am", "as a start and an end"},
		{"20:00-24:00", "24:00 (hours run from 0 to 23)"},
		{"8pm-7", "Is 7 in the morning or the afternoon?"},
	} {
		_, _, err := plpbot.ParseClockRange(tt.in)
		if err == nil || plpbot.ErrorCode(err) != plpbot.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseClockRange(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestFormatClock(t *testing.T) {
	if got := plpbot.FormatClock(20*60 + 5); got != "20:05" {
		t.Errorf("FormatClock = %q, want 20:05", got)
	}
}

// TestClipCutsBetweenWords: a clipped message never ends mid-word, unless
// one word is longer than half the room.
func TestClipCutsBetweenWords(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"failed to parse int from FRIDAY: strconv.Atoi", 40, "failed to parse int from FRIDAY:…"},
		{"one two three", 9, "one two…"},
		{"one  two three", 9, "one  two…"},
		{strings.Repeat("x", 50), 10, strings.Repeat("x", 9) + "…"},
		{"a " + strings.Repeat("x", 50), 10, "a " + strings.Repeat("x", 7) + "…"},
		{"ééé ééé", 5, "ééé…"},
	} {
		if got := plpbot.Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
