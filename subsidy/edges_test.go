package subsidy_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// policyWith compiles a small policy "small" with the given rules, each
// with the given outputs: every output is the input a.
func policyWith(t *testing.T, outputs map[string][]string) *rules.Set {
	t.Helper()
	var b strings.Builder
	b.WriteString("policy: {id: small, title: 小政策}\ninputs:\n  a: {type: money, label: 甲}\nrules:\n")
	for _, id := range []string{subsidy.RuleTrainingGrant, subsidy.RuleWorkTraining, subsidy.RuleReturnTravel,
		subsidy.RuleLabourShare, subsidy.RuleLabourShareCentral, subsidy.RuleFundScale} {
		outs, ok := outputs[id]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "  %s:\n    title: 规则\n    basis: {clause: 第一条, quote: 原文}\n    in_force: {from: \"2021-01-01\"}\n    inputs: [a]\n    outputs:\n", id)
		for _, o := range outs {
			fmt.Fprintf(&b, "      %s: {label: 金额, expr: a, round: {places: 2, mode: half-up}}\n", o)
		}
	}
	set, err := rules.Compile(rules.Source{Name: "small.yaml", Data: []byte(b.String())})
	require.NoError(t, err, "policy:\n%s", b.String())
	return set
}

// TestNewNeedsEveryRuleButTheCentralAudit checks New accepts a policy
// without the central-funds labour-share rule (only a policy that audits
// over central funds needs it), and refuses one without any other rule the
// typed API decides, or without an output it reads.
func TestNewNeedsEveryRuleButTheCentralAudit(t *testing.T) {
	full := func() map[string][]string {
		return map[string][]string{
			subsidy.RuleTrainingGrant: {"amount"},
			subsidy.RuleWorkTraining:  {"amount", "months_paid"},
			subsidy.RuleReturnTravel:  {"amount"},
			subsidy.RuleLabourShare:   {"share", "required", "shortfall"},
			subsidy.RuleFundScale:     {"shortfall"},
		}
	}
	set := policyWith(t, full())
	c, err := subsidy.New(subsidy.WithPolicy(set))
	require.NoError(t, err, "New with no %s rule", subsidy.RuleLabourShareCentral)
	assert.Same(t, set, c.Policy(), "the calculator decides with the set it was given")

	withCentral := full()
	withCentral[subsidy.RuleLabourShareCentral] = []string{"share", "required"}
	_, err = subsidy.New(subsidy.WithPolicy(policyWith(t, withCentral)))
	assert.EqualError(t, err, `subsidy: rule "work-relief-labour-share-central" of policy small has no output "shortfall"`)

	noFundScale := full()
	delete(noFundScale, subsidy.RuleFundScale)
	_, err = subsidy.New(subsidy.WithPolicy(policyWith(t, noFundScale)))
	assert.EqualError(t, err, `subsidy: policy small has no rule "fund-scale"`)

	noMonths := full()
	noMonths[subsidy.RuleWorkTraining] = []string{"amount"}
	_, err = subsidy.New(subsidy.WithPolicy(policyWith(t, noMonths)))
	assert.EqualError(t, err, `subsidy: rule "work-training-subsidy" of policy small has no output "months_paid"`)
}

// TestDecisionJSONWritesTheDecisionsOwnFigures checks a decision or an
// audit is written with its own fields, not the figures of the result it
// was made from, so a decision a caller (or a batch) changed is written as
// changed.
func TestDecisionJSONWritesTheDecisionsOwnFigures(t *testing.T) {
	c := calc(t)
	d, err := c.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: relieved, Months: 4, AsOf: day("2021-10-01")})
	require.NoError(t, err)
	d.Amount, d.Months = money("600"), 3
	js, err := json.Marshal(d)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"months_paid":"3","amount":"600.00"`)

	a, err := c.LabourShareAudit(ctx, subsidy.WorkReliefProject{FiscalFunds: money("1000000.00"),
		LabourRemuneration: money("149999.99"), AsOf: day("2021-11-01")})
	require.NoError(t, err)
	a.Share, a.Required, a.Shortfall = money("0.1"), money("100000"), money("2.5")
	js, err = json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"share":"0.1000","required":"100000.00","shortfall":"2.50"`)
}

// TestOutcomeJSONNamesTheClaim checks an outcome that could not be decided
// is written with the rule and the person of its claim, whichever kind it
// is, and that a claim with nothing set is an error, not a decision.
func TestOutcomeJSONNamesTheClaim(t *testing.T) {
	tg := subsidy.TrainingApplication{Person: subsidy.Person{ID: "T1"}, Tier: "D", AsOf: day("2021-09-01")}
	wt := subsidy.WorkTraining{Person: subsidy.Person{ID: "W1"}, Months: -1, AsOf: day("2021-10-01")}
	rt := subsidy.ReturnTrip{Person: subsidy.Person{ID: "R1"}, Cost: money("100.00")} // no as-of date
	outs, err := calc(t).BatchSlice(ctx, []subsidy.Claim{{Training: &tg}, {WorkTraining: &wt}, {ReturnTrip: &rt}, {}})
	require.NoError(t, err)
	require.Len(t, outs, 4)
	tests := []struct {
		rule, id, field string
	}{
		{subsidy.RuleTrainingGrant, "T1", "certificate_tier"},
		{subsidy.RuleWorkTraining, "W1", "months"},
		{subsidy.RuleReturnTravel, "R1", rules.AsOf},
		{"", "", ""},
	}
	for i, tt := range tests {
		o := outs[i]
		require.Error(t, o.Err, "outcome %d", i)
		var rec struct {
			Row   int    `json:"row"`
			ID    string `json:"id"`
			Rule  string `json:"rule"`
			Pass  *bool  `json:"pass"`
			Error struct {
				Field string `json:"field"`
			} `json:"error"`
		}
		js, err := json.Marshal(o)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(js, &rec), "%s", js)
		assert.Equal(t, i+1, rec.Row, "%s", js)
		assert.Equal(t, tt.id, rec.ID, "%s", js)
		assert.Equal(t, tt.rule, rec.Rule, "%s", js)
		assert.Nil(t, rec.Pass, "%s", js)
		assert.Equal(t, tt.field, rec.Error.Field, "%s", js)
	}
	assert.EqualError(t, outs[3].Err, "subsidy: a claim with nothing to decide")
}

// TestBatchKeysOnEachKindOfClaimsPerson checks the checks across records
// see the person of a 以工代训 record and of a return trip: a second
// 以工代训 record of the same person is capped, another person's is not.
func TestBatchKeysOnEachKindOfClaimsPerson(t *testing.T) {
	w := subsidy.WorkTraining{Person: relieved, Months: 6, AsOf: day("2021-10-01")}
	again := w
	other := w
	other.ID = "410000199001010022"
	rt := subsidy.ReturnTrip{Person: subsidy.Person{ID: relieved.ID, PovertyRelieved: true}, ReturnedDueToDisaster: true,
		BackToWork: true, Cost: money("312.50"), AsOf: day("2021-10-01")}
	outs, err := calc(t).BatchSlice(ctx, []subsidy.Claim{{WorkTraining: &w}, {ReturnTrip: &rt}, {WorkTraining: &again}, {WorkTraining: &other}})
	require.NoError(t, err)
	require.Len(t, outs, 4)
	assertDecimal(t, "1200.00", outs[0].Decision.Amount, "6 months")
	assertDecimal(t, "312.50", outs[1].Decision.Amount, "a return trip is its own entitlement")
	assert.False(t, outs[2].Decision.Granted, "the same person's months are used up")
	assert.True(t, outs[2].Decision.HasReason(subsidy.ReasonWorkTrainingExhausted))
	assert.False(t, outs[2].Decision.HasReason(subsidy.ReasonDuplicateTrainingGrant))
	assert.False(t, outs[0].Decision.HasReason(subsidy.ReasonWorkTrainingExhausted), "granted: no reasons")
	assertDecimal(t, "1200.00", outs[3].Decision.Amount, "another person")
}

// TestEnterpriseCountsUndecidedTrainees checks a record that cannot be
// decided is counted in Errors and adds nothing to the total or months.
func TestEnterpriseCountsUndecidedTrainees(t *testing.T) {
	w := subsidy.WorkTraining{Person: relieved, Months: 2, AsOf: day("2021-10-01")}
	bad := w
	bad.ID, bad.Months = "410000199001010022", -3
	r, err := calc(t).Enterprise(ctx, "唐河县天润扶贫车间", []subsidy.WorkTraining{bad, w, bad})
	require.NoError(t, err)
	assert.Equal(t, 2, r.Errors)
	assert.Equal(t, 2, r.Months)
	assertDecimal(t, "400.00", r.Total, "total")
	var ie *subsidy.InputError
	require.True(t, errors.As(r.Trainees[0].Err, &ie), "Trainees[0].Err = %v, want an *InputError", r.Trainees[0].Err)
	assert.Equal(t, "months", ie.Field)
	assert.Equal(t, "唐河县天润扶贫车间", r.Trainees[1].Claim.WorkTraining.Enterprise, "each record is the enterprise's")
}

// TestExemptionTextLimits checks the limits of an exemption's text are
// inclusive: 64 characters of document number and 200 of reason pass, one
// more is refused.
func TestExemptionTextLimits(t *testing.T) {
	c := calc(t)
	audit := func(doc, reason string) error {
		_, err := c.LabourShareAudit(ctx, subsidy.WorkReliefProject{FiscalFunds: money("1000000.00"),
			LabourRemuneration: money("100000.00"), AsOf: day("2021-11-01"),
			Exemption: &subsidy.Exemption{Document: doc, Reason: reason}})
		return err
	}
	doc64, reason200 := strings.Repeat("号", 64), strings.Repeat("由", 200)
	assert.NoError(t, audit(doc64, reason200))
	assert.NoError(t, audit(" "+doc64+" ", reason200), "spaces around the text do not count")
	tests := []struct {
		name, doc, reason, field string
	}{
		{"document of 65", doc64 + "号", reason200, "exemption_document"},
		{"reason of 201", doc64, reason200 + "由", "exemption_reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := audit(tt.doc, tt.reason)
			var ie *subsidy.InputError
			require.True(t, errors.As(err, &ie), "LabourShareAudit error = %v, want an *InputError", err)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, rules.ErrInvalid)
		})
	}
}
