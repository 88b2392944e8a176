package console

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plpbot/plpbot/bot"
)

// DefaultChartDir is where charts are saved when Options.ChartDir is empty.
func DefaultChartDir() string { return filepath.Join(os.TempDir(), "plpbot-charts") }

// renderChart saves a chart as a PNG and says what it shows and where the
// picture is, so it can be opened from the transcript. The folder and file
// are private to the user running the console: a chart is a student's data.
func (c *Console) renderChart(ch bot.Chart) string {
	head := c.style.label("📊 " + sanitize(ch.Alt()))
	path, err := c.saveChart(ch)
	if err != nil {
		c.log.Error("console: saving a chart failed", slog.Any("err", err))
		return head + "\n" + c.style.dim(indent+"(I couldn't save the picture this time.)")
	}
	return head + "\n" + c.style.dim(indent+"Picture: "+path)
}

// saveChart writes ch's PNG to a new file in the chart folder: NAME-1.png,
// NAME-2.png, …, never overwriting one.
func (c *Console) saveChart(ch bot.Chart) (string, error) {
	f, err := bot.ChartPNG(ch)
	if err != nil {
		return "", err
	}
	dir := c.opts.ChartDir
	if dir == "" {
		dir = DefaultChartDir()
	}
	// An absolute path opens from any folder (and is a link in most terminals).
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("chart folder: %w", err)
	}
	base := strings.TrimSuffix(filepath.Base(f.Name), ".png")
	for n := 1; ; n++ {
		path := filepath.Join(dir, base+"-"+strconv.Itoa(n)+".png")
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("save chart: %w", err)
		}
		_, werr := out.Write(f.Data)
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return "", fmt.Errorf("save chart %s: %w", path, werr)
		}
		return path, nil
	}
}
