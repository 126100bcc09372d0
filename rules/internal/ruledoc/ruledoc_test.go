package ruledoc

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScalarPositionsInsideExpressions(t *testing.T) {
	src := "rules:\n  r:\n    let:\n      plain: a + b\n      quoted: \"a + b\"\n      block: |-\n        a +\n          b\n"
	f, _ := Parse([]byte(src))
	require.Len(t, f.Rules, 1)
	lets := f.Rules[0].Lets
	require.Len(t, lets, 3)
	assert.Equal(t, Pos{4, 16}, lets[0].Expr.At(1, 3), "plain: the + of a + b")
	assert.Equal(t, Pos{5, 18}, lets[1].Expr.At(1, 3), "quoted: the + after the quote")
	assert.Equal(t, Pos{8, 11}, lets[2].Expr.At(2, 3), "block: the b on the second line")
}

func TestEveryUnknownKeyIsReported(t *testing.T) {
	src := "policy: {id: x, title: y, titel: z}\nparameters:\n  p: {type: money, lable: L, values: []}\nrulez: {}\n"
	_, problems := Parse([]byte(src))
	var codes []string
	for _, p := range problems {
		codes = append(codes, p.Code)
	}
	assert.Equal(t, []string{"unknown-key", "unknown-key", "unknown-key"}, codes[:3], "%v", problems)
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.Message)
	}
	assert.Contains(t, msgs, `policy has unknown key "titel" (did you mean "title"?)`)
}

func TestDuplicateKeys(t *testing.T) {
	_, problems := Parse([]byte("inputs:\n  a: {type: bool, label: 甲}\n  a: {type: bool, label: 乙}\n"))
	require.NotEmpty(t, problems)
	assert.Equal(t, "duplicate-key", problems[0].Code)
	assert.Equal(t, Pos{3, 3}, problems[0].Pos)
}

func TestSyntaxErrorHasALine(t *testing.T) {
	_, problems := Parse([]byte("policy:\n  id: [\n"))
	require.Len(t, problems, 1)
	assert.Equal(t, "yaml-syntax", problems[0].Code)
	assert.Positive(t, problems[0].Pos.Line)
}

func TestUntilCaseParametersAndOverlayTests(t *testing.T) {
	src := `extends: x
parameters:
  p:
    values:
      - {from: "2021-01-01", until: "2021-12-31", value: "1.00", basis: b}
tests:
  - name: own cap
    rule: r
    parameters: {p: "500.00", q: null}
    input: {a: "1"}
    want: {pass: true}
`
	f, problems := Parse([]byte(src))
	require.Empty(t, problems)
	require.Len(t, f.Parameters, 1)
	until := f.Parameters[0].Values[0].Until
	assert.Equal(t, "2021-12-31", until.Value)
	assert.Equal(t, Pos{5, 37}, until.Pos)
	require.Len(t, f.Tests, 1, "an overlay's tests are read")
	ps := f.Tests[0].Parameters
	require.Len(t, ps, 2)
	assert.Equal(t, "p", ps[0].Key.Value)
	assert.Equal(t, "500.00", ps[0].Value.Value)
	assert.True(t, ps[0].Value.Quoted)
	assert.True(t, ps[1].Value.Null)
	assert.Equal(t, Pos{9, 31}, ps[1].Key.Pos)

	_, problems = Parse([]byte("parameters:\n  p: {values: [{from: \"2021-01-01\", untill: \"2021-12-31\", value: \"1\", basis: b}]}\n"))
	require.NotEmpty(t, problems)
	assert.Equal(t, `parameter "p" value has unknown key "untill" (did you mean "until"?)`, problems[0].Message)
}
