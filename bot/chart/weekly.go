package chart

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// NoFigure marks a week's Progress that is not shown (too few students had
// goals for an average that is nobody's own figure).
const NoFigure = -1

// Weekly is a class's term week by week: the share of students who checked
// in (bars) and the average progress (a line). It holds class figures only,
// never one student's.
type Weekly struct {
	// Title names the class.
	Title string
	// Weeks are oldest first.
	Weeks []Week
}

// Week is one week of a class. Start is shown in its own location.
type Week struct {
	Start         time.Time
	Participation int // percent of the class who checked in, 0..100
	Progress      int // average progress, 0..100, or NoFigure
}

// Weekly chart layout, in logical pixels.
const (
	weeklyH    = 290.0
	maxBarW    = 26.0
	dateLabelW = 44.0 // room one "30 Nov" label needs
)

// Alt gives the span and the first and latest figures: "Period 3 English,
// week by week from 6 Oct to 24 Nov: 75% of the class checked in in the
// latest week, 40% in the first; average progress 55%, from 20%."
func (wk Weekly) Alt() string {
	title := strings.TrimSpace(wk.Title)
	if title == "" {
		title = "The class"
	}
	n := len(wk.Weeks)
	if n == 0 {
		return title + ": no weeks to show yet."
	}
	first, last := wk.Weeks[0], wk.Weeks[n-1]
	var b strings.Builder
	if n == 1 {
		fmt.Fprintf(&b, "%s, the week of %s: %d%% of the class checked in", title, first.Start.Format(dayMonth), clampPct(last.Participation))
	} else {
		fmt.Fprintf(&b, "%s, week by week from %s to %s: %d%% of the class checked in in the latest week, %d%% in the first",
			title, first.Start.Format(dayMonth), last.Start.Format(dayMonth), clampPct(last.Participation), clampPct(first.Participation))
	}
	if p, ok := wk.firstProgress(); ok && last.Progress != NoFigure {
		fmt.Fprintf(&b, "; average progress %d%%", clampPct(last.Progress))
		if p != last.Progress || n > 1 {
			fmt.Fprintf(&b, ", from %d%%", clampPct(p))
		}
	}
	b.WriteString(".")
	return b.String()
}

// firstProgress is the earliest week's progress that is shown.
func (wk Weekly) firstProgress() (int, bool) {
	for _, w := range wk.Weeks {
		if w.Progress != NoFigure {
			return w.Progress, true
		}
	}
	return 0, false
}

// FileName is "class-TITLE.png".
func (wk Weekly) FileName() string { return "class-" + fileSlug(wk.Title, "weeks") + ".png" }

// PNG draws the chart for chat, Width×Scale pixels wide.
func (wk Weekly) PNG(w io.Writer) error { return draw(w, wk.scene, (*scene).png) }

// SVG draws the chart for the web.
func (wk Weekly) SVG(w io.Writer) error { return draw(w, wk.scene, (*scene).svg) }

// scene lays the chart out: title, legend, bars and a line on a 0–100%
// plot, week dates under it (as many as fit).
func (wk Weekly) scene() *scene {
	s := &scene{w: Width, h: weeklyH, alt: wk.Alt()}
	s.add(rect{x: 0, y: 0, w: Width, h: accentH, fill: Brand})
	s.add(label{x: pad, y: 40, text: fit(wk.Title, 19, true, Width-2*pad), size: 19, bold: true, fill: ink})
	legend(s, 64)

	p := plotArea{left: pad + axisW, right: Width - pad, top: plotTop + 6, bottom: weeklyH - plotBottom}
	p.grid(s)
	n := len(wk.Weeks)
	if n == 0 {
		s.add(label{x: (p.left + p.right) / 2, y: (p.top+p.bottom)/2 + 6, text: "No weeks to show yet", size: 15, fill: muted, anchor: middle})
		return s
	}
	slot := (p.right - p.left) / float64(n)
	barW := math.Min(maxBarW, slot*0.6)
	every := int(math.Ceil(dateLabelW / slot))
	var segment []point
	flush := func() {
		if len(segment) > 1 {
			s.add(polyline{pts: segment, stroke: progressLine, width: 3})
		}
		segment = nil
	}
	var dots []shape
	for i, w := range wk.Weeks {
		cx := p.left + slot*(float64(i)+0.5)
		if pc := clampPct(w.Participation); pc > 0 {
			top := p.y(float64(pc))
			s.add(rect{x: cx - barW/2, y: top, w: barW, h: p.bottom - top, r: 3, fill: Brand})
		}
		if w.Progress == NoFigure {
			flush()
		} else {
			q := point{cx, p.y(float64(clampPct(w.Progress)))}
			segment = append(segment, q)
			dots = append(dots, dot{x: q.x, y: q.y, r: 4.5, fill: progressLine, ring: background, ringWidth: 2})
		}
		// Label every few weeks so dates never overlap, always the latest.
		if (n-1-i)%every == 0 {
			s.add(centred(cx, weeklyH-16, w.Start.Format(dayMonth), 12))
		}
	}
	flush()
	s.add(dots...)
	return s
}

// legend explains the bars and the line on one row at baseline y.
func legend(s *scene, y float64) {
	x := pad
	s.add(rect{x: x, y: y - 10, w: 12, h: 12, r: 2, fill: Brand})
	x += 18
	s.add(label{x: x, y: y, text: "Checked in", size: 13, fill: muted})
	x += textWidth("Checked in", 13, false) + 20
	s.add(polyline{pts: []point{{x, y - 4}, {x + 22, y - 4}}, stroke: progressLine, width: 3},
		dot{x: x + 11, y: y - 4, r: 4.5, fill: progressLine, ring: background, ringWidth: 2})
	x += 28
	s.add(label{x: x, y: y, text: "Average progress", size: 13, fill: muted})
}

// centred is a muted label centred on x but kept inside the chart.
func centred(x, y float64, text string, size float64) label {
	half := textWidth(text, size, false) / 2
	x = min(max(x, half+4), Width-half-4)
	return label{x: x, y: y, text: text, size: size, fill: muted, anchor: middle}
}
