package loan_test

import (
	"context"
	"testing"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSubsidyAsOfAgainstTheFullSchedule asks about a loan as of every day
// of its life and checks each answer against the loan's full schedule:
// interest (and subsidy) up to a day is the sum of the full periods that
// ended by then, plus the open period cut at that day, recomputed here from
// the full schedule's segments (balance × rate × days ÷ basis, rounded
// half-up to the fen).
func TestSubsidyAsOfAgainstTheFullSchedule(t *testing.T) {
	ctx := context.Background()
	partial := base()
	partial.ID = "partial"
	partial.Repayments = []loan.Repayment{{Date: day("2021-11-10"), Amount: d("10000.00")},
		{Date: day("2022-03-25"), Amount: d("20000.00")}, {Date: day("2022-08-01"), Amount: d("20000.00")}}
	cutoff := loan.Loan{ID: "cut-off", Monitored: true, Principal: d("30000.00"), AnnualRate: d("0.0345"),
		Start: day("2023-06-01"), Maturity: day("2024-06-01"),
		Repayments: []loan.Repayment{{Date: day("2024-05-20"), Amount: d("30000.00")}}}
	extended := base()
	extended.ID, extended.Maturity = "extended", day("2021-11-01")
	extended.Extension = &loan.Extension{To: day("2022-02-01"), Rate: d("0.0400")}
	extended.Repayments = []loan.Repayment{{Date: day("2022-01-15"), Amount: d("50000.00")}}
	capped := base()
	capped.ID, capped.Principal = "capped", d("80000.00")
	capped.Repayments = []loan.Repayment{{Date: day("2021-10-15"), Amount: d("40000.00")}, {Date: day("2021-12-01"), Amount: d("40000.00")}}

	for _, tt := range []struct {
		l    loan.Loan
		calc *loan.Calculator
	}{{partial, calc(t)}, {cutoff, calc(t)}, {extended, calc(t)}, {capped, calc(t, firstPortion)}} {
		t.Run(tt.l.ID, func(t *testing.T) {
			full, err := tt.calc.Subsidy(ctx, tt.l)
			require.NoError(t, err)
			require.True(t, full.Granted)
			basis := decimal.NewFromInt(int64(full.Schedule.DayBasis))
			days := 0
			for on := tt.l.Start.AddDays(1); !on.After(full.Schedule.End); on = on.AddDays(1) {
				got, err := tt.calc.SubsidyAsOf(ctx, tt.l, on)
				require.NoError(t, err)
				interest, covered := decimal.Zero, decimal.Zero
				closed := 0
				for _, p := range full.Schedule.Periods {
					switch {
					case !p.To.After(on): // settled by then: the bank's own figure
						interest, covered = interest.Add(p.Interest), covered.Add(p.Covered)
						closed++
					case p.From.Before(on): // the open period, cut at on
						all, cov := decimal.Zero, decimal.Zero
						for _, g := range p.Segments {
							if !g.From.Before(on) {
								continue
							}
							to := g.To
							if on.Before(to) {
								to = on
							}
							n := decimal.NewFromInt(int64(g.From.DaysUntil(to)))
							all = all.Add(g.Balance.Mul(g.Rate).Mul(n))
							if g.Covered {
								cov = cov.Add(g.CoveredBalance.Mul(g.Rate).Mul(n))
							}
						}
						interest = interest.Add(all.DivRound(basis, 2))
						covered = covered.Add(cov.DivRound(basis, 2))
					}
				}
				if !interest.Equal(got.Schedule.Interest) || !covered.Equal(got.Schedule.Covered) {
					t.Fatalf("SubsidyAsOf(%s): interest %s subsidy %s, want %s and %s", on, got.Schedule.Interest, got.Schedule.Covered, interest, covered)
				}
				require.GreaterOrEqual(t, len(got.Schedule.Periods), closed)
				for i := range closed {
					p, q := full.Schedule.Periods[i], got.Schedule.Periods[i]
					require.True(t, p.Interest.Equal(q.Interest) && p.From == q.From && p.To == q.To, "SubsidyAsOf(%s): period %d", on, i)
				}
				assert.True(t, got.Schedule.Borrower.Equal(got.Schedule.Interest.Sub(got.Schedule.Covered)))
				assert.Equal(t, on, got.AsOf)
				days++
			}
			assert.Equal(t, tt.l.Start.DaysUntil(full.Schedule.End), days)
		})
	}
}

// TestSubsidyAsOf pins the figures of the worked example's loan as of
// chosen days: what has accrued, what is still owed, and when the bank
// next settles. At 3.85% on 50,000.00 a day accrues 5.3472…; from
// 2021-10-15 the balance is 30,000.00 (3.2083… a day).
func TestSubsidyAsOf(t *testing.T) {
	l := base()
	l.Repayments = []loan.Repayment{{Date: day("2021-10-15"), Amount: d("20000.00")}, {Date: day("2021-12-01"), Amount: d("30000.00")}}
	tests := []struct {
		name, on              string
		interest, outstanding string
		next                  string
		periods               int
	}{
		{"day after the start", "2021-09-02", "5.35", "50000.00", "2021-09-20", 1},
		{"settlement day, not yet counted", "2021-09-20", "101.60", "50000.00", "2021-09-20", 1},
		{"first day of the second period", "2021-09-21", "106.94", "50000.00", "2021-12-01", 1},
		{"day of a partial repayment", "2021-10-15", "235.27", "30000.00", "2021-12-01", 2},
		{"day of the last repayment", "2021-12-01", "386.07", "0.00", "2021-12-01", 2},
		{"after the loan was repaid", "2022-01-10", "386.07", "0.00", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := calc(t).SubsidyAsOf(context.Background(), l, day(tt.on))
			require.NoError(t, err)
			assertDecimal(t, tt.interest, got.Schedule.Interest, "interest")
			assertDecimal(t, tt.interest, got.Schedule.Covered, "subsidy: all of it is covered")
			assertDecimal(t, tt.outstanding, got.Schedule.Outstanding, "outstanding")
			assert.Equal(t, tt.next, got.NextSettlement.String(), "next settlement")
			assert.Len(t, got.Schedule.Periods, tt.periods)
		})
	}
	_, err := calc(t).SubsidyAsOf(context.Background(), l, l.Start)
	var fe *loan.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, rules.AsOf, fe.Field)
}
