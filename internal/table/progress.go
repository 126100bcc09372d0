package table

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// ProgressAfter is how many records a run handles before [Progress] shows
// a bar: a smaller input is done before a bar could be read.
const ProgressAfter = 50_000

// Progress shows how many records a long run has handled, as a bar with a
// count and a rate on stderr. It shows nothing unless stderr is a terminal,
// the run was not asked to be quiet, and the run has passed
// [ProgressAfter] records, so output redirected to a file or a test's
// buffer never holds a bar. A nil *Progress does nothing. A Progress is
// not safe for concurrent use: call it from the goroutine that writes.
type Progress struct {
	out  io.Writer // nil: never show
	name string
	n    int
	bar  *progressbar.ProgressBar
}

// NewProgress returns a progress bar for a run over the input named name,
// shown on stderr if it is a terminal (an *os.File for which
// term.IsTerminal holds) and quiet is false.
func NewProgress(stderr io.Writer, name string, quiet bool) *Progress {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return &Progress{}
	}
	return &Progress{out: f, name: name}
}

// Add counts n more records.
func (p *Progress) Add(n int) {
	if p == nil || p.out == nil {
		return
	}
	p.n += n
	if p.bar == nil {
		if p.n < ProgressAfter {
			return
		}
		p.bar = progressbar.NewOptions(-1,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(p.name),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
		p.bar.Add(p.n)
		return
	}
	p.bar.Add(n)
}

// Finish clears the bar, if one is shown, so the summary that follows
// starts on a clean line.
func (p *Progress) Finish() {
	if p == nil || p.bar == nil {
		return
	}
	p.bar.Finish()
}
