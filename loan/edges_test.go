package loan_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRepaymentErrorsNumberTheRepayment checks a bad repayment is named by
// its place in the list, from 1, whichever check it fails.
func TestRepaymentErrorsNumberTheRepayment(t *testing.T) {
	first := loan.Repayment{Date: day("2021-10-01"), Amount: d("40000.00")}
	tests := []struct {
		name   string
		second loan.Repayment
		want   string
	}{
		{"not after the start", loan.Repayment{Date: day("2021-09-01"), Amount: d("100.00")},
			`loan L: repayments: repayment 2 on "2021-09-01" is not after the start 2021-09-01`},
		{"before the one before it", loan.Repayment{Date: day("2021-09-30"), Amount: d("100.00")},
			"loan L: repayments: repayment 2 on 2021-09-30 comes before the one on 2021-10-01"},
		{"not more than 0", loan.Repayment{Date: day("2021-11-01"), Amount: d("-1")},
			"loan L: repayments: repayment 2 on 2021-11-01: -1 must be more than 0"},
		{"above the principal in all", loan.Repayment{Date: day("2021-11-01"), Amount: d("10000.01")},
			"loan L: repayments: repayment 2 on 2021-11-01 of 10000.01 takes the repaid total above the principal 50000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base()
			l.Repayments = []loan.Repayment{first, tt.second}
			assert.EqualError(t, l.Validate(), tt.want)
		})
	}
}

// TestAccrueLargePrincipalIsExact checks interest stays exact where
// balance × days no longer fits an int64 of fen-days: a run of days past
// 2^63 but under 2^64 fen-days, one past 2^64, and two runs that only
// overflow together. 10^15 yuan at 3.60% act/360 is 10^11 yuan a day.
func TestAccrueLargePrincipalIsExact(t *testing.T) {
	const principal = "1000000000000000.00"
	tests := []struct {
		name            string
		maturity        string
		repayments      []loan.Repayment
		interest, owing string
	}{
		{"100 days: 10^19 fen-days", "2021-04-11", nil, "10000000000000.00", principal},
		{"365 days: past 2^64 fen-days", "2022-01-01", nil, "36500000000000.00", principal},
		{"90 days, then 90 days on half", "2021-06-30",
			[]loan.Repayment{{Date: day("2021-04-01"), Amount: d("500000000000000.00")}}, "13500000000000.00", "500000000000000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := loan.Loan{ID: "big", Principal: d(principal), AnnualRate: d("0.036"),
				Start: day("2021-01-01"), Maturity: day(tt.maturity), Repayments: tt.repayments}
			s, err := loan.Accrue(l, loan.Options{Settlement: loan.AtMaturity})
			require.NoError(t, err)
			require.Len(t, s.Periods, 1)
			assertDecimal(t, tt.interest, s.Periods[0].Interest, "period interest")
			assertDecimal(t, tt.interest, s.Interest, "interest")
			assertDecimal(t, tt.owing, s.Outstanding, "outstanding")
		})
	}
}

// TestNextSettlementAroundThe20th checks the next settlement of a loan
// that falls due near a settlement day is the 20th or the due day,
// whichever comes first.
func TestNextSettlementAroundThe20th(t *testing.T) {
	tests := []struct{ due, want string }{
		{"2022-03-15", "2022-03-15"},
		{"2022-03-20", "2022-03-20"},
		{"2022-03-21", "2022-03-20"},
		{"2022-03-22", "2022-03-20"},
	}
	for _, tt := range tests {
		t.Run("due "+tt.due, func(t *testing.T) {
			l := base()
			l.Maturity, l.Repayments = day(tt.due), nil
			got, err := calc(t).SubsidyAsOf(context.Background(), l, day("2022-03-10"))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.NextSettlement.String(), "SubsidyAsOf(2022-03-10).NextSettlement")
		})
	}
}

// TestRateWithThreePlacesIsShownInFull checks a rate note shows a rate
// with a third place of percent as published (3.875%), not cut to two.
func TestRateWithThreePlacesIsShownInFull(t *testing.T) {
	l := base()
	l.AnnualRate = d("0.03875")
	dec, err := calc(t).Subsidy(context.Background(), l)
	require.NoError(t, err)
	require.Len(t, dec.Notes, 1)
	assert.Equal(t, "合同年利率 3.875% 高于放款日 2021-09-01 的一年期LPR 3.85%（2020-04-20 起）", dec.Notes[0].Message)
}

// TestParseRejectsBadJSONRepayments checks repayments nested as JSON are
// read strictly: an unknown key or broken JSON is an error on the field.
func TestParseRejectsBadJSONRepayments(t *testing.T) {
	row := map[string]string{"id": "P1", "poverty_relieved": "是", "monitored": "否", "principal": "50000.00",
		"annual_rate": "0.0385", "start": "2021-09-01", "maturity": "2022-09-01"}
	for _, reps := range []string{
		`[{"date": "2021-12-01", "amount": "50000.00", "note": "x"}]`,
		`[{"date": "2021-12-01", "amount": "50000.00"}`,
	} {
		t.Run(reps, func(t *testing.T) {
			row["repayments"] = reps
			_, err := loan.Parse(func(name string) string { return row[name] })
			var fe *loan.FieldError
			require.True(t, errors.As(err, &fe), "Parse error = %v, want a *FieldError", err)
			assert.Equal(t, "repayments", fe.Field)
			assert.Equal(t, "P1", fe.Loan)
		})
	}
	row["repayments"] = `[{"date": "2021-12-01", "amount": "50000.00"}]`
	l, err := loan.Parse(func(name string) string { return row[name] })
	require.NoError(t, err)
	assert.Equal(t, []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: d("50000.00")}}, l.Repayments)
}
