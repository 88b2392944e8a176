package bot

import (
	"context"
	"sync"
)

// CommandNote is where a Handler notes which command a request ran, for
// whoever wraps it (metrics, logs): only the handler knows, since a command
// line or a DM is parsed inside it. The wrapper puts a note in the context
// with WithCommandNote and reads Name once Handle returns.
type CommandNote struct {
	mu   sync.Mutex
	name string
}

type commandNoteKey struct{}

// WithCommandNote returns a context that carries a fresh note, and the note.
func WithCommandNote(ctx context.Context) (context.Context, *CommandNote) {
	n := &CommandNote{}
	return context.WithValue(ctx, commandNoteKey{}, n), n
}

// NoteCommand records in ctx's note, if it has one, the name of the command
// being run, such as "goal add". Only names from the command grammar belong
// here, never what a person typed: the set of names stays small and free of
// student text.
func NoteCommand(ctx context.Context, name string) {
	if n, ok := ctx.Value(commandNoteKey{}).(*CommandNote); ok {
		n.mu.Lock()
		n.name = name
		n.mu.Unlock()
	}
}

// Name returns the noted command's name, or "" when the handler ran none (a
// DM that is a reflection, a command line it couldn't read).
func (n *CommandNote) Name() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.name
}
