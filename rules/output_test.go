package rules

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestOutputTextMatchesStringFixed writes random values, of every size and
// exponent, at every number of places an output may declare, and requires
// exactly what decimal's StringFixed writes.
func TestOutputTextMatchesStringFixed(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 48))
	fixed := []decimal.Decimal{decimal.Zero, decimal.New(0, -2), decimal.New(5, -2), decimal.New(-5, -2), decimal.New(2, 3),
		decimal.New(-1, 0), decimal.New(999999999999999999, -2), decimal.New(-999999999999999999, 0),
		decimal.New(922337203685477580, 1), decimal.RequireFromString("123456789012345678901234.5"), decimal.New(15, -1)}
	for i := 0; i < 20_000; i++ {
		var d decimal.Decimal
		if i < len(fixed) {
			d = fixed[i]
		} else {
			c := rng.Int64N(1 << uint(rng.IntN(62)+1))
			if rng.IntN(3) == 0 {
				c = -c
			}
			d = decimal.New(c, int32(rng.IntN(24)-20))
		}
		for places := int32(0); places <= 20; places++ {
			o := Output{Value: d, Rounding: Rounding{Places: places, Mode: HalfUp}}
			want := d.StringFixed(places)
			if got := string(o.AppendText([]byte("x"))); got != "x"+want {
				t.Fatalf("AppendText of %s (coefficient %s, exponent %d) at %d places = %q, want %q", d, d.Coefficient(), d.Exponent(), places, got, "x"+want)
			}
			if got := o.String(); got != want {
				t.Fatalf("String of %s at %d places = %q, want %q", d, places, got, want)
			}
		}
	}
}

// TestOutputTextAllocatesNothing checks that an amount is written into a
// buffer without allocating.
func TestOutputTextAllocatesNothing(t *testing.T) {
	o := Output{Value: decimal.New(123456789, -2), Rounding: Rounding{Places: 2, Mode: HalfUp}}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = o.AppendText(buf[:0]) }); n != 0 {
		t.Errorf("AppendText allocates %v times", n)
	}
	if string(buf) != "1234567.89" {
		t.Errorf("AppendText = %q", buf)
	}
}

// TestOutputUnits compares Units with the value shifted by its places in
// decimals, on random values of every size, exponent and number of places.
func TestOutputUnits(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 15))
	for i := 0; i < 20_000; i++ {
		c := rng.Int64N(1 << uint(rng.IntN(62)+1))
		if rng.IntN(3) == 0 {
			c = -c
		}
		d := decimal.New(c, int32(rng.IntN(24)-20))
		if i == 0 {
			d = decimal.RequireFromString("92233720368547758.08") // one fen past int64
		}
		for places := int32(0); places <= 20; places++ {
			o := Output{Value: d, Rounding: Rounding{Places: places, Mode: HalfUp}}
			u := d.Shift(places)
			wantOK := u.IsInteger() && u.BigInt().IsInt64()
			n, ok := o.Units()
			if ok != wantOK || (ok && n != u.IntPart()) {
				t.Fatalf("Units of %s at %d places = %d, %t; want %s, %t", d, places, n, ok, u, wantOK)
			}
		}
	}
}
