package dexpr

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Day is a calendar day as a count of days; only its order matters to
// expressions. [DayOf] and [Day.Time] convert from and to time.Time.
type Day int64

// DayOf returns the day of t (its date in t's location).
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Time returns midnight UTC at the start of d.
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Opt is a number that may be absent (see [Maybe]).
type Opt struct {
	Num   Num
	Valid bool
}

// Var is a variable's place in a [Frame]: its kind and its index among the
// slots of that kind.
type Var struct {
	Kind Kind
	Slot int
}

// Layout assigns every variable of a rule a slot in the frames that rule is
// evaluated in. Declare variables in the order the rule defines them, then
// [Program.Link] each expression to the layout.
type Layout struct {
	vars map[string]Var
	n    [Optional + 1]int
}

// NewLayout returns an empty layout.
func NewLayout() *Layout { return &Layout{vars: map[string]Var{}} }

// class maps a kind to the slot array that holds it.
func class(k Kind) Kind {
	if k == Fraction {
		return Number
	}
	return k
}

// Declare gives name a new slot for values of kind k.
func (l *Layout) Declare(name string, k Kind) Var {
	v := l.Slot(k)
	l.vars[name] = v
	return v
}

// Slot reserves an unnamed slot of kind k, such as one that keeps an
// output's exact value.
func (l *Layout) Slot(k Kind) Var {
	c := class(k)
	v := Var{Kind: k, Slot: l.n[c]}
	l.n[c]++
	return v
}

// Lookup returns the slot of a declared name.
func (l *Layout) Lookup(name string) (Var, bool) {
	v, ok := l.vars[name]
	return v, ok
}

// Sizes returns how many slots of each class a frame needs.
func (l *Layout) Sizes() (nums, opts, flags, texts, days int) {
	return l.n[Number], l.n[Optional], l.n[Bool], l.n[Text], l.n[Date]
}

// Frame holds the values of one evaluation, one slice per class of value,
// indexed by [Var.Slot]. A Frame is used by one goroutine at a time.
type Frame struct {
	Nums  []Num
	Opts  []Opt
	Flags []bool
	Texts []string
	Days  []Day

	ctx   context.Context
	steps int // steps left in the budget
	mark  int // the context is checked again when steps falls below mark
}

// ErrBudget is returned when an evaluation uses up its budget of steps.
var ErrBudget = errors.New("evaluation budget used up")

// ctxEvery is how many steps pass between two looks at the context.
const ctxEvery = 256

// Limit sets the context checked between steps and the number of steps
// (operators, calls, branches) the evaluation may take.
func (f *Frame) Limit(ctx context.Context, steps int) {
	f.ctx, f.steps = ctx, steps
	f.mark = max(steps-ctxEvery, 0)
}

// Drop forgets the context and the budget, so a frame kept in a pool holds
// no reference to a caller's context.
func (f *Frame) Drop() { f.ctx, f.steps, f.mark = nil, 0, 0 }

// tick counts one step.
func (f *Frame) tick() error {
	f.steps--
	if f.steps < f.mark {
		return f.check()
	}
	return nil
}

func (f *Frame) check() error {
	if f.steps < 0 {
		return ErrBudget
	}
	if f.ctx != nil {
		if err := f.ctx.Err(); err != nil {
			return err
		}
	}
	f.mark = max(f.steps-ctxEvery, 0)
	return nil
}

// Error is a failure while evaluating an expression, at a 1-based line and
// column inside the expression's source.
type Error struct {
	Line, Col int
	Src       string // the expression, clipped
	Err       error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%v (at %d:%d of %s)", e.Err, e.Line, e.Col, e.Src)
}

func (e *Error) Unwrap() error { return e.Err }
