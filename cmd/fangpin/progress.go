package main

import (
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progressAfter is how many records a run decides before it shows a
// progress bar: small sheets finish before a bar would be read.
const progressAfter = 50_000

// progress shows a bar on stderr once a run is large, and only when stderr
// is a terminal; otherwise it does nothing.
type progress struct {
	out  *os.File // nil: never show
	name string
	n    int
	bar  *progressbar.ProgressBar
}

func (e *env) progress(quiet bool, name string) *progress {
	f, ok := e.stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	return &progress{out: f, name: name}
}

func (p *progress) add(n int) {
	if p.out == nil {
		return
	}
	p.n += n
	if p.bar == nil && p.n >= progressAfter {
		p.bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(p.name), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(200_000_000), progressbar.OptionClearOnFinish())
		p.bar.Add(p.n)
		return
	}
	if p.bar != nil {
		p.bar.Add(n)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
