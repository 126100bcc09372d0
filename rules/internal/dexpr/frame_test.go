package dexpr

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sumOf returns "a + a + ... + a" with n additions, which take n steps.
func sumOf(n int) string { return "a" + strings.Repeat(" + a", n) }

func linkEval(t *testing.T, src string) (*Program, *Layout) {
	t.Helper()
	p := compileEval(t, src)
	l := evalLayout()
	require.NoError(t, p.Link(l))
	return p, l
}

// TestBudget: a budget of n steps lets n operations run; one more fails.
func TestBudget(t *testing.T) {
	for _, n := range []int{1, 10, 256, 257, 300} {
		p, l := linkEval(t, sumOf(n))
		got, err := evalIn(p, evalFrame(l, n))
		require.NoError(t, err, "%d steps", n)
		assert.Equal(t, decimal.NewFromInt(int64(800*(n+1))).String(), got)
		_, err = evalIn(p, evalFrame(l, n-1))
		assert.ErrorIs(t, err, ErrBudget, "%d steps with a budget of %d", n, n-1)
	}
}

// TestBudgetChargesLargeValues: an operation on the big form costs a step
// per 64-bit word of its result. big * big is 10^60, 201 bits: 3 steps
// more, counted at the next step.
func TestBudgetChargesLargeValues(t *testing.T) {
	p, l := linkEval(t, "big * big + (a + a)")
	got, err := evalIn(p, evalFrame(l, 6))
	require.NoError(t, err)
	assert.Equal(t, "1000000000000000000000000000000000000000000000000000000001600", got)
	_, err = evalIn(p, evalFrame(l, 5))
	assert.ErrorIs(t, err, ErrBudget)
	assert.EqualError(t, err, "evaluation budget used up (at 1:16 of big * big + (a + a))")
}

// errAfter is a context whose Err is nil for its first n calls.
type errAfter struct {
	context.Context
	n, calls int
}

func (c *errAfter) Err() error {
	c.calls++
	if c.calls > c.n {
		return context.Canceled
	}
	return nil
}

// TestContextLookedAtEvery256Steps: the context is asked after 257 steps,
// then every 257 (when fewer than 256 are left before the mark), counting
// across evaluations in the same frame. Each run of the program takes 128
// steps, so a check one step early fails the run before.
func TestContextLookedAtEvery256Steps(t *testing.T) {
	p, l := linkEval(t, sumOf(128))
	for n, want := range []int{2, 4, 6} { // runs that pass when Err is nil n times: the checks are at steps 257, 514, 771
		f := evalFrame(l, 100000)
		ctx := &errAfter{Context: context.Background(), n: n}
		f.Limit(ctx, 100000)
		runs := 0
		for ; runs < 10; runs++ {
			if _, err := evalIn(p, f); err != nil {
				assert.ErrorIs(t, err, context.Canceled)
				break
			}
		}
		assert.Equal(t, want, runs, "runs that passed with Err nil %d times", n)
		assert.Equal(t, n+1, ctx.calls, "the context was asked")
	}
}

func TestDrop(t *testing.T) {
	p, l := linkEval(t, "a + 1")
	f := evalFrame(l, 100)
	f.Drop()
	_, err := evalIn(p, f)
	assert.ErrorIs(t, err, ErrBudget, "a dropped frame has no budget left")
	f.Limit(context.Background(), 1)
	got, err := evalIn(p, f)
	require.NoError(t, err)
	assert.Equal(t, "801", got)
}

func TestErrorText(t *testing.T) {
	e := &Error{Line: 2, Col: 5, Src: "a / b", Err: errDivZero}
	assert.Equal(t, "division by zero (at 2:5 of a / b)", e.Error())
	assert.Equal(t, errDivZero, e.Unwrap())
}

func TestDays(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	late := time.Date(2024, 3, 1, 23, 30, 0, 0, shanghai) // 15:30 UTC the same day
	early := time.Date(2024, 3, 1, 0, 30, 0, 0, shanghai) // 16:30 UTC the day before
	assert.Equal(t, DayOf(late), DayOf(early), "the day in t's own location")
	assert.Equal(t, Day(19783), DayOf(late))
	assert.Equal(t, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Day(19783).Time())
	assert.Equal(t, Day(0), DayOf(time.Date(1970, 1, 1, 12, 0, 0, 0, time.UTC)))
	assert.Equal(t, Day(-1), DayOf(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)))
}

func TestLayoutSlots(t *testing.T) {
	l := NewLayout()
	assert.Equal(t, Var{Kind: Number, Slot: 0}, l.Declare("a", Number))
	assert.Equal(t, Var{Kind: Fraction, Slot: 1}, l.Slot(Fraction), "a fraction shares the number slots")
	assert.Equal(t, Var{Kind: Bool, Slot: 0}, l.Declare("f", Bool))
	assert.Equal(t, Var{Kind: Text, Slot: 0}, l.Declare("t", Text))
	assert.Equal(t, Var{Kind: Date, Slot: 0}, l.Declare("d", Date))
	assert.Equal(t, Var{Kind: Optional, Slot: 0}, l.Declare("o", Optional))
	assert.Equal(t, Var{Kind: Number, Slot: 2}, l.Declare("b", Number))
	nums, opts, flags, texts, days := l.Sizes()
	assert.Equal(t, []int{3, 1, 1, 1, 1}, []int{nums, opts, flags, texts, days})
	v, ok := l.Lookup("b")
	assert.True(t, ok)
	assert.Equal(t, Var{Kind: Number, Slot: 2}, v)
	_, ok = l.Lookup("x")
	assert.False(t, ok)
}

// TestAssign stores the value of a program of each kind in a slot.
func TestAssign(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a / n", "800/3 ≈ 266.666666666667"},
		{"a > 1", "true"},
		{`flag ? "X" : tier`, `"X"`},
		{`off ? day : date("2020-02-29")`, "2020-02-29"},
		{"off ? none : cap", "500"},
	}
	for _, tt := range tests {
		p := compileEval(t, tt.src)
		l := evalLayout()
		at := l.Slot(p.Kind)
		require.NoError(t, p.Link(l))
		f := evalFrame(l, 100)
		require.NoError(t, p.Assign(f, at))
		var got any
		switch class(p.Kind) {
		case Number:
			got = f.Nums[at.Slot]
		case Bool:
			got = f.Flags[at.Slot]
		case Text:
			got = f.Texts[at.Slot]
		case Date:
			got = f.Days[at.Slot]
		case Optional:
			got = f.Opts[at.Slot]
		}
		assert.Equal(t, tt.want, show(got), tt.src)
	}
	p, l := linkEval(t, "a / 0")
	at := l.Slot(Number)
	assert.EqualError(t, p.Assign(evalFrame(l, 100), at), "division by zero (at 1:3 of a / 0)")
}

// TestLinkNeedsEveryName: linking to a layout that lacks a name the
// program reads fails at the name.
func TestLinkNeedsEveryName(t *testing.T) {
	tests := []struct{ src, want string }{
		{"1 +\n  a", `2:3: unknown name "a"`},
		{"flag && off", `1:1: unknown name "flag"`},
		{`tier == "A"`, `1:1: unknown name "tier"`},
		{`day > date("2020-01-01")`, `1:1: unknown name "day"`},
		{"cap ?? 1", `1:1: unknown name "cap"`},
	}
	for _, tt := range tests {
		p := compileEval(t, tt.src)
		assert.EqualError(t, p.Link(NewLayout()), tt.want, tt.src)
	}
	p := compileEval(t, "a + 1")
	l := NewLayout()
	l.Declare("a", Text)
	assert.EqualError(t, p.Link(l), `1:1: a number cannot be computed from a`, "a name of another kind")
}
