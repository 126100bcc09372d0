package dexpr

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// evalKinds are the variables every case of TestEvaluate may read;
// evalValues gives their values: an amount, a rate, a count, a negative
// number, a number past int64 (10^30), a cap that is set and one that is
// not, both flags, a code and a day.
var evalKinds = map[string]Kind{
	"a": Number, "b": Number, "n": Number, "neg": Number, "big": Number,
	"cap": Optional, "none": Optional, "flag": Bool, "off": Bool, "tier": Text, "day": Date,
}

func evalValues() map[string]any {
	return map[string]any{
		"a": dec("800.00"), "b": dec("0.15"), "n": dec("3"), "neg": dec("-2.5"), "big": dec("1e30"),
		"cap": Maybe{Value: dec("500.00"), Valid: true}, "none": Maybe{}, "flag": true, "off": false, "tier": "B",
		"day": time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC),
	}
}

// show writes a value of either evaluation the same way: numbers as
// decimals (or "n/d ≈ x"), text quoted, dates as YYYY-MM-DD, an absent
// optional number as "none".
func show(v any) string {
	switch x := v.(type) {
	case decimal.Decimal:
		return x.String()
	case Ratio, Num:
		return fmt.Sprint(x)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return strconv.Quote(x)
	case time.Time:
		return x.Format(time.DateOnly)
	case Day:
		return x.Time().Format(time.DateOnly)
	case Maybe:
		if x.Valid {
			return x.Value.String()
		}
		return "none"
	case Opt:
		if x.Valid {
			return x.Num.String()
		}
		return "none"
	}
	return fmt.Sprintf("%T %v", v, v)
}

// evalLayout declares the variables of evalKinds in name order.
func evalLayout() *Layout {
	names := make([]string, 0, len(evalKinds))
	for n := range evalKinds {
		names = append(names, n)
	}
	sort.Strings(names)
	l := NewLayout()
	for _, n := range names {
		l.Declare(n, evalKinds[n])
	}
	return l
}

// evalFrame returns a frame of l, linked, holding evalValues, with a
// budget of steps.
func evalFrame(l *Layout, steps int) *Frame {
	nums, opts, flags, texts, days := l.Sizes()
	f := &Frame{Nums: make([]Num, nums), Opts: make([]Opt, opts), Flags: make([]bool, flags), Texts: make([]string, texts), Days: make([]Day, days)}
	for n, v := range evalValues() {
		at, _ := l.Lookup(n)
		switch x := v.(type) {
		case decimal.Decimal:
			f.Nums[at.Slot] = NumOf(x)
		case Maybe:
			f.Opts[at.Slot] = Opt{Num: NumOf(x.Value), Valid: x.Valid}
		case bool:
			f.Flags[at.Slot] = x
		case string:
			f.Texts[at.Slot] = x
		case time.Time:
			f.Days[at.Slot] = DayOf(x)
		}
	}
	f.Limit(context.Background(), steps)
	return f
}

// runLinked links p to the layout of evalKinds and evaluates it in the
// frame of evalValues.
func runLinked(t *testing.T, p *Program) (string, error) {
	t.Helper()
	l := evalLayout()
	require.NoError(t, p.Link(l))
	return evalIn(p, evalFrame(l, 10000))
}

func evalIn(p *Program, f *Frame) (string, error) {
	var out any
	var err error
	switch p.Kind {
	case Number, Fraction:
		out, err = p.Num(f)
	case Bool:
		out, err = p.Bool(f)
	case Text:
		out, err = p.text(f)
	case Date:
		out, err = p.day(f)
	case Optional:
		out, err = p.opt(f)
	}
	if err != nil {
		return "", err
	}
	return show(out), nil
}

func compileEval(t *testing.T, src string) *Program {
	t.Helper()
	p, problems := Compile(src, evalKinds, Invalid)
	require.Empty(t, problems, src)
	return p
}

// TestEvaluate runs every form of expression both ways, in the reference
// VM and in the compiled closures, and checks both against the value
// worked out by hand.
func TestEvaluate(t *testing.T) {
	tests := []struct{ src, want string }{
		// arithmetic on amounts of different places, exact
		{"a + b", "800.15"},
		{"a - b", "799.85"},
		{"b - a", "-799.85"},
		{"a * b", "120"},
		{"b * b", "0.0225"},
		{"a / n", "800/3 ≈ 266.666666666667"},
		{"a / n * n", "800"},
		{"a / 3 + b / 7", "112009/420 ≈ 266.688095238095"},   // 800/3 + 3/140
		{"b / 7 - a / 3", "-111991/420 ≈ -266.645238095238"}, // 3/140 - 800/3
		{"b + a / 4", "200.15"},
		{"a / 4 + b", "200.15"},
		{"a % n", "2"},
		{"neg % n", "-2.5"},
		{"n % b", "0"},
		{"7 % 2.5", "2"},
		{"big + a", "1000000000000000000000000000800"},
		{"a - big", "-999999999999999999999999999200"},
		{"big * b", "150000000000000000000000000000"},
		{"big / 7", "1000000000000000000000000000000/7 ≈ 142857142857142857142857142857.142857142857"},
		{"big / big", "1"},
		{"big % 7", "1"},
		{"(big + 1) - big", "1"},
		// functions
		{"min(a, b)", "0.15"},
		{"min(b, a)", "0.15"},
		{"min(a, 800)", "800"},
		{"max(a, b)", "800"},
		{"max(b, a)", "800"},
		{"min(a / n, b)", "0.15"},
		{"max(b, a / n)", "800/3 ≈ 266.666666666667"},
		{"max(a / n, b)", "800/3 ≈ 266.666666666667"},
		{"min(b, a / n)", "0.15"},
		{"abs(neg)", "2.5"},
		{"abs(a)", "800"},
		{"abs(a / -3)", "800/3 ≈ 266.666666666667"},
		{"abs(big - big - big)", "1000000000000000000000000000000"},
		{"-a", "-800"},
		{"-(a / n)", "-800/3 ≈ -266.666666666667"},
		{"-big", "-1000000000000000000000000000000"},
		{"- -a", "800"},
		{"+a", "800"},
		{"round(a / n, 2)", "266.67"},
		{"round(a / n, 0)", "267"},
		{"round(-a / n, 2)", "-266.67"},
		{"round(b, 1)", "0.2"},
		{"round(0.25, 1)", "0.3"},
		{"round(a, 28)", "800"},
		{"round(a / n, 28)", "266.6666666666666666666666666667"},
		{"round(big / 7, 2)", "142857142857142857142857142857.14"},
		{"round(a / n, 2.0)", "266.67"},
		{"cap ?? a", "500"},
		{"none ?? a", "800"},
		{"cap ?? (a / n)", "500"},
		{"none ?? (a / n)", "800/3 ≈ 266.666666666667"},
		// membership
		{"a in [1, 800]", "true"},
		{"a in [1, 2]", "false"},
		{"a in []", "false"},
		{"a in [n, a]", "true"},
		{"a / n in [1, 800 / 3]", "true"},
		{"a in [800 / 3, 800]", "true"},
		{"a in [800 / 3]", "false"},
		{"a / n in [800, 266]", "false"},
		{"b in [0.15, \"x\"]", "true"},
		{"big in [big]", "true"},
		{"tier in [\"A\", \"B\"]", "true"},
		{"tier in [\"A\"]", "false"},
		{"tier in [\"A\", tier]", "true"},
		{"tier in [\"A\", \"C\", flag ? \"X\" : tier]", "false"},
		{"tier in [1, \"B\"]", "true"},
		{"tier in [1, true, date(\"2021-06-01\"), nil, \"B\"]", "true"},
		{"tier in [a, flag, day, cap, \"B\"]", "true"},
		// conditionals and lets of every kind
		{"flag ? a : b", "800"},
		{"off ? a : b", "0.15"},
		{"a > 1 ? true : false", "true"},
		{"off ? true : false", "false"},
		{"flag ? tier : \"C\"", "\"B\""},
		{"off ? tier : \"C\"", "\"C\""},
		{"flag ? day : date(\"2020-01-01\")", "2021-06-01"},
		{"off ? day : date(\"2020-01-01\")", "2020-01-01"},
		{"flag ? cap : none", "500"},
		{"off ? cap : none", "none"},
		{"let x = a * 2; x + 1", "1601"},
		{"let x = a / n; x * 3", "800"},
		{"let t = tier; t", "\"B\""},
		{"let d = day; d", "2021-06-01"},
		{"let o = none; o", "none"},
		{"let o = cap; o", "500"},
		{"let x = a / n; x > 266 ? \"X\" : \"Y\"", "\"X\""},
		{"let o = flag ? cap : none; let d = day; let t = tier; t == \"B\" && d > date(\"2021-01-01\") ? o : none", "500"},
		{"let f = off; !f", "true"},
		{"let x = 1; let y = x + 1; y * 10", "20"},
		// logic
		{"flag && off", "false"},
		{"flag && flag", "true"},
		{"off && flag", "false"},
		{"flag || off", "true"},
		{"off || flag", "true"},
		{"off || off", "false"},
		{"flag and off", "false"},
		{"off or flag", "true"},
		{"not flag", "false"},
		{"!off", "true"},
		// comparisons of numbers, dates, flags and text
		{"a == 800", "true"},
		{"a != 800", "false"},
		{"a < 800", "false"},
		{"a <= 800", "true"},
		{"a > 800", "false"},
		{"a >= 800", "true"},
		{"a < 800.01", "true"},
		{"a > 799.99", "true"},
		{"a / n > 266", "true"},
		{"a / n < 267", "true"},
		{"a / n == 800 / 3", "true"},
		{"big > a", "true"},
		{"neg < b", "true"},
		{"day > date(\"2021-06-01\")", "false"},
		{"day > date(\"2021-05-31\")", "true"},
		{"day >= date(\"2021-06-01\")", "true"},
		{"day >= date(\"2021-06-02\")", "false"},
		{"day < date(\"2021-06-02\")", "true"},
		{"day < date(\"2021-06-01\")", "false"},
		{"day <= date(\"2021-06-01\")", "true"},
		{"day <= date(\"2021-05-31\")", "false"},
		{"day == date(\"2021-06-01\")", "true"},
		{"day != date(\"2021-06-01\")", "false"},
		{"flag == off", "false"},
		{"flag != off", "true"},
		{"flag == true", "true"},
		{"off == false", "true"},
		{"tier == \"B\"", "true"},
		{"tier != \"B\"", "false"},
		{"tier == \"A\"", "false"},
		// one value
		{"a", "800"},
		{"big", "1000000000000000000000000000000"},
		{"tier", "\"B\""},
		{"day", "2021-06-01"},
		{"cap", "500"},
		{"none", "none"},
		{"flag", "true"},
		{"true", "true"},
		{"\"text\"", "\"text\""},
		{"1_000.50", "1000.5"},
		{"-0.5", "-0.5"},
		{"date(\"2024-02-29\")", "2024-02-29"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p := compileEval(t, tt.src)
			out, err := p.Run(NewVM(), evalValues())
			require.NoError(t, err)
			assert.Equal(t, tt.want, show(out), "VM: %s", tt.src)
			got, err := runLinked(t, p)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "compiled: %s", tt.src)
		})
	}
}

// TestEvaluateErrors checks the error of each way an evaluation fails,
// from the VM and from the compiled closures, which also give the position
// of the failing operation inside the expression.
func TestEvaluateErrors(t *testing.T) {
	const places = "round: places must be a whole number from 0 to 28, not "
	tests := []struct{ src, vm, compiled string }{
		{"a / 0", "division by zero", "division by zero (at 1:3 of a / 0)"},
		{"a / (n - 3)", "division by zero", "division by zero (at 1:3 of a / (n - 3))"},
		{"a % 0", "division by zero", "division by zero (at 1:3 of a % 0)"},
		{"1 +\n a / 0", "division by zero", "division by zero (at 2:4 of 1 +\n a / 0)"},
		{"round(a, 1.5)", places + "1.5", "round: places must be a whole number from 0 to 28, not 1.5 (at 1:1 of round(a, 1.5))"},
		{"round(a, -1)", places + "-1", places + "-1 (at 1:1 of round(a, -1))"},
		{"round(a, 29)", places + "29", places + "29 (at 1:1 of round(a, 29))"},
		{"round(a, 1 / 2)", places + "0.5", places + "0.5 (at 1:1 of round(a, 1 / 2))"},
		{"round(a, 4 / 2)", places + "2", places + "2 (at 1:1 of round(a, 4 / 2))"},
		{"round(a, big)", places + "1000000000000000000000000000000", places + "1000000000000000000000000000000 (at 1:1 of round(a, big))"},
		{"round(a, a / 4 / 20)", places + "10", places + "10 (at 1:1 of round(a, a / 4 / 20))"},
		{"a in [1, \"x\"]", "list after `in`: string is not a number", "list after `in`: string is not a number (at 1:3 of a in [1, \"x\"])"},
		{"a in [flag]", "list after `in`: bool is not a number", "list after `in`: bool is not a number (at 1:3 of a in [flag])"},
		{"a in [true]", "list after `in`: bool is not a number", "list after `in`: bool is not a number (at 1:3 of a in [true])"},
		{"a in [day]", "list after `in`: time.Time is not a number", "list after `in`: time.Time is not a number (at 1:3 of a in [day])"},
		{"a in [date(\"2021-01-01\")]", "list after `in`: time.Time is not a number", "list after `in`: time.Time is not a number (at 1:3 of a in [date(\"2021-01-01\")])"},
		{"a in [cap]", "list after `in`: dexpr.Maybe is not a number", "list after `in`: dexpr.Maybe is not a number (at 1:3 of a in [cap])"},
		{"a in [nil]", "list after `in`: a number has no value", "list after `in`: a number has no value (at 1:3 of a in [nil])"},
		{"a in [a / 0]", "division by zero", "division by zero (at 1:9 of a in [a / 0])"},
		{"tier in [\"A\", a / 0 > 1 ? \"B\" : \"C\"]", "division by zero", "division by zero (at 1:17 of tier in [\"A\", a / 0 > 1 ? \"B\" : \"C\"])"},
		{"tier in [\"B\", tier == \"A\" || a / 0 > 1000]", "division by zero", "division by zero (at 1:32 of tier in [\"B\", tier == \"A\" || a / 0 > 100…)"}, // clipped to 40 characters
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p := compileEval(t, tt.src)
			_, err := p.Run(NewVM(), evalValues())
			assert.EqualError(t, err, tt.vm, "VM: %s", tt.src)
			_, err = runLinked(t, p)
			assert.EqualError(t, err, tt.compiled, "compiled: %s", tt.src)
		})
	}
}

// TestTiesGoToTheFirst: min and max of equal values give their first
// argument, as written (a's 800.00 rather than the literal 800), in both
// evaluations.
func TestTiesGoToTheFirst(t *testing.T) {
	for _, src := range []string{"min(a, 800)", "max(a, 800)"} {
		p := compileEval(t, src)
		out, err := p.Run(NewVM(), evalValues())
		require.NoError(t, err)
		d, ok := out.(decimal.Decimal)
		require.True(t, ok, "%s gives %T", src, out)
		assert.Equal(t, int32(-2), d.Exponent(), "VM: %s gives a", src)

		l := evalLayout()
		require.NoError(t, p.Link(l))
		x, err := p.Num(evalFrame(l, 100))
		require.NoError(t, err)
		n, den, small := x.Parts()
		assert.True(t, small, "compiled: %s gives a, not the kept literal", src)
		assert.Equal(t, [2]int64{80000, 100}, [2]int64{n, den}, "compiled: %s", src)
	}
}

// TestRoundedValuesStaySmall: round(x, k) that fits n/10^k is held in the
// small form, at 18 places too.
func TestRoundedValuesStaySmall(t *testing.T) {
	for _, tt := range []struct {
		src  string
		n, d int64
	}{
		{"round(n * 3, 18)", 9e18, 1e18},
		{"round(a / n, 2)", 26667, 100},
		{"round(b, 0)", 0, 1},
	} {
		p := compileEval(t, tt.src)
		l := evalLayout()
		require.NoError(t, p.Link(l))
		x, err := p.Num(evalFrame(l, 100))
		require.NoError(t, err)
		n, d, small := x.Parts()
		assert.True(t, small, tt.src)
		assert.Equal(t, [2]int64{tt.n, tt.d}, [2]int64{n, d}, tt.src)
	}
}
