package embedded

import (
	"context"
	"log/slog"
	"strings"
)

// withheld replaces a FerretDB log message that carries documents.
const withheld = "wire message withheld: it may hold students' text (log.student_text is off)"

// responseHeader starts the record FerretDB logs before a failed
// command's response; without the response it says nothing.
const responseHeader = "Response header:"

// ferretLogger is the logger FerretDB gets under opts: its logs are dropped
// unless opts.Debug, and kept free of documents unless opts.StudentText.
func ferretLogger(opts Options) *slog.Logger {
	switch {
	case !opts.Debug || opts.Logger == nil:
		return slog.New(slog.DiscardHandler)
	case opts.StudentText:
		return opts.Logger
	}
	return slog.New(privateHandler{opts.Logger.Handler()})
}

// privateHandler passes FerretDB's records at info and above (at debug it
// prints every request and response, documents and all) and withholds
// the wire messages it prints, whatever their level (it logs a failed
// command's response at warn, header then message: one line says so).
type privateHandler struct{ next slog.Handler }

// Enabled implements slog.Handler.
func (h privateHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo && h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h privateHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelInfo || strings.HasPrefix(r.Message, responseHeader) {
		return nil
	}
	if carriesDocuments(r.Message) {
		r = slog.NewRecord(r.Time, r.Level, withheld, r.PC)
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h privateHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return privateHandler{h.next.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h privateHandler) WithGroup(name string) slog.Handler {
	return privateHandler{h.next.WithGroup(name)}
}

// carriesDocuments reports whether msg is one of the wire dumps of
// FerretDB v1.24 (internal/clientconn/conn.go: "Request message:",
// "Response message:", "Proxy response message:", "Header diff:"), or
// spans lines as they do. Its other records are one-line sentences,
// addresses and errors.
func carriesDocuments(msg string) bool {
	for _, p := range []string{"Request message:", "Response message:", "Proxy response message:", "Header diff:"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return strings.Contains(msg, "\n")
}
