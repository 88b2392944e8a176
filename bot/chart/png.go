package chart

import (
	"fmt"
	"image"
	"io"
	"math"

	"git.sr.ht/~sbinet/gg"
	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// png rasterises the scene at Scale times its logical size and writes it as
// a PNG. One logical pixel is drawn as one point at 72×Scale dots per inch:
// shapes through gonum's vector canvas, text straight onto the same image
// with x/image's font drawer (glyph masks, no per-glyph resampling).
func (s *scene) png(w io.Writer) error {
	img := image.NewRGBA(image.Rect(0, 0, int(s.w*Scale+0.5), int(s.h*Scale+0.5)))
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.InvertY()
	c := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(72*Scale))
	r := rasteriser{scene: s, c: c, img: img, faces: map[faceKey]xfont.Face{}}
	defer r.close()
	for _, sh := range s.shapes {
		switch v := sh.(type) {
		case rect:
			c.SetColor(RGBA(v.fill))
			c.Fill(s.roundRect(v))
		case polyline:
			r.polyline(v)
		case dot:
			s.drawDot(c, v)
		case label:
			if err := r.label(v); err != nil {
				return err
			}
		}
	}
	return encodePNG(w, img)
}

// rasteriser draws one scene onto one image, keeping the font faces it
// opened.
type rasteriser struct {
	scene *scene
	c     *vgimg.Canvas
	img   *image.RGBA
	faces map[faceKey]xfont.Face
}

type faceKey struct {
	size float64
	bold bool
}

func (r *rasteriser) close() {
	for _, f := range r.faces {
		_ = f.Close()
	}
}

func (r *rasteriser) polyline(v polyline) {
	if len(v.pts) < 2 {
		return
	}
	var p vg.Path
	for i, pt := range v.pts {
		if i == 0 {
			p.Move(r.scene.at(pt.x, pt.y))
		} else {
			p.Line(r.scene.at(pt.x, pt.y))
		}
	}
	r.c.SetColor(RGBA(v.stroke))
	r.c.SetLineWidth(vg.Length(v.width))
	r.c.Stroke(p)
}

// label draws text at its baseline, moved left by its width (end) or half
// of it (middle) as SVG's text-anchor does.
func (r *rasteriser) label(l label) error {
	k := faceKey{l.size, l.bold}
	f, ok := r.faces[k]
	if !ok {
		var err error
		f, err = opentype.NewFace(face(l.size, l.bold).Face, &opentype.FaceOptions{Size: l.size, DPI: 72 * Scale, Hinting: xfont.HintingNone})
		if err != nil {
			return fmt.Errorf("chart font face: %w", err)
		}
		r.faces[k] = f
	}
	d := xfont.Drawer{Dst: r.img, Src: image.NewUniform(RGBA(l.fill)), Face: f}
	x := fixed.Int26_6(l.x * Scale * 64)
	switch l.anchor {
	case middle:
		x -= d.MeasureString(l.text) / 2
	case end:
		x -= d.MeasureString(l.text)
	}
	d.Dot = fixed.Point26_6{X: x, Y: fixed.Int26_6(l.y * Scale * 64)}
	d.DrawString(l.text)
	return nil
}

// at converts a logical point (origin top left) to the canvas's (origin
// bottom left).
func (s *scene) at(x, y float64) vg.Point {
	return vg.Point{X: vg.Length(x), Y: vg.Length(s.h - y)}
}

// roundRect is r's outline on the canvas, corners rounded.
func (s *scene) roundRect(r rect) vg.Path {
	rad := math.Min(r.r, math.Min(r.w, r.h)/2)
	x0, x1 := r.x, r.x+r.w
	bottom, top := s.h-(r.y+r.h), s.h-r.y
	pt := func(x, y float64) vg.Point { return vg.Point{X: vg.Length(x), Y: vg.Length(y)} }
	var p vg.Path
	if rad <= 0 {
		p.Move(pt(x0, bottom))
		p.Line(pt(x1, bottom))
		p.Line(pt(x1, top))
		p.Line(pt(x0, top))
		p.Close()
		return p
	}
	p.Move(pt(x0+rad, bottom))
	p.Line(pt(x1-rad, bottom))
	p.Arc(pt(x1-rad, bottom+rad), vg.Length(rad), -math.Pi/2, math.Pi/2)
	p.Line(pt(x1, top-rad))
	p.Arc(pt(x1-rad, top-rad), vg.Length(rad), 0, math.Pi/2)
	p.Line(pt(x0+rad, top))
	p.Arc(pt(x0+rad, top-rad), vg.Length(rad), math.Pi/2, math.Pi/2)
	p.Line(pt(x0, bottom+rad))
	p.Arc(pt(x0+rad, bottom+rad), vg.Length(rad), math.Pi, math.Pi/2)
	p.Close()
	return p
}

// drawDot fills a circle and strokes its ring.
func (s *scene) drawDot(c *vgimg.Canvas, d dot) {
	var p vg.Path
	centre := s.at(d.x, d.y)
	p.Move(vg.Point{X: centre.X + vg.Length(d.r), Y: centre.Y})
	p.Arc(centre, vg.Length(d.r), 0, 2*math.Pi)
	p.Close()
	c.SetColor(RGBA(d.fill))
	c.Fill(p)
	if d.ringWidth > 0 {
		c.SetColor(RGBA(d.ring))
		c.SetLineWidth(vg.Length(d.ringWidth))
		c.Stroke(p)
	}
}
