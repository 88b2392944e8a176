package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var writeDocs = flag.Bool("docs", false, "write the sample charts under docs/ (go test ./bot/chart -run TestDocSamples -docs)")

func day(m time.Month, d int) time.Time { return time.Date(2026, m, d, 15, 0, 0, 0, time.UTC) }

func sampleCard() ProgressCard {
	return ProgressCard{Name: "Sam Lee", Goals: []GoalBar{
		{Title: "Read three novels", Category: "academic", Percent: 40},
		{Title: "Run a 5k without stopping", Category: "personal", Percent: 10},
		{Title: "Shadow an engineer at the county hospital's biomedical workshop", Category: "career", Percent: 75},
	}, Streak: "3 weeks", NextConference: "Tue 12 Jan, 10:30 with Ms Rivera"}
}

func sampleLine() Line {
	return Line{Title: "Read three novels", Category: "academic", Points: []Point{
		{At: day(11, 24), Value: 40}, {At: day(10, 6), Value: 0}, {At: day(10, 20), Value: 10},
		{At: day(11, 3), Value: 25}, {At: day(11, 10), Value: 20},
	}}
}

func sampleWeekly() Weekly {
	w := Weekly{Title: "Period 3 English"}
	for i := range 10 {
		p := 12 + 5*i
		if i < 2 {
			p = NoFigure
		}
		w.Weeks = append(w.Weeks, Week{Start: day(9, 14).AddDate(0, 0, 7*i), Participation: 45 + (i*23)%45, Progress: p})
	}
	return w
}

func samples() map[string]Chart {
	return map[string]Chart{
		"card":                   sampleCard(),
		"empty card":             ProgressCard{},
		"card of many goals":     ProgressCard{Name: "Alex", Goals: make([]GoalBar, 12)},
		"line":                   sampleLine(),
		"line of one check-in":   Line{Title: "Solo", Points: []Point{{At: day(3, 1), Value: 50}}},
		"line without check-ins": Line{Title: "New goal", Category: "career"},
		"weekly":                 sampleWeekly(),
		"weekly of no weeks":     Weekly{Title: "New class"},
	}
}

// TestPNGIsTwiceTheLogicalSize: every chart's PNG decodes, Width×Scale
// pixels wide and its scene's height×Scale tall.
func TestPNGIsTwiceTheLogicalSize(t *testing.T) {
	for name, c := range samples() {
		var buf bytes.Buffer
		if err := c.PNG(&buf); err != nil {
			t.Fatalf("%s: PNG: %v", name, err)
		}
		img, err := png.Decode(&buf)
		if err != nil {
			t.Fatalf("%s: the PNG doesn't decode: %v", name, err)
		}
		want := image.Pt(Width*Scale, int(sceneOf(c).h*Scale+0.5))
		if got := img.Bounds().Size(); got != want {
			t.Errorf("%s: PNG is %v, want %v", name, got, want)
		}
		if !strings.HasSuffix(c.FileName(), ".png") {
			t.Errorf("%s: file name %q", name, c.FileName())
		}
	}
}

func sceneOf(c Chart) *scene {
	switch v := c.(type) {
	case ProgressCard:
		return v.scene()
	case Line:
		return v.scene()
	case Weekly:
		return v.scene()
	}
	panic("unknown chart")
}

// TestSVGIsAccessibleAndCSPSafe: the SVG parses as XML, is an <svg
// role="img"> whose first child is a <title> holding the alt text, and uses
// no style attributes (a strict Content-Security-Policy would drop them).
func TestSVGIsAccessibleAndCSPSafe(t *testing.T) {
	for name, c := range samples() {
		var buf bytes.Buffer
		if err := c.SVG(&buf); err != nil {
			t.Fatalf("%s: SVG: %v", name, err)
		}
		title, root := svgTitle(t, name, buf.Bytes())
		if title != c.Alt() {
			t.Errorf("%s: <title> %q, want the alt text %q", name, title, c.Alt())
		}
		if root.Name.Local != "svg" || attr(root, "role") != "img" || attr(root, "viewBox") == "" {
			t.Errorf("%s: root %v", name, root)
		}
		if bytes.Contains(buf.Bytes(), []byte("style=")) || bytes.HasPrefix(buf.Bytes(), []byte("<?xml")) {
			t.Errorf("%s: the SVG has a style attribute or an XML prolog, unfit to inline", name)
		}
	}
}

// svgTitle parses an SVG and returns its first child's text, which must be
// a <title>, and the root element.
func svgTitle(t *testing.T, name string, doc []byte) (string, xml.StartElement) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var root xml.StartElement
	var title strings.Builder
	depth, inTitle, seenTitle := 0, false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: the SVG doesn't parse: %v", name, err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				root = v.Copy()
			case depth == 2 && !seenTitle:
				if v.Name.Local != "title" {
					t.Errorf("%s: first child is <%s>, want <title>", name, v.Name.Local)
				}
				inTitle, seenTitle = true, true
			}
		case xml.EndElement:
			depth--
			inTitle = false
		case xml.CharData:
			if inTitle {
				title.Write(v)
			}
		}
	}
	return title.String(), root
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// TestStudentTextIsEscapedInSVG: a goal title with markup stays text.
func TestStudentTextIsEscapedInSVG(t *testing.T) {
	c := ProgressCard{Name: `Sam <script>alert(1)</script>`, Goals: []GoalBar{{Title: `Fish & "chips" <b>`, Percent: 5}}}
	var buf bytes.Buffer
	if err := c.SVG(&buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script>") || strings.Contains(buf.String(), "<b>") {
		t.Errorf("markup leaked into the SVG:\n%s", buf.String())
	}
	if title, _ := svgTitle(t, "escaped", buf.Bytes()); !strings.Contains(title, `Fish & "chips" <b> 5%`) {
		t.Errorf("title %q", title)
	}
}

// TestBarsAreInTheirCategoryColour: each goal's bar is drawn in its
// category's colour, in the PNG and in the SVG.
func TestBarsAreInTheirCategoryColour(t *testing.T) {
	c := ProgressCard{Name: "Sam", Goals: []GoalBar{
		{Title: "A", Category: "academic", Percent: 50},
		{Title: "P", Category: "Personal", Percent: 50},
		{Title: "C", Category: "career", Percent: 50},
		{Title: "Other", Percent: 50},
	}}
	var buf bytes.Buffer
	if err := c.PNG(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []uint32{Academic, Personal, Career, Brand} {
		// The middle of the filled part of goal i's bar.
		x := int((pad + 40) * Scale)
		y := int((accentH + pad + 58 + float64(i)*goalRowH + 44 + barH/2) * Scale)
		if got := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); got != RGBA(want) {
			t.Errorf("bar %d (%s) is %v at (%d,%d), want %06X", i, c.Goals[i].Category, got, x, y, want)
		}
	}
	buf.Reset()
	if err := c.SVG(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"#2563EB", "#16A34A", "#D97706", "#4F46E5"} {
		if !strings.Contains(buf.String(), `fill="`+want+`"`) {
			t.Errorf("the SVG has no %s fill", want)
		}
	}
}

func TestColour(t *testing.T) {
	for cat, want := range map[string]uint32{"academic": Academic, "PERSONAL": Personal, "career": Career, "": Brand, "art": Brand} {
		if got := Colour(cat); got != want {
			t.Errorf("Colour(%q) = %06X, want %06X", cat, got, want)
		}
	}
	if got := RGBA(0x2563EB); got != (color.RGBA{0x25, 0x63, 0xEB, 0xFF}) {
		t.Errorf("RGBA = %v", got)
	}
}

func TestAltText(t *testing.T) {
	tests := []struct {
		name string
		c    Chart
		want string
	}{
		{"card", sampleCard(), "Sam Lee's progress: Read three novels (academic) 40%; Run a 5k without stopping (personal) 10%; " +
			"Shadow an engineer at the county hospital's biomedical workshop (career) 75%. Check-in streak: 3 weeks. " +
			"Next conference: Tue 12 Jan, 10:30 with Ms Rivera."},
		{"empty card", ProgressCard{Name: "Alex"}, "Alex's progress: no active goals. No conference booked."},
		{"line up", sampleLine(), "Read three novels: 40% on 24 Nov, up from 0% on 6 Oct (5 check-ins)."},
		{"line down", Line{Title: "Run", Points: []Point{{At: day(3, 1), Value: 60}, {At: day(3, 8), Value: 45}}},
			"Run: 45% on 8 Mar, down from 60% on 1 Mar (2 check-ins)."},
		{"line flat", Line{Title: "Run", Points: []Point{{At: day(3, 1), Value: 60}, {At: day(3, 8), Value: 60}}},
			"Run: 60% on 8 Mar, the same as 60% on 1 Mar (2 check-ins)."},
		{"line of one", Line{Title: "Solo", Points: []Point{{At: day(3, 1), Value: 50}}}, "Solo: 50% on 1 Mar (one check-in)."},
		{"line of none", Line{Title: "New goal"}, "New goal: no check-ins yet."},
		{"weekly", sampleWeekly(), "Period 3 English, week by week from 14 Sep to 16 Nov: 72% of the class checked in in the latest week, " +
			"45% in the first; average progress 57%, from 22%."},
		{"weekly without progress", Weekly{Title: "Art", Weeks: []Week{{Start: day(9, 14), Participation: 50, Progress: NoFigure}}},
			"Art, the week of 14 Sep: 50% of the class checked in."},
		{"weekly of none", Weekly{Title: "New class"}, "New class: no weeks to show yet."},
	}
	for _, tt := range tests {
		if got := tt.c.Alt(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// TestLongTitlesAreCut: a title too long for the card ends in an ellipsis
// within the room it has; characters the font lacks are left out.
func TestLongTitlesAreCut(t *testing.T) {
	long := strings.Repeat("Shadow an engineer ", 10)
	got := fit(long, 16, false, 200)
	if !strings.HasSuffix(got, "…") || textWidth(got, 16, false) > 200 || len(got) < 10 {
		t.Errorf("fit = %q (%.0f px)", got, textWidth(got, 16, false))
	}
	if got := fit("Learn guitar 🎸\tnow", 16, false, 300); got != "Learn guitar now" {
		t.Errorf("fit = %q", got)
	}
}

// TestDocSamples writes the README's pictures with -docs.
func TestDocSamples(t *testing.T) {
	if !*writeDocs {
		t.Skip("run with -docs to write docs/progress-card.png and docs/goal-chart.png")
	}
	for file, c := range map[string]Chart{"progress-card.png": sampleCard(), "goal-chart.png": sampleLine()} {
		var buf bytes.Buffer
		if err := c.PNG(&buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("..", "..", "docs", file), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkProgressCard renders one progress card of four goals to PNG, as
// /plp plan does for each reply. cpu-ms/op is the process's CPU time per
// card (GC included): on a shared machine it moves far less than ns/op.
func BenchmarkProgressCard(b *testing.B) {
	c := sampleCard()
	c.Goals = append(c.Goals, GoalBar{Title: "Finish algebra II", Category: "academic", Percent: 65})
	var buf bytes.Buffer
	cpu0 := cpuTime()
	for b.Loop() {
		buf.Reset()
		if err := c.PNG(&buf); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	}
	b.ReportMetric(float64(buf.Len())/1024, "KiB")
}

// BenchmarkProgressCardSVG is the same card as SVG, for the dashboard.
func BenchmarkProgressCardSVG(b *testing.B) {
	c := sampleCard()
	for b.Loop() {
		if err := c.SVG(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
