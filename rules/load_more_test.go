package rules_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOverlayMistakes checks what an overlay may not do, and that stating
// a parameter's own type again is allowed.
func TestOverlayMistakes(t *testing.T) {
	policy := rules.Source{Name: "tiny.yaml", Data: []byte(numberRule("a * rate"))}
	overlay := func(text string) rules.Source { return rules.Source{Name: "county.yaml", Data: []byte(text)} }
	_, err := rules.Compile(policy, overlay("extends: tiny\nparameters:\n  rate:\n    type: decimal\n    values: [{from: \"2024-01-01\", value: \"0.20\", basis: 县}]\n"))
	require.NoError(t, err, "the same type, said again")

	for _, tt := range []struct{ name, text, code string }{
		{"nullable", "extends: tiny\nparameters:\n  rate:\n    nullable: true\n    values: [{from: \"2024-01-01\", value: \"0.20\", basis: 县}]\n", "overlay-changes-rules"},
		{"policy id", "extends: tiny\npolicy: {id: county, title: 县}\nparameters: {}\n", "overlay-changes-rules"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds := diagnose(t, policy, overlay(tt.text))
			assert.Equal(t, tt.code, ds[0].Code, "%s", ds)
			assert.Equal(t, "county.yaml", ds[0].Pos.File)
		})
	}
	ds := diagnose(t, overlay("extends: tiny\nparameters: {}\n"), policy)
	assert.Contains(t, ds.String(), "county.yaml is an overlay (extends \"tiny\"); the first file must be a policy [overlay-without-policy]")
	_, err = rules.Compile()
	var none rules.Diagnostics
	require.ErrorAs(t, err, &none)
	assert.Equal(t, "no-files", none[0].Code)
}

// TestValuesPastTheCapReportedOnce: once overlays take a parameter past
// its cap of values, a later overlay that sets it with no values adds
// nothing more.
func TestValuesPastTheCapReportedOnce(t *testing.T) {
	empty := rules.Source{Name: "z.yaml", Data: []byte("extends: tiny\nparameters:\n  rate:\n    values: []\n")}
	ds := diagnose(t, policy(oneOutput), valuesOverlay("1950-01-01", 6000), valuesOverlay("1980-01-01", 6000), empty)
	require.Len(t, ds, 1, "%s", ds)
	assert.Equal(t, "too-many-values", ds[0].Code)
	assert.Contains(t, ds[0].Summary, "has 12001 values")
}

// TestRuleDefaults: an output kept on failure keeps its value, others
// become zero, and an unknown name in an expression suggests the name
// meant.
func TestRuleDefaults(t *testing.T) {
	src := head + "    requirements:\n      - {code: never, message: 不成立, when: a < 0}\n    outputs:\n" +
		"      x: {label: x, expr: a / 3, round: {places: 2, mode: half-up}}\n" +
		"      y: {label: y, expr: a / 3, round: {places: 0, mode: down}, on_fail: keep}\n" +
		"      z: {label: z, expr: a / 3, round: {places: 1, mode: up}, on_fail: zero}\n"
	set := mustCompile(t, src)
	in := facts()
	in["a"] = rules.Text("10.00")
	res, err := set.Eval(context.Background(), "r", in)
	require.NoError(t, err)
	assert.False(t, res.Pass)
	assertDecimal(t, "0", output(t, res, "x"))
	assertDecimal(t, "3", output(t, res, "y"))
	assertDecimal(t, "0", output(t, res, "z"))
	in["a"] = rules.Text("-10.00")
	_, err = set.Eval(context.Background(), "r", in)
	require.Error(t, err, "a is at least 0")

	ds := diagnose(t, rules.Source{Name: "tiny.yaml", Data: []byte(numberRule("a * rat"))})
	assert.Equal(t, "unknown-name", ds[0].Code)
	assert.Contains(t, ds[0].Summary, `unknown name "rat" (did you mean "rate"?)`)
	ds = diagnose(t, rules.Source{Name: "tiny.yaml", Data: []byte(head + "    outputs:\n      x: {label: x, expr: '  ', round: {places: 2, mode: up}}\n")})
	assert.Equal(t, "missing-key", ds[0].Code)
	ds = diagnose(t, rules.Source{Name: "tiny.yaml", Data: []byte(head + "    let:\n      Big: a\n    outputs:\n      x: {label: x, expr: a, round: {places: 2, mode: up}}\n")})
	assert.Equal(t, "bad-name", ds[0].Code)
}

// TestCaseWantingAnErrorOnly: a case that wants only an input error loads
// and passes when the input is missing; an input given as null is not
// given.
func TestCaseWantingAnErrorOnly(t *testing.T) {
	src := numberRule("a") + "tests:\n" +
		"  - {name: e, rule: r, on: \"2024-06-01\", input: {a: null, b: \"1\", n: \"1\", tier: A, day: \"2024-01-01\"}, want: {error: a}}\n" +
		"  - {name: x, rule: r, on: \"2024-06-01\", input: {a: \"2\", b: \"1\", n: \"1\", tier: A, day: \"2024-01-01\"}, want: {x: \"2\"}}\n"
	set := mustCompile(t, src)
	results := set.Test(context.Background())
	require.Len(t, results, 2)
	for _, r := range results {
		assert.True(t, r.Passed(), "%s", r)
		assert.True(t, strings.HasSuffix(r.String(), ": ok "+r.Name), r.String())
	}
}
