// Package chart draws plpbot's charts: a student's progress card, one goal's
// progress over time and a class's weeks. Each chart is plain data (no
// storage or handler types) that draws itself as a PNG for chat and as an
// SVG for the web from the same layout, in the product's colours, and says
// what it shows in words (Alt) for screen readers and notifications.
//
// A chart is laid out once as a scene of rectangles, lines, dots and text in
// logical pixels (Width wide, the width a phone shows a chat image at); the
// SVG writes that scene as presentation attributes only (no style
// attributes, so a strict Content-Security-Policy allows it inline), and the
// PNG rasterises it at Scale times, through gonum.org/v1/plot's vector
// canvas. Text is set in Liberation Sans (SIL Open Font License, compiled
// into the binary: nothing is fetched at run time), which has Arial's
// metrics, so the SVG's text fits the same in a browser that substitutes
// Arial or Helvetica.
package chart

import (
	"image/color"
	"io"
	"strings"
)

// Width is the logical width of every chart, in CSS pixels: about a phone's
// width, so labels keep their size when a chat app fits the image on screen.
const Width = 400

// Scale is the PNG's pixel density: a PNG is Width×Scale pixels wide, sharp
// on a phone's 2× screen.
const Scale = 2

// The product's colours as 0xRRGGBB: one per goal category, and the brand
// colour for everything that has none. They are defined here once; the chat
// adapters take their accent colours from Colour. Each has at least 3:1
// contrast on white (WCAG's minimum for parts of a graphic).
const (
	Academic uint32 = 0x2563EB // blue
	Personal uint32 = 0x16A34A // green
	Career   uint32 = 0xD97706 // amber
	Brand    uint32 = 0x4F46E5 // indigo
)

// Colour is a goal category's colour ("academic", "personal", "career", in
// any case), or Brand for anything else.
func Colour(category string) uint32 {
	switch strings.ToLower(category) {
	case "academic":
		return Academic
	case "personal":
		return Personal
	case "career":
		return Career
	}
	return Brand
}

// RGBA turns a 0xRRGGBB colour into an opaque color.RGBA.
func RGBA(c uint32) color.RGBA {
	return color.RGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 0xFF}
}

// Neutral colours of every chart: text, secondary text (7:1 on white),
// gridlines and bar tracks, the background.
const (
	ink        uint32 = 0x111827
	muted      uint32 = 0x4B5563
	rule       uint32 = 0xE5E7EB
	background uint32 = 0xFFFFFF
	// progressLine is the class chart's average-progress line: dark, so it
	// stands out over the Brand bars.
	progressLine uint32 = 0x1E1B4B
)

// Chart is what every chart here can do; bot.Chart asks the same, so a
// chart can ride in a bot.Message and be drawn by whichever adapter sends it.
type Chart interface {
	// Alt says what the chart shows, in words.
	Alt() string
	// PNG draws the chart for chat.
	PNG(w io.Writer) error
	// SVG draws the chart for the web.
	SVG(w io.Writer) error
	// FileName is the name chat shows for the PNG, such as "progress.png".
	FileName() string
}

var (
	_ Chart = ProgressCard{}
	_ Chart = Line{}
	_ Chart = Weekly{}
)

// clampPct bounds a percentage to 0..100.
func clampPct(p int) int { return min(max(p, 0), 100) }

// fileSlug turns a title into a short file-name part: lowercase letters and
// digits joined by dashes, or fallback when nothing is left.
func fileSlug(s, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 32 {
			return b.String()
		}
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
}
