package loan_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func day(s string) rules.Date    { return rules.MustDate(s) }

func assertDecimal(t *testing.T, want string, got decimal.Decimal, what string) {
	t.Helper()
	assert.True(t, d(want).Equal(got), "%s = %s, want %s", what, got, want)
}

// base is an eligible 50,000.00 loan at 3.85% repaid in one go.
func base() loan.Loan {
	return loan.Loan{ID: "L", PovertyRelieved: true, Principal: d("50000.00"), AnnualRate: d("0.0385"),
		Start: day("2021-09-01"), Maturity: day("2022-09-01"),
		Repayments: []loan.Repayment{{Date: day("2021-12-01"), Amount: d("50000.00")}}}
}

func calc(t *testing.T, overlays ...rules.Source) *loan.Calculator {
	t.Helper()
	set, err := policies.Load(overlays...)
	require.NoError(t, err)
	c, err := loan.New(loan.WithPolicy(set))
	require.NoError(t, err)
	return c
}

func TestDesignWorkedExample(t *testing.T) {
	dec, err := calc(t).Subsidy(context.Background(), base())
	require.NoError(t, err)
	require.True(t, dec.Eligible)
	require.Len(t, dec.Schedule.Periods, 2)
	p1, p2 := dec.Schedule.Periods[0], dec.Schedule.Periods[1]
	assert.Equal(t, 20, p1.Days)
	assert.Equal(t, 71, p2.Days)
	assertDecimal(t, "106.94", p1.Interest, "first period")
	assertDecimal(t, "379.65", p2.Interest, "second period")
	assertDecimal(t, "486.59", dec.Schedule.Interest, "interest")
	assertDecimal(t, "486.59", dec.Schedule.Covered, "subsidy")
	assertDecimal(t, "0", dec.Schedule.Borrower, "borrower")
	assert.Empty(t, dec.Findings, "3.85% was the 1-year LPR on 2021-09-01")
}

func TestSubsidyCases(t *testing.T) {
	firstPortion := rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_cap_first_portion:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 对5万元以内部分贴息}
`)}
	tests := []struct {
		name                              string
		edit                              func(*loan.Loan)
		overlay                           []rules.Source
		eligible                          bool
		reasons                           []string
		interest, covered, borrower, over string
	}{
		{name: "50,000.00 strict", edit: func(l *loan.Loan) {}, eligible: true,
			interest: "486.59", covered: "486.59", borrower: "0"},
		{name: "50,000.01 strict is refused", edit: func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("50000.01"), d("50000.01")
		}, reasons: []string{"principal-over-cap"}, interest: "486.59", covered: "0", borrower: "486.59"},
		{name: "50,000.00 first portion", edit: func(l *loan.Loan) {}, overlay: []rules.Source{firstPortion}, eligible: true,
			interest: "486.59", covered: "486.59", borrower: "0"},
		{name: "50,000.01 first portion covers 50,000.00 of it", edit: func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("50000.01"), d("50000.01")
		}, overlay: []rules.Source{firstPortion}, eligible: true,
			interest: "486.59", covered: "486.59", borrower: "0"},
		{name: "80,000.00 first portion covers 50,000", edit: func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("80000.00"), d("80000.00")
		}, overlay: []rules.Source{firstPortion}, eligible: true,
			interest: "778.55", covered: "486.59", borrower: "291.96"},
		{name: "across the cutoff: split inside one period", edit: func(l *loan.Loan) {
			l.Start, l.Maturity = day("2023-12-01"), day("2024-12-01")
			l.Repayments = []loan.Repayment{{Date: day("2024-01-11"), Amount: d("50000.00")}}
		}, eligible: true, interest: "219.23", covered: "165.76", borrower: "53.47"},
		{name: "starts after the cutoff", edit: func(l *loan.Loan) {
			l.Start, l.Maturity = day("2024-01-01"), day("2025-01-01")
			l.Repayments = []loan.Repayment{{Date: day("2024-03-01"), Amount: d("50000.00")}}
		}, reasons: []string{"starts-after-cutoff"}, interest: "320.83", covered: "0", borrower: "320.83"},
		{name: "borrower not covered", edit: func(l *loan.Loan) { l.PovertyRelieved = false },
			reasons: []string{"not-covered-population"}, interest: "486.59", covered: "0", borrower: "486.59"},
		{name: "partial repayments lower the balance from their day", edit: func(l *loan.Loan) {
			l.Repayments = []loan.Repayment{{Date: day("2021-10-01"), Amount: d("20000.00")}, {Date: day("2021-12-01"), Amount: d("30000.00")}}
		}, eligible: true, interest: "356.12", covered: "356.12", borrower: "0"},
		{name: "extension with its own rate", edit: func(l *loan.Loan) {
			l.Maturity = day("2021-11-01")
			l.Extension = &loan.Extension{To: day("2022-02-01"), Rate: d("0.0435")}
			l.Repayments = []loan.Repayment{{Date: day("2021-12-01"), Amount: d("50000.00")}}
		}, eligible: true, interest: "507.43", covered: "507.43", borrower: "0"},
		{name: "overdue interest is never covered", edit: func(l *loan.Loan) {
			l.Maturity = day("2021-11-01")
		}, eligible: true, interest: "486.59", covered: "326.18", borrower: "160.41", over: "160.41"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base()
			tt.edit(&l)
			dec, err := calc(t, tt.overlay...).Subsidy(context.Background(), l)
			require.NoError(t, err)
			assert.Equal(t, tt.eligible, dec.Eligible)
			var codes []string
			for _, r := range dec.Reasons {
				codes = append(codes, r.Code)
			}
			assert.Equal(t, tt.reasons, codes)
			assertDecimal(t, tt.interest, dec.Schedule.Interest, "interest")
			assertDecimal(t, tt.covered, dec.Schedule.Covered, "covered")
			assertDecimal(t, tt.borrower, dec.Schedule.Borrower, "borrower")
			if tt.over != "" {
				assertDecimal(t, tt.over, dec.Schedule.Overdue, "overdue")
				assert.Equal(t, loan.FindingOverdue, dec.Findings[len(dec.Findings)-1].Code)
			}
		})
	}
}

func TestRenewalIsJudgedOnItsOwnStart(t *testing.T) {
	renewal := base()
	renewal.ID, renewal.Renews = "L-2", "L"
	renewal.Start, renewal.Maturity = day("2024-02-01"), day("2025-02-01")
	renewal.Repayments = []loan.Repayment{{Date: day("2024-05-01"), Amount: d("50000.00")}}
	dec, err := calc(t).Subsidy(context.Background(), renewal)
	require.NoError(t, err)
	assert.False(t, dec.Eligible)
	assert.Equal(t, "starts-after-cutoff", dec.Reasons[0].Code)
	renewal.Renews = renewal.ID
	_, err = calc(t).Subsidy(context.Background(), renewal)
	var fe *loan.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "renews", fe.Field)
}

func TestRateAboveLPRIsAFinding(t *testing.T) {
	l := base()
	l.AnnualRate = d("0.0465")
	dec, err := calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	assert.True(t, dec.Eligible, "a finding does not refuse the subsidy")
	require.Len(t, dec.Findings, 1)
	assert.Equal(t, loan.FindingRateAboveLPR, dec.Findings[0].Code)
	assert.Contains(t, dec.Findings[0].Message, "合同年利率 4.65% 高于放款日 2021-09-01 的一年期LPR 3.85%")

	l.Maturity = day("2024-09-01") // a 3-year term is held to the 5-year-plus LPR, 4.65%
	dec, err = calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	assert.Empty(t, dec.Findings)
}

func TestValidationNamesTheField(t *testing.T) {
	tests := []struct {
		field string
		edit  func(*loan.Loan)
	}{
		{"principal", func(l *loan.Loan) { l.Principal = d("0") }},
		{"principal", func(l *loan.Loan) { l.Principal = d("100.001") }},
		{"annual_rate", func(l *loan.Loan) { l.AnnualRate = d("3.85") }},
		{"annual_rate", func(l *loan.Loan) { l.AnnualRate = d("0") }},
		{"maturity", func(l *loan.Loan) { l.Maturity = l.Start }},
		{"start", func(l *loan.Loan) { l.Start = rules.Date{} }},
		{"repayments", func(l *loan.Loan) { l.Repayments[0].Date = day("2021-09-01") }},
		{"repayments", func(l *loan.Loan) { l.Repayments[0].Amount = d("50000.01") }},
		{"repayments", func(l *loan.Loan) { l.Repayments[0].Amount = d("-1") }},
		{"extended_to", func(l *loan.Loan) { l.Extension = &loan.Extension{To: day("2022-09-01")} }},
		{"extension_rate", func(l *loan.Loan) { l.Extension = &loan.Extension{To: day("2023-09-01"), Rate: d("0.5")} }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			l := base()
			tt.edit(&l)
			err := l.Validate()
			var fe *loan.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			assert.Equal(t, tt.field, fe.Field)
			assert.Contains(t, err.Error(), "loan L: "+tt.field)
		})
	}
	assert.NoError(t, base().Validate())
}

func TestSettlementConventions(t *testing.T) {
	l := base()
	l.Start, l.Maturity = day("2022-01-01"), day("2023-01-01")
	l.Repayments = []loan.Repayment{{Date: day("2023-01-01"), Amount: d("50000.00")}}
	count := map[loan.Settlement]int{loan.Quarterly: 5, loan.Monthly: 13, loan.Yearly: 2, loan.AtMaturity: 1}
	var totals []string
	for s, n := range count {
		sch, err := loan.Accrue(l, loan.Options{Settlement: s, DayBasis: 360})
		require.NoError(t, err)
		assert.Len(t, sch.Periods, n, "%s", s)
		totals = append(totals, sch.Interest.String())
	}
	sch, err := loan.Accrue(l, loan.Options{Settlement: loan.AtMaturity, DayBasis: 365})
	require.NoError(t, err)
	assertDecimal(t, "1925.00", sch.Interest, "a year at 3.85% on act/365")
	_ = totals
}
