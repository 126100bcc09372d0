package dexpr

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// covered compiles src over a (number), cap (optional number) and flag
// (bool), links it for coverage and returns it with the ways seen.
func covered(t *testing.T, src string) (*Program, *Layout, map[[2]int]bool) {
	t.Helper()
	p, problems := Compile(src, map[string]Kind{"a": Number, "cap": Optional, "flag": Bool}, Number)
	require.Empty(t, problems)
	l := NewLayout()
	l.Declare("a", Number)
	l.Declare("cap", Optional)
	l.Declare("flag", Bool)
	seen := map[[2]int]bool{}
	require.NoError(t, p.LinkCovered(l, func(point, way int) { seen[[2]int{point, way}] = true }))
	return p, l, seen
}

func frameFor(l *Layout, a string, cap string, flag bool) *Frame {
	nums, opts, flags, texts, days := l.Sizes()
	f := &Frame{Nums: make([]Num, nums), Opts: make([]Opt, opts), Flags: make([]bool, flags), Texts: make([]string, texts), Days: make([]Day, days)}
	f.Nums[0] = NumOf(dec(a))
	if cap != "" {
		f.Opts[0] = Opt{Num: NumOf(dec(cap)), Valid: true}
	}
	f.Flags[0] = flag
	f.Limit(context.Background(), 1000)
	return f
}

func TestPointsInSourceOrder(t *testing.T) {
	p, _, _ := covered(t, "flag ? min(a, cap ?? a) : max(0, a - 1)")
	got := p.Points()
	require.Len(t, got, 4)
	assert.Equal(t, []PointKind{Branch, Min, Fallback, Max}, []PointKind{got[0].Kind, got[1].Kind, got[2].Kind, got[3].Kind})
	assert.Equal(t, 1, got[0].Col, "the condition starts at column 1")
	assert.Equal(t, 19, got[2].Col, "?? is at column 19")
	assert.Equal(t, 1, got[3].Line)
	assert.Equal(t, 27, got[3].Col, "max( starts at column 27")
	assert.Equal(t, 8, got[1].Col, "min( starts at column 8")
}

func TestPointOfANestedConditionOnItsLine(t *testing.T) {
	p, _, _ := covered(t, "a +\n  (a > 1 ? 1 : 2)")
	got := p.Points()
	require.Len(t, got, 1)
	assert.Equal(t, Point{Kind: Branch, Line: 2, Col: 4}, got[0])
}

func TestLinkCoveredTellsEachWay(t *testing.T) {
	p, l, seen := covered(t, "flag ? min(a, cap ?? a) : max(0, a - 1)")
	tests := []struct {
		a, cap string
		flag   bool
		want   string
		ways   [][2]int
	}{
		{"5", "", true, "5", [][2]int{{0, 0}, {1, 0}, {2, 1}}},  // no cap: a, the first of a tie
		{"5", "3", true, "3", [][2]int{{0, 0}, {1, 1}, {2, 0}}}, // capped: the second
		{"5", "", false, "4", [][2]int{{0, 1}, {3, 1}}},         // max(0, 4): the second
		{"0", "", false, "0", [][2]int{{0, 1}, {3, 0}}},         // max(0, -1): the first
		{"1", "", false, "0", [][2]int{{0, 1}, {3, 0}}},         // max(0, 0): a tie is the first
	}
	for _, tt := range tests {
		clear(seen)
		got, err := p.Num(frameFor(l, tt.a, tt.cap, tt.flag))
		require.NoError(t, err)
		d, _ := got.Decimal()
		assert.True(t, d.Equal(dec(tt.want)), "a=%s cap=%q flag=%t: got %s want %s", tt.a, tt.cap, tt.flag, d, tt.want)
		want := map[[2]int]bool{}
		for _, w := range tt.ways {
			want[w] = true
		}
		assert.Equal(t, want, seen, "a=%s cap=%q flag=%t", tt.a, tt.cap, tt.flag)
	}
}

// A program linked the ordinary way tells nothing and computes the same.
func TestLinkTellsNothing(t *testing.T) {
	p, problems := Compile("min(a, 3)", map[string]Kind{"a": Number}, Number)
	require.Empty(t, problems)
	l := NewLayout()
	l.Declare("a", Number)
	require.NoError(t, p.Link(l))
	f := &Frame{Nums: []Num{NumOf(dec("7"))}}
	f.Limit(context.Background(), 100)
	got, err := p.Num(f)
	require.NoError(t, err)
	d, _ := got.Decimal()
	assert.Equal(t, "3", d.String())
}

func TestPlaces(t *testing.T) {
	of := func(name string) (int32, bool) {
		switch name {
		case "money":
			return 2, true
		case "n":
			return 0, true
		case "rate":
			return 4, true
		}
		return 0, false // "x": a decimal input of any places
	}
	tests := []struct {
		src    string
		places int32
		ok     bool
	}{
		{"money", 2, true},
		{"money * n", 2, true},
		{"money * rate", 6, true},
		{"money * 0.15", 4, true},
		{"min(money, 100)", 2, true},
		{"max(0, money - 1.5)", 2, true},
		{"n > 1 ? money : 3.125", 3, true},
		{"money / n", 0, false},
		{"x + 1", 0, false},
		{"round(money * rate, 3)", 3, true},
		{"round(x, 1)", 1, true},
		{"round(money, 4)", 2, true},
		{"let y = money * rate; y + 1", 6, true},
	}
	for _, tt := range tests {
		p, problems := Compile(tt.src, map[string]Kind{"money": Number, "n": Number, "rate": Number, "x": Number}, Number)
		require.Empty(t, problems, tt.src)
		places, ok := p.Places(of)
		assert.Equal(t, tt.ok, ok, "Places(%s) ok", tt.src)
		if tt.ok {
			assert.Equal(t, tt.places, places, "Places(%s)", tt.src)
		}
	}
}
