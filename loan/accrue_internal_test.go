package loan

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestInterestInFenMatchesDecimals compares the interest of a sum of
// fen-days worked out in integers with the same sum divided and rounded in
// decimals, on random sums, rates and day bases, and at the edges where
// the integer form gives way.
func TestInterestInFenMatchesDecimals(t *testing.T) {
	rng := rand.New(rand.NewPCG(2021, 48))
	rates := []string{"0.0465", "0.0385", "0.05", "0.043500", "0.1", "0.000001", "0.123456789012345", "0.35", "1"}
	for i := 0; i < 50_000; i++ {
		n := rng.Int64N(1 << uint(rng.IntN(62)+1))
		rate := decimal.RequireFromString(rates[rng.IntN(len(rates))])
		basis := []DayBasis{Act360, Act365}[rng.IntN(2)]
		a := fenDays{rate: rate, n: n}
		want := decimal.Zero // a sum of nothing is zero, as the periods before it were
		if n != 0 {
			want = decimal.NewFromInt(n).Mul(rate).DivRound(decimal.NewFromInt(int64(basis)*100), 2)
		}
		got := a.interest(basis).value()
		if !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Fatalf("interest of %d fen-days at %s, act/%d = %s (exponent %d), want %s (exponent %d)",
				n, rate, basis, got, got.Exponent(), want, want.Exponent())
		}
	}
}

// TestFenMatchesFenOf compares the quick reading of an amount in fen with
// fenOf.
func TestFenMatchesFenOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for i := 0; i < 20_000; i++ {
		d := decimal.New(rng.Int64N(1<<uint(rng.IntN(62)+1)), -int32(rng.IntN(3)))
		if got, want := fen(d), fenOf(d); got != want {
			t.Fatalf("fen(%s) = %d, want %d", d, got, want)
		}
	}
}
