package chart

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
)

// scene is a chart laid out in logical pixels, origin top left: what the SVG
// and PNG writers both draw, shape by shape, in order.
type scene struct {
	w, h   float64
	alt    string
	shapes []shape
}

// shape is one of rect, polyline, dot and label.
type shape interface{ isShape() }

// rect is a filled rectangle with corner radius r.
type rect struct {
	x, y, w, h, r float64
	fill          uint32
}

// polyline is a stroked open line through pts.
type polyline struct {
	pts    []point
	stroke uint32
	width  float64
}

// point is a position in logical pixels.
type point struct{ x, y float64 }

// dot is a filled circle with an outline (none if ring is 0).
type dot struct {
	x, y, r    float64
	fill, ring uint32
	ringWidth  float64
}

// anchor is where a label's x is: its start, middle or end.
type anchor int

const (
	start anchor = iota
	middle
	end
)

// label is one line of text; y is its baseline.
type label struct {
	x, y   float64
	text   string
	size   float64
	bold   bool
	fill   uint32
	anchor anchor
}

func (rect) isShape()     {}
func (polyline) isShape() {}
func (dot) isShape()      {}
func (label) isShape()    {}

func (s *scene) add(sh ...shape) { s.shapes = append(s.shapes, sh...) }

// typefaces are Liberation Sans regular and bold, parsed once: read-only
// font data shared by every chart.
var typefaces = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var out [2]*opentype.Font
	for i, ttf := range [][]byte{liberationsansregular.TTF, liberationsansbold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return out, fmt.Errorf("parse Liberation Sans: %w", err)
		}
		out[i] = f
	}
	return out, nil
})

// draw lays a chart out and writes it with out, once the typefaces are
// known to load, so that layout, which measures text, cannot fail.
func draw(w io.Writer, layout func() *scene, out func(*scene, io.Writer) error) error {
	if _, err := typefaces(); err != nil {
		return err
	}
	return out(layout(), w)
}

// face is the typeface at size (logical pixels, drawn as points).
func face(size float64, bold bool) font.Face {
	fs, err := typefaces()
	if err != nil {
		// Unreachable: draw checks the fonts before any layout, and they
		// are compiled in.
		panic(err)
	}
	f := fs[0]
	if bold {
		f = fs[1]
	}
	return font.Face{Font: font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Length(size)}, Face: f}
}

// textWidth is how wide text is at size, in logical pixels.
func textWidth(text string, size float64, bold bool) float64 {
	f := face(size, bold)
	return float64(f.Width(text))
}

// printable keeps the characters the typeface has (emoji and scripts it
// lacks would draw as boxes) and folds runs of spaces and control
// characters into one space, so the PNG and the SVG show the same text.
func printable(text string, bold bool) string {
	f := face(16, bold).Face
	var buf sfnt.Buffer
	var b strings.Builder
	space := false
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fit is text made printable and cut with an ellipsis to at most maxW
// logical pixels wide at size.
func fit(text string, size float64, bold bool, maxW float64) string {
	text = printable(text, bold)
	if textWidth(text, size, bold) <= maxW {
		return text
	}
	rs := []rune(text)
	lo, hi := 0, len(rs) // the longest prefix that fits with "…" is rs[:n], lo ≤ n ≤ hi
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if textWidth(strings.TrimRight(string(rs[:mid]), " ")+"…", size, bold) <= maxW {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(rs[:lo]), " ") + "…"
}
