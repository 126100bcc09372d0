package dexpr

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/shopspring/decimal"
)

// Ratio is the exact quotient of two numbers. Expressions produce one only by
// dividing; sums, products and comparisons that involve a Ratio stay exact,
// so 1 / 3 * 3 is exactly 1. A Ratio is immutable.
type Ratio struct {
	r *big.Rat
}

// NewRatio returns a/b exactly.
func NewRatio(a, b decimal.Decimal) Ratio {
	r := new(big.Rat).Quo(a.Rat(), b.Rat())
	return Ratio{r: r}
}

// RatioOf returns the Ratio of r, which must not be changed afterwards.
func RatioOf(r *big.Rat) Ratio { return Ratio{r: r} }

// Rat returns a copy of the exact value.
func (q Ratio) Rat() *big.Rat {
	if q.r == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(q.r)
}

func (q Ratio) rat() *big.Rat {
	if q.r == nil {
		return new(big.Rat)
	}
	return q.r
}

// Terminating reports whether q has a finite decimal expansion, and returns it.
func (q Ratio) Terminating() (decimal.Decimal, bool) {
	r := q.rat()
	den := new(big.Int).Set(r.Denom())
	places := int32(0)
	two, five := big.NewInt(2), big.NewInt(5)
	m := new(big.Int)
	for _, f := range []*big.Int{two, five} {
		n := int32(0)
		for {
			qq, rem := new(big.Int).QuoRem(den, f, m)
			if rem.Sign() != 0 {
				break
			}
			den = qq
			n++
		}
		places = max(places, n)
	}
	if den.Cmp(big.NewInt(1)) != 0 {
		return decimal.Decimal{}, false
	}
	return Round(q, places, HalfUp), true
}

// String writes q as a decimal when it terminates, else as "n/d ≈ x" with
// x rounded half-up to 12 places.
func (q Ratio) String() string {
	if d, ok := q.Terminating(); ok {
		return d.String()
	}
	r := q.rat()
	return fmt.Sprintf("%s/%s ≈ %s", r.Num(), r.Denom(), Round(q, 12, HalfUp))
}

// Mode says how a value is rounded to a number of decimal places.
type Mode uint8

// The rounding modes. Down and Up are toward and away from zero.
const (
	HalfUp Mode = iota
	HalfEven
	Down
	Up
)

// Round rounds a Decimal or Ratio v to places decimal places in mode m.
func Round(v any, places int32, m Mode) decimal.Decimal {
	switch x := v.(type) {
	case decimal.Decimal:
		switch m {
		case HalfEven:
			return x.RoundBank(places)
		case Down:
			return x.RoundDown(places)
		case Up:
			return x.RoundUp(places)
		}
		return x.Round(places)
	case Ratio:
		return roundRat(x.rat(), places, m)
	}
	panic(fmt.Sprintf("dexpr: cannot round %T", v))
}

func roundRat(r *big.Rat, places int32, m Mode) decimal.Decimal {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	num := new(big.Int).Mul(r.Num(), scale)
	den := r.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Sign() != 0 {
		away := false
		switch m {
		case Up:
			away = true
		case HalfUp, HalfEven:
			twice := new(big.Int).Abs(rem)
			twice.Lsh(twice, 1)
			c := twice.Cmp(den)
			away = c > 0 || (c == 0 && (m == HalfUp || q.Bit(0) == 1))
		}
		if away {
			if r.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return decimal.NewFromBigInt(q, -places)
}

// ParseLiteral reads the source text of a number literal exactly.
func ParseLiteral(text string) (decimal.Decimal, error) {
	t := strings.ReplaceAll(text, "_", "")
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") || strings.HasPrefix(t, "0o") ||
		strings.HasPrefix(t, "0b") || strings.ContainsAny(t, "eE") {
		return decimal.Decimal{}, fmt.Errorf("number %q must be written in plain decimal digits", text)
	}
	return decimal.NewFromString(t)
}
