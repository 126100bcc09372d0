package rules_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// travel is a policy with one rule, a travel cost paid up to a nullable
// cap that has no value by default, and a whole-number limit.
const travel = `policy: {id: travel, title: 路费}
inputs:
  cost: {type: money, label: 路费, min: "0"}
parameters:
  cap:
    type: money
    label: 上限
    nullable: true
    values:
      - {from: "2021-08-19", value: null, basis: 未设上限}
  trips:
    type: int
    label: 次数
    values:
      - {from: "2021-08-19", value: 2, basis: 第二条}
rules:
  travel:
    title: 路费报销
    basis: {clause: 第六条, quote: 往返路费由当地政府报销。}
    in_force: {from: "2021-08-19"}
    inputs: [cost]
    requirements:
      - {code: no-trips, when: trips > 0, message: 没有次数}
    outputs:
      amount: {label: 报销金额, expr: 'min(cost, cap ?? cost)', round: {places: 2, mode: half-up}}
tests:
`

// travelCase is a case of the travel rule on 2021-09-10.
func travelCase(name, params, cost, amount string) string {
	s := "  - name: " + name + "\n    rule: travel\n    on: \"2021-09-10\"\n"
	if params != "" {
		s += "    parameters: " + params + "\n"
	}
	return s + "    input: {cost: \"" + cost + "\"}\n    want: {pass: true, amount: \"" + amount + "\"}\n"
}

func TestCaseParametersPassAndFail(t *testing.T) {
	src := travel +
		travelCase("no cap by default", "", "1286.50", "1286.50") +
		travelCase("a county's cap of 500", `{cap: "500.00"}`, "1286.50", "500.00") +
		travelCase("the cap, wrongly expected not to apply", `{cap: "500.00"}`, "1286.50", "1286.50") +
		travelCase("a cap set back to none", `{cap: null}`, "1286.50", "1286.50") +
		"  - name: no trips left\n    rule: travel\n    on: \"2021-09-10\"\n    parameters: {trips: 0}\n" +
		"    input: {cost: \"100.00\"}\n    want: {pass: false, reasons: [no-trips]}\n"
	s := mustCompile(t, src)
	results := s.Test(context.Background())
	require.Len(t, results, 5)
	assert.Equal(t, rules.TestPassed, results[0].Status(), "%s", results[0])
	assert.Equal(t, rules.TestPassed, results[1].Status(), "%s", results[1])
	assert.Equal(t, rules.TestFailed, results[2].Status())
	assert.Equal(t, []string{"amount = 500, want 1286.5"}, results[2].Failures)
	assert.Equal(t, rules.TestPassed, results[3].Status(), "%s", results[3])
	assert.Equal(t, rules.TestPassed, results[4].Status(), "%s", results[4])

	// The set itself keeps its own values: no cap, two trips.
	res, err := s.Eval(context.Background(), "travel", rules.Input{"cost": rules.Text("1286.50")}, rules.On(rules.MustDate("2021-09-10")))
	require.NoError(t, err)
	assertDecimal(t, "1286.50", output(t, res, "amount"))
	p, err := s.Param("trips", rules.MustDate("2021-09-10"))
	require.NoError(t, err)
	assert.Equal(t, int64(2), p.Value.Int())
}

func TestCaseParametersDiagnostics(t *testing.T) {
	tests := []struct {
		name, params, code, summary string
		line, col                   int
	}{
		{"unknown parameter", `{caps: "500.00"}`, "unknown-param", `test "c" sets unknown parameter "caps" (did you mean "cap"?)`, 30, 18},
		{"money not quoted", `{cap: 500.00}`, "unquoted-amount", `test "c": parameter "cap": write money amounts in quotes`, 30, 23},
		{"not money", `{cap: "五百"}`, "bad-value", `test "c": parameter "cap"`, 30, 23},
		{"not a whole number", `{trips: "2.5"}`, "bad-value", `test "c": parameter "trips"`, 30, 25},
		{"none where a value is needed", `{trips: null}`, "bad-value", `test "c": parameter "trips" cannot be none`, 30, 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compile(t, travel+travelCase("c", tt.params, "1.00", "1.00"))
			var ds rules.Diagnostics
			require.True(t, errors.As(err, &ds), "got %v", err)
			require.Len(t, ds, 1, "%s", ds)
			assert.Equal(t, tt.code, ds[0].Code)
			assert.Contains(t, ds[0].Summary, tt.summary)
			assert.Equal(t, rules.Pos{File: "tiny.yaml", Line: tt.line, Col: tt.col}, ds[0].Pos)
		})
	}
}

// capOverlay caps the travel cost at 500 and carries cases of its own.
const capOverlay = `extends: travel
parameters:
  cap:
    values:
      - {from: "2021-08-19", value: "500.00", basis: 某县 上限500元}
tests:
  - name: the county's cap
    rule: travel
    on: "2021-09-10"
    input: {cost: "1286.50"}
    want: {pass: true, amount: "500.00"}
  - name: under the cap
    rule: travel
    on: "2021-09-10"
    input: {cost: "300.00"}
    want: {amount: "300.00"}
`

func TestOverlayCasesAndChangedPolicyCases(t *testing.T) {
	policy := travel +
		travelCase("paid in full", "", "1286.50", "1286.50") +
		travelCase("small amount", "", "300.00", "300.00") +
		travelCase("a case with its own cap", `{cap: "800.00"}`, "1286.50", "800.00")
	s, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(policy)},
		rules.Source{Name: "county.yaml", Data: []byte(capOverlay)})
	require.NoError(t, err)
	results := s.Test(context.Background())
	require.Len(t, results, 5)

	changed := results[0]
	assert.Equal(t, rules.TestChanged, changed.Status(), "%s", changed)
	assert.False(t, changed.Failed())
	assert.False(t, changed.Passed())
	assert.Equal(t, []rules.Change{{What: "amount", Before: "1286.50", After: "500.00"}}, changed.Changes)
	assert.Equal(t, "policy.yaml:27:5: changed paid in full: amount 1286.50 -> 500.00", changed.String())

	assert.Equal(t, rules.TestPassed, results[1].Status(), "%s", results[1])
	// The case sets the cap itself, under the policy alone and with the
	// overlay alike: the overlay changes nothing of it.
	assert.Equal(t, rules.TestPassed, results[2].Status(), "%s", results[2])

	for _, r := range results[3:] {
		assert.True(t, r.Overlay)
		assert.Equal(t, "county.yaml", r.Pos.File)
		assert.Equal(t, rules.TestPassed, r.Status(), "%s", r)
	}
	assert.Equal(t, "the county's cap", results[3].Name)
}

func TestOverlayCaseFails(t *testing.T) {
	overlay := replaceOnce(t, capOverlay, `want: {pass: true, amount: "500.00"}`, `want: {pass: true, amount: "600.00"}`)
	policy := travel + travelCase("small amount", "", "300.00", "300.00")
	s, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(policy)}, rules.Source{Name: "county.yaml", Data: []byte(overlay)})
	require.NoError(t, err)
	results := s.Test(context.Background())[1:]
	require.Len(t, results, 2)
	assert.True(t, results[0].Failed())
	assert.Equal(t, []string{"amount = 500, want 600"}, results[0].Failures)
	assert.Equal(t, rules.Pos{File: "county.yaml", Line: 7, Col: 5}, results[0].Pos)
}

// A case of the policy that fails under the policy alone is a failure,
// whatever the overlays do to it.
func TestPolicyCaseFailingAloneIsAFailure(t *testing.T) {
	policy := travel + travelCase("wrong even without a cap", "", "1286.50", "500.00")
	s, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(policy)}, rules.Source{Name: "county.yaml", Data: []byte(capOverlay)})
	require.NoError(t, err)
	results := s.Test(context.Background())
	assert.True(t, results[0].Failed())
	assert.Equal(t, []string{"under the policy alone: amount = 1286.5, want 500"}, results[0].Failures)
}

// An overlay whose value ends leaves the policy's case without a value:
// an error under the overlay is a failure, not a change.
func TestOverlayThatLeavesNoValueFailsThePolicyCase(t *testing.T) {
	policy := travel + travelCase("paid in full", "", "1286.50", "1286.50")
	overlay := `extends: travel
parameters:
  trips:
    values:
      - {from: "2021-08-19", until: "2021-08-31", value: 2, basis: 某县 至8月底}
`
	s, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(policy)}, rules.Source{Name: "county.yaml", Data: []byte(overlay)})
	require.NoError(t, err)
	results := s.Test(context.Background())
	require.Len(t, results, 1)
	assert.True(t, results[0].Failed())
	require.Len(t, results[0].Failures, 1)
	assert.Contains(t, results[0].Failures[0], `with the overlays: error: policy.yaml:17:3: travel: no value in force: parameter "trips" has no value on 2021-09-10`)
}
