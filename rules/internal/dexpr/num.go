package dexpr

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"

	"github.com/shopspring/decimal"
)

// MaxBits bounds the numerator and the denominator of every exact value an
// evaluation computes, in bits (2048 bits is about 616 decimal digits). Past
// it the evaluation fails with [ErrTooLarge] instead of running on with ever
// larger numbers.
const MaxBits = 2048

// ErrTooLarge is returned when an exact value outgrows [MaxBits].
var ErrTooLarge = errors.New("value too large")

// Num is an exact rational number. Most values a policy meets fit in n/d
// with both parts in an int64 (a money amount is its fen over 100), and then
// arithmetic is a few machine instructions; a value that does not fit is
// held as a big.Rat, so no answer is ever wrong because a number grew.
// The zero Num is 0. A Num is immutable.
type Num struct {
	n, d int64   // the value n/d when x is nil or x.r is nil; d > 0 (0 in the zero Num, read as 1)
	x    *numExt // the big form, and the decimal as written when one is known
}

type numExt struct {
	r      *big.Rat        // the value, when it does not fit n/d
	dec    decimal.Decimal // the value as written (a parameter, a literal, a large input)
	hasDec bool
}

var pow10 = [19]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// NumOf returns d exactly.
func NumOf(d decimal.Decimal) Num {
	n, ok := smallDecimal(d)
	if ok {
		return n
	}
	return Num{x: &numExt{r: d.Rat(), dec: d, hasDec: true}}
}

// KeptNumOf is NumOf that also keeps d itself, so rounding the value to d's
// own places gives back d without building a new decimal. It is meant for
// values converted once, such as parameters and literals.
func KeptNumOf(d decimal.Decimal) Num {
	n := NumOf(d)
	if n.x == nil {
		n.x = &numExt{dec: d, hasDec: true}
	}
	return n
}

// smallDecimal returns d as n/10^k when both fit.
func smallDecimal(d decimal.Decimal) (Num, bool) {
	if d.NumDigits() > 18 {
		return Num{}, false
	}
	c, e := d.CoefficientInt64(), d.Exponent()
	switch {
	case e <= 0 && e >= -18:
		return Num{n: c, d: pow10[-e]}, true
	case e > 0 && e <= 18:
		if v, ok := mul64(c, pow10[e]); ok {
			return Num{n: v, d: 1}, true
		}
	}
	return Num{}, false
}

// ScaledNum returns n/10^k, as NumOf returns a decimal of coefficient n
// and exponent -k; k is 0..18.
func ScaledNum(n int64, k int32) Num { return Num{n: n, d: pow10[k]} }

// Parts returns the value as n/d when it is held in the small form, which
// [NumFromParts] turns back into the same Num. ok is false for the big form
// and for a Num that keeps the decimal it was written as.
func (a Num) Parts() (n, d int64, ok bool) {
	if a.x != nil {
		return 0, 0, false
	}
	return a.n, a.d, true
}

// NumFromParts returns the Num whose Parts are n and d.
func NumFromParts(n, d int64) Num { return Num{n: n, d: d} }

// IntNum returns the whole number n.
func IntNum(n int64) Num {
	if n == math.MinInt64 {
		return Num{x: &numExt{r: new(big.Rat).SetInt64(n)}}
	}
	return Num{n: n, d: 1}
}

func (a Num) isBig() bool { return a.x != nil && a.x.r != nil }

func (a Num) den() int64 {
	if a.d == 0 {
		return 1
	}
	return a.d
}

// Rat returns a new big.Rat holding the value.
func (a Num) Rat() *big.Rat {
	if a.isBig() {
		return new(big.Rat).Set(a.x.r)
	}
	return new(big.Rat).SetFrac64(a.n, a.den())
}

func (a Num) rat() *big.Rat {
	if a.isBig() {
		return a.x.r
	}
	return new(big.Rat).SetFrac64(a.n, a.den())
}

// Sign returns -1, 0 or +1.
func (a Num) Sign() int {
	if a.isBig() {
		return a.x.r.Sign()
	}
	switch {
	case a.n < 0:
		return -1
	case a.n > 0:
		return 1
	}
	return 0
}

// Written returns the decimal the value was made from, if it was kept.
func (a Num) Written() (decimal.Decimal, bool) {
	if a.x != nil && a.x.hasDec {
		return a.x.dec, true
	}
	return decimal.Decimal{}, false
}

// Scaled returns the value as n/10^k when its denominator is a power of ten
// that fits (a value read from a decimal keeps its places this way).
func (a Num) Scaled() (n int64, k int32, ok bool) {
	if a.isBig() {
		return 0, 0, false
	}
	d := a.den()
	for i, p := range pow10 {
		if p == d {
			return a.n, int32(i), true
		}
	}
	return 0, 0, false
}

// Decimal returns the value as a decimal when it has a finite decimal
// expansion.
func (a Num) Decimal() (decimal.Decimal, bool) {
	if !a.isBig() {
		d := a.den()
		for k, p := range pow10 {
			if p%d == 0 {
				if v, ok := mul64(a.n, p/d); ok {
					return decimal.New(v, -int32(k)), true
				}
				break
			}
		}
	}
	return RatioOf(a.rat()).Terminating()
}

// String writes the value as a decimal when it terminates, else as
// "n/d ≈ x" (see [Ratio.String]).
func (a Num) String() string {
	if d, ok := a.Decimal(); ok {
		return d.String()
	}
	return RatioOf(a.rat()).String()
}

// fromRat returns r as a Num, in the small form when it fits, or fails with
// ErrTooLarge when a part outgrows MaxBits. r is not copied.
func fromRat(r *big.Rat) (Num, error) {
	num, den := r.Num(), r.Denom()
	if num.IsInt64() && den.IsInt64() && num.Int64() != math.MinInt64 {
		return Num{n: num.Int64(), d: den.Int64()}, nil
	}
	if nb, db := num.BitLen(), den.BitLen(); nb > MaxBits || db > MaxBits {
		return Num{}, fmt.Errorf("%w: an intermediate value has a %d-bit numerator and a %d-bit denominator (limit %d bits each)", ErrTooLarge, nb, db, MaxBits)
	}
	return Num{x: &numExt{r: r}}, nil
}

// cost is the number of extra budget steps an operation that produced a,
// in the big form, is charged: one per 64-bit word of its parts.
func (a Num) cost() int {
	return (a.x.r.Num().BitLen() + a.x.r.Denom().BitLen()) / 64
}

// mul64 returns a*b when it fits in an int64 other than MinInt64.
func mul64(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if a^b < 0 { // the signs differ
		return -int64(lo), true
	}
	return int64(lo), true
}

// add64 returns a+b when it fits in an int64 other than MinInt64.
func add64(a, b int64) (int64, bool) {
	s := a + b
	// the sum overflowed when its sign differs from both operands' signs
	if (a^s)&(b^s) < 0 || s == math.MinInt64 {
		return 0, false
	}
	return s, true
}

func abs64(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

// Add returns a+b.
func Add(a, b Num) (Num, error) {
	if !a.isBig() && !b.isBig() {
		ad, bd := a.den(), b.den()
		switch {
		case ad == bd:
			if s, ok := add64(a.n, b.n); ok {
				return Num{n: s, d: ad}, nil
			}
		case bd%ad == 0:
			if an, ok := mul64(a.n, bd/ad); ok {
				if s, ok := add64(an, b.n); ok {
					return Num{n: s, d: bd}, nil
				}
			}
		case ad%bd == 0:
			if bn, ok := mul64(b.n, ad/bd); ok {
				if s, ok := add64(a.n, bn); ok {
					return Num{n: s, d: ad}, nil
				}
			}
		default:
			x, ok1 := mul64(a.n, bd)
			y, ok2 := mul64(b.n, ad)
			d, ok3 := mul64(ad, bd)
			if ok1 && ok2 && ok3 {
				if s, ok := add64(x, y); ok {
					return reduce(s, d), nil
				}
			}
		}
	}
	return fromRat(new(big.Rat).Add(a.rat(), b.rat()))
}

// Neg returns -a.
func Neg(a Num) Num {
	if a.isBig() {
		r, _ := fromRat(new(big.Rat).Neg(a.x.r)) // same size: cannot fail
		return r
	}
	return Num{n: -a.n, d: a.den()}
}

// Sub returns a-b.
func Sub(a, b Num) (Num, error) { return Add(a, Neg(b)) }

// Mul returns a*b.
func Mul(a, b Num) (Num, error) {
	if !a.isBig() && !b.isBig() {
		n, ok1 := mul64(a.n, b.n)
		d, ok2 := mul64(a.den(), b.den())
		if ok1 && ok2 {
			return Num{n: n, d: d}, nil
		}
	}
	return fromRat(new(big.Rat).Mul(a.rat(), b.rat()))
}

// Quo returns a/b exactly; b must not be zero.
func Quo(a, b Num) (Num, error) {
	if b.Sign() == 0 {
		return Num{}, errDivZero
	}
	if !a.isBig() && !b.isBig() {
		n, ok1 := mul64(a.n, b.den())
		d, ok2 := mul64(a.den(), b.n)
		if ok1 && ok2 {
			if d < 0 {
				n, d = -n, -d
			}
			return reduce(n, d), nil
		}
	}
	return fromRat(new(big.Rat).Quo(a.rat(), b.rat()))
}

// reduce returns n/d in lowest terms; d > 0.
func reduce(n, d int64) Num {
	g := gcd(abs64(n), uint64(d))
	if g > 1 {
		n, d = n/int64(g), d/int64(g)
	}
	return Num{n: n, d: d}
}

// gcd returns the greatest common divisor of a and b by Stein's binary
// algorithm: shifts and subtractions, no division.
func gcd(a, b uint64) uint64 {
	if a == 0 {
		return b
	}
	if b == 0 {
		return a
	}
	shift := bits.TrailingZeros64(a | b)
	a >>= bits.TrailingZeros64(a)
	for b != 0 {
		b >>= bits.TrailingZeros64(b)
		if a > b {
			a, b = b, a
		}
		b -= a
	}
	return a << shift
}

// Cmp compares a and b: -1, 0 or +1.
func Cmp(a, b Num) int {
	if a.isBig() || b.isBig() {
		return a.rat().Cmp(b.rat())
	}
	ad, bd := a.den(), b.den()
	if ad == bd {
		return cmp64(a.n, b.n)
	}
	sa, sb := a.Sign(), b.Sign()
	if sa != sb {
		return cmp64(int64(sa), int64(sb))
	}
	if sa == 0 {
		return 0
	}
	// same sign: compare |a.n|*bd with |b.n|*ad
	xh, xl := bits.Mul64(abs64(a.n), uint64(bd))
	yh, yl := bits.Mul64(abs64(b.n), uint64(ad))
	c := 0
	switch {
	case xh != yh:
		c = cmpU(xh, yh)
	default:
		c = cmpU(xl, yl)
	}
	if sa < 0 {
		c = -c
	}
	return c
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Abs returns |a|.
func Abs(a Num) Num {
	if a.Sign() < 0 {
		return Neg(a)
	}
	return a
}

// Mod returns a % b for two decimals: the remainder of the quotient
// truncated toward zero, with the sign of a.
func Mod(a, b Num) (Num, error) {
	if b.Sign() == 0 {
		return Num{}, errDivZero
	}
	if !a.isBig() && !b.isBig() && a.den() == b.den() {
		return Num{n: a.n % b.n, d: a.den()}, nil
	}
	x, ok1 := a.Decimal()
	y, ok2 := b.Decimal()
	if !ok1 || !ok2 {
		return Num{}, errors.New("% needs two decimal numbers")
	}
	return NumOf(x.Mod(y)), nil
}

// RoundNum rounds a to places decimal places in mode m. places is 0..28.
func RoundNum(a Num, places int32, m Mode) decimal.Decimal {
	if d, ok := a.Written(); ok && d.Exponent() == -places {
		return d
	}
	if !a.isBig() && places >= 0 && places <= 18 {
		if q, ok := roundSmall(a.n, a.den(), pow10[places], m); ok {
			return decimal.New(q, -places)
		}
	}
	return roundRat(a.rat(), places, m)
}

// RoundSmall returns a rounded to places decimal places in mode m as an
// int64 q, the value being q/10^places, when a is in the small form and q
// fits; decimal.New(q, -places) is then what [RoundNum] returns.
func RoundSmall(a Num, places int32, m Mode) (q int64, ok bool) {
	if a.isBig() || places < 0 || places > 18 {
		return 0, false
	}
	return roundSmall(a.n, a.den(), pow10[places], m)
}

// roundSmall returns n*p/d rounded in mode m, when it fits.
func roundSmall(n, d, p int64, m Mode) (int64, bool) {
	hi, lo := bits.Mul64(abs64(n), uint64(p))
	ud := uint64(d)
	if hi >= ud {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, ud)
	if r != 0 {
		away := false
		switch m {
		case Up:
			away = true
		case HalfUp:
			away = 2*r >= ud // r < d <= MaxInt64, so 2r does not overflow
		case HalfEven:
			away = 2*r > ud || (2*r == ud && q&1 == 1)
		}
		if away {
			q++
		}
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	if n < 0 {
		return -int64(q), true
	}
	return int64(q), true
}
