package discord

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/plpbot/plpbot/bot"
	"github.com/plpbot/plpbot/bot/chart"
)

// Discord's message limits, in characters (UTF-16 code units, as Discord
// counts them). Rendering splits content to stay within them and never drops
// any of it.
const (
	MaxContentLen     = 2000
	MaxEmbeds         = 10
	MaxEmbedTotal     = 6000
	MaxTitleLen       = 256
	MaxDescriptionLen = 4096
	MaxFields         = 25
	MaxFieldNameLen   = 256
	MaxFieldValueLen  = 1024
	MaxFooterLen      = 2048
	MaxActionRows     = 5
	MaxRowButtons     = 5
	MaxCustomIDLen    = 100
	MaxButtonLabelLen = 80
)

// Custom id prefixes of the components the adapter sends: a button that runs
// a command line, and a button (or modal) bound to a form.
const (
	buttonPrefix = "plp:"
	formPrefix   = "plpf:"
)

// Accent colours by goal category, the product's (bot/chart defines them
// once); other messages use the brand colour.
const (
	colourDefault  = int(chart.Brand)
	colourAcademic = int(chart.Academic)
	colourPersonal = int(chart.Personal)
	colourCareer   = int(chart.Career)
)

func categoryColour(category string) int { return int(chart.Colour(category)) }

// markdownDialect writes the inline markup as Discord markdown, for places
// that render it (embed descriptions and field values).
func markdownDialect() bot.Dialect {
	return bot.Dialect{
		Escape: func(s string) string { return neutraliseMentions(escapeMarkdown(s)) },
		Bold:   func(s string) string { return wrapNonEmpty("**", s) },
		Italic: func(s string) string { return wrapNonEmpty("*", s) },
	}
}

// plainDialect is for places that show text literally (titles, footers,
// button labels): formatting is dropped, mentions are still neutralised.
func plainDialect() bot.Dialect {
	return bot.Dialect{
		Escape: neutraliseMentions,
		Bold:   func(s string) string { return s },
		Italic: func(s string) string { return s },
	}
}

func wrapNonEmpty(mark, s string) string {
	if s == "" {
		return ""
	}
	return mark + s + mark
}

// escapeMarkdown backslash-escapes every character Discord markdown gives a
// meaning to, so user text shows literally.
func escapeMarkdown(s string) string {
	if !strings.ContainsAny(s, "\\*_~`|>[]#") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if strings.ContainsRune("\\*_~`|>[]#", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// neutraliseMentions puts a zero-width space into @everyone, @here and every
// <…> tag (<@user>, <@&role>, <#channel>, </command:id>), so they show as
// text and never ping, whatever allowed_mentions says.
func neutraliseMentions(s string) string {
	if !strings.ContainsAny(s, "@<") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		switch {
		case s[i] == '<':
			b.WriteString("<\u200b")
			i++
		case s[i] == '@' && (hasPrefixFold(s[i+1:], "everyone") || hasPrefixFold(s[i+1:], "here")):
			b.WriteString("@\u200b")
			i++
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// textLen counts s as Discord does: UTF-16 code units.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if r > 0xFFFF {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncate shortens s to at most max characters, ending in "…" if cut.
func truncate(s string, max int) string {
	if textLen(s) <= max {
		return s
	}
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > max-1 {
			return s[:i] + "…"
		}
		n += w
	}
	return s
}

// splitText cuts s into pieces of at most max characters, at line breaks
// where it can, else at spaces, else anywhere.
func splitText(s string, max int) []string {
	var out []string
	for textLen(s) > max {
		cut := cutIndex(s, max)
		out = append(out, strings.TrimRight(s[:cut], "\n"))
		s = strings.TrimLeft(s[cut:], "\n")
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// cutIndex returns a byte index ≤ max characters into s to cut at.
func cutIndex(s string, max int) int {
	end, n := 0, 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > max {
			break
		}
		n += w
		end = i + utf8.RuneLen(r)
	}
	head := s[:end]
	if i := strings.LastIndexByte(head, '\n'); i > end/2 {
		return i + 1
	}
	if i := strings.LastIndexByte(head, ' '); i > end/2 {
		return i + 1
	}
	// Never cut between a backslash and the character it escapes.
	for end > 1 && s[end-1] == '\\' {
		end--
	}
	return end
}

// page is one Discord message's worth of a bot.Message.
type page struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Files      []*discordgo.File
}

// item is one piece of an embed body, in order: a paragraph (or list line) of
// the description, or a field.
type item struct {
	text      string
	newPara   bool // separated from the previous text by a blank line
	field     *discordgo.MessageEmbedField
	breakHere bool // a divider: start a new embed
}

// renderPages turns msg into one or more Discord messages within every limit.
func renderPages(msg bot.Message) []page {
	md, plain := markdownDialect(), plainDialect()
	var items []item
	for _, bl := range msg.Blocks {
		switch v := bl.(type) {
		case bot.Text:
			if s := bot.Format(v.Text, md); s != "" {
				items = append(items, item{text: s, newPara: true})
			}
		case bot.List:
			for i, it := range v.Items {
				items = append(items, item{text: "• " + bot.Format(it, md), newPara: i == 0})
			}
		case bot.Progress:
			label := bot.Format(v.Label, md)
			items = append(items, item{text: label + "\n" + bot.Bar(v.Percent, 10) + " " + strconv.Itoa(v.Percent) + "%", newPara: true})
		case bot.Fields:
			for _, f := range v.Fields {
				items = append(items, fieldItems(bot.Format(f.Label, md), bot.Format(f.Value, md))...)
			}
		case bot.Context:
			// Subtext ("-# ") keeps hints small and muted but, unlike an
			// embed footer, renders `commands` and stays where it was written.
			if s := bot.Format(v.Text, md); s != "" {
				items = append(items, item{text: subtext(s), newPara: true})
			}
		case bot.Divider:
			items = append(items, item{breakHere: true})
		}
	}
	rows, hints := buttonRows(msg.Buttons)
	for _, h := range hints {
		items = append(items, item{text: h, newPara: true})
	}

	p := packer{
		title:  truncate(bot.Format(msg.Title, plain), MaxTitleLen),
		colour: categoryColour(msg.Category),
	}
	for _, it := range items {
		p.add(it)
	}
	pages := p.finish()

	// Buttons go under the last page; more than 5 rows continue on pages of their own.
	for len(rows) > 0 {
		n := min(len(rows), MaxActionRows)
		last := &pages[len(pages)-1]
		if len(last.Components) > 0 {
			pages = append(pages, page{Content: "More options:"})
			last = &pages[len(pages)-1]
		}
		last.Components = rows[:n]
		rows = rows[n:]
	}
	if msg.File != nil {
		// Attachments ride on the last page.
		pages[len(pages)-1].Files = []*discordgo.File{{
			Name:        msg.File.Name,
			ContentType: msg.File.ContentType,
			Reader:      bytes.NewReader(msg.File.Data),
		}}
	}
	attachChart(&pages[len(pages)-1], msg.Chart)
	if last := &pages[len(pages)-1]; len(pages) == 1 && len(last.Embeds) == 0 && len(last.Components) == 0 && len(last.Files) == 0 {
		last.Content = "Done ✅"
	}
	return pages
}

// attachChart attaches c's PNG to p and shows it in p's last embed
// (attachment://NAME), so the picture sits under the figures it draws. If it
// can't be drawn, the page says so in a muted line: the embed already has
// the same figures in words.
func attachChart(p *page, c bot.Chart) {
	if c == nil {
		return
	}
	f, err := bot.ChartPNG(c)
	if err != nil {
		p.Content = strings.TrimSpace(p.Content + "\n" + subtext("I couldn't draw the chart this time; the figures are the same in words."))
		return
	}
	p.Files = append(p.Files, &discordgo.File{Name: f.Name, ContentType: f.ContentType, Reader: bytes.NewReader(f.Data)})
	if len(p.Embeds) > 0 {
		p.Embeds[len(p.Embeds)-1].Image = &discordgo.MessageEmbedImage{URL: "attachment://" + f.Name}
	}
}

// subtext marks every line of s as Discord subtext (small, muted).
func subtext(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			lines[i] = "-# " + l
		}
	}
	return strings.Join(lines, "\n")
}

// fieldItems makes a field, continuing a long value in further fields.
func fieldItems(name, value string) []item {
	name = truncate(name, MaxFieldNameLen)
	if name == "" {
		name = "\u200b"
	}
	if value == "" {
		value = "\u200b"
	}
	var out []item
	for i, part := range splitText(value, MaxFieldValueLen) {
		n := name
		if i > 0 {
			n = "\u200b"
		}
		out = append(out, item{field: &discordgo.MessageEmbedField{
			Name: n, Value: part, Inline: textLen(part) <= 40 && textLen(n) <= 40,
		}})
	}
	return out
}

// packer fills embeds and pages in order, starting a new embed or a new
// message whenever the next item would break a limit.
type packer struct {
	title  string
	colour int

	pages []page
	cur   *discordgo.MessageEmbed
	desc  strings.Builder
	total int // characters in the current page's embeds
}

// budget is what one page may hold, keeping room for its "Part i of n" footer.
func (p *packer) budget() int {
	return MaxEmbedTotal - 32
}

func (p *packer) flushEmbed() {
	if p.cur == nil {
		return
	}
	p.cur.Description = p.desc.String()
	p.desc.Reset()
	pg := &p.pages[len(p.pages)-1]
	pg.Embeds = append(pg.Embeds, p.cur)
	p.cur = nil
}

func (p *packer) newPage() {
	p.flushEmbed()
	p.pages = append(p.pages, page{})
	p.total = 0
}

// ensureEmbed opens an embed that can take need more characters.
func (p *packer) ensureEmbed(need int) {
	if len(p.pages) == 0 {
		p.newPage()
	}
	if p.total+need > p.budget() {
		p.newPage()
	}
	if p.cur == nil {
		if len(p.pages[len(p.pages)-1].Embeds) >= MaxEmbeds {
			p.newPage()
		}
		p.cur = &discordgo.MessageEmbed{Color: p.colour}
		if len(p.pages) == 1 && len(p.pages[0].Embeds) == 0 && p.title != "" {
			p.cur.Title = p.title
			p.total += textLen(p.title)
		}
	}
}

func (p *packer) add(it item) {
	switch {
	case it.breakHere:
		if p.cur != nil && (p.desc.Len() > 0 || len(p.cur.Fields) > 0) {
			p.flushEmbed()
		}
	case it.field != nil:
		need := textLen(it.field.Name) + textLen(it.field.Value)
		if p.cur != nil && len(p.cur.Fields) >= MaxFields {
			p.flushEmbed()
		}
		p.ensureEmbed(need)
		p.cur.Fields = append(p.cur.Fields, it.field)
		p.total += need
	default:
		for i, part := range splitText(it.text, MaxDescriptionLen) {
			sep := ""
			if p.cur != nil && p.desc.Len() > 0 {
				sep = "\n"
				if it.newPara && i == 0 {
					sep = "\n\n"
				}
			}
			need := textLen(sep) + textLen(part)
			// Text after fields would show above them: a short one becomes
			// a full-width field of its own; a long one opens a new embed.
			if p.cur != nil && len(p.cur.Fields) > 0 && len(p.cur.Fields) < MaxFields && textLen(part) <= MaxFieldValueLen &&
				p.total+textLen(part)+1 <= p.budget() {
				p.cur.Fields = append(p.cur.Fields, &discordgo.MessageEmbedField{Name: "\u200b", Value: part})
				p.total += textLen(part) + 1
				continue
			}
			if p.cur != nil && (len(p.cur.Fields) > 0 || textLen(p.desc.String())+need > MaxDescriptionLen) {
				p.flushEmbed()
				sep, need = "", textLen(part)
			}
			if len(p.pages) > 0 && p.total+need > p.budget() {
				p.newPage()
				sep, need = "", textLen(part)
			}
			p.ensureEmbed(need)
			p.desc.WriteString(sep)
			p.desc.WriteString(part)
			p.total += need
		}
	}
}

func (p *packer) finish() []page {
	p.flushEmbed()
	if len(p.pages) == 0 {
		p.pages = []page{{}}
	}
	// Drop a trailing page left empty by a divider.
	if n := len(p.pages); n > 1 && len(p.pages[n-1].Embeds) == 0 {
		p.pages = p.pages[:n-1]
	}
	if len(p.pages) == 1 && len(p.pages[0].Embeds) == 0 && p.title != "" {
		p.pages[0].Embeds = []*discordgo.MessageEmbed{{Title: p.title, Color: p.colour}}
	}
	n := len(p.pages)
	for i := range p.pages {
		pg := &p.pages[i]
		if len(pg.Embeds) == 0 {
			continue
		}
		if n > 1 {
			pg.Embeds[len(pg.Embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: "Part " + strconv.Itoa(i+1) + " of " + strconv.Itoa(n)}
		}
	}
	return p.pages
}

// buttonRows lays buttons out in rows of five. A button whose command does
// not fit in a custom id becomes a hint with the command to type.
func buttonRows(buttons []bot.Button) (rows []discordgo.MessageComponent, hints []string) {
	seen := map[string]bool{}
	var row []discordgo.MessageComponent
	for _, b := range buttons {
		id := buttonCustomID(b)
		if id == "" || textLen(id) > MaxCustomIDLen {
			cmd := b.Command
			if b.Form != nil {
				cmd = b.Form.Command
			}
			hints = append(hints, bot.Format(b.Label, markdownDialect())+": type /plp "+neutraliseMentions(escapeMarkdown(cmd)))
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		label := truncate(bot.Format(b.Label, plainDialect()), MaxButtonLabelLen)
		if label == "" {
			label = "Go"
		}
		row = append(row, discordgo.Button{Label: label, Style: buttonStyle(b.Style), CustomID: id})
		if len(row) == MaxRowButtons {
			rows = append(rows, discordgo.ActionsRow{Components: row})
			row = nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows, hints
}

func buttonStyle(s bot.ButtonStyle) discordgo.ButtonStyle {
	switch s {
	case bot.Primary:
		return discordgo.PrimaryButton
	case bot.Danger:
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}

// buttonCustomID encodes what pressing b does: "plp:" and a command line, or
// "plpf:" and a form's command with its fixed arguments as a query string.
func buttonCustomID(b bot.Button) string {
	if b.Form != nil {
		return formCustomID(b.Form.Command, b.Form.Fixed)
	}
	if strings.TrimSpace(b.Command) == "" {
		return ""
	}
	return buttonPrefix + b.Command
}

func formCustomID(command string, fixed map[string]string) string {
	id := formPrefix + command
	if len(fixed) > 0 {
		v := url.Values{}
		for k, val := range fixed {
			v.Set(k, val)
		}
		id += "?" + v.Encode()
	}
	return id
}

// parseFormCustomID is the inverse of formCustomID.
func parseFormCustomID(id string) (path []string, fixed map[string]string, ok bool) {
	rest, ok := strings.CutPrefix(id, formPrefix)
	if !ok {
		return nil, nil, false
	}
	cmd, query, _ := strings.Cut(rest, "?")
	fixed = map[string]string{}
	if query != "" {
		v, err := url.ParseQuery(query)
		if err != nil {
			return nil, nil, false
		}
		for k := range v {
			fixed[k] = v.Get(k)
		}
	}
	path = strings.Fields(cmd)
	return path, fixed, len(path) > 0
}

// allowNoMentions is set on every outgoing message: nothing we send may ping.
func allowNoMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// modalFor builds a modal (interaction response type 9) from a form: at most
// five text inputs, required ones first.
func modalFor(f *bot.Form) *discordgo.InteractionResponseData {
	title := truncate(bot.Format(f.Title, plainDialect()), 45)
	if title == "" {
		title = "plpbot"
	}
	fields := make([]bot.FormField, 0, len(f.Fields))
	for _, ff := range f.Fields {
		if !ff.Optional {
			fields = append(fields, ff)
		}
	}
	for _, ff := range f.Fields {
		if ff.Optional {
			fields = append(fields, ff)
		}
	}
	if len(fields) > 5 {
		fields = fields[:5]
	}
	rows := make([]discordgo.MessageComponent, 0, len(fields))
	for _, ff := range fields {
		style := discordgo.TextInputShort
		if ff.Multiline {
			style = discordgo.TextInputParagraph
		}
		maxLen := ff.MaxLen
		if maxLen <= 0 || maxLen > 4000 {
			maxLen = 4000
		}
		label := truncate(bot.StripMarkup(ff.Label), 45)
		if label == "" {
			label = ff.Name
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{
				CustomID:    ff.Name,
				Label:       label,
				Style:       style,
				Placeholder: truncate(bot.StripMarkup(ff.Placeholder), 100),
				Value:       truncate(ff.Initial, maxLen),
				Required:    !ff.Optional,
				MaxLength:   maxLen,
			},
		}})
	}
	return &discordgo.InteractionResponseData{
		CustomID:   formCustomID(f.Command, f.Fixed),
		Title:      title,
		Components: rows,
	}
}
