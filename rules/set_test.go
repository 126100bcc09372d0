package rules_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParamValueChangesOnItsFromDay(t *testing.T) {
	s := mustCompile(t, numberRule("b * rate"))
	tests := []struct {
		name, on, want string
	}{
		{"first day of the first value", "2020-01-01", "15000"},
		{"day before the change", "2024-12-31", "15000"},
		{"day the new value takes effect", "2025-01-01", "30000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := facts()
			in[rules.AsOf] = rules.Text(tt.on)
			res, err := s.Eval(context.Background(), "r", in)
			require.NoError(t, err)
			assertDecimal(t, tt.want, output(t, res, "x"))
			p, err := s.Param("rate", rules.MustDate(tt.on))
			require.NoError(t, err)
			assertDecimal(t, tt.want, p.Value.Decimal().Mul(res.Explanation().Inputs[1].Value.Decimal()))
		})
	}
	_, err := s.Param("rate", rules.MustDate("2019-12-31"))
	assert.ErrorIs(t, err, rules.ErrNoValue)
	_, err = s.Param("nosuch", rules.MustDate("2021-01-01"))
	assert.ErrorIs(t, err, rules.ErrUnknownParam)
}

func TestRuleInForcePeriod(t *testing.T) {
	s := mustCompile(t, numberRule("a"))
	for on, want := range map[string]bool{"2019-12-31": false, "2020-01-01": true, "2030-12-31": true, "2031-01-01": false} {
		in := facts()
		in[rules.AsOf] = rules.Text(on)
		res, err := s.Eval(context.Background(), "r", in)
		require.NoError(t, err)
		assert.Equal(t, want, res.Pass, "on %s", on)
		assert.Equal(t, !want, res.HasReason(rules.ReasonNotInForce), "on %s", on)
	}
}

func TestAsOfFromOption(t *testing.T) {
	s := mustCompile(t, numberRule("b * rate"))
	in := facts()
	delete(in, rules.AsOf)
	_, err := s.Eval(context.Background(), "r", in)
	assert.ErrorIs(t, err, rules.ErrMissing)
	res, err := s.Eval(context.Background(), "r", in, rules.On(rules.MustDate("2025-06-01")))
	require.NoError(t, err)
	assertDecimal(t, "30000", output(t, res, "x"))
}

func TestUnknownRule(t *testing.T) {
	s := mustCompile(t, numberRule("a"))
	_, err := s.Eval(context.Background(), "rr", facts())
	assert.ErrorIs(t, err, rules.ErrUnknownRule)
	assert.Contains(t, err.Error(), `did you mean "r"?`)
}

func TestCancelledContext(t *testing.T) {
	s := mustCompile(t, numberRule("a"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Eval(ctx, "r", facts())
	assert.ErrorIs(t, err, context.Canceled)
}

// TestConcurrentEval evaluates one compiled policy from 8 goroutines and
// checks every result against the one computed alone (run with -race).
func TestConcurrentEval(t *testing.T) {
	s := mustCompile(t, numberRule("min(a / b * 3, 1) + rate * n"))
	inputs := make([]rules.Input, 64)
	want := make([]string, len(inputs))
	for i := range inputs {
		in := facts()
		in["a"] = rules.Text(fmt.Sprintf("%d.%02d", 1000+i*37, i))
		in[rules.AsOf] = rules.Text([]string{"2024-12-31", "2025-01-01"}[i%2])
		inputs[i] = in
		res, err := s.Eval(context.Background(), "r", in)
		require.NoError(t, err)
		want[i] = output(t, res, "x").String()
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for round := 0; round < 50; round++ {
				for i, in := range inputs {
					res, err := s.Eval(context.Background(), "r", in)
					got, _ := res.Output("x")
					if err != nil || got.String() != want[i] {
						errs <- fmt.Sprintf("goroutine %d input %d: got %s, %v; want %s", g, i, got, err, want[i])
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

const overlayBase = `extends: tiny
parameters:
  cap:
    values:
      - {from: "2024-01-01", value: "500.00", basis: 县文件}
`

func TestOverlayMergesValuesByDate(t *testing.T) {
	s, err := rules.Compile(
		rules.Source{Name: "tiny.yaml", Data: []byte(numberRule("min(a, cap ?? a)"))},
		rules.Source{Name: "county.yaml", Data: []byte(overlayBase)},
	)
	require.NoError(t, err)
	for on, want := range map[string]string{"2023-12-31": "18340.25", "2024-01-01": "500"} {
		in := facts()
		in[rules.AsOf] = rules.Text(on)
		res, err := s.Eval(context.Background(), "r", in)
		require.NoError(t, err)
		assertDecimal(t, want, output(t, res, "x"))
	}
	p, err := s.Param("cap", rules.MustDate("2024-06-01"))
	require.NoError(t, err)
	assert.Equal(t, "county.yaml", p.Pos.File, "the explanation can say where a value came from")
	plain := mustCompile(t, numberRule("min(a, cap ?? a)"))
	assert.NotEqual(t, plain.Hash(), s.Hash(), "an overlay changes the policy hash")
}

func TestOverlayCannotChangeRules(t *testing.T) {
	tests := []struct {
		name, overlay, code string
	}{
		{"rules", "extends: tiny\nrules:\n  r: {}\n", "overlay-changes-rules"},
		{"inputs", "extends: tiny\ninputs:\n  z: {type: bool, label: 丙}\n", "overlay-changes-rules"},
		{"unknown parameter", "extends: tiny\nparameters:\n  capp:\n    values: [{from: \"2024-01-01\", value: \"1.00\", basis: x}]\n", "unknown-param"},
		{"other policy", "extends: other\nparameters: {}\n", "wrong-policy"},
		{"wrong type", "extends: tiny\nparameters:\n  cap:\n    type: date\n    values: [{from: \"2024-01-01\", value: \"1.00\", basis: x}]\n", "bad-type"},
		{"bare float amount", "extends: tiny\nparameters:\n  cap:\n    values: [{from: \"2024-01-01\", value: 500.5, basis: x}]\n", "unquoted-amount"},
		{"none where not nullable", "extends: tiny\nparameters:\n  rate:\n    values: [{from: \"2024-01-01\", value: null, basis: x}]\n", "bad-value"},
		{"not an overlay", "policy: {id: x, title: y}\n", "not-an-overlay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.Compile(
				rules.Source{Name: "tiny.yaml", Data: []byte(numberRule("a"))},
				rules.Source{Name: "county.yaml", Data: []byte(tt.overlay)},
			)
			var ds rules.Diagnostics
			require.ErrorAs(t, err, &ds)
			assert.Equal(t, tt.code, ds[0].Code, "%s", ds)
			assert.Equal(t, "county.yaml", ds[0].Pos.File)
			assert.Positive(t, ds[0].Pos.Line)
		})
	}
}

func TestFileMistakes(t *testing.T) {
	tests := []struct {
		name, src, code string
	}{
		{"unknown key with a hint", strings.Replace(numberRule("a"), "in_force:", "in_forse:", 1), "unknown-key"},
		{"undeclared input", strings.Replace(numberRule("a"), "inputs: [a, b,", "inputs: [a, bb,", 1), "unknown-input"},
		{"values out of order", strings.Replace(numberRule("a"), `"2025-01-01", value: "0.30"`, `"2019-01-01", value: "0.30"`, 1), "overlapping-periods"},
		{"not yaml", "policy: [", "yaml-syntax"},
		{"empty", "", "empty-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compile(t, tt.src)
			var ds rules.Diagnostics
			require.ErrorAs(t, err, &ds)
			assert.Contains(t, codesOf(ds), tt.code, "%s", ds)
		})
	}
	_, err := compile(t, strings.Replace(numberRule("a"), "in_force:", "in_forse:", 1))
	assert.Contains(t, err.(rules.Diagnostics).String(), `did you mean "in_force"?`)
}

// TestRuleFileTestFailureNamesTheCase proves a rule-file test with a wrong
// expected amount fails, and that the failure names the case and its line.
func TestRuleFileTestFailureNamesTheCase(t *testing.T) {
	src := numberRule("b * rate") + `tests:
  - name: right amount
    rule: r
    on: "2024-06-01"
    input: {a: "1.00", b: "1000.00", n: 1, tier: A, day: "2024-01-01"}
    want: {pass: true, x: "150.00"}
  - name: deliberately wrong amount
    rule: r
    on: "2024-06-01"
    input: {a: "1.00", b: "1000.00", n: 1, tier: A, day: "2024-01-01"}
    want: {pass: true, x: "151.00"}
  - name: wants an error that does not happen
    rule: r
    on: "2024-06-01"
    input: {a: "1.00", b: "1000.00", n: 1, tier: A, day: "2024-01-01"}
    want: {error: a}
`
	s := mustCompile(t, src)
	results := s.Test(context.Background())
	require.Len(t, results, 3)
	assert.True(t, results[0].Passed(), "%s", results[0])
	assert.False(t, results[1].Passed())
	assert.Equal(t, "deliberately wrong amount", results[1].Name)
	assert.Contains(t, results[1].String(), "x = 150, want 151")
	assert.Contains(t, results[1].String(), fmt.Sprintf("tiny.yaml:%d:", strings.Count(src[:strings.Index(src, "- name: deliberately")], "\n")+1))
	assert.False(t, results[2].Passed())
	assert.Contains(t, results[2].String(), "want an input error naming a")
}

func TestExplanationGolden(t *testing.T) {
	src := head + `    let:
      share: a / b
    requirements:
      - {code: share-too-low, message: 比例过低, when: share >= rate}
      - {code: not-b, message: 不是B类, when: 'tier == "B"'}
    outputs:
      x: {label: 结果, expr: b * rate - a, round: {places: 2, mode: up}, on_fail: keep}
      y: {label: 金额, expr: 'min(a, cap ?? a)', round: {places: 2, mode: half-up}}
`
	s := mustCompile(t, src)
	res, err := s.Eval(context.Background(), "r", facts())
	require.NoError(t, err)
	assert.True(t, res.Pass)
	var text bytes.Buffer
	require.NoError(t, res.Explanation().WriteText(&text))
	golden(t, "eval/explain-pass.txt", text.Bytes())
	var js bytes.Buffer
	require.NoError(t, res.Explanation().WriteJSON(&js))
	golden(t, "eval/explain-pass.json", js.Bytes())
	var back map[string]any
	require.NoError(t, json.Unmarshal(js.Bytes(), &back), "the JSON is valid")
	assert.Equal(t, "0.1834025", back["values"].([]any)[0].(map[string]any)["value"], "decimals are strings")

	in := facts()
	in["a"] = rules.Text("100.00")
	in["tier"] = rules.Text("A")
	res, err = s.Eval(context.Background(), "r", in)
	require.NoError(t, err)
	assert.False(t, res.Pass)
	assert.Equal(t, []string{"share-too-low", "not-b"}, []string{res.Reasons[0].Code, res.Reasons[1].Code})
	text.Reset()
	require.NoError(t, res.Explanation().WriteText(&text))
	golden(t, "eval/explain-fail.txt", text.Bytes())
}

func codesOf(ds rules.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	return out
}

func TestExplanationJSONReadsBack(t *testing.T) {
	s := mustCompile(t, numberRule("b * rate"))
	res, err := s.Eval(context.Background(), "r", facts())
	require.NoError(t, err)
	js, err := json.Marshal(res.Explanation())
	require.NoError(t, err)
	var back rules.Explanation
	require.NoError(t, json.Unmarshal(js, &back))
	again, err := json.Marshal(back)
	require.NoError(t, err)
	assert.JSONEq(t, string(js), string(again))
	assert.Equal(t, "100000.00", back.Inputs[1].Value.String())
	assert.Equal(t, rules.MustDate("2023-12-31"), back.Inputs[4].Value.Date())
	assert.Equal(t, int64(9), back.Inputs[2].Value.Int())
}
