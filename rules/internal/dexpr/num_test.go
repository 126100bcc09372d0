package dexpr

import (
	"math"
	"math/big"
	"math/bits"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNumForms checks which values are held in the small form n/d (Parts
// reports them) and which in the big form, and that both read back exactly.
func TestNumForms(t *testing.T) {
	tests := []struct {
		name, in string
		n, d     int64
		small    bool
	}{
		{"money", "800.50", 80050, 100, true},
		{"18 digits", "999999999999999999", 999999999999999999, 1, true},
		{"18 places", "0.000000000000000001", 1, 1e18, true},
		{"19 digits", "1234567890123456789", 0, 0, false},
		{"19 places", "0.0000000000000000001", 0, 0, false},
		{"a positive exponent", "5e18", 5e18, 1, true},
		{"past int64", "1e19", 0, 0, false},
		{"an exponent past 18", "1e30", 0, 0, false},
		{"negative", "-2.5", -25, 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := NumOf(dec(tt.in))
			n, d, ok := x.Parts()
			assert.Equal(t, tt.small, ok, "Parts ok")
			assert.Equal(t, [2]int64{tt.n, tt.d}, [2]int64{n, d})
			got, exact := x.Decimal()
			require.True(t, exact)
			assert.True(t, got.Equal(dec(tt.in)), "Decimal() = %s", got)
			assert.Equal(t, 0, x.Rat().Cmp(dec(tt.in).Rat()), "Rat() = %s", x.Rat())
			_, kept := x.Written()
			assert.Equal(t, !tt.small, kept, "NumOf keeps the decimal of a big value only")
		})
	}
}

func TestKeptNumOf(t *testing.T) {
	d, ok := KeptNumOf(dec("1.50")).Written()
	require.True(t, ok)
	assert.Equal(t, "1.50", d.StringFixed(2))
	assert.Equal(t, int32(-2), d.Exponent())
	_, _, ok = KeptNumOf(dec("1.50")).Parts()
	assert.False(t, ok, "a kept number has no Parts")
	big := KeptNumOf(dec("1e30"))
	d, ok = big.Written()
	require.True(t, ok)
	assert.Equal(t, "1000000000000000000000000000000", d.String())
	assert.Equal(t, "1000000000000000000000000000000", big.String())
	assert.Equal(t, "1.5", RoundNum(KeptNumOf(dec("1.50")), 1, HalfUp).String())
}

func TestIntNum(t *testing.T) {
	n, d, ok := IntNum(-7).Parts()
	assert.True(t, ok)
	assert.Equal(t, [2]int64{-7, 1}, [2]int64{n, d})
	m := IntNum(math.MinInt64)
	_, _, ok = m.Parts()
	assert.False(t, ok, "MinInt64 is held big: its negation does not fit")
	assert.Equal(t, "-9223372036854775808", m.String())
	assert.Equal(t, "9223372036854775808", Neg(m).String())
	assert.Equal(t, "1.25", ScaledNum(125, 2).String())
	assert.Equal(t, "-0.75", NumFromParts(-3, 4).String())
	assert.Equal(t, "0", Num{}.String(), "the zero Num is 0")
	assert.Equal(t, 0, Num{}.Sign())
	assert.Equal(t, "0", Num{}.Rat().RatString())
}

func TestScaled(t *testing.T) {
	tests := []struct {
		x     Num
		n     int64
		k     int32
		ok    bool
		about string
	}{
		{NumOf(dec("12.345")), 12345, 3, true, "a decimal keeps its places"},
		{IntNum(4), 4, 0, true, "a whole number"},
		{Num{}, 0, 0, true, "zero"},
		{NumFromParts(1, 1e18), 1, 18, true, "18 places"},
		{NumFromParts(1, 3), 0, 0, false, "a third"},
		{NumFromParts(3, 20), 0, 0, false, "a denominator that is not a power of ten"},
		{NumOf(dec("1e30")), 0, 0, false, "the big form"},
	}
	for _, tt := range tests {
		n, k, ok := tt.x.Scaled()
		assert.Equal(t, tt.ok, ok, tt.about)
		assert.Equal(t, tt.n, n, tt.about)
		assert.Equal(t, tt.k, k, tt.about)
	}
}

func TestNumDecimal(t *testing.T) {
	tests := []struct {
		n, d int64
		want string
		ok   bool
	}{
		{1, 8, "0.125", true},
		{3, 4, "0.75", true},
		{-3, 4, "-0.75", true},
		{7, 1, "7", true},
		{1, 3, "", false},
		{3, 20, "0.15", true},
		{1, 1 << 20, "0.00000095367431640625", true},      // 2^-20: 20 places, past pow10
		{math.MaxInt64, 2, "4611686018427387903.5", true}, // n*5 overflows: the big path
		{1, 7, "", false},
	}
	for _, tt := range tests {
		got, ok := NumFromParts(tt.n, tt.d).Decimal()
		assert.Equal(t, tt.ok, ok, "%d/%d", tt.n, tt.d)
		if tt.ok {
			assert.Equal(t, tt.want, got.String(), "%d/%d", tt.n, tt.d)
		}
	}
}

func TestAdd64(t *testing.T) {
	tests := []struct {
		a, b, want int64
		ok         bool
	}{
		{5, -3, 2, true},
		{0, 0, 0, true},
		{-5, -3, -8, true},
		{math.MaxInt64 - 1, 1, math.MaxInt64, true},
		{math.MaxInt64, 1, 0, false},
		{math.MaxInt64, math.MaxInt64, 0, false},
		{-math.MaxInt64, 0, -math.MaxInt64, true},
		{-math.MaxInt64, -1, 0, false}, // MinInt64 is never a result
		{math.MinInt64, math.MinInt64, 0, false},
		{math.MinInt64 + 1, -2, 0, false},
		{math.MaxInt64, math.MinInt64 + 1, 0, true},
	}
	for _, tt := range tests {
		got, ok := add64(tt.a, tt.b)
		assert.Equal(t, tt.ok, ok, "add64(%d, %d)", tt.a, tt.b)
		assert.Equal(t, tt.want, got, "add64(%d, %d)", tt.a, tt.b)
	}
}

func TestMul64(t *testing.T) {
	tests := []struct {
		a, b, want int64
		ok         bool
	}{
		{-3, 4, -12, true},
		{3, -4, -12, true},
		{-3, -4, 12, true},
		{3, 3, 9, true},
		{0, -5, 0, true},
		{math.MaxInt64, 1, math.MaxInt64, true},
		{math.MaxInt64, -1, -math.MaxInt64, true},
		{1 << 32, 1 << 31, 0, false}, // 2^63
		{-(1 << 32), 1 << 31, 0, false},
		{1 << 32, 1 << 32, 0, false},
	}
	for _, tt := range tests {
		got, ok := mul64(tt.a, tt.b)
		assert.Equal(t, tt.ok, ok, "mul64(%d, %d)", tt.a, tt.b)
		assert.Equal(t, tt.want, got, "mul64(%d, %d)", tt.a, tt.b)
	}
}

// TestArithmetic checks each operation along each of its paths: equal
// denominators, one a multiple of the other, neither, and the big form
// when a part overflows.
func TestArithmetic(t *testing.T) {
	q := NumFromParts
	huge := q(math.MaxInt64, 1)
	tests := []struct {
		name string
		op   func(a, b Num) (Num, error)
		a, b Num
		want string
	}{
		{"add, same denominator", Add, q(1, 10), q(2, 10), "0.3"},
		{"add, the second's a multiple", Add, q(1, 10), q(1, 100), "0.11"},
		{"add, the first's a multiple", Add, q(1, 100), q(1, 10), "0.11"},
		{"add, neither: reduced", Add, q(1, 6), q(1, 10), "4/15 ≈ 0.266666666667"},
		{"add, same denominator, overflow", Add, huge, huge, "18446744073709551614"},
		{"add, scaled overflow", Add, q(math.MaxInt64, 1), q(1, 10), "9223372036854775807.1"},
		{"add, scaled overflow the other way", Add, q(1, 10), q(math.MaxInt64, 1), "9223372036854775807.1"},
		{"add, scaled sum overflow", Add, q(math.MaxInt64-1, 10), q(1, 1), "922337203685477581.6"},
		{"add, cross overflow", Add, q(math.MaxInt64, 3), q(1, 7), "64563604257983430652/21 ≈ 3074457345618258602.47619047619"},
		{"sub", Sub, q(1, 10), q(1, 4), "-0.15"},
		{"mul", Mul, q(3, 10), q(-7, 100), "-0.021"},
		{"mul, overflow", Mul, huge, q(2, 1), "18446744073709551614"},
		{"quo", Quo, q(3, 10), q(-4, 10), "-0.75"},
		{"quo, reduced", Quo, q(6, 1), q(4, 1), "1.5"},
		{"quo, overflow", Quo, huge, q(1, 3), "27670116110564327421"},
		{"mod, same denominator", Mod, q(25, 10), q(-7, 10), "0.4"},
		{"mod, negative", Mod, q(-25, 10), q(7, 10), "-0.4"},
		{"mod, other denominators", Mod, q(25, 10), q(7, 100), "0.05"},
		{"min", binaryOps["min"], q(1, 3), q(1, 4), "0.25"},
		{"max", binaryOps["max"], q(1, 3), q(1, 4), "1/3 ≈ 0.333333333333"},
	}
	for _, tt := range tests {
		got, err := tt.op(tt.a, tt.b)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, got.String(), tt.name)
	}
	_, err := Quo(q(1, 1), Num{})
	assert.EqualError(t, err, "division by zero")
	_, err = Mod(q(1, 1), q(0, 5))
	assert.EqualError(t, err, "division by zero")
	_, err = Mod(q(1, 3), q(1, 7))
	assert.EqualError(t, err, "% needs two decimal numbers")
	_, err = Mod(q(1, 2), q(1, 3))
	assert.EqualError(t, err, "% needs two decimal numbers")
}

func TestCmp(t *testing.T) {
	q := NumFromParts
	big := NumOf(dec("1e30"))
	tests := []struct {
		a, b Num
		want int
	}{
		{q(1, 3), q(1, 3), 0},
		{q(1, 3), q(2, 3), -1},
		{q(2, 3), q(1, 3), 1},
		{q(1, 3), q(1, 4), 1},
		{q(1, 4), q(1, 3), -1},
		{q(-1, 3), q(-1, 4), -1},
		{q(-1, 4), q(-1, 3), 1},
		{q(2, 4), q(1, 2), 0},
		{q(-1, 3), q(1, 4), -1},
		{q(1, 4), q(-1, 3), 1},
		{q(0, 3), q(0, 7), 0},
		{q(0, 3), q(1, 7), -1},
		{q(math.MaxInt64, 3), q(math.MaxInt64-1, 3), 1},
		{q(math.MaxInt64, 2), q(math.MaxInt64-1, 2), 1},
		{q(math.MaxInt64, 7), q(math.MaxInt64, 6), -1}, // the products differ in their high words
		{q(math.MaxInt64-1, math.MaxInt64), q(1, 1), -1},
		{big, q(1, 1), 1},
		{q(1, 1), big, -1},
		{big, big, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Cmp(tt.a, tt.b), "Cmp(%s, %s)", tt.a, tt.b)
	}
	assert.Equal(t, -1, NumOf(dec("-1e30")).Sign())
	assert.Equal(t, 1, big.Sign())
	assert.Equal(t, "1000000000000000000000000000000", Abs(NumOf(dec("-1e30"))).String())
}

func TestTooLarge(t *testing.T) {
	x := NumOf(dec("1e300"))
	y, err := Mul(x, x) // 10^600: 1994 bits; 10^620 needs 2060
	require.NoError(t, err)
	_, err = Mul(y, NumOf(dec("1e20")))
	require.ErrorIs(t, err, ErrTooLarge)
	assert.EqualError(t, err, "value too large: an intermediate value has a 2060-bit numerator and a 1-bit denominator (limit 2048 bits each)")
	_, err = Quo(IntNum(1), NumOf(dec("1e617")))
	assert.EqualError(t, err, "value too large: an intermediate value has a 1-bit numerator and a 2050-bit denominator (limit 2048 bits each)")
	z, err := fromRat(new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 2047)))
	require.NoError(t, err, "2048 bits is within the limit")
	assert.Equal(t, 32, z.cost(), "one step per 64-bit word of numerator and denominator")
	z, err = fromRat(new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(3), 2046)))
	require.NoError(t, err, "a numerator of 2048 bits is within the limit")
	assert.Equal(t, 32, z.cost())
	_, err = fromRat(new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 2048)))
	assert.EqualError(t, err, "value too large: an intermediate value has a 2049-bit numerator and a 1-bit denominator (limit 2048 bits each)")
}

// TestFromRat: a value that fits n/d is held small, except MinInt64,
// whose negation would not fit.
func TestFromRat(t *testing.T) {
	tests := []struct {
		r     *big.Rat
		small bool
	}{
		{big.NewRat(3, 4), true},
		{big.NewRat(math.MaxInt64, 1), true},
		{big.NewRat(-math.MaxInt64, 1), true},
		{big.NewRat(math.MinInt64, 1), false},
		{big.NewRat(1, math.MaxInt64), true},
		{new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Lsh(big.NewInt(1), 63)), false},
	}
	for _, tt := range tests {
		x, err := fromRat(new(big.Rat).Set(tt.r))
		require.NoError(t, err)
		_, _, small := x.Parts()
		assert.Equal(t, tt.small, small, "fromRat(%s)", tt.r)
		assert.Equal(t, 0, x.Rat().Cmp(tt.r), "fromRat(%s) = %s", tt.r, x.Rat())
	}
}

func TestRoundNum(t *testing.T) {
	q := NumFromParts
	tests := []struct {
		x      Num
		places int32
		m      Mode
		want   string
		small  bool // RoundSmall gives it
	}{
		{q(1, 8), 2, HalfUp, "0.13", true},
		{q(1, 8), 2, HalfEven, "0.12", true},
		{q(3, 8), 2, HalfEven, "0.38", true},
		{q(1, 8), 2, Down, "0.12", true},
		{q(1, 8), 2, Up, "0.13", true},
		{q(-1, 8), 2, HalfUp, "-0.13", true},
		{q(-1, 8), 2, Down, "-0.12", true},
		{q(-1, 8), 2, Up, "-0.13", true},
		{q(1, 3), 2, HalfUp, "0.33", true},
		{q(2, 3), 2, HalfUp, "0.67", true},
		{q(2, 3), 0, Down, "0", true},
		{q(5, 2), 0, HalfEven, "2", true},
		{q(7, 2), 0, HalfEven, "4", true},
		{q(5, 2), 0, HalfUp, "3", true},
		{q(5, 1), 2, Up, "5.00", true},
		{q(1, 3), 18, HalfUp, "0.333333333333333333", true},
		{q(1, 3), 19, HalfUp, "0.3333333333333333333", false},
		{q(1, 3), -1, HalfUp, "0", false},
		{q(math.MaxInt64, 1), 1, HalfUp, "9223372036854775807.0", false},
		{q(math.MaxInt64, 1), 0, HalfUp, "9223372036854775807", true},
		{q(math.MaxInt64-1, math.MaxInt64), 0, Up, "1", true},
		{q(math.MaxInt64-1, math.MaxInt64), 18, Up, "1.000000000000000000", true},
		{NumOf(dec("1e30")), 2, HalfUp, "1000000000000000000000000000000.00", false},
	}
	for _, tt := range tests {
		got := RoundNum(tt.x, tt.places, tt.m)
		assert.Equal(t, tt.want, got.StringFixed(max(tt.places, 0)), "RoundNum(%s, %d, %d)", tt.x, tt.places, tt.m)
		small, ok := RoundSmall(tt.x, tt.places, tt.m)
		assert.Equal(t, tt.small, ok, "RoundSmall(%s, %d, %d) ok", tt.x, tt.places, tt.m)
		if ok {
			assert.Equal(t, tt.want, decimal.New(small, -tt.places).StringFixed(tt.places), "RoundSmall(%s, %d, %d)", tt.x, tt.places, tt.m)
		}
	}
}

// TestRoundSmallAtItsLimit: when n*10^k / d would not fit 64 bits (the high
// word of n*10^k reaches d), RoundSmall says so and RoundNum takes the
// long way.
func TestRoundSmallAtItsLimit(t *testing.T) {
	hi, _ := bits.Mul64(uint64(math.MaxInt64), 1e18)
	x := NumFromParts(math.MaxInt64, int64(hi)) // about 18.45, whose 18 places need 65 bits
	_, ok := RoundSmall(x, 18, HalfUp)
	assert.False(t, ok)
	want := new(big.Rat).SetFrac64(math.MaxInt64, int64(hi))
	assert.Equal(t, want.FloatString(18), RoundNum(x, 18, HalfUp).StringFixed(18))
	q, ok := RoundSmall(NumFromParts(math.MaxInt64, int64(hi)+1), 0, Down)
	assert.True(t, ok)
	assert.Equal(t, int64(18), q)
}

// TestNumsInLowestTerms: sums and quotients are held as n/d in lowest
// terms, with d positive.
func TestNumsInLowestTerms(t *testing.T) {
	q := NumFromParts
	sum, err := Add(q(1, 6), q(1, 10))
	require.NoError(t, err)
	quo, err := Quo(q(6, 1), q(-4, 1))
	require.NoError(t, err)
	for _, tt := range []struct {
		x    Num
		n, d int64
	}{{sum, 4, 15}, {quo, -3, 2}} {
		n, d, ok := tt.x.Parts()
		require.True(t, ok)
		assert.Equal(t, [2]int64{tt.n, tt.d}, [2]int64{n, d})
	}
}

// TestAbsOfANumberNotNegative is the number itself, the decimal it was
// written as kept.
func TestAbsOfANumberNotNegative(t *testing.T) {
	for _, s := range []string{"0.00", "2.50"} {
		x := KeptNumOf(dec(s))
		assert.Equal(t, x, Abs(x), s)
	}
	assert.Equal(t, "2.5", Abs(KeptNumOf(dec("-2.50"))).String())
}

// TestRoundNumGivesItsPlaces: a kept decimal is rounded like any value, and
// the result always has the places asked for.
func TestRoundNumGivesItsPlaces(t *testing.T) {
	tests := []struct {
		x      Num
		places int32
		m      Mode
		want   string
	}{
		{KeptNumOf(dec("1.55")), 1, HalfUp, "1.6"},
		{KeptNumOf(dec("1.55")), 2, HalfUp, "1.55"},
		{KeptNumOf(decimal.New(5, 2)), 2, HalfUp, "500.00"},
		{KeptNumOf(decimal.New(5, 2)), 0, HalfUp, "500"},
		{NumFromParts(2, 3), 2, HalfEven, "0.67"},
		{NumFromParts(1, 3), 2, HalfEven, "0.33"},
		{NumFromParts(-2, 3), 2, HalfEven, "-0.67"},
	}
	for _, tt := range tests {
		got := RoundNum(tt.x, tt.places, tt.m)
		assert.Equal(t, tt.want, got.StringFixed(tt.places), "RoundNum(%s, %d)", tt.x, tt.places)
		assert.Equal(t, -tt.places, got.Exponent(), "RoundNum(%s, %d) places", tt.x, tt.places)
	}
}

// TestSumsOfDecimalsKeepTheirPlaces: adding decimals of different places
// gives n/10^k at the larger places, not a reduced fraction, whichever
// comes first.
func TestSumsOfDecimalsKeepTheirPlaces(t *testing.T) {
	for _, tt := range []struct{ a, b string }{{"0.50", "0.005"}, {"0.005", "0.50"}} {
		sum, err := Add(NumOf(dec(tt.a)), NumOf(dec(tt.b)))
		require.NoError(t, err)
		n, k, ok := sum.Scaled()
		require.True(t, ok, "%s + %s", tt.a, tt.b)
		assert.Equal(t, [2]int64{505, 3}, [2]int64{n, int64(k)}, "%s + %s", tt.a, tt.b)
	}
}

// TestRatioRat gives a copy of the exact value; the zero Ratio is 0.
func TestRatioRat(t *testing.T) {
	q := NewRatio(dec("1"), dec("3"))
	r := q.Rat()
	assert.Equal(t, "1/3", r.RatString())
	r.SetInt64(5)
	assert.Equal(t, "1/3", q.Rat().RatString(), "changing the copy leaves the Ratio")
	assert.Equal(t, "0", Ratio{}.Rat().RatString())
	assert.Equal(t, "0", Ratio{}.String())
}
