package main

import (
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows a bar on stderr when it is a terminal; otherwise nothing.
type progress struct{ bar *progressbar.ProgressBar }

func (e *env) progress(quiet bool, name string) progress {
	f, ok := e.stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return progress{}
	}
	return progress{bar: progressbar.NewOptions(-1, progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(name), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200_000_000), progressbar.OptionClearOnFinish())}
}

func (p progress) add(n int) {
	if p.bar != nil {
		p.bar.Add(n)
	}
}

func (p progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
