package rules_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// manyRequirements returns a policy whose rule r has n requirements, the
// i-th (from 1) holding when a > i.
func manyRequirements(n int) string {
	var b strings.Builder
	b.WriteString(`policy: {id: many, title: 多条件}
inputs:
  a: {type: int, label: 甲}
rules:
  r:
    title: 多条件
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    requirements:
`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "      - {code: q%d, when: 'a > %d', message: 条件%d}\n", i, i, i)
	}
	b.WriteString("    outputs:\n      x: {label: x, expr: a, round: {places: 0, mode: down}}\n")
	return b.String()
}

// TestReasonsOfManyRequirements: the reasons of the requirements that
// failed, in declared order, for rules of up to six requirements (whose
// lists are built at load) and of more.
func TestReasonsOfManyRequirements(t *testing.T) {
	for _, n := range []int{1, 6, 7, 9} {
		set := mustCompile(t, manyRequirements(n))
		for _, a := range []int{0, 3, n - 1, n, n + 1} {
			res, err := set.Eval(context.Background(), "r", rules.Input{rules.AsOf: rules.Text("2024-01-01"), "a": rules.Int(int64(a))})
			require.NoError(t, err)
			var want []string
			for i := max(a, 1); i <= n; i++ {
				want = append(want, fmt.Sprintf("q%d", i))
			}
			var got []string
			for _, r := range res.Reasons {
				got = append(got, r.Code)
				assert.Equal(t, "条件"+strings.TrimPrefix(r.Code, "q"), r.Message)
			}
			assert.Equal(t, want, got, "%d requirements, a = %d", n, a)
			assert.Equal(t, len(want) == 0, res.Pass, "%d requirements, a = %d", n, a)
		}
	}
}

// pointsInEvery has decision points in a let, in two requirements and in
// two outputs, so each expression's points are told apart.
const pointsInEvery = `policy: {id: every, title: 每处}
inputs:
  a: {type: money, label: 甲}
  b: {type: money, label: 乙}
rules:
  r:
    title: 每处
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a, b]
    let:
      l: 'max(a, 1)'
    requirements:
      - {code: q1, when: 'min(a, b) >= 0', message: 一}
      - {code: q2, when: 'max(a, b) > 0', message: 二}
    outputs:
      x: {label: x, expr: 'min(a, 5)', round: {places: 2, mode: half-up}}
      y: {label: y, expr: 'max(b, 5)', round: {places: 2, mode: half-up}}
tests:
  - name: one
    rule: r
    on: "2024-01-01"
    input: {a: "10.00", b: "2.00"}
    want: {pass: true, x: "5.00", y: "5.00"}
`

// TestCoverageOfEachExpression: each let, requirement and output reports
// the ways its own points went.
func TestCoverageOfEachExpression(t *testing.T) {
	c := coverageOf(t, pointsInEvery)
	require.Len(t, c.Rules, 1)
	got := map[string]string{}
	for _, p := range c.Rules[0].Points {
		if p.Kind != rules.PointMin && p.Kind != rules.PointMax {
			continue
		}
		var ways []string
		for _, o := range p.Outcomes {
			ways = append(ways, fmt.Sprintf("%s=%t", o.Name, o.Reached))
		}
		got[p.Kind+" in "+p.Where] = strings.Join(ways, " ")
	}
	assert.Equal(t, map[string]string{
		"max in let l":          "first=true second=false", // max(10, 1)
		"min in requirement q1": "first=false second=true", // min(10, 2)
		"max in requirement q2": "first=true second=false", // max(10, 2)
		"min in output x":       "first=false second=true", // min(10, 5)
		"max in output y":       "first=false second=true", // max(2, 5)
	}, got)
}

// wideRule returns a policy whose rule r reads n inputs x1..xn declared
// by decl (the text after the input's name).
func wideRule(n int, decl string) string {
	var b strings.Builder
	b.WriteString("policy: {id: wide, title: 多输入}\ninputs:\n")
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("x%d", i+1)
		fmt.Fprintf(&b, "  %s: %s\n", names[i], fmt.Sprintf(decl, i+1))
	}
	b.WriteString(`rules:
  r:
    title: 多输入
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [` + strings.Join(names, ", ") + `]
    outputs:
      one: {label: 一, expr: "1", round: {places: 0, mode: down}}
`)
	return b.String()
}

// TestExplanationKeepsEveryInput decides rules whose inputs fill the
// record a result keeps, and one more than it holds, and reads every input
// back from the explanation.
func TestExplanationKeepsEveryInput(t *testing.T) {
	codes := make([]string, 257)
	for i := range codes {
		codes[i] = fmt.Sprintf("c%d", i)
	}
	tests := []struct {
		name, decl string
		values     []string
	}{
		{"64 flags", "{type: bool, label: 标志%d}", flags(64)},
		{"65 flags", "{type: bool, label: 标志%d}", flags(65)},
		{"4 codes", "{type: enum, label: 类别%d, values: [A, B, C]}", []string{"C", "A", "B", "C"}},
		{"5 codes", "{type: enum, label: 类别%d, values: [A, B, C]}", []string{"C", "A", "B", "C", "B"}},
		{"256 codes", "{type: enum, label: 类别%d, values: [" + strings.Join(codes[:256], ", ") + "]}", []string{"c255", "c0"}},
		{"257 codes", "{type: enum, label: 类别%d, values: [" + strings.Join(codes, ", ") + "]}", []string{"c256", "c255"}},
		{"3 amounts", "{type: money, label: 金额%d}", []string{"1.50", "-2.00", "3.25"}},
		{"4 amounts", "{type: money, label: 金额%d}", []string{"1.50", "-2.00", "3.25", "4.00"}},
		{"an amount past int64", "{type: money, label: 金额%d}", []string{"99999999999999999999.99"}},
		{"1 date", "{type: date, label: 日期%d}", []string{"2023-02-28"}},
		{"2 dates", "{type: date, label: 日期%d}", []string{"2023-02-28", "2024-02-29"}},
		{"3 whole numbers", "{type: int, label: 月数%d}", []string{"7", "-9223372036854775807", "9223372036854775807"}},
		{"the smallest whole number", "{type: int, label: 月数%d}", []string{"-9223372036854775808"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := mustCompile(t, wideRule(len(tt.values), tt.decl))
			in := rules.Input{rules.AsOf: rules.Text("2024-06-01")}
			for i, v := range tt.values {
				in[fmt.Sprintf("x%d", i+1)] = rules.Text(v)
			}
			for range 2 { // the second decision may share the first's record
				res, err := set.Eval(context.Background(), "r", in)
				require.NoError(t, err)
				ex := res.Explanation()
				require.Len(t, ex.Inputs, len(tt.values))
				for i, f := range ex.Inputs {
					assert.Equal(t, fmt.Sprintf("x%d", i+1), f.Name)
					assert.Equal(t, tt.values[i], f.Value.String(), f.Name)
				}
				assert.Equal(t, "2024-06-01", ex.AsOf.String())
			}
		})
	}
}

// flags returns n truth values, true for every third and the last.
func flags(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i%3 == 0 || i == n-1)
	}
	return out
}

// TestPreparedRefusals: the exact errors of a prepared rule given too few
// values, a context already done, and an unknown rule.
func TestPreparedRefusals(t *testing.T) {
	set := mustCompile(t, manyRequirements(2))
	p, err := set.Prepare("r")
	require.NoError(t, err)
	on := rules.On(rules.MustDate("2024-01-01"))
	_, err = p.Eval(context.Background(), nil, on)
	assert.EqualError(t, err, `r: 0 values given for 1 inputs`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = p.Eval(ctx, []rules.Value{rules.Int(5)}, on)
	assert.ErrorIs(t, err, context.Canceled)
	var ee *rules.EvalError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, "r", ee.Rule)
	res, err := p.Eval(context.Background(), []rules.Value{rules.Int(5)}, on)
	require.NoError(t, err)
	assert.True(t, res.Pass)
	_, err = set.Prepare("q")
	assert.EqualError(t, err, `q: unknown rule "q" (did you mean "r"?)`)
}
