package console_test

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/chart"
	"github.com/plpbot/plpbot/bot/console"
)

// TestChartIsSavedAndItsPathPrinted: the console says what a chart shows,
// saves its PNG in the chart folder (private to the user) and prints where.
// A second chart of the same name gets a file of its own.
func TestChartIsSavedAndItsPathPrinted(t *testing.T) {
	card := chart.ProgressCard{Name: "Sam", Goals: []chart.GoalBar{{Title: "Read three novels", Category: "academic", Percent: 40}}}
	rec := &recorder{reply: func(*bot.Request) ([]bot.Message, error) {
		return []bot.Message{{Title: "Your plan", Blocks: []bot.Block{bot.Progress{Label: "Read three novels", Percent: 40}}, Chart: card}}, nil
	}}
	dir := filepath.Join(t.TempDir(), "charts")
	out := run(t, "/plp plan\n/plp plan", rec, console.Options{ChartDir: dir})
	first, second := filepath.Join(dir, "progress-sam-1.png"), filepath.Join(dir, "progress-sam-2.png")
	for _, want := range []string{"📊 " + card.Alt() + "\n  Picture: " + first, "  Picture: " + second} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	f, err := os.Open(first)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("the saved chart is no PNG: %v", err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, first: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
}
