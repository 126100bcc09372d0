package subsidy_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

func money(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func day(s string) rules.Date        { return rules.MustDate(s) }

func calc(t testing.TB, opts ...subsidy.Option) *subsidy.Calculator {
	t.Helper()
	c, err := subsidy.New(opts...)
	require.NoError(t, err)
	return c
}

func assertDecimal(t *testing.T, want string, got decimal.Decimal, what string) {
	t.Helper()
	assert.True(t, money(want).Equal(got), "%s = %s, want %s", what, got, want)
}

func codes(rs []rules.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

var relieved = subsidy.Person{ID: "410000199001010011", PovertyRelieved: true, DisasterAffected: true}

func TestTrainingGrant(t *testing.T) {
	c := calc(t)
	tests := []struct {
		name    string
		p       subsidy.Person
		tier    string
		on      string
		amount  string
		reasons []string
	}{
		{"A类", relieved, "A类", "2021-09-01", "2000.00", []string{}},
		{"B类", relieved, "B类", "2021-09-01", "1800.00", []string{}},
		{"C类", relieved, "C", "2021-09-01", "1500.00", []string{}},
		{"监测对象", subsidy.Person{Monitored: true, DisasterAffected: true}, "A类工种", "2021-09-01", "2000.00", []string{}},
		{"neither group", subsidy.Person{DisasterAffected: true}, "A", "2021-09-01", "0", []string{subsidy.ReasonNotCoveredPopulation}},
		{"not affected", subsidy.Person{PovertyRelieved: true}, "A", "2021-09-01", "0", []string{subsidy.ReasonNotDisasterAffected}},
		{"both fail in order", subsidy.Person{}, "A", "2021-09-01", "0", []string{subsidy.ReasonNotCoveredPopulation, subsidy.ReasonNotDisasterAffected}},
		{"day before the policy", relieved, "A", "2021-08-18", "0", []string{subsidy.ReasonNotInForce}},
		{"day the policy took effect", relieved, "A", "2021-08-19", "2000.00", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier, err := subsidy.ParseTier(tt.tier)
			require.NoError(t, err)
			d, err := c.TrainingGrant(ctx, subsidy.TrainingApplication{Person: tt.p, Tier: tier, AsOf: day(tt.on)})
			require.NoError(t, err)
			assert.Equal(t, len(tt.reasons) == 0, d.Granted)
			assertDecimal(t, tt.amount, d.Amount, "amount")
			assert.Equal(t, tt.reasons, codes(d.Reasons))
			assert.Equal(t, "第七条", d.Clause)
		})
	}
}

func TestWorkTrainingSubsidy(t *testing.T) {
	c := calc(t)
	tests := []struct {
		months  int
		paid    int
		amount  string
		reasons []string
	}{
		{1, 1, "200.00", []string{}},
		{6, 6, "1200.00", []string{}},
		{7, 6, "1200.00", []string{}},
		{0, 0, "0", []string{subsidy.ReasonNoTrainingMonths}},
	}
	for _, tt := range []struct {
		name    string
		p       subsidy.Person
		on      string
		reasons []string
	}{
		{"neither group", subsidy.Person{DisasterAffected: true}, "2021-10-01", []string{subsidy.ReasonNotCoveredPopulation}},
		{"not affected", subsidy.Person{Monitored: true}, "2021-10-01", []string{subsidy.ReasonNotDisasterAffected}},
		{"day before the policy", relieved, "2021-08-18", []string{subsidy.ReasonNotInForce}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := c.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: tt.p, Months: 3, AsOf: day(tt.on)})
			require.NoError(t, err)
			assert.False(t, d.Granted)
			assertDecimal(t, "0", d.Amount, "amount")
			assert.Equal(t, tt.reasons, codes(d.Reasons))
		})
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d months", tt.months), func(t *testing.T) {
			d, err := c.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: relieved, Months: tt.months, AsOf: day("2021-10-01")})
			require.NoError(t, err)
			assertDecimal(t, tt.amount, d.Amount, "amount")
			assert.Equal(t, tt.paid, d.Months)
			assert.Equal(t, tt.reasons, codes(d.Reasons))
		})
	}
}

func TestReturnTravel(t *testing.T) {
	trip := subsidy.ReturnTrip{Person: relieved, ReturnedDueToDisaster: true, BackToWork: true, Cost: money("1286.50"), AsOf: day("2021-09-10")}
	d, err := calc(t).ReturnTravel(ctx, trip)
	require.NoError(t, err)
	assert.True(t, d.Granted)
	assertDecimal(t, "1286.50", d.Amount, "no cap by default")
	assert.Equal(t, "第六条", d.Clause)

	county, err := policies.Load(rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  return_travel_cap:
    values:
      - {from: "2021-08-19", value: "500.00", basis: 某县人社局文件}
`)})
	require.NoError(t, err)
	capped := calc(t, subsidy.WithPolicy(county))
	d, err = capped.ReturnTravel(ctx, trip)
	require.NoError(t, err)
	assertDecimal(t, "500.00", d.Amount, "the county's cap")

	trip.PovertyRelieved, trip.BackToWork = false, false
	d, err = capped.ReturnTravel(ctx, trip)
	require.NoError(t, err)
	assert.Equal(t, []string{subsidy.ReasonNotPovertyRelieved, subsidy.ReasonNotBackToWork}, codes(d.Reasons))
	trip.PovertyRelieved, trip.BackToWork, trip.ReturnedDueToDisaster = true, true, false
	d, err = capped.ReturnTravel(ctx, trip)
	require.NoError(t, err)
	assert.Equal(t, []string{subsidy.ReasonNotReturnedDisaster}, codes(d.Reasons))
}

func TestLabourShareAudit(t *testing.T) {
	c := calc(t)
	tests := []struct {
		name, fiscal, labour       string
		pass                       bool
		share, required, shortfall string
	}{
		{"exactly 15%", "1000000.00", "150000.00", true, "0.1500", "150000.00", "0"},
		{"one fen below", "1000000.00", "149999.99", false, "0.1499", "150000.00", "0.01"},
		{"required rounds up", "333.33", "49.99", false, "0.1499", "50.00", "0.01"},
		{"paying the rounded amount passes", "333.33", "50.00", true, "0.1500", "50.00", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := c.LabourShareAudit(ctx, subsidy.WorkReliefProject{FiscalFunds: money(tt.fiscal), LabourRemuneration: money(tt.labour), AsOf: day("2021-11-01")})
			require.NoError(t, err)
			assert.Equal(t, tt.pass, a.Pass)
			assertDecimal(t, tt.share, a.Share, "share")
			assertDecimal(t, tt.required, a.Required, "required")
			assertDecimal(t, tt.shortfall, a.Shortfall, "shortfall")
			assert.Equal(t, tt.pass, a.Explanation().Requirements[0].Held, "the explanation records whether the requirement held")
			if !tt.pass {
				assert.Equal(t, []string{subsidy.ReasonLabourShareBelowMin}, codes(a.Reasons))
			}
		})
	}
}

func TestFundScaleAudit(t *testing.T) {
	a, err := calc(t).FundScaleAudit(ctx, subsidy.FundScale{County: "唐河县", Integrated2020: money("86500000.00"), Integrated2021: money("84123456.78"), AsOf: day("2021-12-01")})
	require.NoError(t, err)
	assert.False(t, a.Pass)
	assertDecimal(t, "2376543.22", a.Shortfall, "shortfall")
	assert.Equal(t, []string{subsidy.ReasonFundScaleBelow2020}, codes(a.Reasons))
	assert.Equal(t, "第十三条", a.Clause)
}

func TestInputErrorsNameTheField(t *testing.T) {
	c := calc(t)
	check := func(err error, field string) {
		t.Helper()
		var ie *subsidy.InputError
		require.True(t, errors.As(err, &ie), "%v", err)
		assert.Equal(t, field, ie.Field)
		assert.ErrorIs(t, err, rules.ErrInvalid)
	}
	_, err := subsidy.ParseTier("D")
	check(err, "certificate_tier")
	_, err = c.TrainingGrant(ctx, subsidy.TrainingApplication{Person: relieved, Tier: "D", AsOf: day("2021-09-01")})
	check(err, "certificate_tier")
	_, err = c.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: relieved, Months: -1, AsOf: day("2021-09-01")})
	check(err, "months")
	_, err = c.LabourShareAudit(ctx, subsidy.WorkReliefProject{FiscalFunds: money("0"), LabourRemuneration: money("1.00"), AsOf: day("2021-09-01")})
	check(err, "fiscal_funds")
	_, err = c.ReturnTravel(ctx, subsidy.ReturnTrip{Person: relieved, Cost: money("1.005"), AsOf: day("2021-09-01")})
	check(err, "travel_cost")
	_, err = c.FundScaleAudit(ctx, subsidy.FundScale{Integrated2020: money("1.00"), Integrated2021: money("1.00")})
	var ie *subsidy.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, rules.AsOf, ie.Field, "a missing as-of date")
}

func TestNewChecksThePolicy(t *testing.T) {
	_, err := subsidy.New(subsidy.WithPolicy(nil))
	assert.ErrorContains(t, err, "WithPolicy(nil)")
	other, err := rules.Compile(rules.Source{Name: "other.yaml", Data: []byte(`policy: {id: other, title: 别的政策}
inputs:
  a: {type: money, label: 甲}
rules:
  r:
    title: 规则
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2021-01-01"}
    inputs: [a]
    outputs:
      amount: {label: 金额, expr: a, round: {places: 2, mode: half-up}}
`)})
	require.NoError(t, err)
	_, err = subsidy.New(subsidy.WithPolicy(other))
	assert.ErrorContains(t, err, "subsidy: policy other has no rule")
}

// TestCappedClaimCarriesANote checks that a claim for more months than the
// policy pays is granted the months it pays, with a note saying so.
func TestCappedClaimCarriesANote(t *testing.T) {
	c := calc(t)
	d, err := c.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: relieved, Months: 7, AsOf: day("2021-10-01")})
	require.NoError(t, err)
	assert.True(t, d.Granted)
	assert.Equal(t, 6, d.Months)
	assertDecimal(t, "1200.00", d.Amount, "amount")
	assert.Equal(t, []rules.Note{{Code: subsidy.NoteMonthsCapped, Message: "申报以工代训 7 个月，超过每人 6 个月上限，按 6 个月发放"}}, d.Notes)
	for _, months := range []int{5, 6} {
		d, err := c.WorkTrainingSubsidy(ctx, subsidy.WorkTraining{Person: relieved, Months: months, AsOf: day("2021-10-01")})
		require.NoError(t, err)
		assert.Empty(t, d.Notes, "%d months are paid in full", months)
	}
	// Within a batch, a 7-month record after 4 months paid: 2 paid, one note.
	w := subsidy.WorkTraining{Person: relieved, Months: 4, AsOf: day("2021-10-01")}
	seven := w
	seven.Months = 7
	outs, err := c.BatchSlice(ctx, []subsidy.Claim{{WorkTraining: &w}, {WorkTraining: &seven}})
	require.NoError(t, err)
	assert.Equal(t, 2, outs[1].Decision.Months)
	require.Len(t, outs[1].Decision.Notes, 1)
	assert.Contains(t, outs[1].Decision.Notes[0].Message, "以工代训月数：申报 7，此前已计 4，上限 6，本次按 2 计")
}

func TestDuplicateTrainingGrantIsRefused(t *testing.T) {
	a := subsidy.TrainingApplication{Person: relieved, Tier: subsidy.TierB, AsOf: day("2021-09-01")}
	other := a
	other.Tier = subsidy.TierA
	outs, err := calc(t).BatchSlice(ctx, []subsidy.Claim{{Training: &a}, {Training: &other}, {Training: &a}})
	require.NoError(t, err)
	require.Len(t, outs, 3)
	assertDecimal(t, "1800.00", outs[0].Decision.Amount, "first B")
	assertDecimal(t, "2000.00", outs[1].Decision.Amount, "an A is another grant")
	assert.False(t, outs[2].Decision.Granted)
	assertDecimal(t, "0", outs[2].Decision.Amount, "second B")
	assert.Equal(t, []string{subsidy.ReasonDuplicateTrainingGrant}, codes(outs[2].Decision.Reasons))
}

func TestWorkTrainingMonthsAreCappedAcrossRecords(t *testing.T) {
	w := subsidy.WorkTraining{Person: relieved, Months: 4, AsOf: day("2021-10-01")}
	third := w
	third.Months = 2
	other := w
	other.ID = "someone else"
	r, err := calc(t).Enterprise(ctx, "唐河县天润扶贫车间", []subsidy.WorkTraining{w, w, third, other})
	require.NoError(t, err)
	assertDecimal(t, "800.00", r.Trainees[0].Decision.Amount, "first 4 months")
	assertDecimal(t, "400.00", r.Trainees[1].Decision.Amount, "only 2 months left")
	assert.Equal(t, 2, r.Trainees[1].Decision.Months)
	assert.Equal(t, []rules.Note{{Code: subsidy.NoteMonthsCapped,
		Message: "以工代训月数超过该人员剩余可补贴月数，按剩余月数补贴（以工代训月数：申报 4，此前已计 4，上限 6，本次按 2 计）"}},
		r.Trainees[1].Decision.Notes, "a record cut by the cap across records says so")
	assert.Empty(t, r.Trainees[0].Decision.Notes, "paid in full")
	assert.Empty(t, r.Trainees[2].Decision.Notes, "refused, with a reason instead")
	assert.False(t, r.Trainees[2].Decision.Granted, "none left")
	assert.Equal(t, []string{subsidy.ReasonWorkTrainingExhausted}, codes(r.Trainees[2].Decision.Reasons))
	assertDecimal(t, "800.00", r.Trainees[3].Decision.Amount, "another person")
	assertDecimal(t, "2000.00", r.Total, "4 + 4 months pay 1,200.00, not 1,600.00; plus 800.00")
	assert.Equal(t, 10, r.Months)
}

// TestBatchEqualsOneByOne decides 100,000 claims in a batch and one by one.
func TestBatchEqualsOneByOne(t *testing.T) {
	c := calc(t)
	n := 100_000
	if testing.Short() {
		n = 5_000
	}
	claims := make([]subsidy.Claim, n)
	for i := range claims {
		p := subsidy.Person{PovertyRelieved: i%3 != 0, Monitored: i%5 == 0, DisasterAffected: i%7 != 0}
		on := day("2021-08-18").AddDays(i % 3)
		switch i % 3 {
		case 0:
			claims[i] = subsidy.Claim{Training: &subsidy.TrainingApplication{Person: p, Tier: []subsidy.CertificateTier{"A", "B", "C", "D"}[i%4], AsOf: on}}
		case 1:
			claims[i] = subsidy.Claim{WorkTraining: &subsidy.WorkTraining{Person: p, Months: i % 9, AsOf: on}}
		default:
			claims[i] = subsidy.Claim{ReturnTrip: &subsidy.ReturnTrip{Person: p, ReturnedDueToDisaster: i%11 != 0, BackToWork: true,
				Cost: decimal.New(int64(i%100000), -2), AsOf: on}}
		}
	}
	outs, err := c.BatchSlice(ctx, claims)
	require.NoError(t, err)
	require.Len(t, outs, n)
	for i, o := range outs {
		require.Equal(t, i, o.Index)
		want, werr := oneByOne(c, claims[i])
		if (werr == nil) != (o.Err == nil) || !want.Amount.Equal(o.Decision.Amount) || want.Granted != o.Decision.Granted ||
			fmt.Sprint(codes(want.Reasons)) != fmt.Sprint(codes(o.Decision.Reasons)) {
			t.Fatalf("claim %d: batch %+v %v, alone %+v %v", i, o.Decision, o.Err, want, werr)
		}
	}
}

func oneByOne(c *subsidy.Calculator, cl subsidy.Claim) (subsidy.Decision, error) {
	switch {
	case cl.Training != nil:
		return c.TrainingGrant(ctx, *cl.Training)
	case cl.WorkTraining != nil:
		return c.WorkTrainingSubsidy(ctx, *cl.WorkTraining)
	}
	return c.ReturnTravel(ctx, *cl.ReturnTrip)
}

func TestBatchStopsWhenCancelled(t *testing.T) {
	c := calc(t)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	endless := func(yield func(subsidy.Claim) bool) {
		for {
			a := subsidy.TrainingApplication{Person: relieved, Tier: subsidy.TierA, AsOf: day("2021-09-01")}
			if !yield(subsidy.Claim{Training: &a}) {
				return
			}
		}
	}
	seen := 0
	var last error
	for _, err := range c.Batch(cctx, endless) {
		if err != nil {
			last = err
			break
		}
		seen++
		if seen == 100 {
			cancel()
		}
	}
	assert.ErrorIs(t, last, context.Canceled, "an endless batch ends with the context's error")
	assert.Less(t, seen, 10_000)
}
