package rules

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
)

// Sentinel errors, matched with [errors.Is].
var (
	// ErrUnknownRule: the policy has no rule with the id asked for.
	ErrUnknownRule = errors.New("unknown rule")
	// ErrMissing: an input the rule reads was not given, or was empty.
	ErrMissing = errors.New("missing value")
	// ErrInvalid: an input was given but cannot be read as its declared type.
	ErrInvalid = errors.New("invalid value")
	// ErrNoValue: a parameter the rule uses has no value on the as-of date.
	ErrNoValue = errors.New("no value in force")
	// ErrTooLarge: an exact value grew past the size limit on its numerator
	// or denominator (about 616 decimal digits each).
	ErrTooLarge = dexpr.ErrTooLarge
	// ErrBudget: a decision took more steps than its budget ([WithBudget]).
	ErrBudget = dexpr.ErrBudget
)

var errMissing = fmt.Errorf("%w", ErrMissing)

type invalidError struct{ msg string }

func (e *invalidError) Error() string   { return e.msg }
func (e *invalidError) Is(t error) bool { return t == ErrInvalid }

func invalid(format string, args ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, args...)}
}

// InputError reports an input that is missing or cannot be read: the rule
// could not be decided. Field is the input's name; Label its Chinese label.
type InputError struct {
	Rule  string
	Field string
	Label string
	Err   error // wraps ErrMissing or ErrInvalid
}

// Error names the rule, the input and its label, and what is wrong.
func (e *InputError) Error() string {
	if errors.Is(e.Err, ErrMissing) {
		return fmt.Sprintf("%s: input %s (%s) is missing", e.Rule, e.Field, e.Label)
	}
	return fmt.Sprintf("%s: input %s (%s): %v", e.Rule, e.Field, e.Label, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// EvalError reports a rule that could not be evaluated for a reason other
// than its inputs: a parameter with no value in force (ErrNoValue), a
// division by zero, a cancelled context. Pos points at the expression.
type EvalError struct {
	Rule string
	Pos  Pos
	Err  error
}

// Error names the position, the rule and the cause.
func (e *EvalError) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("%s: %s: %v", e.Pos, e.Rule, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Rule, e.Err)
}

func (e *EvalError) Unwrap() error { return e.Err }

// Pos is a position in a rule file; Line and Col are 1-based.
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String renders the position as file:line:col.
func (p Pos) String() string {
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Diagnostic is one defect found in a rule file.
type Diagnostic struct {
	Pos     Pos    `json:"pos"`
	Code    string `json:"code"`    // stable, kebab-case: "unknown-name", "unknown-key", …
	Summary string `json:"summary"` // terse, lower-case
}

// String renders the diagnostic as "file:line:col: summary [code]".
func (d Diagnostic) String() string { return fmt.Sprintf("%s: %s [%s]", d.Pos, d.Summary, d.Code) }

// Diagnostics is every defect found while loading rule files, sorted by
// position. It is the error [Load] and [Compile] return.
type Diagnostics []Diagnostic

// Error returns the first diagnostic and how many more there are.
func (ds Diagnostics) Error() string {
	switch len(ds) {
	case 0:
		return "no problems"
	case 1:
		return ds[0].String()
	}
	return fmt.Sprintf("%s (and %d more)", ds[0], len(ds)-1)
}

// String lists every diagnostic, one per line.
func (ds Diagnostics) String() string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func (ds Diagnostics) sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(strings.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
}

func sortStrings(s []string) { sort.Strings(s) }
