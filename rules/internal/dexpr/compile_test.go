package dexpr

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCompileProblems checks the code, position and text of each problem
// the compiler reports, at each of its stages: parsing, the screen of what
// is never allowed, expr's type check, the verifier and the kind of the
// result.
func TestCompileProblems(t *testing.T) {
	const notIn = "a list is only allowed after `in`"
	const differ = "has no definite type (its branches or operands differ in type)"
	tests := []struct {
		src  string
		want []Problem
	}{
		// parsing and expr's checks
		{"a +", []Problem{{1, 3, "expr-syntax", "unexpected token EOF"}}},
		{"a b", []Problem{{1, 3, "expr-syntax", `unexpected token Identifier("b")`}}},
		{"\n\n  zz", []Problem{{3, 3, "unknown-name", "unknown name zz"}}},
		{"99999999999999999999999999999999999999999", []Problem{{1, 41, "bad-number", "number literal is too large or malformed"}}},
		{"1 +" + strings.Repeat(" 1 +", 600) + " 1", []Problem{{1, 2003, "expr-too-large", "compilation failed: expression exceeds maximum allowed nodes"}}},
		{"-flag", []Problem{{1, 2, "expr-type", "cannot use bool as argument (type number) to call neg "}}},
		{"round(cap, 1)", []Problem{{1, 7, "expr-type", "cannot use optional number as argument (type number) to call round "}}},
		{"day + 1", []Problem{{1, 5, "expr-type", "invalid operation: + (mismatched types date and number)"}}},
		{"a / n + day", []Problem{{1, 7, "expr-type", "invalid operation: + (mismatched types number and date)"}}},
		{"cap > 1", []Problem{{1, 5, "expr-type", "invalid operation: > (mismatched types optional number and number)"}}},
		{`"x`, []Problem{{1, 3, "expr-type", "literal not terminated"}}},
		// the screen, every problem at once
		{"a ** 2 + len(tier) + tier.x + {a: 1}", []Problem{
			{1, 3, "forbidden", `operator "**" is not allowed`},
			{1, 10, "forbidden", `function "len" is not allowed (allowed: abs, date, max, min, round)`},
			{1, 27, "forbidden", "field access is not allowed"},
			{1, 31, "forbidden", "map literals are not allowed"},
		}},
		{"foo(1) + a ^ 2", []Problem{{1, 1, "forbidden", `function "foo" is not allowed (allowed: abs, date, max, min, round)`}, {1, 12, "forbidden", `operator "^" is not allowed`}}},
		{"tier.x()", []Problem{{1, 6, "forbidden", "method calls are not allowed"}}},
		{"[a][0]", []Problem{{1, 4, "forbidden", "field access is not allowed"}}},
		// literals
		{"1.5e3", []Problem{{1, 1, "bad-number", `number "1.5e3" must be written in plain decimal digits`}}},
		{"a + 0x10", []Problem{{1, 5, "bad-number", `number "0x10" must be written in plain decimal digits`}}},
		{`date("2024-02-30")`, []Problem{{1, 1, "bad-date", `date "2024-02-30" is not a real day written as YYYY-MM-DD`}}},
		{`day > date("2024-1-01")`, []Problem{{1, 7, "bad-date", `date "2024-1-01" is not a real day written as YYYY-MM-DD`}}},
		{`date(tier)`, []Problem{{1, 1, "bad-date", `date() takes one date written as "YYYY-MM-DD"`}}},
		{`date("2024-01-01", "x")`, []Problem{{1, 1, "bad-date", `date() takes one date written as "YYYY-MM-DD"`}}},
		// the verifier
		{`flag ? 1 : "x"`, []Problem{{1, 14, "expr-type", `sub-expression flag ? "1" : "x" ` + differ}}},
		{`flag ? day : 1`, []Problem{{1, 14, "expr-type", `sub-expression flag ? day : "1" ` + differ}}},
		{`!(flag ? true : "x")`, []Problem{{1, 20, "expr-type", `sub-expression flag ? true : "x" ` + differ}}},
		{`flag ? [1] : [2]`, []Problem{{1, 8, "forbidden", notIn}, {1, 14, "forbidden", notIn}, {1, 16, "expr-type", `sub-expression flag ? ["1"] : ["2"] has type []interface {}`}}},
		{`[1, 2]`, []Problem{{1, 1, "forbidden", notIn}}},
		{`a in [1, [2]]`, []Problem{{1, 10, "forbidden", notIn}}},
		{`[1] == [1]`, []Problem{{1, 1, "forbidden", notIn}, {1, 8, "forbidden", notIn}, {1, 5, "forbidden", `operator "==" is not allowed on invalid and invalid`}}},
		{`a == nil`, []Problem{{1, 3, "expr-type", `operator "==" cannot be applied to number and invalid`}}},
		{`cap == cap`, []Problem{{1, 5, "expr-type", `operator "==" cannot be applied to optional number and optional number`}}},
		{`cap ?? flag`, []Problem{{1, 5, "expr-type", `operator "??" cannot be applied to optional number and bool`}}},
		{`tier < "B"`, []Problem{{1, 6, "forbidden", `operator "<" is not allowed on text and text`}}},
		{`tier + "x"`, []Problem{{1, 6, "forbidden", `operator "+" is not allowed on text and text`}}},
		{`tier ?? "x"`, []Problem{{1, 6, "forbidden", `operator "??" is not allowed on text and text`}}},
		{`day - day`, []Problem{{1, 5, "forbidden", `operator "-" is not allowed on date and date`}}},
		{`day in [day]`, []Problem{{1, 5, "forbidden", `operator "in" is not allowed on date and invalid`}}},
		{`a; a`, []Problem{{1, 1, "forbidden", "this kind of expression is not allowed"}}},
		{`let x = flag ? 1 : "x"; 1`, []Problem{{1, 23, "expr-type", `sub-expression flag ? "1" : "x" ` + differ}}},
		// the result
		{`nil`, []Problem{{1, 1, "expr-type", "expression has no definite type (interface {})"}}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			p, problems := Compile(tt.src, evalKinds, Invalid)
			assert.Nil(t, p)
			assert.Equal(t, tt.want, problems)
		})
	}
}

// TestCompileWantsKind checks that a result of the wrong kind is refused,
// and that a number accepts a division.
func TestCompileWantsKind(t *testing.T) {
	kinds := []Kind{Number, Bool, Text, Date, Optional}
	for _, src := range []struct {
		src  string
		kind Kind
		col  int
	}{{"a", Number, 1}, {"a / n", Number, 3}, {"flag", Bool, 1}, {"tier", Text, 1}, {"day", Date, 1}, {"cap", Optional, 1}} {
		for _, want := range kinds {
			p, problems := Compile(src.src, evalKinds, want)
			if want == src.kind {
				require.Empty(t, problems, "Compile(%s, %s)", src.src, want)
				assert.Equal(t, []string{strings.Fields(src.src)[0]}, p.Names[:1])
				continue
			}
			assert.Nil(t, p)
			article := "a "
			assert.Equal(t, []Problem{{1, src.col, "expr-result", "expression gives " + article + src.kind.String() + "; " + article + want.String() + " is required"}}, problems, "Compile(%s, %s)", src.src, want)
		}
	}
	p, problems := Compile("a / n", evalKinds, Invalid)
	require.Empty(t, problems)
	assert.Equal(t, Fraction, p.Kind)
	assert.Equal(t, []string{"a", "n"}, p.Names)
}

// TestCompileNames lists the variables an expression reads, sorted, once
// each, leaving out lets and the names of functions.
func TestCompileNames(t *testing.T) {
	p, problems := Compile("let x = n; min(x, a) + abs(b) + (flag ? n : a)", evalKinds, Number)
	require.Empty(t, problems)
	assert.Equal(t, []string{"a", "b", "flag", "n"}, p.Names)
	assert.Equal(t, "let x = n; min(x, a) + abs(b) + (flag ? n : a)", p.Source())
	p, problems = Compile(`date("2021-01-01") < day`, evalKinds, Bool)
	require.Empty(t, problems)
	assert.Equal(t, []string{"day"}, p.Names)
}

func TestKinds(t *testing.T) {
	names := map[Kind]string{Invalid: "invalid", Number: "number", Fraction: "number", Bool: "bool", Text: "text", Date: "date", Optional: "optional number", Optional + 1: "invalid"}
	for k, want := range names {
		assert.Equal(t, want, k.String(), "Kind(%d)", k)
	}
	for _, k := range []Kind{Number, Fraction, Bool, Text, Date, Optional} {
		z := k.zero()
		require.NotNil(t, z, "%s", k)
		assert.Equal(t, k, kindOf(reflect.TypeOf(z)), "kindOf(%T)", z)
		assert.True(t, reflect.ValueOf(z).IsZero(), "%s: zero %v", k, z)
	}
	assert.Nil(t, Invalid.zero())
	assert.Equal(t, Invalid, kindOf(reflect.TypeOf(1.5)))
}

// TestWords finds the names in a source at each edge of the characters
// names are made of.
func TestWords(t *testing.T) {
	assert.Equal(t, []string{"a", "z", "A", "Z", "_", "0", "9", "x_1"}, words("`a{z@A[Z]_/0:9 x_1"))
	assert.Equal(t, []string{"ab"}, words("ab"))
	assert.Nil(t, words("+-*/ 长"))
}

func TestPosition(t *testing.T) {
	src := []rune("ab\n长d\n\ne")
	tests := []struct{ offset, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {5, 2, 3}, {6, 3, 1}, {7, 4, 1}, {8, 4, 2}, {99, 4, 2},
	}
	for _, tt := range tests {
		line, col := position(src, tt.offset)
		assert.Equal(t, [2]int{tt.line, tt.col}, [2]int{line, col}, "position(%d)", tt.offset)
	}
}

func TestClip(t *testing.T) {
	assert.Equal(t, strings.Repeat("长", 40), clip(strings.Repeat("长", 40)))
	assert.Equal(t, strings.Repeat("长", 40)+"…", clip(strings.Repeat("长", 41)))
}

// TestRunWithoutValues checks the errors of the reference evaluation when
// the environment lacks a value.
func TestRunWithoutValues(t *testing.T) {
	p := compileEval(t, "a + 1")
	_, err := p.Run(NewVM(), map[string]any{})
	assert.EqualError(t, err, "a number has no value")
	_, err = p.Run(NewVM(), map[string]any{"a": "x"})
	assert.EqualError(t, err, "string is not a number")
	p = compileEval(t, "cap ?? 1")
	_, err = p.Run(NewVM(), map[string]any{"cap": dec("1")})
	assert.EqualError(t, err, "?? needs an optional number on its left")
	p = compileEval(t, "a")
	_, err = p.Run(NewVM(), map[string]any{"a": nil})
	assert.EqualError(t, err, "a has no value")
	out, err := p.Run(nil, map[string]any{"a": dec("2.50")})
	require.NoError(t, err)
	assert.Equal(t, dec("2.50"), out)
}
