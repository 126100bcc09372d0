package rules

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
)

// TestOutputTextAndUnitsAtTheEdgesAllocateNothing: a value of at most 18
// digits is written, and counted in units, without allocating, as
// AppendText promises, up to each edge of that promise: a value already at
// its places, 18 digits, 18 places, a negative amount.
func TestOutputTextAndUnitsAtTheEdgesAllocateNothing(t *testing.T) {
	for _, tt := range []struct {
		value  decimal.Decimal
		places int32
		text   string
		units  int64
	}{
		{decimal.New(150, -2), 2, "1.50", 150},
		{decimal.New(-150, -2), 2, "-1.50", -150},
		{decimal.New(123456789012345678, 0), 0, "123456789012345678", 123456789012345678},
		{decimal.New(1, -18), 18, "0.000000000000000001", 1},
		{decimal.New(1, 0), 18, "1.000000000000000000", 1_000_000_000_000_000_000},
	} {
		o := Output{Value: tt.value, Rounding: Rounding{Places: tt.places, Mode: HalfUp}}
		buf := make([]byte, 0, 64)
		assert.Equal(t, tt.text, string(o.AppendText(buf)))
		assert.Zero(t, testing.AllocsPerRun(100, func() { buf = o.AppendText(buf[:0]) }), "AppendText of %s", tt.text)
		n, ok := o.Units()
		assert.True(t, ok)
		assert.Equal(t, tt.units, n)
		assert.Zero(t, testing.AllocsPerRun(100, func() { n, ok = o.Units() }), "Units of %s", tt.text)
	}
}
