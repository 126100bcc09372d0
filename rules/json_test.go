package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decide evaluates a rule of the default policy on inputs given as text.
func decide(t *testing.T, set *rules.Set, rule string, kv ...string) (rules.Result, error) {
	t.Helper()
	in := rules.Input{}
	for i := 0; i < len(kv); i += 2 {
		in[kv[i]] = rules.Text(kv[i+1])
	}
	return set.Eval(context.Background(), rule, in)
}

// TestDecisionJSON pins the one JSON shape of a decision (docs/json.md) on
// decisions of every kind: granted, refused, not in force, outputs with 0, 2
// and 4 places, and inputs that cannot be read.
func TestDecisionJSON(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	person := []string{"poverty_relieved", "是", "monitored", "否", "disaster_affected", "是"}
	records := []struct {
		rule string
		kv   []string
		o    rules.JSONOptions
	}{
		{"training-grant", append([]string{"as_of", "2021-09-01", "certificate_tier", "B类"}, person...), rules.JSONOptions{Row: 1, Line: 2, ID: "TG0001"}},
		{"training-grant", []string{"as_of", "2021-09-01", "certificate_tier", "A", "poverty_relieved", "否", "monitored", "否", "disaster_affected", "否"}, rules.JSONOptions{Row: 2, Line: 3, ID: "TG0002"}},
		{"training-grant", append([]string{"as_of", "2021-08-18", "certificate_tier", "A"}, person...), rules.JSONOptions{Row: 3, Line: 4, ID: "<&>"}},
		{"training-grant", append([]string{"as_of", "2021-09-01", "certificate_tier", "D类"}, person...), rules.JSONOptions{Row: 4, Line: 5}},
		{"training-grant", []string{"as_of", "2021-09-01", "certificate_tier", "A"}, rules.JSONOptions{Row: 5, Line: 6, ID: "TG0005"}},
		{"work-training-subsidy", append([]string{"as_of", "2021-10-01", "months", "7"}, person...), rules.JSONOptions{Notes: []rules.Note{{Code: "months-capped", Message: "申报 7 个月，按 6 个月发放"}}}},
		{"work-training-subsidy", append([]string{"as_of", "2021-10-01", "months", "0"}, person...), rules.JSONOptions{}},
		{"work-relief-labour-share", []string{"as_of", "2021-11-01", "fiscal_funds", "1000000.00", "labour_remuneration", "149999.99"}, rules.JSONOptions{Policy: set}},
		{"fund-scale", []string{"as_of", "2021-12-31", "integrated_2020", "100.00", "integrated_2021", "100.00"}, rules.JSONOptions{ID: "唐河县"}},
	}
	var b []byte
	for _, r := range records {
		res, err := decide(t, set, r.rule, r.kv...)
		if err != nil {
			res = rules.Result{Rule: r.rule}
		}
		line := rules.AppendJSON(nil, res, err, r.o)
		require.True(t, json.Valid(line), "%s", line)
		b = append(b, line...)
		b = append(b, '\n')
	}
	golden(t, "json/decisions.jsonl", b)
	assert.Contains(t, string(b), `"shortfall":"0.01"`)
	assert.Contains(t, string(b), `"amount":"0.00"`, "zero money keeps its places")
	assert.NotContains(t, string(b), `"amount":"0"`)
}

// TestResultMarshalJSON checks that json.Marshal writes the same bytes as
// AppendJSON for a decision standing alone, with the policy and its hash.
func TestResultMarshalJSON(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	res, err := decide(t, set, "work-relief-labour-share", "as_of", "2021-11-01", "fiscal_funds", "200000.00", "labour_remuneration", "30000.00")
	require.NoError(t, err)
	got, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Equal(t, string(rules.AppendJSON(nil, res, nil, rules.JSONOptions{Policy: set})), string(got))
	var m map[string]any
	require.NoError(t, json.Unmarshal(got, &m))
	assert.Equal(t, "0.1500", m["share"])
	assert.Equal(t, "30000.00", m["required"])
	assert.Equal(t, "0.00", m["shortfall"])
	assert.Equal(t, true, m["pass"])
	assert.Equal(t, set.Hash(), m["policy_sha256"])
	assert.Equal(t, "henan-2021-48", m["policy"])
	assert.Nil(t, m["error"])

	// Embedded in a struct, the decision is the same object.
	wrapped, err := json.Marshal(struct {
		D rules.Result `json:"d"`
	}{res})
	require.NoError(t, err)
	assert.Equal(t, `{"d":`+string(got)+`}`, string(wrapped))
}

// TestAppendJSONExplanation checks the explanation is added on request
// and is the Explanation's own JSON.
func TestAppendJSONExplanation(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	res, err := decide(t, set, "training-grant", "as_of", "2021-09-01", "certificate_tier", "C类", "poverty_relieved", "是", "monitored", "否", "disaster_affected", "是")
	require.NoError(t, err)
	var got struct {
		Amount      string            `json:"amount"`
		Explanation rules.Explanation `json:"explanation"`
	}
	require.NoError(t, json.Unmarshal(rules.AppendJSON(nil, res, nil, rules.JSONOptions{Explanation: true}), &got))
	assert.Equal(t, "1500.00", got.Amount)
	assert.Equal(t, "第七条", got.Explanation.Clause)
	assert.Equal(t, set.Hash(), got.Explanation.PolicyHash)
}

// TestStringsEscapedAsEncodingJSON checks ids and messages are escaped
// byte for byte as encoding/json escapes them.
func TestStringsEscapedAsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ back`, "<script>&", "tab\tnew\nline\r\b\f\x00\x1f",
		"中文 防贫", "\u2028\u2029", "bad \xff\xfe utf-8", "\x7f", "emoji 🙂"} {
		got := rules.AppendJSON(nil, rules.Result{Rule: "r"}, nil, rules.JSONOptions{Row: 1, ID: s})
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Contains(t, string(got), `"id":`+string(want)+`,`, "id %q", s)
	}
}

type fieldErr struct{}

func (fieldErr) Error() string      { return "loan L1: principal: 0 must be more than 0" }
func (fieldErr) InputField() string { return "principal" }

func TestProblemOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want rules.Problem
	}{
		{"missing input", &rules.InputError{Rule: "r", Field: "months", Label: "月数", Err: rules.ErrMissing},
			rules.Problem{Field: "months", Message: "months (月数) is missing"}},
		{"invalid input", &rules.InputError{Rule: "r", Field: "months", Label: "月数", Err: errors.New(`"2.5" is not a whole number`)},
			rules.Problem{Field: "months", Message: `months (月数): "2.5" is not a whole number`}},
		{"typed API's input error", fieldErr{}, rules.Problem{Field: "principal", Message: "loan L1: principal: 0 must be more than 0"}},
		{"no field", &rules.EvalError{Rule: "r", Err: rules.ErrNoValue}, rules.Problem{Message: "r: no value in force"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rules.ProblemOf(tt.err))
		})
	}
}

// TestOutputUnknownName checks a name the rule lacks is reported, never
// read as zero.
func TestOutputUnknownName(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	res, err := decide(t, set, "training-grant", "as_of", "2021-09-01", "certificate_tier", "A", "poverty_relieved", "是", "monitored", "否", "disaster_affected", "是")
	require.NoError(t, err)
	v, ok := res.Output("amount")
	assert.True(t, ok)
	assert.Equal(t, "2000.00", v.StringFixed(2))
	v, ok = res.Output("amout")
	assert.False(t, ok, "a misspelt output name")
	assert.True(t, v.IsZero())
	assert.False(t, strings.Contains(string(rules.AppendJSON(nil, res, nil, rules.JSONOptions{})), "amout"))
}

// BenchmarkAppendJSON writes one refused decision (two reasons) as a CLI
// record, into a reused buffer, against json.Marshal of the same result.
func BenchmarkAppendJSON(b *testing.B) {
	set, err := policies.Load()
	require.NoError(b, err)
	res, err := set.Eval(context.Background(), "training-grant", rules.Input{rules.AsOf: rules.Text("2021-09-01"),
		"certificate_tier": rules.Text("A"), "poverty_relieved": rules.Text("否"), "monitored": rules.Text("否"), "disaster_affected": rules.Text("否")})
	require.NoError(b, err)
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = rules.AppendJSON(buf[:0], res, nil, rules.JSONOptions{Row: 1, Line: 2, ID: "TG0001"})
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(res); err != nil {
				b.Fatal(err)
			}
		}
	})
}
