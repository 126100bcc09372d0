package subsidy_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// centralBase is a county that audits the labour share over central funds
// at a 20% floor, as published 以工代赈 projects report it.
var centralBase = rules.Source{Name: "central.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  labour_share_base_central:
    values:
      - {from: "2021-08-19", value: true, basis: 某县发改委 以中央财政资金为基数}
  labour_share_min:
    values:
      - {from: "2021-08-19", value: "0.20", basis: 某县发改委 不低于中央财政资金的20%}
`)}

func TestLabourShareBaseIsThePolicys(t *testing.T) {
	project := subsidy.WorkReliefProject{ID: "P1", FiscalFunds: money("1000000.00"), CentralFunds: money("400000.00"),
		LabourRemuneration: money("79999.99"), AsOf: day("2021-11-01")}

	a, err := calc(t).LabourShareAudit(ctx, project)
	require.NoError(t, err)
	assert.Equal(t, subsidy.BaseFiscal, a.Base, "the policy's base: 项目财政资金")
	assert.False(t, a.Pass, "79,999.99 is 8% of the fiscal funds")
	assertDecimal(t, "0.0799", a.Share, "share of fiscal funds")
	assertDecimal(t, "150000.00", a.Required, "15% of fiscal funds")
	assert.Equal(t, []string{subsidy.ReasonLabourShareBelowMin}, codes(a.Reasons))
	assert.Equal(t, subsidy.RuleLabourShare, a.Explanation().Rule)

	set, err := policies.Load(centralBase)
	require.NoError(t, err)
	county := calc(t, subsidy.WithPolicy(set))
	tests := []struct {
		name, central, labour      string
		pass                       bool
		share, required, shortfall string
	}{
		{"exactly 20% of central funds", "400000.00", "80000.00", true, "0.2000", "80000.00", "0.00"},
		{"one fen below 20% of central funds", "400000.00", "79999.99", false, "0.1999", "80000.00", "0.01"},
		{"required rounds up to the fen", "333.33", "66.66", false, "0.1999", "66.67", "0.01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := project
			p.CentralFunds, p.LabourRemuneration = money(tt.central), money(tt.labour)
			a, err := county.LabourShareAudit(ctx, p)
			require.NoError(t, err)
			assert.Equal(t, subsidy.BaseCentral, a.Base)
			assert.Equal(t, tt.pass, a.Pass)
			assertDecimal(t, tt.share, a.Share, "share of central funds")
			assertDecimal(t, tt.required, a.Required, "required")
			assertDecimal(t, tt.shortfall, a.Shortfall, "shortfall")
			ex := a.Explanation()
			assert.Equal(t, subsidy.RuleLabourShareCentral, ex.Rule, "the explanation names the audit over central funds")
			assert.Contains(t, ex.Title, "以中央财政资金为基数")
			if !tt.pass {
				assert.Equal(t, []string{subsidy.ReasonLabourShareBelowMin}, codes(a.Reasons), "the base the county chose is not a reason")
			}
		})
	}

	p := project
	p.FiscalFunds = money("0") // not read under the central base
	a, err = county.LabourShareAudit(ctx, p)
	require.NoError(t, err)
	assert.False(t, a.Pass)

	p = project
	p.CentralFunds = money("0")
	_, err = county.LabourShareAudit(ctx, p)
	var ie *subsidy.InputError
	require.ErrorAs(t, err, &ie, "central funds are required under the central base")
	assert.Equal(t, "central_funds", ie.Field)
	assert.ErrorIs(t, err, rules.ErrInvalid)
}

// TestLabourShareOtherBaseIsRefused checks that the rule of the base the
// policy does not choose refuses, naming the other base, both ways: a
// sheet decided with the wrong rule is never audited silently.
func TestLabourShareOtherBaseIsRefused(t *testing.T) {
	set, err := policies.Load(centralBase)
	require.NoError(t, err)
	in := rules.Input{rules.AsOf: rules.Text("2021-11-01"), "fiscal_funds": rules.Text("1000000.00"), "labour_remuneration": rules.Text("300000.00")}
	res, err := set.Eval(ctx, subsidy.RuleLabourShare, in)
	require.NoError(t, err)
	assert.False(t, res.Pass, "30% of fiscal funds, but the county audits over central funds")
	assert.Equal(t, []string{subsidy.ReasonLabourShareOtherBase}, codes(res.Reasons))
	assert.Contains(t, res.Reasons[0].Message, subsidy.RuleLabourShareCentral)

	plain, err := policies.Load()
	require.NoError(t, err)
	in = rules.Input{rules.AsOf: rules.Text("2021-11-01"), "central_funds": rules.Text("400000.00"), "labour_remuneration": rules.Text("100000.00")}
	res, err = plain.Eval(ctx, subsidy.RuleLabourShareCentral, in)
	require.NoError(t, err)
	assert.False(t, res.Pass)
	assert.Equal(t, []string{subsidy.ReasonLabourShareOtherBase}, codes(res.Reasons))
	assert.Contains(t, res.Reasons[0].Message, subsidy.RuleLabourShare+" 审核")
}

var exemption = &subsidy.Exemption{Document: "某县发改〔2022〕7号", Reason: "山区石方路段以机械施工为主"}

func TestLabourShareExemption(t *testing.T) {
	c := calc(t)
	failing := subsidy.WorkReliefProject{ID: "P2", FiscalFunds: money("1000000.00"), LabourRemuneration: money("120000.00"),
		AsOf: day("2021-11-01"), Exemption: exemption}

	a, err := c.LabourShareAudit(ctx, failing)
	require.NoError(t, err)
	assert.True(t, a.Pass, "the exemption turns a share below the floor into a pass")
	assert.Empty(t, a.Reasons)
	assert.Same(t, exemption, a.Exemption)
	assertDecimal(t, "0.1200", a.Share, "share")
	assertDecimal(t, "30000.00", a.Shortfall, "the shortfall is still shown")
	require.Len(t, a.Notes, 1, "never silently")
	assert.Equal(t, subsidy.NoteLabourShareExempted, a.Notes[0].Code)
	assert.Equal(t, "劳务报酬占项目财政资金比例 0.1200 低于规定比例（应发劳务报酬 150000.00 元，差额 30000.00 元），经 某县发改〔2022〕7号 批准豁免：山区石方路段以机械施工为主",
		a.Notes[0].Message)

	ex := a.Explanation()
	assert.True(t, ex.Pass)
	require.Len(t, ex.Requirements, 3)
	assert.Equal(t, subsidy.ReasonLabourShareBelowMin, ex.Requirements[0].Code)
	assert.False(t, ex.Requirements[0].Held, "the floor still shows as not held")
	last := ex.Requirements[2]
	assert.Equal(t, subsidy.NoteLabourShareExempted, last.Code)
	assert.True(t, last.Held)
	var text strings.Builder
	require.NoError(t, ex.WriteText(&text))
	assert.Contains(t, text.String(), "[不成立] labour_remuneration >= required_exact")
	assert.Contains(t, text.String(), "[成立]   原则上：经 某县发改〔2022〕7号 批准豁免（山区石方路段以机械施工为主）")
	assert.Contains(t, text.String(), "结论：符合条件")

	js, err := json.Marshal(a)
	require.NoError(t, err)
	var got struct {
		Pass    bool           `json:"pass"`
		Reasons []rules.Reason `json:"reasons"`
		Notes   []rules.Note   `json:"notes"`
	}
	require.NoError(t, json.Unmarshal(js, &got))
	assert.True(t, got.Pass)
	assert.Empty(t, got.Reasons)
	assert.Equal(t, a.Notes, got.Notes)
	assert.Contains(t, string(js), `"reasons":[]`)

	plain := failing
	plain.Exemption = nil
	a, err = c.LabourShareAudit(ctx, plain)
	require.NoError(t, err)
	assert.False(t, a.Pass, "without the exemption the same project fails")
	assert.False(t, a.Explanation().Pass)
}

func TestLabourShareExemptionIsUsedOnlyWhenTheFloorAloneFails(t *testing.T) {
	c := calc(t)
	meets := subsidy.WorkReliefProject{FiscalFunds: money("1000000.00"), LabourRemuneration: money("150000.00"),
		AsOf: day("2021-11-01"), Exemption: exemption}
	a, err := c.LabourShareAudit(ctx, meets)
	require.NoError(t, err)
	assert.True(t, a.Pass)
	assert.Nil(t, a.Exemption, "a project that meets the floor does not use its exemption")
	assert.Empty(t, a.Notes)
	assert.Len(t, a.Explanation().Requirements, 2)

	early := meets
	early.LabourRemuneration, early.AsOf = money("100000.00"), day("2021-08-18")
	a, err = c.LabourShareAudit(ctx, early)
	require.NoError(t, err)
	assert.False(t, a.Pass, "an exemption does not bring the rule into force")
	assert.Equal(t, []string{subsidy.ReasonNotInForce}, codes(a.Reasons))
	assert.Nil(t, a.Exemption)
	assert.False(t, a.Explanation().Pass)

	set, err := policies.Load(centralBase)
	require.NoError(t, err)
	county := calc(t, subsidy.WithPolicy(set))
	below := subsidy.WorkReliefProject{CentralFunds: money("400000.00"), LabourRemuneration: money("60000.00"),
		AsOf: day("2021-11-01"), Exemption: exemption}
	a, err = county.LabourShareAudit(ctx, below)
	require.NoError(t, err)
	assert.True(t, a.Pass, "an exemption applies to the central-funds floor too")
	assert.Equal(t, subsidy.BaseCentral, a.Base)
	assert.Contains(t, a.Notes[0].Message, "劳务报酬占中央财政资金比例 0.1500 低于规定比例（应发劳务报酬 80000.00 元，差额 20000.00 元）")
}

func TestLabourShareExemptionNeedsDocumentAndReason(t *testing.T) {
	c := calc(t)
	long := strings.Repeat("理由", 101)
	tests := []struct {
		name  string
		e     subsidy.Exemption
		field string
		want  error
		text  string
	}{
		{"no document", subsidy.Exemption{Reason: "山区"}, "exemption_document", rules.ErrMissing, ""},
		{"blank document", subsidy.Exemption{Document: "  ", Reason: "山区"}, "exemption_document", rules.ErrMissing, ""},
		{"no reason", subsidy.Exemption{Document: "某县发改〔2022〕7号"}, "exemption_reason", rules.ErrMissing, ""},
		{"a reason too long", subsidy.Exemption{Document: "某县发改〔2022〕7号", Reason: long}, "exemption_reason", rules.ErrInvalid,
			`"理由理由理由理由理由理由理由理由理由理由理由理由理由理由理由理由…" (202 characters) is longer than 200 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.e
			_, err := c.LabourShareAudit(ctx, subsidy.WorkReliefProject{FiscalFunds: money("1000000.00"),
				LabourRemuneration: money("100000.00"), AsOf: day("2021-11-01"), Exemption: &e})
			var ie *subsidy.InputError
			require.True(t, errors.As(err, &ie), "LabourShareAudit error = %v, want an *InputError", err)
			assert.Equal(t, tt.field, ie.Field)
			assert.ErrorIs(t, err, tt.want)
			if tt.text != "" {
				assert.Contains(t, err.Error(), tt.text)
			}
		})
	}
}
