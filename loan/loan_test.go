package loan_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
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

// assertDecimal checks got against want by value and, when want has a
// fractional part, that got prints with the same places.
func assertDecimal(t *testing.T, want string, got decimal.Decimal, what string) {
	t.Helper()
	assert.True(t, d(want).Equal(got), "%s = %s, want %s", what, got, want)
}

// base is an eligible 50,000.00 loan at 3.85% repaid in one go: the DESIGN
// worked example.
func base() loan.Loan {
	return loan.Loan{ID: "L", PovertyRelieved: true, Principal: d("50000.00"), AnnualRate: d("0.0385"),
		Start: day("2021-09-01"), Maturity: day("2022-09-01"),
		Repayments: []loan.Repayment{{Date: day("2021-12-01"), Amount: d("50000.00")}}}
}

// firstPortion is a county overlay that subsidises the first 50,000 of a
// larger loan.
var firstPortion = rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_cap_first_portion:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 对5万元以内部分贴息}
`)}

// act365 is a county overlay that computes with 365 days a year.
var act365 = rules.Source{Name: "act365.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_day_basis:
    values:
      - {from: "2021-08-19", value: 365, basis: 某县 日利率=年利率÷365}
`)}

func calc(t testing.TB, overlays ...rules.Source) *loan.Calculator {
	t.Helper()
	set, err := policies.Load(overlays...)
	require.NoError(t, err)
	c, err := loan.New(loan.WithPolicy(set))
	require.NoError(t, err)
	return c
}

func codes(rs []rules.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

func noteCodes(fs []rules.Note) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestDesignWorkedExample(t *testing.T) {
	dec, err := calc(t).Subsidy(context.Background(), base())
	require.NoError(t, err)
	require.True(t, dec.Granted)
	require.Len(t, dec.Schedule.Periods, 2)
	p1, p2 := dec.Schedule.Periods[0], dec.Schedule.Periods[1]
	assert.Equal(t, rules.Period{From: day("2021-09-01"), To: day("2021-09-21")}, rules.Period{From: p1.From, To: p1.To})
	assert.Equal(t, rules.Period{From: day("2021-09-21"), To: day("2021-12-01")}, rules.Period{From: p2.From, To: p2.To})
	assert.Equal(t, 20, p1.Days)
	assert.Equal(t, 71, p2.Days)
	assertDecimal(t, "106.94", p1.Interest, "first period")
	assertDecimal(t, "379.65", p2.Interest, "second period")
	assertDecimal(t, "106.94", p1.Covered, "first period's subsidy")
	assertDecimal(t, "379.65", p2.Covered, "second period's subsidy")
	assertDecimal(t, "486.59", dec.Schedule.Interest, "interest")
	assertDecimal(t, "486.59", dec.Schedule.Covered, "subsidy")
	assertDecimal(t, "0", dec.Schedule.Borrower, "borrower")
	assertDecimal(t, "50000.00", dec.SubsidisedPrincipal, "subsidised principal")
	assert.Equal(t, day("2023-12-31"), dec.Until)
	assert.Empty(t, dec.Notes, "3.85% was the 1-year LPR on 2021-09-01")
}

func TestSubsidyCases(t *testing.T) {
	tests := []struct {
		name                              string
		edit                              func(*loan.Loan)
		overlay                           []rules.Source
		eligible                          bool
		reasons                           []string
		interest, covered, borrower, over string
		periods                           int
	}{
		{name: "50,000.00 strict", edit: func(l *loan.Loan) {}, eligible: true,
			interest: "486.59", covered: "486.59", borrower: "0", periods: 2},
		{name: "50,000.01 strict is refused", edit: func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("50000.01"), d("50000.01")
		}, reasons: []string{"principal-over-cap"}, interest: "486.59", covered: "0", borrower: "486.59", periods: 2},
		{name: "50,000.00 first portion", edit: func(l *loan.Loan) {}, overlay: []rules.Source{firstPortion}, eligible: true,
			interest: "486.59", covered: "486.59", borrower: "0", periods: 2},
		{name: "50,000.01 first portion covers 50,000.00 of it", edit: func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("50000.01"), d("50000.01")
		}, overlay: []rules.Source{firstPortion}, eligible: true,
			interest: "486.59", covered: "486.59", borrower: "0", periods: 2},
		{name: "80,000.00 strict is refused", edit: func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("80000.00"), d("80000.00")
		}, reasons: []string{"principal-over-cap"}, interest: "778.55", covered: "0", borrower: "778.55", periods: 2},
		{name: "80,000.00 first portion covers 50,000", edit: func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("80000.00"), d("80000.00")
		}, overlay: []rules.Source{firstPortion}, eligible: true,
			interest: "778.55", covered: "486.59", borrower: "291.96", periods: 2},
		{name: "across the cutoff: split inside one period", edit: func(l *loan.Loan) {
			// 2023-12-21..2024-01-10: 11 days covered (11 × 50000 × 0.0385 / 360
			// = 58.819…) and 10 not; the period's 112.29 splits 58.82 + 53.47.
			l.Start, l.Maturity = day("2023-12-01"), day("2024-12-01")
			l.Repayments = []loan.Repayment{{Date: day("2024-01-11"), Amount: d("50000.00")}}
		}, eligible: true, interest: "219.23", covered: "165.76", borrower: "53.47", periods: 2},
		{name: "starts on the cutoff", edit: func(l *loan.Loan) {
			l.Start, l.Maturity = day("2023-12-31"), day("2024-12-31")
			l.Repayments = []loan.Repayment{{Date: day("2024-01-02"), Amount: d("50000.00")}}
		}, eligible: true, interest: "10.69", covered: "5.35", borrower: "5.34", periods: 1},
		{name: "starts after the cutoff", edit: func(l *loan.Loan) {
			l.Start, l.Maturity = day("2024-01-01"), day("2025-01-01")
			l.Repayments = []loan.Repayment{{Date: day("2024-03-01"), Amount: d("50000.00")}}
		}, reasons: []string{"starts-after-cutoff"}, interest: "320.83", covered: "0", borrower: "320.83", periods: 1},
		{name: "borrower not covered", edit: func(l *loan.Loan) { l.PovertyRelieved = false },
			reasons: []string{"not-covered-population"}, interest: "486.59", covered: "0", borrower: "486.59", periods: 2},
		{name: "monitored borrower is covered", edit: func(l *loan.Loan) { l.PovertyRelieved, l.Monitored = false, true },
			eligible: true, interest: "486.59", covered: "486.59", borrower: "0", periods: 2},
		{name: "every reason at once", edit: func(l *loan.Loan) {
			l.PovertyRelieved, l.Principal = false, d("60000.00")
			l.Start, l.Maturity = day("2024-01-01"), day("2025-01-01")
			l.Repayments = []loan.Repayment{{Date: day("2024-03-01"), Amount: d("60000.00")}}
		}, reasons: []string{"not-covered-population", "principal-over-cap", "starts-after-cutoff"},
			interest: "385.00", covered: "0", borrower: "385.00", periods: 1},
		{name: "started before the policy is not in force", edit: func(l *loan.Loan) {
			l.Start, l.Maturity = day("2021-08-01"), day("2022-08-01")
		}, reasons: []string{"not-in-force"}, interest: "652.36", covered: "0", borrower: "652.36", periods: 2},
		{name: "started before the first LPR is still decided", edit: func(l *loan.Loan) {
			l.Start, l.Maturity = day("2020-01-02"), day("2021-01-02")
			l.Repayments[0].Date = day("2020-02-01")
		}, reasons: []string{"not-in-force"}, interest: "160.42", covered: "0", borrower: "160.42", periods: 1},
		{name: "partial repayments lower the balance from their day", edit: func(l *loan.Loan) {
			// 20 days on 50,000 in the first period; 10 on 50,000 and 61 on
			// 30,000 in the second: 106.94 + 249.18.
			l.Repayments = []loan.Repayment{{Date: day("2021-10-01"), Amount: d("20000.00")}, {Date: day("2021-12-01"), Amount: d("30000.00")}}
		}, eligible: true, interest: "356.12", covered: "356.12", borrower: "0", periods: 2},
		{name: "first portion: the cap holds until the balance falls below it", edit: func(l *loan.Loan) {
			// 80,000 for 30 days (50,000 covered), then 40,000 for 61 days (all covered).
			l.Principal = d("80000.00")
			l.Repayments = []loan.Repayment{{Date: day("2021-10-01"), Amount: d("40000.00")}, {Date: day("2021-12-01"), Amount: d("40000.00")}}
		}, overlay: []rules.Source{firstPortion}, eligible: true, interest: "517.61", covered: "421.36", borrower: "96.25", periods: 2},
		{name: "extension with its own rate", edit: func(l *loan.Loan) {
			// 61 days at 3.85% (326.18), then 30 at 4.35% (181.25).
			l.Maturity = day("2021-11-01")
			l.Extension = &loan.Extension{To: day("2022-02-01"), Rate: d("0.0435")}
		}, eligible: true, interest: "507.43", covered: "507.43", borrower: "0", periods: 2},
		{name: "extension keeping the contract rate", edit: func(l *loan.Loan) {
			l.Maturity = day("2021-11-01")
			l.Extension = &loan.Extension{To: day("2022-02-01")}
		}, eligible: true, interest: "486.59", covered: "486.59", borrower: "0", periods: 2},
		{name: "overdue interest is never covered", edit: func(l *loan.Loan) {
			// due 2021-11-01, repaid 2021-12-01: 30 overdue days.
			l.Maturity = day("2021-11-01")
		}, eligible: true, interest: "486.59", covered: "326.18", borrower: "160.41", over: "160.41", periods: 2},
		{name: "overdue after an extension", edit: func(l *loan.Loan) {
			l.Maturity = day("2021-10-01")
			l.Extension = &loan.Extension{To: day("2021-11-01")}
		}, eligible: true, interest: "486.59", covered: "326.18", borrower: "160.41", over: "160.41", periods: 2},
		{name: "act/365 through an overlay", edit: func(l *loan.Loan) {}, overlay: []rules.Source{act365}, eligible: true,
			interest: "479.93", covered: "479.93", borrower: "0", periods: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base()
			tt.edit(&l)
			dec, err := calc(t, tt.overlay...).Subsidy(context.Background(), l)
			require.NoError(t, err)
			assert.Equal(t, tt.eligible, dec.Granted, "eligible")
			assert.Equal(t, tt.reasons, codes(dec.Reasons))
			assert.Len(t, dec.Schedule.Periods, tt.periods)
			assertDecimal(t, tt.interest, dec.Schedule.Interest, "interest")
			assertDecimal(t, tt.covered, dec.Schedule.Covered, "covered")
			assertDecimal(t, tt.borrower, dec.Schedule.Borrower, "borrower")
			if tt.over == "" {
				tt.over = "0"
				assert.NotContains(t, noteCodes(dec.Notes), loan.NoteOverdue)
			} else {
				assert.Contains(t, noteCodes(dec.Notes), loan.NoteOverdue)
			}
			assertDecimal(t, tt.over, dec.Schedule.Overdue, "overdue")
			if !tt.eligible {
				assert.True(t, dec.SubsidisedPrincipal.IsZero(), "subsidised principal %s when not eligible", dec.SubsidisedPrincipal)
			}
		})
	}
}

func TestRenewalIsANewLoan(t *testing.T) {
	c := calc(t)
	// L-1 runs from 2023-03-01; it is repaid on 2023-12-01 with a renewal
	// L-2 that starts that day. Each is judged and accrued on its own.
	first := base()
	first.ID, first.Start, first.Maturity = "L-1", day("2023-03-01"), day("2023-12-01")
	first.Repayments = []loan.Repayment{{Date: day("2023-12-01"), Amount: d("50000.00")}}
	renewal := base()
	renewal.ID, renewal.Renews = "L-2", "L-1"
	renewal.Start, renewal.Maturity = day("2023-12-01"), day("2024-12-01")
	renewal.Repayments = []loan.Repayment{{Date: day("2024-03-01"), Amount: d("50000.00")}}
	late := renewal
	late.ID, late.Start, late.Maturity = "L-3", day("2024-02-01"), day("2025-02-01")
	late.Repayments = []loan.Repayment{{Date: day("2024-05-01"), Amount: d("50000.00")}}

	tests := []struct {
		l                 loan.Loan
		reasons           []string
		interest, covered string
	}{
		{first, nil, "1470.47", "1470.47"},
		// 31 days to 12-31 covered, 60 days of 2024 not.
		{renewal, nil, "486.59", "165.76"},
		{late, []string{"starts-after-cutoff"}, "481.25", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.l.ID, func(t *testing.T) {
			dec, err := c.Subsidy(context.Background(), tt.l)
			require.NoError(t, err)
			assert.Equal(t, tt.reasons, codes(dec.Reasons))
			assert.Equal(t, tt.l.Renews, dec.Renews)
			assertDecimal(t, tt.interest, dec.Schedule.Interest, "interest")
			assertDecimal(t, tt.covered, dec.Schedule.Covered, "covered")
		})
	}
	self := renewal
	self.Renews = self.ID
	_, err := c.Subsidy(context.Background(), self)
	var fe *loan.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "renews", fe.Field)
}

func TestRateAboveLPRIsAFinding(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*loan.Loan)
		messages []string
	}{
		{"at the 1-year LPR", func(l *loan.Loan) {}, nil},
		{"above the 1-year LPR", func(l *loan.Loan) { l.AnnualRate = d("0.0465") },
			[]string{"合同年利率 4.65% 高于放款日 2021-09-01 的一年期LPR 3.85%（2020-04-20 起）"}},
		{"a 3-year term is held to the 5-year-plus LPR", func(l *loan.Loan) {
			l.AnnualRate, l.Maturity = d("0.0465"), day("2024-09-01")
		}, nil},
		{"one year exactly is a 1-year term", func(l *loan.Loan) {
			l.AnnualRate, l.Maturity = d("0.0400"), day("2022-09-01")
		}, []string{"合同年利率 4.00% 高于放款日 2021-09-01 的一年期LPR 3.85%（2020-04-20 起）"}},
		{"a day over one year is held to the 5-year-plus LPR", func(l *loan.Loan) {
			l.AnnualRate, l.Maturity = d("0.0400"), day("2022-09-02")
		}, nil},
		{"the LPR published on the start day applies", func(l *loan.Loan) {
			l.Start, l.Maturity = day("2021-12-20"), day("2022-12-20")
			l.Repayments[0].Date = day("2022-03-01")
		}, []string{"合同年利率 3.85% 高于放款日 2021-12-20 的一年期LPR 3.80%（2021-12-20 起）"}},
		{"the day before, it does not", func(l *loan.Loan) {
			l.Start, l.Maturity = day("2021-12-19"), day("2022-12-19")
			l.Repayments[0].Date = day("2022-03-01")
		}, nil},
		{"an extension's rate is held to the LPR on the extension day, of the whole term's tier", func(l *loan.Loan) {
			// 2021-09-01..2022-06-01 extended to 2022-12-01: 15 months, so the
			// 5-year-plus LPR in force on 2022-06-01 (4.45%).
			l.Maturity = day("2022-06-01")
			l.Extension = &loan.Extension{To: day("2022-12-01"), Rate: d("0.0450")}
		}, []string{"展期年利率 4.50% 高于展期日 2022-06-01 的五年期以上LPR 4.45%（2022-05-20 起）"}},
		{"both rates above", func(l *loan.Loan) {
			l.AnnualRate, l.Maturity = d("0.0400"), day("2022-03-01")
			l.Extension = &loan.Extension{To: day("2022-08-01"), Rate: d("0.0400")}
		}, []string{"合同年利率 4.00% 高于放款日 2021-09-01 的一年期LPR 3.85%（2020-04-20 起）",
			"展期年利率 4.00% 高于展期日 2022-03-01 的一年期LPR 3.70%（2022-01-20 起）"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base()
			tt.edit(&l)
			dec, err := calc(t).Subsidy(context.Background(), l)
			require.NoError(t, err)
			assert.True(t, dec.Granted, "a finding does not refuse the subsidy")
			var got []string
			for _, f := range dec.Notes {
				assert.Equal(t, loan.NoteRateAboveLPR, f.Code)
				got = append(got, f.Message)
			}
			assert.Equal(t, tt.messages, got)
		})
	}
}

func TestValidationNamesTheField(t *testing.T) {
	tests := []struct {
		name, field string
		edit        func(*loan.Loan)
	}{
		{"no principal", "principal", func(l *loan.Loan) { l.Principal = decimal.Decimal{} }},
		{"zero principal", "principal", func(l *loan.Loan) { l.Principal = d("0") }},
		{"negative principal", "principal", func(l *loan.Loan) { l.Principal = d("-100") }},
		{"principal with 3 places", "principal", func(l *loan.Loan) { l.Principal = d("100.001") }},
		{"absurd principal", "principal", func(l *loan.Loan) { l.Principal = d("1e16") }},
		{"rate as a percent", "annual_rate", func(l *loan.Loan) { l.AnnualRate = d("3.85") }},
		{"rate just above 24%", "annual_rate", func(l *loan.Loan) { l.AnnualRate = d("0.2400001") }},
		{"zero rate", "annual_rate", func(l *loan.Loan) { l.AnnualRate = d("0") }},
		{"no start", "start", func(l *loan.Loan) { l.Start = rules.Date{} }},
		{"no maturity", "maturity", func(l *loan.Loan) { l.Maturity = rules.Date{} }},
		{"maturity on the start", "maturity", func(l *loan.Loan) { l.Maturity = l.Start }},
		{"maturity before the start", "maturity", func(l *loan.Loan) { l.Maturity = day("2021-08-31") }},
		{"repayment on the start", "repayments", func(l *loan.Loan) { l.Repayments[0].Date = day("2021-09-01") }},
		{"repayment before the start", "repayments", func(l *loan.Loan) { l.Repayments[0].Date = day("2021-08-01") }},
		{"repayment with no date", "repayments", func(l *loan.Loan) { l.Repayments[0].Date = rules.Date{} }},
		{"repayments out of order", "repayments", func(l *loan.Loan) {
			l.Repayments = []loan.Repayment{{Date: day("2021-12-01"), Amount: d("100.00")}, {Date: day("2021-11-01"), Amount: d("100.00")}}
		}},
		{"repayment above the balance", "repayments", func(l *loan.Loan) { l.Repayments[0].Amount = d("50000.01") }},
		{"repayments adding up above the balance", "repayments", func(l *loan.Loan) {
			l.Repayments = append(l.Repayments, loan.Repayment{Date: day("2021-12-02"), Amount: d("0.01")})
		}},
		{"negative repayment", "repayments", func(l *loan.Loan) { l.Repayments[0].Amount = d("-1") }},
		{"repayment with 3 places", "repayments", func(l *loan.Loan) { l.Repayments[0].Amount = d("0.001") }},
		{"extension not after maturity", "extended_to", func(l *loan.Loan) { l.Extension = &loan.Extension{To: day("2022-09-01")} }},
		{"extension without a date", "extended_to", func(l *loan.Loan) { l.Extension = &loan.Extension{Rate: d("0.04")} }},
		{"extension rate as a percent", "extension_rate", func(l *loan.Loan) {
			l.Extension = &loan.Extension{To: day("2023-09-01"), Rate: d("4.35")}
		}},
		{"negative extension rate", "extension_rate", func(l *loan.Loan) {
			l.Extension = &loan.Extension{To: day("2023-09-01"), Rate: d("-0.01")}
		}},
		{"renews itself", "renews", func(l *loan.Loan) { l.Renews = l.ID }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base()
			tt.edit(&l)
			err := l.Validate()
			var fe *loan.FieldError
			require.True(t, errors.As(err, &fe), "Validate() = %v, want a *FieldError", err)
			assert.Equal(t, tt.field, fe.Field)
			assert.True(t, strings.HasPrefix(err.Error(), "loan L: "+tt.field+": "), "Error() = %q", err)
			_, err = loan.Accrue(l, loan.Options{})
			assert.ErrorAs(t, err, &fe, "Accrue validates")
			_, err = calc(t).Subsidy(context.Background(), l)
			assert.ErrorAs(t, err, &fe, "Subsidy validates")
		})
	}
}

func TestValidLoans(t *testing.T) {
	tests := []struct {
		name string
		edit func(*loan.Loan)
	}{
		{"the base loan", func(l *loan.Loan) {}},
		{"trailing zeros are still 2 places", func(l *loan.Loan) {
			l.Principal, l.Repayments[0].Amount = d("50000.000"), d("50000")
		}},
		{"rate of 24%", func(l *loan.Loan) { l.AnnualRate = d("0.24") }},
		{"not repaid yet", func(l *loan.Loan) { l.Repayments = nil }},
		{"repaid after maturity", func(l *loan.Loan) { l.Repayments[0].Date = day("2022-10-01") }},
		{"two repayments on one day", func(l *loan.Loan) {
			l.Repayments = []loan.Repayment{{Date: day("2021-12-01"), Amount: d("25000")}, {Date: day("2021-12-01"), Amount: d("25000")}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base()
			tt.edit(&l)
			assert.NoError(t, l.Validate())
			_, err := calc(t).Subsidy(context.Background(), l)
			assert.NoError(t, err)
		})
	}
}

func TestSettlementConventions(t *testing.T) {
	l := base()
	l.Start, l.Maturity = day("2022-01-01"), day("2023-01-01")
	l.Repayments = []loan.Repayment{{Date: day("2023-01-01"), Amount: d("50000.00")}}
	tests := []struct {
		settlement loan.Settlement
		ends       []string // the last day of each period
		interest   string
	}{
		{loan.Quarterly, []string{"2022-03-20", "2022-06-20", "2022-09-20", "2022-12-20", "2022-12-31"}, "1951.73"},
		{loan.Monthly, []string{"2022-01-20", "2022-02-20", "2022-03-20", "2022-04-20", "2022-05-20", "2022-06-20",
			"2022-07-20", "2022-08-20", "2022-09-20", "2022-10-20", "2022-11-20", "2022-12-20", "2022-12-31"}, "1951.72"},
		{loan.Yearly, []string{"2022-12-20", "2022-12-31"}, "1951.74"},
		{loan.AtMaturity, []string{"2022-12-31"}, "1951.74"},
	}
	for _, tt := range tests {
		t.Run(tt.settlement.String(), func(t *testing.T) {
			s, err := loan.Accrue(l, loan.Options{Settlement: tt.settlement})
			require.NoError(t, err)
			var ends []string
			from := l.Start
			for _, p := range s.Periods {
				assert.Equal(t, from, p.From, "periods follow each other")
				from = p.To
				ends = append(ends, p.To.AddDays(-1).String())
			}
			assert.Equal(t, tt.ends, ends)
			assertDecimal(t, tt.interest, s.Interest, "interest")
			assert.Equal(t, tt.settlement, s.Settlement)
			assert.Equal(t, loan.Act360, s.DayBasis, "the zero DayBasis is act/360")
		})
	}
	// 365 days at 3.85% on act/365 is exactly 1925.00.
	s, err := loan.Accrue(l, loan.Options{Settlement: loan.AtMaturity, DayBasis: loan.Act365})
	require.NoError(t, err)
	assertDecimal(t, "1925.00", s.Interest, "a year at 3.85% on act/365")

	_, err = loan.Accrue(l, loan.Options{DayBasis: 366})
	assert.ErrorContains(t, err, "day basis 366")
	_, err = loan.Accrue(l, loan.Options{Settlement: 7})
	assert.ErrorContains(t, err, "unknown settlement 7")
	_, err = loan.New(loan.WithSettlement(-1))
	assert.ErrorContains(t, err, "unknown settlement -1")
}

func TestSettlementBoundaries(t *testing.T) {
	// A loan starting on the 20th, the 21st and on 20 December.
	tests := []struct {
		start      string
		settlement loan.Settlement
		firstEnd   string
	}{
		{"2022-03-20", loan.Quarterly, "2022-03-20"},
		{"2022-03-21", loan.Quarterly, "2022-06-20"},
		{"2022-12-20", loan.Quarterly, "2022-12-20"},
		{"2022-12-21", loan.Quarterly, "2023-03-20"},
		{"2022-12-21", loan.Monthly, "2023-01-20"},
		{"2022-12-21", loan.Yearly, "2023-12-20"},
		{"2022-01-31", loan.Monthly, "2022-02-20"},
	}
	for _, tt := range tests {
		t.Run(tt.settlement.String()+" from "+tt.start, func(t *testing.T) {
			l := base()
			l.Start, l.Maturity, l.Repayments = day(tt.start), day(tt.start).AddDays(800), nil
			s, err := loan.Accrue(l, loan.Options{Settlement: tt.settlement})
			require.NoError(t, err)
			assert.Equal(t, tt.firstEnd, s.Periods[0].To.AddDays(-1).String())
		})
	}
}

func TestParseSettlement(t *testing.T) {
	for _, s := range []loan.Settlement{loan.Quarterly, loan.Monthly, loan.Yearly, loan.AtMaturity} {
		got, err := loan.ParseSettlement(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back loan.Settlement
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	_, err := loan.ParseSettlement("weekly")
	assert.ErrorContains(t, err, `settlement "weekly"`)
	assert.Equal(t, "Settlement(9)", loan.Settlement(9).String())
	_, err = loan.Settlement(9).MarshalText()
	assert.Error(t, err)
	assert.Equal(t, "act/360", loan.Act360.String())
}

func TestAccrueUntil(t *testing.T) {
	l := base()
	l.Maturity, l.Repayments = day("2021-11-01"), []loan.Repayment{{Date: day("2021-10-01"), Amount: d("20000.00")}}
	tests := []struct {
		name                   string
		until                  string
		end                    string
		interest, overdue, out string
	}{
		// 30 days on 50,000 then 31 on 30,000, in two periods.
		{"no until: a projection to the due day", "", "2021-11-01", "259.87", "0", "30000.00"},
		{"an as-of day before the due day", "2021-10-11", "2021-10-11", "192.50", "0", "30000.00"},
		// 30 days overdue on 30,000: 96.25.
		{"an as-of day past the due day", "2021-12-01", "2021-12-01", "356.12", "96.25", "30000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := loan.Options{}
			if tt.until != "" {
				o.Until = day(tt.until)
			}
			s, err := loan.Accrue(l, o)
			require.NoError(t, err)
			assert.Equal(t, day(tt.end), s.End)
			assertDecimal(t, tt.interest, s.Interest, "interest")
			assertDecimal(t, tt.overdue, s.Overdue, "overdue")
			assertDecimal(t, tt.out, s.Outstanding, "outstanding")
			assertDecimal(t, "0", s.Covered, "Accrue covers nothing")
			assertDecimal(t, tt.interest, s.Borrower, "borrower")
		})
	}
	_, err := loan.Accrue(l, loan.Options{Until: l.Start})
	assert.ErrorContains(t, err, "is not after the start")
}

func TestParse(t *testing.T) {
	row := map[string]string{"id": "P1", "poverty_relieved": "是", "monitored": "否", "principal": "50,000.00",
		"annual_rate": "0.0385", "start": "2021-09-01", "maturity": "2022-09-01", "repaid_on": "2021-12-01"}
	parse := func(edit map[string]string) (loan.Loan, error) {
		m := map[string]string{}
		for k, v := range row {
			m[k] = v
		}
		for k, v := range edit {
			m[k] = v
		}
		return loan.Parse(func(name string) string { return m[name] })
	}
	l, err := parse(nil)
	require.NoError(t, err)
	want := base()
	want.ID = "P1"
	assert.Equal(t, want.ID, l.ID)
	assert.True(t, l.PovertyRelieved)
	assertDecimal(t, "50000.00", l.Principal, "principal")
	assert.Equal(t, want.Repayments[0].Date, l.Repayments[0].Date)
	assertDecimal(t, "50000.00", l.Repayments[0].Amount, "repaid")

	l, err = parse(map[string]string{"repaid_on": "", "repayments": "2021-10-01:20000.00; 2021-12-01:30000.00",
		"extended_to": "2022-12-01", "extension_rate": "0.0400", "renews": "P0"})
	require.NoError(t, err)
	assert.Len(t, l.Repayments, 2)
	assert.Equal(t, day("2022-12-01"), l.Extension.To)
	assertDecimal(t, "0.04", l.Extension.Rate, "extension rate")
	assert.Equal(t, "P0", l.Renews)

	tests := []struct {
		name  string
		edit  map[string]string
		field string
		is    error
	}{
		{"missing bool", map[string]string{"monitored": ""}, "monitored", rules.ErrMissing},
		{"bad bool", map[string]string{"monitored": "也许"}, "monitored", rules.ErrInvalid},
		{"money with 3 places", map[string]string{"principal": "100.001"}, "principal", rules.ErrInvalid},
		{"money with an exponent", map[string]string{"principal": "5e4"}, "principal", rules.ErrInvalid},
		{"rate as a percent", map[string]string{"annual_rate": "3.85"}, "annual_rate", nil},
		{"bad date", map[string]string{"start": "2021-02-30"}, "start", rules.ErrInvalid},
		{"maturity before start", map[string]string{"maturity": "2021-08-01"}, "maturity", nil},
		{"extension rate alone", map[string]string{"extension_rate": "0.04"}, "extension_rate", nil},
		{"both repaid_on and repayments", map[string]string{"repayments": "2021-12-01:1.00"}, "repayments", nil},
		{"repayment without amount", map[string]string{"repaid_on": "", "repayments": "2021-12-01"}, "repayments", nil},
		{"repayment above the principal", map[string]string{"repaid_on": "", "repayments": "2021-12-01:50000.01"}, "repayments", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(tt.edit)
			var fe *loan.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, "P1", fe.Loan)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
		})
	}
	var names []string
	for _, f := range loan.Fields() {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{"id", "poverty_relieved", "monitored", "principal", "annual_rate", "start", "maturity",
		"repaid_on", "repayments", "extended_to", "extension_rate", "renews"}, names)
}

func TestWriteTextNotEligible(t *testing.T) {
	l := base()
	l.ID, l.PovertyRelieved, l.Renews = "L9", false, "L8"
	l.Maturity = day("2021-11-01")
	dec, err := calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, dec.WriteText(&b))
	text := b.String()
	for _, want := range []string{
		"续贷：接续原贷款 L8",
		"贴息资格：不符合",
		"原因：借款人既不是脱贫人口也不是监测对象（not-covered-population）",
		"2021-11-01 至 2021-11-30 30 天，本金余额 50000.00 元，年利率 3.85%，逾期，不贴息",
		"合计：利息 486.59 元，贴息 0.00 元，借款人负担 486.59 元",
		"审计提示（overdue-interest）：到期日 2021-11-01 起产生逾期利息 160.41 元，不予贴息",
	} {
		assert.Contains(t, text, want)
	}
}

func TestNewNeedsTheRule(t *testing.T) {
	set, err := rules.Compile(rules.Source{Name: "other.yaml", Data: []byte(`policy: {id: other, title: 另一份文件}
`)})
	require.NoError(t, err)
	_, err = loan.New(loan.WithPolicy(set))
	assert.ErrorContains(t, err, `has no rule "microloan-interest-subsidy"`)
	_, err = loan.New(loan.WithPolicy(nil))
	assert.Error(t, err)
}

func TestLeapDayTermIsOneYear(t *testing.T) {
	// From 29 February, a year runs to 28 February: held to the 1-year LPR
	// (3.45% on 2024-02-29), not the 5-year-plus (3.95%).
	l := base()
	l.AnnualRate, l.Start, l.Maturity = d("0.0390"), day("2024-02-29"), day("2025-02-28")
	l.Repayments[0].Date = day("2024-06-01")
	dec, err := calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	assert.Equal(t, []string{loan.NoteRateAboveLPR}, noteCodes(dec.Notes))
	l.Maturity = day("2025-03-01")
	dec, err = calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	assert.Empty(t, dec.Notes)
}

func TestBadDayBasisInThePolicy(t *testing.T) {
	c := calc(t, rules.Source{Name: "odd.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_day_basis:
    values:
      - {from: "2022-01-01", value: 366, basis: 试算}
`)})
	_, err := c.Subsidy(context.Background(), base())
	require.NoError(t, err, "the 360 in force on 2021-09-01 applies")
	l := base()
	l.Start, l.Maturity, l.Repayments = day("2022-02-01"), day("2023-02-01"), nil
	_, err = c.Subsidy(context.Background(), l)
	assert.ErrorContains(t, err, "parameter microloan_day_basis is 366 on 2022-02-01; want 360 or 365")
}

func TestLoanFromJSON(t *testing.T) {
	var l loan.Loan
	require.NoError(t, json.Unmarshal([]byte(`{"id": "J1", "poverty_relieved": true, "principal": "50000.00",
		"annual_rate": 0.0385, "start": "2021-09-01", "maturity": "2022-09-01",
		"repayments": [{"date": "2021-12-01", "amount": "50000.00"}]}`), &l))
	want := base()
	want.ID = "J1"
	assert.Equal(t, want.Start, l.Start)
	assertDecimal(t, "0.0385", l.AnnualRate, "a JSON number is read from its text")
	dec, err := calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	assertDecimal(t, "486.59", dec.Schedule.Covered, "subsidy")
}

func TestCalculatorIsSafeForConcurrentUse(t *testing.T) {
	c := calc(t, firstPortion)
	want, err := c.Subsidy(context.Background(), base())
	require.NoError(t, err)
	done := make(chan loan.Decision)
	for i := 0; i < 8; i++ {
		go func() {
			d, _ := c.Subsidy(context.Background(), base())
			done <- d
		}()
	}
	for i := 0; i < 8; i++ {
		d := <-done
		assert.True(t, want.Schedule.Covered.Equal(d.Schedule.Covered))
		assert.Equal(t, len(want.Schedule.Periods), len(d.Schedule.Periods))
	}
}

func TestAcrossRefusesALoanListedTwice(t *testing.T) {
	c := calc(t)
	ctx := context.Background()
	tally := c.Policy().NewTally("loans.csv", nil)
	l := base()
	first, err := c.Subsidy(ctx, l)
	require.NoError(t, err)
	first, err = c.Across(ctx, tally, 2, l, first)
	require.NoError(t, err)
	assert.True(t, first.Granted)
	assertDecimal(t, "486.59", first.Schedule.Covered, "the first listing is subsidised")

	second, err := c.Subsidy(ctx, l)
	require.NoError(t, err)
	second, err = c.Across(ctx, tally, 5, l, second)
	require.NoError(t, err)
	assert.False(t, second.Granted)
	assert.Equal(t, []string{"duplicate-loan"}, codes(second.Reasons))
	assert.Contains(t, second.Reasons[0].Message, "loans.csv 第 2 行")
	assertDecimal(t, "486.59", second.Schedule.Interest, "the interest is still computed")
	assertDecimal(t, "0", second.Schedule.Covered, "none of it subsidised")
	assertDecimal(t, "486.59", second.Schedule.Borrower, "all of it the borrower's")
}
