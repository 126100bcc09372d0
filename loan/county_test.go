package loan_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/quick"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lprCap is a county that subsidises interest at most at the 1-year LPR.
var lprCap = rules.Source{Name: "lpr.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_subsidy_rate_cap_lpr_1y:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 按一年期LPR贴息}
`)}

// flatCap returns a county that subsidises interest at most at rate.
func flatCap(rate string) rules.Source {
	return rules.Source{Name: "flat.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_subsidy_rate_cap:
    values:
      - {from: "2021-08-19", value: "` + rate + `", basis: 某县 贴息利率上限}
`)}
}

// prePolicy is a county that subsidises the interest a loan made before
// the policy accrued from the policy's effective date on.
var prePolicy = rules.Source{Name: "pre.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_pre_policy_interest:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 政策施行前发放的贷款自施行日起贴息}
`)}

// coveredDayByDay is the subsidy of the days of [from, to) from first to
// until (inclusive) and before the due day, summed one day at a time from
// the definition: the balance after the repayments made on or before the
// day, times the lower of the day's rate and rateCap (zero: no cap), before
// division by the day basis.
func coveredDayByDay(l loan.Loan, from, to, first, until rules.Date, rateCap decimal.Decimal) decimal.Decimal {
	var sum decimal.Decimal
	for day := from; day.Before(to); day = day.AddDays(1) {
		if day.Before(first) || day.After(until) || !day.Before(l.Due()) {
			continue
		}
		b := l.Principal
		for _, r := range l.Repayments {
			if !r.Date.After(day) {
				b = b.Sub(r.Amount)
			}
		}
		rate := l.AnnualRate
		if l.Extension != nil && !l.Extension.Rate.IsZero() && !day.Before(l.Maturity) {
			rate = l.Extension.Rate
		}
		if rateCap.IsPositive() && rateCap.LessThan(rate) {
			rate = rateCap
		}
		sum = sum.Add(b.Mul(rate))
	}
	return sum
}

// at435 is 50,000.00 at 4.35% for a year from 2021-09-01, 20,000.00 repaid
// on 2022-01-10 and the rest at maturity: its periods cross the LPR cut of
// 2021-12-20 and a repayment.
func at435() loan.Loan {
	return loan.Loan{ID: "L435", PovertyRelieved: true, Principal: d("50000.00"), AnnualRate: d("0.0435"),
		Start: day("2021-09-01"), Maturity: day("2022-09-01"),
		Repayments: []loan.Repayment{{Date: day("2022-01-10"), Amount: d("20000.00")}, {Date: day("2022-09-01"), Amount: d("30000.00")}}}
}

func TestSubsidyCappedAtTheOneYearLPR(t *testing.T) {
	l := at435()
	dec, err := calc(t, lprCap).Subsidy(context.Background(), l)
	require.NoError(t, err)
	require.True(t, dec.Granted)
	assertDecimal(t, "0.0385", dec.SubsidyRateCap, "the 1-year LPR in force on the start day (2020-04-20 value)")

	// Each period, to the fen: the interest at 4.35%, the subsidy at 3.85%,
	// and the borrower the difference.
	want := []struct{ from, to, interest, covered, borrower string }{
		{"2021-09-01", "2021-09-21", "120.83", "106.94", "13.89"},
		{"2021-09-21", "2021-12-21", "549.79", "486.60", "63.19"},
		{"2021-12-21", "2022-03-21", "374.58", "331.53", "43.05"},
		{"2022-03-21", "2022-06-21", "333.50", "295.17", "38.33"},
		{"2022-06-21", "2022-09-01", "261.00", "231.00", "30.00"},
	}
	require.Len(t, dec.Schedule.Periods, len(want))
	basis := decimal.NewFromInt(360)
	for i, w := range want {
		p := dec.Schedule.Periods[i]
		assert.Equal(t, w.from, p.From.String())
		assert.Equal(t, w.to, p.To.String())
		assertDecimal(t, w.interest, p.Interest, "interest of "+w.from)
		assertDecimal(t, w.covered, p.Covered, "subsidy of "+w.from)
		assertDecimal(t, w.borrower, p.Borrower, "borrower's share of "+w.from)
		all := coveredDayByDay(l, p.From, p.To, rules.Date{}, day("2023-12-31"), decimal.Zero)
		capped := coveredDayByDay(l, p.From, p.To, rules.Date{}, day("2023-12-31"), d("0.0385"))
		assertDecimal(t, all.DivRound(basis, 2).String(), p.Interest, "interest day by day, "+w.from)
		assertDecimal(t, capped.DivRound(basis, 2).String(), p.Covered, "subsidy day by day, "+w.from)
		assertDecimal(t, p.Interest.Sub(p.Covered).String(), p.Borrower, "borrower = interest − subsidy, "+w.from)
		for _, g := range p.Segments {
			assertDecimal(t, "0.0385", g.CoveredRate, "covered rate of "+g.From.String())
		}
	}
	assertDecimal(t, "1639.70", dec.Schedule.Interest, "interest")
	assertDecimal(t, "1451.24", dec.Schedule.Covered, "subsidy")
	assertDecimal(t, "188.46", dec.Schedule.Borrower, "borrower")
	assert.Equal(t, []string{loan.NoteSubsidyRateCapped, loan.NoteRateAboveLPR}, noteCodes(dec.Notes))
	assert.Contains(t, dec.Notes[0].Message, "一年期LPR 3.85%（2020-04-20 起）为上限，年利率 4.35% 超出部分的利息由借款人负担")

	var text strings.Builder
	require.NoError(t, dec.WriteText(&text))
	assert.Contains(t, text.String(), "贴息年利率至多 3.85%")
	assert.Contains(t, text.String(), "第 1 期 2021-09-01 至 2021-09-20（20 天）：利息 120.83 元，贴息 106.94 元，借款人负担 13.89 元")
	assert.Contains(t, text.String(), "年利率 4.35%，按年利率 3.85% 贴息")

	plain, err := calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	assert.True(t, plain.SubsidyRateCap.IsZero(), "the policy itself subsidises the contract rate")
	assertDecimal(t, "1639.70", plain.Schedule.Covered, "the default covers the interest in full")
	assertDecimal(t, "0.00", plain.Schedule.Borrower, "borrower under the default")
}

func TestSubsidyFlatRateCaps(t *testing.T) {
	tests := []struct {
		name     string
		overlays []rules.Source
		cap      string
		covered  string
		notes    []string
	}{
		{"3% of the balance", []rules.Source{flatCap("0.03")}, "0.03", "1130.83", []string{loan.NoteSubsidyRateCapped, loan.NoteRateAboveLPR}},
		{"5% is above the contract rate: all of it", []rules.Source{flatCap("0.05")}, "0.05", "1639.70", []string{loan.NoteRateAboveLPR}},
		{"3% and the LPR: the lower", []rules.Source{flatCap("0.03"), lprCap}, "0.03", "1130.83", []string{loan.NoteSubsidyRateCapped, loan.NoteRateAboveLPR}},
		{"5% and the LPR: the lower", []rules.Source{flatCap("0.05"), lprCap}, "0.0385", "1451.24", []string{loan.NoteSubsidyRateCapped, loan.NoteRateAboveLPR}},
	}
	l := at435()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := calc(t, tt.overlays...).Subsidy(context.Background(), l)
			require.NoError(t, err)
			assertDecimal(t, tt.cap, dec.SubsidyRateCap, "cap")
			assertDecimal(t, "1639.70", dec.Schedule.Interest, "interest")
			assertDecimal(t, tt.covered, dec.Schedule.Covered, "subsidy")
			assertDecimal(t, dec.Schedule.Interest.Sub(dec.Schedule.Covered).String(), dec.Schedule.Borrower, "borrower")
			assert.Equal(t, tt.notes, noteCodes(dec.Notes))
		})
	}

	_, err := calc(t, flatCap("0.50")).Subsidy(context.Background(), l)
	assert.ErrorContains(t, err, "parameter microloan_subsidy_rate_cap is 0.5 on 2021-09-01; want a rate in (0, 0.24]")
}

func TestLoanMadeBeforeThePolicy(t *testing.T) {
	l := loan.Loan{ID: "L0601", PovertyRelieved: true, Principal: d("30000.00"), AnnualRate: d("0.0385"),
		Start: day("2021-06-01"), Maturity: day("2022-06-01"),
		Repayments: []loan.Repayment{{Date: day("2021-12-01"), Amount: d("30000.00")}}}

	t.Run("not in force, the policy's reading", func(t *testing.T) {
		dec, err := calc(t).Subsidy(context.Background(), l)
		require.NoError(t, err)
		assert.False(t, dec.Granted)
		assert.Equal(t, []string{rules.ReasonNotInForce}, codes(dec.Reasons))
		assertDecimal(t, "587.13", dec.Schedule.Interest, "interest")
		assertDecimal(t, "0.00", dec.Schedule.Covered, "subsidy")
		assertDecimal(t, "587.13", dec.Schedule.Borrower, "borrower")
		assert.True(t, dec.CoveredFrom.IsZero())
	})

	t.Run("interest from the effective date, a county's reading", func(t *testing.T) {
		dec, err := calc(t, prePolicy).Subsidy(context.Background(), l)
		require.NoError(t, err)
		assert.True(t, dec.Granted)
		assert.Empty(t, dec.Reasons)
		assert.Equal(t, "2021-08-19", dec.CoveredFrom.String())
		assert.Equal(t, "2021-08-19", dec.Explanation().AsOf.String(), "judged on the day the rule took effect")
		want := []struct{ from, interest, covered, borrower string }{
			{"2021-06-01", "64.17", "0.00", "64.17"},     // 20 days before the policy
			{"2021-06-21", "295.17", "105.88", "189.29"}, // 59 days before, 33 days from 2021-08-19
			{"2021-09-21", "227.79", "227.79", "0.00"},   // 71 days, all covered
		}
		require.Len(t, dec.Schedule.Periods, len(want))
		basis := decimal.NewFromInt(360)
		for i, w := range want {
			p := dec.Schedule.Periods[i]
			assert.Equal(t, w.from, p.From.String())
			assertDecimal(t, w.interest, p.Interest, "interest of "+w.from)
			assertDecimal(t, w.covered, p.Covered, "subsidy of "+w.from)
			assertDecimal(t, w.borrower, p.Borrower, "borrower's share of "+w.from)
			covered := coveredDayByDay(l, p.From, p.To, day("2021-08-19"), day("2023-12-31"), decimal.Zero)
			assertDecimal(t, covered.DivRound(basis, 2).String(), p.Covered, "subsidy day by day, "+w.from)
		}
		seg := dec.Schedule.Periods[1].Segments
		require.Len(t, seg, 2, "the period is cut at the effective date")
		assert.Equal(t, "2021-08-19", seg[1].From.String())
		assert.False(t, seg[0].Covered)
		assert.True(t, seg[1].Covered)
		assertDecimal(t, "587.13", dec.Schedule.Interest, "interest")
		assertDecimal(t, "333.67", dec.Schedule.Covered, "subsidy")
		assertDecimal(t, "253.46", dec.Schedule.Borrower, "borrower")
		assert.Equal(t, []string{loan.NotePrePolicyInterest}, noteCodes(dec.Notes))

		var text strings.Builder
		require.NoError(t, dec.WriteText(&text))
		assert.Contains(t, text.String(), "贴息资格：符合，贴息本金 30000.00 元，贴息自 2021-08-19 起，贴息截至 2023-12-31（含当日）")
		assert.Contains(t, text.String(), "2021-06-21 至 2021-08-18 59 天，本金余额 30000.00 元，年利率 3.85%，政策施行前，不贴息")
		assert.Contains(t, text.String(), "说明（pre-policy-interest）：贷款于 2021-06-01 发放，早于政策施行日 2021-08-19，只对施行日起产生的利息贴息")

		js, err := json.Marshal(dec)
		require.NoError(t, err)
		assert.Contains(t, string(js), `"covered_from":"2021-08-19"`)
		var back loan.Decision
		require.NoError(t, json.Unmarshal(js, &back))
		assert.Equal(t, dec.CoveredFrom, back.CoveredFrom)
		assertDecimal(t, "333.67", back.Schedule.Covered, "read back")
	})

	t.Run("a loan made on the effective date is not cut", func(t *testing.T) {
		on := l
		on.Start = day("2021-08-19")
		dec, err := calc(t, prePolicy).Subsidy(context.Background(), on)
		require.NoError(t, err)
		assert.True(t, dec.Granted)
		assert.True(t, dec.CoveredFrom.IsZero())
		assert.Empty(t, dec.Notes)
		assert.True(t, dec.Schedule.Borrower.IsZero())
	})

	t.Run("a pre-policy loan not covered for another reason stays refused", func(t *testing.T) {
		other := l
		other.PovertyRelieved = false
		dec, err := calc(t, prePolicy).Subsidy(context.Background(), other)
		require.NoError(t, err)
		assert.False(t, dec.Granted)
		assert.Equal(t, []string{"not-covered-population"}, codes(dec.Reasons))
		assert.True(t, dec.Schedule.Covered.IsZero())
	})
}

// TestRateCapJSONReadsBack checks that the cap is written as the fraction
// it is and read back, and left out when there is none.
func TestRateCapJSONReadsBack(t *testing.T) {
	dec, err := calc(t, lprCap).Subsidy(context.Background(), at435())
	require.NoError(t, err)
	js, err := json.Marshal(dec)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"subsidy_rate_cap":"0.0385"`)
	assert.Contains(t, string(js), `"covered_rate":"0.0385"`)
	var back loan.Decision
	require.NoError(t, json.Unmarshal(js, &back))
	assertDecimal(t, "0.0385", back.SubsidyRateCap, "read back")
	assertDecimal(t, "0.0385", back.Schedule.Periods[0].Segments[0].CoveredRate, "segment read back")

	plain, err := calc(t).Subsidy(context.Background(), at435())
	require.NoError(t, err)
	js, err = json.Marshal(plain)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "subsidy_rate_cap")
	assert.NotContains(t, string(js), "covered_rate")
	assert.NotContains(t, string(js), "covered_from")
}

// TestCappedScheduleProperties checks random loans under a county that
// caps the subsidised rate at the lower of 3% and the 1-year LPR: every
// period's subsidy is the day-by-day sum at the capped rate, rounded
// half-up, never more than the interest, and the borrower pays the rest.
func TestCappedScheduleProperties(t *testing.T) {
	c := calc(t, flatCap("0.03"), lprCap)
	basis := decimal.NewFromInt(360)
	prop := func(seed [8]uint16) bool {
		l := genLoan(seed)
		dec, err := c.Subsidy(context.Background(), l)
		if err != nil {
			t.Logf("%+v: %v", l, err)
			return false
		}
		for _, p := range dec.Schedule.Periods {
			want := decimal.Zero
			if dec.Granted {
				want = coveredDayByDay(l, p.From, p.To, rules.Date{}, dec.Until, dec.SubsidyRateCap).DivRound(basis, 2)
			}
			if !want.Equal(p.Covered) || p.Covered.GreaterThan(p.Interest) || !p.Covered.Add(p.Borrower).Equal(p.Interest) {
				t.Logf("loan %+v period %s: interest %s, subsidy %s (day by day %s), borrower %s",
					l, p.From, p.Interest, p.Covered, want, p.Borrower)
				return false
			}
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 300}); err != nil {
		t.Error(err)
	}
}
