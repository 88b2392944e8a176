package bot

import (
	"bytes"
	"fmt"
	"io"
)

// Visibility says who sees a reply.
type Visibility int

// Who sees a reply to the asker. A message with To set is a DM whatever its
// visibility.
const (
	// Private: only the asker (an ephemeral reply where the platform has one,
	// else a DM).
	Private Visibility = iota
	// Public: everyone in the place the request came from.
	Public
)

// Message is what a person sees, in platform-neutral form. Adapters render
// it natively (Block Kit, embeds, plain text) and enforce their platform's
// limits by splitting or paginating, never by dropping content.
//
// All text fields use the inline markup of this package: plain authored text
// plus spans made with Bold, Italic and User. Adapters turn it into their
// platform's syntax with Format; user-entered text must always be wrapped in
// User so it is escaped and can never ping a channel.
type Message struct {
	// To, if set, sends the message as a DM to that person rather than as a
	// reply to the request.
	To *Identity
	// Visibility applies to replies (To nil).
	Visibility Visibility
	// Title is a short heading; may be empty.
	Title string
	// Blocks are the body, in order.
	Blocks []Block
	// Buttons are the actions offered at the end; the first is the primary one.
	Buttons []Button
	// File is an optional attachment, such as a plan exported as Markdown.
	File *File
	// Chart is an optional picture of the message's figures, drawn by the
	// adapter that sends it: a PNG attached in chat, inline SVG on the web.
	// The blocks still carry the same figures in words.
	Chart Chart
	// Category, if set ("academic", "personal", "career"), lets adapters pick
	// an accent colour.
	Category string
}

// Block is one part of a message body: Text, Fields, Progress, List,
// Context or Divider.
type Block interface{ block() }

// Text is a paragraph.
type Text struct{ Text string }

// Fields are short label/value pairs shown side by side where possible.
type Fields struct{ Fields []Field }

// Field is one label/value pair.
type Field struct {
	Label string
	Value string
}

// Progress is a labelled progress bar.
type Progress struct {
	Label   string
	Percent int // 0..100
}

// List is a bulleted list.
type List struct{ Items []string }

// Context is a small, muted line (a hint, a footer, a timestamp).
type Context struct{ Text string }

// Divider separates groups of blocks.
type Divider struct{}

func (Text) block()     {}
func (Fields) block()   {}
func (Progress) block() {}
func (List) block()     {}
func (Context) block()  {}
func (Divider) block()  {}

// ButtonStyle hints how prominent a button is.
type ButtonStyle int

// Button styles.
const (
	Default ButtonStyle = iota
	Primary
	Danger
)

// Button is an action a person can take with one press. Pressing it runs
// Command (a command line in the grammar, without "/plp", such as
// "step done 2.1") as the person who pressed it. If Form is set, pressing
// opens the form instead (a modal), and submitting it runs Form.Command.
// Adapters that cannot show forms show the command to type.
type Button struct {
	Label   string
	Command string
	Style   ButtonStyle
	Form    *Form
}

// Form is a small dialog that collects a command's arguments.
type Form struct {
	Title   string // ≤ 24 characters (Slack's modal limit)
	Submit  string // ≤ 24 characters
	Command string // the command path to run, such as "checkin"
	// Fixed are arguments set by the button rather than typed, by name.
	Fixed  map[string]string
	Fields []FormField
}

// FormField is one input of a Form; Name is the grammar argument it fills.
type FormField struct {
	Name        string
	Label       string
	Placeholder string
	Initial     string
	Multiline   bool
	Optional    bool
	MaxLen      int
}

// File is an attachment.
type File struct {
	Name        string // such as "plan-alex.md"
	ContentType string // such as "text/markdown"
	Data        []byte
}

// Chart is a picture drawn from data at the edge (bot/chart's types
// implement it): chat adapters attach its PNG with its alt text, the web
// inlines its SVG. Its methods only draw; they never read or send anything.
type Chart interface {
	// Alt says what the chart shows, in words: alt text for the image and
	// the fallback where pictures don't show.
	Alt() string
	// PNG draws the chart for chat, at twice a phone's pixel density.
	PNG(w io.Writer) error
	// SVG draws the chart as an <svg> element for the web.
	SVG(w io.Writer) error
	// FileName is the name chat shows for the PNG, such as "progress.png".
	FileName() string
}

// ChartPNG draws c as a PNG attachment named after it. A chart that
// panics while drawing is an error here, so one bad picture never takes an
// adapter down: the message's words still go out.
func ChartPNG(c Chart) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("draw %s: panic: %v", c.FileName(), r)
		}
	}()
	var b bytes.Buffer
	if err := c.PNG(&b); err != nil {
		return nil, fmt.Errorf("draw %s: %w", c.FileName(), err)
	}
	return &File{Name: c.FileName(), ContentType: "image/png", Data: b.Bytes()}, nil
}

// PlainText returns the message's text without markup, one block a line;
// useful for logs, fallbacks and notifications.
func (m Message) PlainText() string {
	var b []byte
	add := func(s string) {
		if s == "" {
			return
		}
		if len(b) > 0 {
			b = append(b, '\n')
		}
		b = append(b, Format(s, PlainDialect)...)
	}
	add(m.Title)
	for _, bl := range m.Blocks {
		switch v := bl.(type) {
		case Text:
			add(v.Text)
		case Fields:
			for _, f := range v.Fields {
				add(f.Label + ": " + f.Value)
			}
		case Progress:
			add(v.Label + " " + Bar(v.Percent, 10) + " " + itoa(v.Percent) + "%")
		case List:
			for _, it := range v.Items {
				add("• " + it)
			}
		case Context:
			add(v.Text)
		}
	}
	return string(b)
}

// Bar draws a progress bar of width cells, such as "▰▰▰▱▱" for 60% of 5.
func Bar(percent, width int) string {
	if percent < 0 {
		percent = 0
	}
	if percent > 100 {
		percent = 100
	}
	full := (percent*width + 50) / 100
	out := make([]rune, 0, width)
	for i := 0; i < width; i++ {
		if i < full {
			out = append(out, '▰')
		} else {
			out = append(out, '▱')
		}
	}
	return string(out)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var d [20]byte
	i := len(d)
	for n > 0 {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		d[i] = '-'
	}
	return string(d[i:])
}
