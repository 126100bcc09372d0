package dexpr

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestRoundRatio(t *testing.T) {
	tests := []struct {
		name   string
		a, b   string
		places int32
		mode   Mode
		want   string
	}{
		{"half-up rounds a half away from zero", "1", "8", 2, HalfUp, "0.13"},
		{"half-even keeps an even digit", "1", "8", 2, HalfEven, "0.12"},
		{"half-even rounds an odd digit up", "3", "8", 2, HalfEven, "0.38"},
		{"down truncates", "2", "3", 2, Down, "0.66"},
		{"up goes away from zero", "1", "3", 2, Up, "0.34"},
		{"negative half-up", "-1", "8", 2, HalfUp, "-0.13"},
		{"negative down toward zero", "-2", "3", 2, Down, "-0.66"},
		{"negative up away from zero", "-1", "3", 2, Up, "-0.34"},
		{"exact stays", "3", "4", 2, Up, "0.75"},
		{"share of 15 percent less a fen rounds down", "149999.99", "1000000.00", 4, Down, "0.1499"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Round(NewRatio(dec(tt.a), dec(tt.b)), tt.places, tt.mode)
			assert.True(t, got.Equal(dec(tt.want)), "Round(%s/%s, %d) = %s, want %s", tt.a, tt.b, tt.places, got, tt.want)
		})
	}
}

func TestRoundDecimalMatchesRatio(t *testing.T) {
	for _, s := range []string{"2.345", "-2.345", "2.355", "0.005", "1.999", "-0.125"} {
		for _, m := range []Mode{HalfUp, HalfEven, Down, Up} {
			d := Round(dec(s), 2, m)
			r := Round(NewRatio(dec(s), dec("1")), 2, m)
			assert.True(t, d.Equal(r), "%s mode %d: decimal %s, ratio %s", s, m, d, r)
		}
	}
}

func TestTerminating(t *testing.T) {
	d, ok := NewRatio(dec("1"), dec("8")).Terminating()
	require.True(t, ok)
	assert.Equal(t, "0.125", d.String())
	_, ok = NewRatio(dec("1"), dec("3")).Terminating()
	assert.False(t, ok)
	assert.Equal(t, "1/3 ≈ 0.333333333333", NewRatio(dec("1"), dec("3")).String())
}

func TestParseLiteral(t *testing.T) {
	d, err := ParseLiteral("1_000.25")
	require.NoError(t, err)
	assert.Equal(t, "1000.25", d.String())
	for _, bad := range []string{"0x10", "1e3", "0b11", "0o7"} {
		_, err := ParseLiteral(bad)
		assert.Error(t, err, bad)
	}
}

func TestCompileReportsEveryScreenProblem(t *testing.T) {
	_, problems := Compile("a ** 2 + sum([1]) + b.c", map[string]Kind{"a": Number, "b": Number}, Number)
	require.Len(t, problems, 3)
	assert.Equal(t, []int{3, 10, 23}, []int{problems[0].Col, problems[1].Col, problems[2].Col})
}

func TestSingleVariableSkipsTheVM(t *testing.T) {
	p, problems := Compile("held", map[string]Kind{"held": Bool}, Bool)
	require.Empty(t, problems)
	out, err := p.Run(nil, map[string]any{"held": true}) // no VM needed
	require.NoError(t, err)
	assert.Equal(t, true, out)
	_, err = p.Run(nil, map[string]any{})
	assert.EqualError(t, err, "held has no value")
}

// TestGCDMatchesEuclid compares the binary gcd with Euclid's on random and
// edge values.
func TestGCDMatchesEuclid(t *testing.T) {
	euclid := func(a, b uint64) uint64 {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	vals := []uint64{0, 1, 2, 3, 10, 100, 1 << 62, 1<<63 - 1, 1 << 63, 1<<64 - 1, 600851475143, 1e18}
	for _, a := range vals {
		for _, b := range vals {
			assert.Equal(t, euclid(a, b), gcd(a, b), "gcd(%d, %d)", a, b)
		}
	}
	x := uint64(88172645463325252)
	for i := 0; i < 100_000; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		a, b := x>>(x%64), (x*2654435761)>>(x%61)
		if i%3 == 0 { // a common factor
			a, b = a%1e9*(x%1000+1), b%1e9*(x%1000+1)
		}
		if g, w := gcd(a, b), euclid(a, b); g != w {
			t.Fatalf("gcd(%d, %d) = %d, want %d", a, b, g, w)
		}
	}
}
