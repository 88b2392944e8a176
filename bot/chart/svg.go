package chart

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// fontFamily is what the SVG asks the browser for: Liberation Sans, or a
// font with the same metrics, so text fits as it was laid out.
const fontFamily = `'Liberation Sans', Arial, Helvetica, sans-serif`

// svg writes the scene as a standalone SVG element, ready to inline in HTML
// (no XML prolog). Its accessible name is the alt text (role="img" and a
// <title> first child); it uses presentation attributes only, never style
// attributes, so a strict Content-Security-Policy lets it render.
func (s *scene) svg(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" font-family="%s">`,
		num(s.w), num(s.h), num(s.w), num(s.h), fontFamily)
	b.WriteString("<title>")
	escape(b, s.alt)
	b.WriteString("</title>")
	fmt.Fprintf(b, `<rect width="%s" height="%s" fill="%s"/>`, num(s.w), num(s.h), hex(background))
	for _, sh := range s.shapes {
		switch v := sh.(type) {
		case rect:
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s"`, num(v.x), num(v.y), num(v.w), num(v.h))
			if v.r > 0 {
				fmt.Fprintf(b, ` rx="%s"`, num(v.r))
			}
			fmt.Fprintf(b, ` fill="%s"/>`, hex(v.fill))
		case polyline:
			pts := make([]string, len(v.pts))
			for i, p := range v.pts {
				pts[i] = num(p.x) + "," + num(p.y)
			}
			fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round"/>`,
				strings.Join(pts, " "), hex(v.stroke), num(v.width))
		case dot:
			fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="%s" fill="%s"`, num(v.x), num(v.y), num(v.r), hex(v.fill))
			if v.ringWidth > 0 {
				fmt.Fprintf(b, ` stroke="%s" stroke-width="%s"`, hex(v.ring), num(v.ringWidth))
			}
			b.WriteString("/>")
		case label:
			writeLabel(b, v)
		}
	}
	b.WriteString("</svg>\n")
	return b.Flush()
}

// writeLabel writes one <text> element. Its textLength is the width it was
// laid out at, so a browser that lacks Liberation Sans and Arial both
// (falling back to a wider or narrower face) still fits it in its place.
func writeLabel(b *bufio.Writer, v label) {
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s" fill="%s" textLength="%s" lengthAdjust="spacingAndGlyphs"`,
		num(v.x), num(v.y), num(v.size), hex(v.fill), num(textWidth(v.text, v.size, v.bold)))
	if v.bold {
		b.WriteString(` font-weight="bold"`)
	}
	switch v.anchor {
	case middle:
		b.WriteString(` text-anchor="middle"`)
	case end:
		b.WriteString(` text-anchor="end"`)
	}
	b.WriteString(">")
	escape(b, v.text)
	b.WriteString("</text>")
}

// escape writes s as XML character data.
func escape(w io.Writer, s string) {
	_ = xml.EscapeText(w, []byte(s))
}

// num formats a coordinate compactly: at most two decimals.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// hex is a colour as "#RRGGBB".
func hex(c uint32) string { return fmt.Sprintf("#%06X", c&0xFFFFFF) }
