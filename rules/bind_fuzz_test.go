package rules

import (
	"testing"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/shopspring/decimal"
)

// bindDefs are inputs of every type the quick paths of bind read, with
// and without bounds.
func bindDefs() []*inputDef {
	lo, hi, zero := decimal.RequireFromString("-5.5"), decimal.RequireFromString("1000000"), decimal.Zero
	defs := []*inputDef{
		{name: "b", typ: TypeBool},
		{name: "m", typ: TypeMoney},
		{name: "mb", typ: TypeMoney, min: &lo, max: &hi},
		{name: "ma", typ: TypeMoney, above: &zero},
		{name: "d", typ: TypeDecimal},
		{name: "db", typ: TypeDecimal, min: &lo, above: &lo},
		{name: "i", typ: TypeInt},
		{name: "ib", typ: TypeInt, min: &zero, max: &hi},
		{name: "e", typ: TypeEnum, values: []string{"A", "B", "C"}, aliases: map[string]string{"A类": "A", "乙": "B"}},
		{name: "es", typ: TypeEnum, values: []string{" A", "B"}, aliases: map[string]string{" b ": "B"}},
	}
	for _, def := range defs {
		def.prepare()
	}
	return defs
}

// slotsOf returns what slot 0 of each class holds, as text.
func slotsOf(f *dexpr.Frame) [3]string {
	n, d, ok := f.Nums[0].Parts()
	num := f.Nums[0].String()
	if ok {
		num += "|" + decimal.New(n, 0).String() + "/" + decimal.New(d, 0).String()
	}
	return [3]string{num, map[bool]string{true: "true", false: "false"}[f.Flags[0]], "[" + f.Texts[0] + "]"}
}

// FuzzBindMatchesRead binds text, and typed values, into slots through
// bind's quick paths and through read, and requires the same error and
// the same slot, to the numerator and denominator of a number.
func FuzzBindMatchesRead(f *testing.F) {
	for _, s := range []string{"1800.00", "1800", "-0", "0.5", "007", "1.", ".5", "1.234", "12345678901234567", "-5.50", "-5.6",
		"1000000.01", "是", "TRUE", " 1", "A", "A类", " A", "乙", " b ", "1,000", "９", "+1", "0", "--1", ""} {
		f.Add(s, int64(0))
	}
	defs := bindDefs()
	f.Fuzz(func(t *testing.T, text string, n int64) {
		for _, def := range defs {
			for _, v := range []Value{Text(text), Int(n), Bool(n%2 == 0)} {
				fast := &dexpr.Frame{Nums: make([]dexpr.Num, 1), Flags: make([]bool, 1), Texts: make([]string, 1)}
				slow := &dexpr.Frame{Nums: make([]dexpr.Num, 1), Flags: make([]bool, 1), Texts: make([]string, 1)}
				errFast := def.bind(fast, 0, v)
				x, errSlow := def.read(v)
				if errSlow == nil {
					bindInput(slow, 0, def, x)
				}
				if (errFast == nil) != (errSlow == nil) || (errFast != nil && errFast.Error() != errSlow.Error()) {
					t.Fatalf("%s %v: bind error %v, read error %v", def.name, v, errFast, errSlow)
				}
				if g, w := slotsOf(fast), slotsOf(slow); g != w {
					t.Fatalf("%s %v: bind %v, read %v", def.name, v, g, w)
				}
			}
		}
	})
}
