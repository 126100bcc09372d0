package subsidy_test

import (
	"encoding/json"
	"testing"

	"github.com/ruralrelief/fangpin/internal/golden"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecisionJSON pins the JSON of decisions, audits and batch outcomes:
// the one JSON shape of a decision (docs/json.md).
func TestDecisionJSON(t *testing.T) {
	c := calc(t)
	var b []byte
	add := func(v any) {
		t.Helper()
		js, err := json.Marshal(v)
		require.NoError(t, err)
		b = append(append(b, js...), '\n')
	}
	d, err := c.TrainingGrant(ctx, subsidy.TrainingApplication{Person: relieved, Tier: subsidy.TierB, AsOf: day("2021-09-01")})
	require.NoError(t, err)
	add(d)
	d, err = c.TrainingGrant(ctx, subsidy.TrainingApplication{Person: subsidy.Person{}, Tier: subsidy.TierB, AsOf: day("2021-09-01")})
	require.NoError(t, err)
	add(d)
	d, err = c.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: relieved, Months: 7, AsOf: day("2021-10-01")})
	require.NoError(t, err)
	add(d)
	a, err := c.LabourShareAudit(ctx, subsidy.WorkReliefProject{FiscalFunds: money("1000000.00"), LabourRemuneration: money("149999.99"), AsOf: day("2021-11-01")})
	require.NoError(t, err)
	add(a)
	a, err = c.FundScaleAudit(ctx, subsidy.FundScale{Integrated2020: money("100.00"), Integrated2021: money("100.00"), AsOf: day("2021-12-31")})
	require.NoError(t, err)
	add(a)
	w := subsidy.WorkTraining{Person: relieved, Months: 4, AsOf: day("2021-10-01")}
	bad := w
	bad.Months = -1
	outs, err := c.BatchSlice(ctx, []subsidy.Claim{{WorkTraining: &w}, {WorkTraining: &w}, {WorkTraining: &w}, {WorkTraining: &bad}})
	require.NoError(t, err)
	for _, o := range outs {
		add(o)
	}
	golden.Check(t, "testdata/decisions.jsonl", b)
}

// TestDecisionJSONIsTheRulesShape checks a decision of the typed API is
// written byte for byte as the engine's own decision on the same inputs
// (which the CLI writes), and that zero money keeps its places.
func TestDecisionJSONIsTheRulesShape(t *testing.T) {
	set, err := policies.Load()
	require.NoError(t, err)
	c := calc(t, subsidy.WithPolicy(set))
	d, err := c.TrainingGrant(ctx, subsidy.TrainingApplication{Person: subsidy.Person{PovertyRelieved: true}, Tier: subsidy.TierA, AsOf: day("2021-09-01")})
	require.NoError(t, err)
	res, err := set.Eval(ctx, subsidy.RuleTrainingGrant, rules.Input{rules.AsOf: rules.Text("2021-09-01"), "poverty_relieved": rules.Text("是"),
		"monitored": rules.Text("否"), "disaster_affected": rules.Text("否"), "certificate_tier": rules.Text("A类")})
	require.NoError(t, err)
	got, err := json.Marshal(d)
	require.NoError(t, err)
	want, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
	assert.Contains(t, string(got), `"amount":"0.00"`)
	o := rules.JSONOptions{Row: 7, Line: 8, ID: "TG0007"}
	golden.SameJSONLines(t, rules.AppendJSON(nil, res, nil, o), d.AppendJSON(nil, o))
}
