package bot_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/plpbot/plpbot"
	"github.com/plpbot/plpbot/bot"
)

func TestAsUserErrorReadsDomainErrors(t *testing.T) {
	err := fmt.Errorf("set schedule: %w", plpbot.Errorf(plpbot.EINVALID, "The hour can't be 25."))
	ue, ok := bot.AsUserError(err)
	if !ok || ue.Code != bot.EInvalid || ue.Message != "The hour can't be 25." {
		t.Errorf("AsUserError(domain error) = %+v, %v", ue, ok)
	}
	if _, ok := bot.AsUserError(errors.New("connection reset")); ok {
		t.Error("an internal error was taken for a user error")
	}
}

func TestErrorMessageHidesInternalCauses(t *testing.T) {
	m := bot.ErrorMessage(errors.New("mongo: dial tcp 10.0.0.5: refused"))
	if txt := m.PlainText(); strings.Contains(txt, "mongo") || !strings.Contains(txt, "nothing was changed") {
		t.Errorf("internal error shown as %q", txt)
	}
	m = bot.ErrorMessage(&bot.UserError{Code: bot.EInvalid, Message: "Percent is 0 to 100.", Hint: "`/plp checkin 1 40%`"})
	if txt := m.PlainText(); !strings.Contains(txt, "Percent is 0 to 100.") || !strings.Contains(txt, "/plp checkin 1 40%") {
		t.Errorf("user error shown as %q", txt)
	}
}

func TestFormatEscapesOnlyUserText(t *testing.T) {
	d := bot.Dialect{
		Escape: func(s string) string { return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s) },
		Bold:   func(s string) string { return "*" + s + "*" },
		Italic: func(s string) string { return "_" + s + "_" },
	}
	got := bot.Format("Nice — "+bot.Italic(bot.User("<!channel> Read"))+" is at "+bot.Bold("40%")+".", d)
	if want := "Nice — _&lt;!channel&gt; Read_ is at *40%*."; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
	// Markers a person typed can't close our span early.
	sneaky := bot.User("a" + bot.Bold("b"))
	if got := bot.Format(sneaky, d); strings.Contains(got, "*") {
		t.Errorf("user text gained formatting: %q", got)
	}
}

// panicky is a chart whose drawing panics.
type panicky struct{}

func (panicky) Alt() string         { return "a chart" }
func (panicky) PNG(io.Writer) error { panic("boom") }
func (panicky) SVG(io.Writer) error { return nil }
func (panicky) FileName() string    { return "boom.png" }

// TestChartPNGTurnsAPanicIntoAnError: an adapter drawing a broken chart
// gets an error to log, not a crash.
func TestChartPNGTurnsAPanicIntoAnError(t *testing.T) {
	f, err := bot.ChartPNG(panicky{})
	if err == nil || f != nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("ChartPNG = %v, %v; want an error", f, err)
	}
}
