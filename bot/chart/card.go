package chart

import (
	"fmt"
	"io"
	"strings"
)

// MaxCardGoals is how many goals a progress card draws; the rest are
// counted in a line under them ("+ 2 more goals").
const MaxCardGoals = 8

// ProgressCard is a student's plan at a glance: each active goal's progress
// bar in its category's colour, their check-in streak and their next
// conference.
type ProgressCard struct {
	// Name is whose plan it is, as shown in its heading.
	Name string
	// Goals are the active goals, in the order to show them.
	Goals []GoalBar
	// Streak says the check-in streak in a few words, such as "3 weeks".
	Streak string
	// NextConference says when and with whom, such as "Tue 12 Jan, 10:30
	// with Ms Lee"; empty when none is booked.
	NextConference string
}

// GoalBar is one goal on a progress card.
type GoalBar struct {
	Title    string
	Category string // academic, personal or career; another draws in Brand
	Percent  int    // 0..100
}

// Card layout, in logical pixels.
const (
	pad        = 20.0
	accentH    = 6.0
	goalRowH   = 66.0
	barH       = 12.0
	footerRowH = 46.0
)

// Alt lists every goal with its category and progress, then the streak and
// the next conference: "Sam Lee's progress: Read three novels (academic)
// 40%; …. Check-in streak: 3 weeks. Next conference: …".
func (c ProgressCard) Alt() string {
	var b strings.Builder
	name := strings.TrimSpace(c.Name)
	if name == "" {
		b.WriteString("Progress")
	} else {
		b.WriteString(name + "'s progress")
	}
	if len(c.Goals) == 0 {
		b.WriteString(": no active goals.")
	} else {
		parts := make([]string, len(c.Goals))
		for i, g := range c.Goals {
			cat := ""
			if g.Category != "" {
				cat = " (" + strings.ToLower(g.Category) + ")"
			}
			parts[i] = fmt.Sprintf("%s%s %d%%", strings.TrimSpace(g.Title), cat, clampPct(g.Percent))
		}
		b.WriteString(": " + strings.Join(parts, "; ") + ".")
	}
	if c.Streak != "" {
		b.WriteString(" Check-in streak: " + c.Streak + ".")
	}
	if c.NextConference != "" {
		b.WriteString(" Next conference: " + c.NextConference + ".")
	} else {
		b.WriteString(" No conference booked.")
	}
	return b.String()
}

// FileName is "progress-NAME.png".
func (c ProgressCard) FileName() string { return "progress-" + fileSlug(c.Name, "card") + ".png" }

// PNG draws the card for chat, Width×Scale pixels wide.
func (c ProgressCard) PNG(w io.Writer) error { return draw(w, c.scene, (*scene).png) }

// SVG draws the card for the web.
func (c ProgressCard) SVG(w io.Writer) error { return draw(w, c.scene, (*scene).svg) }

// scene lays the card out: heading, one row per goal, then the streak and
// the next conference.
func (c ProgressCard) scene() *scene {
	s := &scene{w: Width, alt: c.Alt()}
	inner := Width - 2*pad
	s.add(rect{x: 0, y: 0, w: Width, h: accentH, fill: Brand})
	y := accentH + pad
	s.add(label{x: pad, y: y + 20, text: fit(cardHeading(c.Name), 22, true, inner), size: 22, bold: true, fill: ink})
	s.add(label{x: pad, y: y + 42, text: activeGoalsText(len(c.Goals)), size: 14, fill: muted})
	y += 58

	shown := c.Goals[:min(len(c.Goals), MaxCardGoals)]
	for _, g := range shown {
		c.goalRow(s, g, y)
		y += goalRowH
	}
	if more := len(c.Goals) - len(shown); more > 0 {
		s.add(label{x: pad, y: y + 14, text: fmt.Sprintf("+ %d more %s", more, plural(more, "goal")), size: 14, fill: muted})
		y += 26
	}

	y += 4
	s.add(rect{x: pad, y: y, w: inner, h: 1, fill: rule})
	y += 12
	streak := c.Streak
	if streak == "" {
		streak = "Not started yet"
	}
	footerRow(s, y, "CHECK-IN STREAK", streak)
	y += footerRowH
	conf := c.NextConference
	if conf == "" {
		conf = "None booked"
	}
	footerRow(s, y, "NEXT CONFERENCE", conf)
	s.h = y + footerRowH + pad/2
	return s
}

// goalRow draws one goal: its category, title and percent, then its bar.
func (c ProgressCard) goalRow(s *scene, g GoalBar, y float64) {
	inner := Width - 2*pad
	col := Colour(g.Category)
	pct := clampPct(g.Percent)
	pctText := fmt.Sprintf("%d%%", pct)
	pctW := textWidth(pctText, 18, true)
	if cat := strings.ToUpper(printable(g.Category, true)); cat != "" {
		s.add(label{x: pad, y: y + 13, text: fit(cat, 11, true, inner), size: 11, bold: true, fill: col})
	}
	s.add(label{x: pad, y: y + 34, text: fit(g.Title, 16, false, inner-pctW-12), size: 16, fill: ink})
	s.add(label{x: Width - pad, y: y + 34, text: pctText, size: 18, bold: true, fill: col, anchor: end})
	barY := y + 44
	s.add(rect{x: pad, y: barY, w: inner, h: barH, r: barH / 2, fill: rule})
	if pct > 0 {
		// Never narrower than the bar is tall, so a small start still shows
		// as a rounded pill rather than a sliver.
		w := max(inner*float64(pct)/100, barH)
		s.add(rect{x: pad, y: barY, w: w, h: barH, r: barH / 2, fill: col})
	}
}

// footerRow draws a small heading and its value under it.
func footerRow(s *scene, y float64, heading, value string) {
	inner := Width - 2*pad
	s.add(label{x: pad, y: y + 13, text: heading, size: 11, bold: true, fill: muted})
	s.add(label{x: pad, y: y + 34, text: fit(value, 16, false, inner), size: 16, fill: ink})
}

// cardHeading is the card's heading: the name, or "Your progress".
func cardHeading(name string) string {
	if strings.TrimSpace(name) == "" {
		return "Your progress"
	}
	return name
}

// activeGoalsText is "2 active goals" or "No active goals yet".
func activeGoalsText(n int) string {
	if n == 0 {
		return "No active goals yet"
	}
	return fmt.Sprintf("%d active %s", n, plural(n, "goal"))
}

// plural is word, or word+"s" unless n is 1.
func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
