package ruledoc

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxQuoted is the longest text, in characters, that a message repeats
// whole. Longer text is cut to its first [QuotedPrefix] characters and
// followed by its length, so a message about a megabyte of text stays one
// short line.
const (
	MaxQuoted    = 40
	QuotedPrefix = 32
)

// maxEchoed is the longest message part a diagnostic repeats whole when it
// is not a quoted value (a message passed on from a parser, say).
const maxEchoed = 240

// Quote returns s in Go double quotes, as %q would, when it has at most
// MaxQuoted characters, and otherwise its first QuotedPrefix characters
// followed by "…" and the length: "aaaa…" (100000 characters).
func Quote(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= MaxQuoted {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%s (%d characters)", strconv.Quote(prefix(s, QuotedPrefix)+"…"), n)
}

// prefix returns the first n characters of s.
func prefix(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// Clip wraps a message argument so that %q prints it as [Quote] does and
// %s or %v print at most a few hundred characters and the length. Use it on
// arguments that come from a file or a user and may be of any length.
type Clip string

// Format implements fmt.Formatter.
func (c Clip) Format(f fmt.State, verb rune) {
	s := string(c)
	switch verb {
	case 'q':
		_, _ = f.Write([]byte(Quote(s)))
		return
	}
	if n := utf8.RuneCountInString(s); n > maxEchoed {
		s = fmt.Sprintf("%s… (%d characters)", prefix(s, maxEchoed), n)
	}
	_, _ = f.Write([]byte(s))
}

// ClipArgs returns args with every string argument wrapped in [Clip], for
// building messages with fmt from text of any length.
func ClipArgs(args []any) []any {
	var out []any
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > MaxQuoted {
			if out == nil {
				out = append([]any(nil), args...)
			}
			out[i] = Clip(s)
		}
	}
	if out == nil {
		return args
	}
	return out
}
