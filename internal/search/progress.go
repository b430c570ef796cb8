package search

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// NewProgressBar returns the progress bar a Rebuilder shows while it fills
// a new generation, or nil when w is nil. An unknown total (0) shows a
// spinner with a count.
func NewProgressBar(total int, w io.Writer, name string) *progressbar.ProgressBar {
	if w == nil {
		return nil
	}
	max := int64(total)
	if total <= 0 {
		max = -1
	}
	return progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("reindex "+name),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("docs"),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
}
