package rules_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// points is a policy with one of each kind of decision point. Its lines
// are numbered in the comments the tests below refer to.
const points = `policy: {id: points, title: 决策点}
inputs:
  cost: {type: money, label: 费用, min: "0"}
  tier: {type: enum, label: 类别, values: [A, B]}
  rate: {type: decimal, label: 比例}
parameters:
  cap:
    type: money
    label: 上限
    nullable: true
    values:
      - {from: "2021-08-19", value: null, basis: 未设上限}
  grant:
    type: money
    label: 补助
    values:
      - {from: "2020-01-01", value: "900.00", basis: 施行前}
      - {from: "2021-08-19", value: "1000.00", basis: 第一条}
      - {from: "2025-01-01", value: "1200.00", basis: 第二条}
rules:
  pay:
    title: 支付
    basis: {clause: 第一条, quote: 支付。}
    in_force: {from: "2021-08-19"}
    inputs: [cost, tier, rate]
    let:
      paid: 'min(cost, cap ?? cost)'
    requirements:
      - {code: no-cost, when: cost > 0, message: 没有费用}
      - {code: not-a, when: 'tier == "A" || grant > 0', message: 不是A类}
    outputs:
      amount: {label: 金额, expr: 'tier == "A" ? paid : max(0, paid - grant)', round: {places: 2, mode: half-up}}
      share: {label: 比例, expr: paid * rate, round: {places: 2, mode: down}}
tests:
  - name: A, no cap
    rule: pay
    on: "2021-09-01"
    input: {cost: "100.00", tier: A, rate: "0.5"}
    want: {pass: true, amount: "100.00", share: "50.00"}
`

func coverageOf(t *testing.T, src string) rules.Coverage {
	t.Helper()
	s, err := rules.Compile(rules.Source{Name: "points.yaml", Data: []byte(src)})
	require.NoError(t, err)
	return s.Coverage(context.Background())
}

// reached lists the outcomes of the rule's points as "kind where: outcome=reached".
func reached(c rules.Coverage) map[string]bool {
	out := map[string]bool{}
	for _, r := range c.Rules {
		for _, p := range r.Points {
			for _, o := range p.Outcomes {
				out[p.Kind+" "+p.Where+": "+o.Name+" @"+p.Pos.String()] = o.Reached
			}
		}
	}
	return out
}

func TestCoverageOfOneCase(t *testing.T) {
	c := coverageOf(t, points)
	want := map[string]bool{
		"requirement requirement no-cost: held @points.yaml:29:31":                true,
		"requirement requirement no-cost: failed @points.yaml:29:31":              false,
		"requirement requirement not-a: held @points.yaml:30:29":                  true,
		"requirement requirement not-a: failed @points.yaml:30:29":                false,
		"min let paid: first @points.yaml:27:14":                                  true, // no cap: cost against itself, a tie
		"min let paid: second @points.yaml:27:14":                                 false,
		"fallback let paid: value @points.yaml:27:28":                             false,
		"fallback let paid: none @points.yaml:27:28":                              true,
		"condition output amount: true @points.yaml:32:34":                        true,
		"condition output amount: false @points.yaml:32:34":                       false,
		"max output amount: first @points.yaml:32:55":                             false,
		"max output amount: second @points.yaml:32:55":                            false,
		"rounding output share: exact @points.yaml:33:32":                         true, // 100.00 * 0.5
		"rounding output share: rounded @points.yaml:33:32":                       false,
		"parameter-value parameter cap from 2021-08-19: used @points.yaml:12:9":   true,
		"parameter-value parameter grant from 2021-08-19: used @points.yaml:18:9": true,
		"parameter-value parameter grant from 2025-01-01: used @points.yaml:19:9": false,
	}
	assert.Equal(t, want, reached(c))
	n, total := c.Counts()
	assert.Equal(t, 8, n)
	assert.Equal(t, 17, total)
	assert.False(t, c.Complete())
	require.Len(t, c.Tests, 1)
	assert.True(t, c.Tests[0].Passed(), c.Tests[0].String())
}

// The rounding of amount is no point: it is money, or money less money,
// rounded to the fen. The value of grant from 2020 ends before the rule
// starts, so no case could use it.
func TestCoverageLeavesOutWhatNoCaseCouldReach(t *testing.T) {
	for where := range reached(coverageOf(t, points)) {
		assert.NotContains(t, where, "rounding output amount")
		assert.NotContains(t, where, "2020-01-01")
	}
}

func TestCoverageOfEveryOutcome(t *testing.T) {
	src := points + `  - name: B under a cap, no cost
    rule: pay
    on: "2025-01-01"
    parameters: {cap: "50.00"}
    input: {cost: "0", tier: B, rate: "0.333"}
    want: {pass: false, amount: "0.00", share: "0.00", reasons: [no-cost]}
  - name: B above the grant under a cap
    rule: pay
    on: "2021-09-01"
    parameters: {cap: "1200.00"}
    input: {cost: "1500.00", tier: B, rate: "0.333"}
    want: {pass: true, amount: "200.00", share: "399.60"}
  - name: B below the grant, a share that rounds
    rule: pay
    on: "2021-09-01"
    input: {cost: "10.01", tier: B, rate: "0.333"}
    want: {pass: true, amount: "0.00", share: "3.33"}
`
	c := coverageOf(t, src)
	for where, ok := range reached(c) {
		if !strings.Contains(where, "not-a: failed") {
			assert.True(t, ok, where)
		}
	}
	// no case makes tier "A" || grant > 0 false: grant is never 0
	var out bytes.Buffer
	require.NoError(t, c.WriteText(&out))
	assert.Equal(t, "points.yaml:21:3: pay: 94.1% (16 of 17)\n"+
		"points.yaml:30:29: pay: requirement not-a: never failed\n"+
		"total: 94.1% (16 of 17)\n", out.String())
}

// A parameter a case sets for itself does not use the parameter's own
// value: the 2025 value of grant is not reached by a case on 2025-01-01
// that sets grant.
func TestCoverageOfACaseParameter(t *testing.T) {
	src := points + `  - name: a grant of its own in 2025
    rule: pay
    on: "2025-01-01"
    parameters: {grant: "1.00"}
    input: {cost: "100.00", tier: B, rate: "0.5"}
    want: {pass: true, amount: "99.00"}
`
	got := reached(coverageOf(t, src))
	assert.False(t, got["parameter-value parameter grant from 2025-01-01: used @points.yaml:19:9"])
	assert.True(t, got["max output amount: second @points.yaml:32:55"])
}

// A file whose cases never see a requirement fail names it with its
// line, as the `when` is written.
func TestCoverageNamesAnUntestedRequirement(t *testing.T) {
	c := coverageOf(t, points)
	var out bytes.Buffer
	require.NoError(t, c.WriteText(&out))
	assert.Contains(t, out.String(), "points.yaml:29:31: pay: requirement no-cost: never failed\n")
	assert.Contains(t, out.String(), "points.yaml:21:3: pay: 47.0% (8 of 17)\n")
	assert.Contains(t, out.String(), "points.yaml:27:28: pay: let paid: ?? never had a value on its left\n")
	assert.Contains(t, out.String(), "points.yaml:19:9: pay: parameter grant from 2025-01-01: never used\n")
	assert.True(t, strings.HasSuffix(out.String(), "total: 47.0% (8 of 17)\n"), out.String())
}

// The cases of the policy count under the policy alone and with the
// overlays; an overlay's values are the ones listed.
func TestCoverageWithAnOverlay(t *testing.T) {
	overlay := `extends: points
parameters:
  cap:
    values:
      - {from: "2022-01-01", value: "80.00", basis: 县文件}
tests:
  - name: the county's cap
    rule: pay
    on: "2022-01-01"
    input: {cost: "100.00", tier: A, rate: "0.5"}
    want: {pass: true, amount: "80.00", share: "40.00"}
`
	s, err := rules.Compile(rules.Source{Name: "points.yaml", Data: []byte(points)}, rules.Source{Name: "county.yaml", Data: []byte(overlay)})
	require.NoError(t, err)
	c := s.Coverage(context.Background())
	got := reached(c)
	assert.True(t, got["parameter-value parameter cap from 2021-08-19: used @points.yaml:12:9"])
	assert.True(t, got["parameter-value parameter cap from 2022-01-01: used @county.yaml:5:9"])
	assert.True(t, got["min let paid: second @points.yaml:27:14"])
	assert.True(t, got["fallback let paid: value @points.yaml:27:28"])
	require.Len(t, c.Tests, 2)
	for _, tr := range c.Tests {
		assert.False(t, tr.Failed(), tr.String())
	}
}

// Coverage gives the same results as Test and leaves the set as it was.
func TestCoverageRunsTheCasesAsTestDoes(t *testing.T) {
	src := points + travelCaseFor("pay", "a wrong expectation", "100.00", "99.00")
	s, err := rules.Compile(rules.Source{Name: "points.yaml", Data: []byte(src)})
	require.NoError(t, err)
	ctx := context.Background()
	c := s.Coverage(ctx)
	assert.Equal(t, s.Test(ctx), c.Tests)
	require.Len(t, c.Tests, 2)
	assert.True(t, c.Tests[1].Failed())
	on, err := rules.ParseDate("2021-09-01")
	require.NoError(t, err)
	res, err := s.Eval(ctx, "pay", rules.Input{"cost": rules.Text("20.00"), "tier": rules.Text("B"), "rate": rules.Text("0.5")}, rules.On(on))
	require.NoError(t, err)
	assertDecimal(t, "0.00", output(t, res, "amount"))
}

func travelCaseFor(rule, name, cost, amount string) string {
	return "  - name: " + name + "\n    rule: " + rule + "\n    on: \"2021-09-01\"\n" +
		"    input: {cost: \"" + cost + "\", tier: A, rate: \"1\"}\n    want: {amount: \"" + amount + "\"}\n"
}

// The default policy's cases reach every outcome of every point.
func TestCoverageOfTheDefaultPolicyIsComplete(t *testing.T) {
	data, err := os.ReadFile("../policies/henan-2021-48.yaml")
	require.NoError(t, err)
	s, err := rules.Compile(rules.Source{Name: "henan-2021-48.yaml", Data: data})
	require.NoError(t, err)
	c := s.Coverage(context.Background())
	var out bytes.Buffer
	require.NoError(t, c.WriteText(&out))
	assert.True(t, c.Complete(), out.String())
	n, total := c.Counts()
	assert.Equal(t, n, total)
	assert.Greater(t, total, 70, "every rule has points")
	for _, tr := range c.Tests {
		assert.True(t, tr.Passed(), tr.String())
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		n, total int
		want     string
	}{
		{0, 0, "100.0%"},
		{1999, 2000, "99.9%"}, // 99.95 rounds down: only all is 100
		{1, 3, "33.3%"},
		{2, 3, "66.6%"},
		{3, 3, "100.0%"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, rules.Percent(tt.n, tt.total), "Percent(%d, %d)", tt.n, tt.total)
	}
}

// TestCoverageCountsAParameterValuesPlaces: an amount times a parameter of
// three places can have more places than the fen, so its rounding is a
// point; times a parameter of whole numbers it cannot, and it is not.
func TestCoverageCountsAParameterValuesPlaces(t *testing.T) {
	policy := func(factor string) string {
		return `policy: {id: places, title: 位数}
inputs:
  cost: {type: money, label: 费用, min: "0"}
parameters:
  factor:
    type: decimal
    label: 系数
    values:
      - {from: "2021-08-19", value: "` + factor + `", basis: 第一条}
rules:
  pay:
    title: 支付
    basis: {clause: 第一条, quote: 支付。}
    in_force: {from: "2021-08-19"}
    inputs: [cost]
    outputs:
      amount: {label: 金额, expr: cost * factor, round: {places: 2, mode: half-up}}
tests:
  - name: one
    rule: pay
    on: "2021-09-01"
    input: {cost: "100.00"}
    want: {pass: true}
`
	}
	rounding := func(c rules.Coverage) []string {
		var out []string
		for where := range reached(c) {
			if strings.Contains(where, "rounding output amount") {
				out = append(out, where)
			}
		}
		return out
	}
	assert.Len(t, rounding(coverageOf(t, policy("1.005"))), 2, "exact and rounded")
	assert.Empty(t, rounding(coverageOf(t, policy("2"))))
}
