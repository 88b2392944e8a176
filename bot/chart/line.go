package chart

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Line is one goal's progress over time: a point per check-in.
type Line struct {
	// Title is the goal's title.
	Title string
	// Category picks the line's colour.
	Category string
	// Points are the check-ins, in any order. Their times are shown in
	// their own location: convert them to the reader's zone first.
	Points []Point
}

// Point is one value at one time; a Line's values are percentages.
type Point struct {
	At    time.Time
	Value float64
}

// Line chart layout, in logical pixels.
const (
	lineH      = 270.0
	plotTop    = 84.0
	plotBottom = 40.0 // below the plot: the date labels
	axisW      = 44.0 // left of the plot: the percent labels
)

// dayMonth formats a date as "3 Nov".
const dayMonth = "2 Jan"

// sorted returns the points oldest first.
func (l Line) sorted() []Point {
	pts := slices.Clone(l.Points)
	slices.SortStableFunc(pts, func(a, b Point) int { return a.At.Compare(b.At) })
	return pts
}

// Alt gives the latest value and the change since the first check-in:
// "Read three novels: 40% on 24 Nov, up from 10% on 3 Nov (4 check-ins)."
func (l Line) Alt() string {
	title := strings.TrimSpace(l.Title)
	if title == "" {
		title = "Progress"
	}
	pts := l.sorted()
	switch len(pts) {
	case 0:
		return title + ": no check-ins yet."
	case 1:
		return fmt.Sprintf("%s: %s on %s (one check-in).", title, pctOf(pts[0].Value), pts[0].At.Format(dayMonth))
	}
	first, last := pts[0], pts[len(pts)-1]
	change := "up from"
	switch {
	case pctOf(last.Value) == pctOf(first.Value):
		change = "the same as"
	case last.Value < first.Value:
		change = "down from"
	}
	return fmt.Sprintf("%s: %s on %s, %s %s on %s (%d check-ins).", title,
		pctOf(last.Value), last.At.Format(dayMonth), change, pctOf(first.Value), first.At.Format(dayMonth), len(pts))
}

// pctOf is a value as a whole percentage, "40%".
func pctOf(v float64) string { return fmt.Sprintf("%d%%", clampPct(int(v+0.5))) }

// FileName is "goal-TITLE.png".
func (l Line) FileName() string { return "goal-" + fileSlug(l.Title, "progress") + ".png" }

// PNG draws the chart for chat, Width×Scale pixels wide.
func (l Line) PNG(w io.Writer) error { return draw(w, l.scene, (*scene).png) }

// SVG draws the chart for the web.
func (l Line) SVG(w io.Writer) error { return draw(w, l.scene, (*scene).svg) }

// scene lays the chart out: title, category and count, a 0–100% plot with
// the check-ins joined by a line and the latest labelled, first and last
// dates under it.
func (l Line) scene() *scene {
	s := &scene{w: Width, h: lineH, alt: l.Alt()}
	col := Colour(l.Category)
	pts := l.sorted()
	s.add(rect{x: 0, y: 0, w: Width, h: accentH, fill: col})
	s.add(label{x: pad, y: 40, text: fit(l.Title, 19, true, Width-2*pad), size: 19, bold: true, fill: ink})
	x := pad
	if cat := strings.ToUpper(printable(l.Category, true)); cat != "" {
		s.add(label{x: x, y: 62, text: cat, size: 12, bold: true, fill: col})
		x += textWidth(cat, 12, true) + 6
		s.add(label{x: x, y: 62, text: "·", size: 12, fill: muted})
		x += textWidth("·", 12, false) + 6
	}
	s.add(label{x: x, y: 62, text: checkInsText(len(pts)), size: 12, fill: muted})

	p := plotArea{left: pad + axisW, right: Width - pad - 14, top: plotTop, bottom: lineH - plotBottom}
	p.grid(s)
	if len(pts) == 0 {
		s.add(label{x: (p.left + p.right) / 2, y: (p.top+p.bottom)/2 + 6, text: "The first check-in starts the line", size: 15, fill: muted, anchor: middle})
		return s
	}
	t0, t1 := pts[0].At, pts[len(pts)-1].At
	if !t1.After(t0) {
		t0, t1 = t0.Add(-24*time.Hour), t1.Add(24*time.Hour)
	}
	xAt := func(t time.Time) float64 {
		return p.left + (p.right-p.left)*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}
	line := polyline{stroke: col, width: 3}
	for _, pt := range pts {
		line.pts = append(line.pts, point{xAt(pt.At), p.y(pt.Value)})
	}
	s.add(line)
	for _, q := range line.pts {
		s.add(dot{x: q.x, y: q.y, r: 5, fill: col, ring: background, ringWidth: 2})
	}
	last := line.pts[len(line.pts)-1]
	s.add(valueLabel(pctOf(pts[len(pts)-1].Value), last, p, col))
	firstDay, lastDay := pts[0].At.Format(dayMonth), pts[len(pts)-1].At.Format(dayMonth)
	if firstDay == lastDay {
		s.add(label{x: last.x, y: lineH - 16, text: lastDay, size: 13, fill: muted, anchor: middle})
	} else {
		s.add(label{x: line.pts[0].x, y: lineH - 16, text: firstDay, size: 13, fill: muted},
			label{x: last.x, y: lineH - 16, text: lastDay, size: 13, fill: muted, anchor: end})
	}
	return s
}

// valueLabel is the latest value's label, above its point (below it when
// the point is at the top), kept inside the plot.
func valueLabel(text string, at point, p plotArea, col uint32) label {
	y := at.y - 12
	if y < p.top+4 {
		y = at.y + 24
	}
	a := middle
	switch {
	case at.x > p.right-20:
		a = end
	case at.x < p.left+20:
		a = start
	}
	return label{x: at.x, y: y, text: text, size: 15, bold: true, fill: col, anchor: a}
}

// checkInsText is "4 check-ins", "1 check-in" or "No check-ins yet".
func checkInsText(n int) string {
	if n == 0 {
		return "No check-ins yet"
	}
	return fmt.Sprintf("%d %s", n, plural(n, "check-in"))
}

// plotArea is where values 0..100 are drawn, in logical pixels.
type plotArea struct{ left, right, top, bottom float64 }

// y is where value v (a percentage) is drawn.
func (p plotArea) y(v float64) float64 {
	v = min(max(v, 0), 100)
	return p.bottom - (p.bottom-p.top)*v/100
}

// grid draws the 0, 25, 50, 75 and 100% lines and their labels.
func (p plotArea) grid(s *scene) {
	for v := 0.0; v <= 100; v += 25 {
		y := p.y(v)
		s.add(rect{x: p.left, y: y - 0.5, w: p.right - p.left, h: 1, fill: rule})
		s.add(label{x: p.left - 8, y: y + 4.5, text: fmt.Sprintf("%d%%", int(v)), size: 12, fill: muted, anchor: end})
	}
}
