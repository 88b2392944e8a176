package oneroster

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// MaxLine is the longest line a file may have, and MaxRecord the longest
// record (a quoted field may span lines): far beyond any real roster row,
// and what keeps a file of garbage from being held in memory.
const (
	MaxLine   = 256 << 10
	MaxRecord = 1 << 20
)

var errLineTooLong = errors.New("line too long")

// guard passes a file through, failing once a line is longer than MaxLine
// or the bytes since the last record (mark) pass MaxRecord. It strips a
// UTF-8 byte order mark at the start.
type guard struct {
	r       io.Reader
	started bool
	line    int // bytes since the last newline
	record  int // bytes since mark
}

func (g *guard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if !g.started && n > 0 {
		g.started = true
		if bytes.HasPrefix(p[:n], []byte("\xef\xbb\xbf")) {
			n = copy(p, p[3:n])
		}
	}
	chunk := p[:n]
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			g.line += len(chunk)
			break
		}
		if g.line+i > MaxLine {
			return 0, errLineTooLong
		}
		g.line, chunk = 0, chunk[i+1:]
	}
	g.record += n
	if g.line > MaxLine || g.record > MaxRecord {
		return 0, errLineTooLong
	}
	return n, err
}

// mark notes the start of a record.
func (g *guard) mark() { g.record = 0 }

// table reads one CSV file of a set row by row, its columns found by
// header name.
type table struct {
	file string // "users.csv"
	csv  *csv.Reader
	g    *guard
	cols map[string]int
	ps   *problems
	bad  int // problems found in this file
	rec  []string
	line int
}

// newTable starts reading a file: it reads the header. It returns nil
// when the file can't be read as a table (the problem is recorded).
func newTable(file string, r io.Reader, ps *problems) *table {
	g := &guard{r: r}
	cr := csv.NewReader(g)
	cr.ReuseRecord = true
	t := &table{file: file, csv: cr, g: g, ps: ps}
	header, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		switch {
		case errors.Is(err, io.EOF):
			ps.add(file, 0, "the file is empty: a OneRoster file starts with its header row")
		case errors.As(err, &pe) && !errors.Is(pe.Err, errLineTooLong):
			ps.add(file, 1, "the header isn't CSV: is this a OneRoster CSV file?")
		default:
			t.failed(1, err)
		}
		return nil
	}
	t.cols = make(map[string]int, len(header))
	for i, h := range header {
		if !utf8.ValidString(h) {
			ps.add(file, 1, "the header isn't UTF-8 text: is this a OneRoster CSV file? (save it as UTF-8)")
			return nil
		}
		t.cols[strings.TrimSpace(h)] = i
	}
	return t
}

// has reports whether the file has a column.
func (t *table) has(col string) bool {
	_, ok := t.cols[col]
	return ok
}

// next reads the next row; false at the end of the file or once reading
// had to stop (too many problems, an unreadable file).
func (t *table) next() bool {
	for {
		if t.bad >= MaxProblemsPerFile {
			t.ps.add(t.file, 0, "stopped reading after %d problems", t.bad)
			return false
		}
		t.g.mark()
		rec, err := t.csv.Read()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount) {
				t.problem(pe.StartLine, "%d fields, but the header has %d: is a comma missing, or a field with a comma not in quotes?", len(rec), len(t.cols))
				continue
			}
			if errors.As(err, &pe) && (errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote)) {
				t.problem(pe.StartLine, "a stray quote: a field with a quote in it must be wholly in quotes, its quotes doubled (\"Sam \"\"Sammy\"\" Lee\")")
				continue
			}
			t.failed(t.line+1, err)
			return false
		}
		line, _ := t.csv.FieldPos(0)
		t.rec, t.line = rec, line
		if !t.validUTF8() {
			t.problem(line, "not UTF-8 text: save the file as UTF-8")
			continue
		}
		return true
	}
}

func (t *table) validUTF8() bool {
	for _, f := range t.rec {
		if !utf8.ValidString(f) {
			return false
		}
	}
	return true
}

// failed records that a file could not be read on from line.
func (t *table) failed(line int, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line, err = pe.StartLine, pe.Err
	}
	t.ps.add(t.file, line, "%s", readFailure(err))
	t.bad = MaxProblemsPerFile
}

// problem records a problem with the row at line.
func (t *table) problem(line int, format string, args ...any) {
	t.ps.add(t.file, line, format, args...)
	t.bad++
}

// get returns the value of a column of the current row, trimmed ("" if
// the file has no such column).
func (t *table) get(col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(t.rec) {
		return ""
	}
	return strings.TrimSpace(t.rec[i])
}

// list returns a list column: comma-separated values inside one field.
func (t *table) list(col string) []string {
	v := t.get(col)
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
