package bot

import (
	"context"
	"io"
)

// MaxAttachmentSize is the largest file plpbot takes from chat (50 MB):
// a school's whole OneRoster export zips to a few MB. Larger files are
// refused before they are downloaded, and a download that turns out larger
// than it said is cut off at this size.
const MaxAttachmentSize = 50 << 20

// Attachment is a file a person sent with their message (a Slack file
// share, a Discord attachment). The adapter that received it says how to
// download it: Fetch reads it from the platform's own file host only, with
// the bot's credentials, and never from anywhere else.
type Attachment struct {
	// Name is the file's name as sent, such as "lincoln-2026.zip".
	Name string
	// Size is the size in bytes the platform reports.
	Size int64
	// Fetch downloads the file; the caller closes the reader. It fails for
	// a URL outside the platform's file host.
	Fetch func(ctx context.Context) (io.ReadCloser, error)
}
