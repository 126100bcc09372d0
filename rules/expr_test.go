package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExactComparisons(t *testing.T) {
	tests := []struct {
		name, expr string
		want       bool
	}{
		{"tenths add up exactly", "0.1 + 0.2 == 0.3", true},
		{"trailing zeros do not matter to ==", "2000.00 == 2000", true},
		{"trailing zeros do not matter to !=", "2000.00 != 2000", false},
		{"in compares by value", "50000.00 in [50000]", true},
		{"in finds nothing", "50000.01 in [50000, 60000]", false},
		{"one third times three is one", "1 / 3 * 3 == 1", true},
		{"division is exact in comparisons", "a / b >= 0.1834025", true},
		{"one fen less is less", "a / b >= 0.1834026", false},
		{"chained and mixed arithmetic", "a + b - 100000 == 18340.25 && a * 0.1 + 1 == 1835.025", true},
		{"unary minus on a variable", "-a + 1 == -18339.25", true},
		{"min of whole months", "min(n, 6) == 6", true},
		{"strings compare natively", `tier == "B" && tier in ["A", "B"]`, true},
		{"dates compare by day", `day <= date("2023-12-31") && day > date("2023-12-30")`, true},
		{"a none parameter falls back with ??", "(cap ?? a) == a", true},
		{"dated parameter in force on the as-of date", "rate == 0.15", true},
		{"as_of is a date", `as_of == date("2024-06-01")`, true},
		{"big integers do not wrap around", "9223372036854775807 + 1 > 9223372036854775807", true},
		{"more digits than a float keeps", "0.1234567890123456789 * 10 == 1.234567890123456789", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustCompile(t, boolRule(tt.expr))
			res, err := s.Eval(context.Background(), "r", facts())
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Pass, "%s", tt.expr)
		})
	}
}

func TestExactArithmetic(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"one third times three is exactly one", "1 / 3 * 3", "1"},
		{"a third rounds only where declared", "1 / 3", "0.3333333333333333333333333333"},
		{"two thirds round half-up", "2 / 3", "0.6666666666666666666666666667"},
		{"tenths", "0.1 + 0.2", "0.3"},
		{"money times a rate", "b * rate", "15000"},
		{"min picks the smaller", "min(a, 10000)", "10000"},
		{"max of a ratio and a decimal", "max(a / b, 0.2)", "0.2"},
		{"abs", "abs(-3.5)", "3.5"},
		{"round half-up", "round(2.345, 2)", "2.35"},
		{"round a ratio", "round(2 / 3, 2)", "0.67"},
		{"remainder", "n % 4", "1"},
		{"a ternary picks a branch", `tier == "A" ? 2000 : 1800`, "1800"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustCompile(t, numberRule(tt.expr))
			res, err := s.Eval(context.Background(), "r", facts())
			require.NoError(t, err)
			assertDecimal(t, tt.want, output(t, res, "x"))
		})
	}
}

func TestOneThirdTimesThreeIsNotNines(t *testing.T) {
	s := mustCompile(t, numberRule("1 / 3 * 3"))
	res, err := s.Eval(context.Background(), "r", facts())
	require.NoError(t, err)
	x := res.Explanation().Outputs[0]
	assert.Equal(t, "1", x.Exact.String(), "exact value before rounding")
	assert.False(t, strings.Contains(x.Value.String(), "999"), "got %s", x.Value)
}

func TestDivisionByZeroIsAnError(t *testing.T) {
	s := mustCompile(t, numberRule("a / (b - b)"))
	_, err := s.Eval(context.Background(), "r", facts())
	var ee *rules.EvalError
	require.ErrorAs(t, err, &ee)
	assert.Contains(t, ee.Error(), "division by zero")
	src := numberRule("a / (b - b)")
	assert.Equal(t, strings.Count(src[:strings.Index(src, "a / (b - b)")], "\n")+1, ee.Pos.Line, "points at the output expression")
}

// TestRejectedAtLoad checks that what is not on the allow-list is refused
// when the file is loaded, with its line and column in the file.
func TestRejectedAtLoad(t *testing.T) {
	tests := []struct {
		name, expr string
		at         string // the text the diagnostic must point at
		code       string
	}{
		{"exponent", "a ** 2", "**", "forbidden"},
		{"caret", "a ^ 2", "^", "forbidden"},
		{"method call on a value", "a.InexactFloat64() + 1", "InexactFloat64", "forbidden"},
		{"method returning a decimal", "a.Round(2)", "Round", "forbidden"},
		{"field access", "a.exp", "exp", "forbidden"},
		{"map over floats", "map([1.5, 2.5], # * 2)", "map", "forbidden"},
		{"filter", "filter([0.1, 0.2], # > 0)", "filter", "forbidden"},
		{"sum over floats", "sum([0.1, 0.2])", "sum", "forbidden"},
		{"mean", "mean([1, 2])", "mean", "forbidden"},
		{"len", "len([1])", "len", "forbidden"},
		{"unknown name", "a + nosuch", "nosuch", "unknown-name"},
		{"integer too large for a literal", "a + 99999999999999999999", "99999999999999999999", "bad-number"},
		{"hex literal", "a + 0x10", "0x10", "bad-number"},
		{"exponent literal", "a * 1e3", "1e3", "bad-number"},
		{"mixed branch types", `tier == "A" ? a : "none"`, `tier`, "expr-type"},
		{"text is not money", `tier`, `tier`, "expr-result"},
		{"none parameter used bare", "min(a, cap)", "min", "expr-type"},
		{"string concatenation", `tier + "x"`, `+`, "forbidden"},
		{"syntax error", "a +", "+", "expr-syntax"},
		{"bad date", `day < date("2021-02-29") ? 1 : 2`, `date`, "bad-date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := numberRule(tt.expr)
			_, err := compile(t, src)
			var ds rules.Diagnostics
			require.ErrorAs(t, err, &ds, "%s must be rejected", tt.expr)
			d := ds[0]
			assert.Equal(t, tt.code, d.Code, "%s", d)
			line := strings.Count(src[:strings.Index(src, quote(tt.expr))], "\n") + 1
			lineStart := strings.LastIndex(src[:strings.Index(src, quote(tt.expr))], "\n") + 1
			off := strings.Index(src[lineStart:], quote(tt.expr)) + 1 + strings.Index(tt.expr, tt.at)
			assert.Equal(t, line, d.Pos.Line, "line of %s", d)
			// expr's own parser and checker point at the end of a token or
			// at an operator; only our checks promise the exact column.
			if tt.code == "forbidden" || tt.code == "unknown-name" || tt.at == "0x10" || tt.at == "1e3" {
				assert.Equal(t, len([]rune(src[lineStart:lineStart+off]))+1, d.Pos.Col, "column of %s", d)
			}
		})
	}
}

func TestThreeMistakesAreAllReported(t *testing.T) {
	src := head + `    outputs:
      x: {label: x, expr: 'a ** 2', round: {places: 2, mode: half-up}}
      y: {label: y, expr: 'a + nosuch', round: {places: 2, mode: sideways}}
`
	_, err := compile(t, src)
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	require.Len(t, ds, 3, "%s", ds.String())
	golden(t, "parse/three-mistakes.diag", []byte(ds.String()))
}

func TestBadInputsNameTheField(t *testing.T) {
	s := mustCompile(t, numberRule("a + b"))
	tests := []struct {
		field, value string
		want         error
	}{
		{"a", "1e3", rules.ErrInvalid},
		{"a", "NaN", rules.ErrInvalid},
		{"a", "1.005", rules.ErrInvalid},
		{"a", "-1.00", rules.ErrInvalid},
		{"a", "", rules.ErrMissing},
		{"n", "2.5", rules.ErrInvalid},
		{"tier", "C", rules.ErrInvalid},
		{"day", "2021-13-01", rules.ErrInvalid},
		{rules.AsOf, "yesterday", rules.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.value, func(t *testing.T) {
			in := facts()
			in[tt.field] = rules.Text(tt.value)
			_, err := s.Eval(context.Background(), "r", in)
			var ie *rules.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.True(t, errors.Is(err, tt.want), "%v", err)
		})
	}
	in := facts()
	delete(in, "b")
	_, err := s.Eval(context.Background(), "r", in)
	assert.ErrorIs(t, err, rules.ErrMissing)
	assert.Contains(t, err.Error(), "b (乙) is missing")
}

func TestThousandsSeparatorsAreRead(t *testing.T) {
	s := mustCompile(t, numberRule("a"))
	in := facts()
	in["a"] = rules.Text("1,234,567.80")
	res, err := s.Eval(context.Background(), "r", in)
	require.NoError(t, err)
	assertDecimal(t, "1234567.8", output(t, res, "x"))
	in["a"] = rules.Text("12,34.5")
	_, err = s.Eval(context.Background(), "r", in)
	assert.ErrorIs(t, err, rules.ErrInvalid)
}
