package loan_test

import (
	"context"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// monthly is a 3-year 50,000.00 loan at 4.65% from 2021-09-01, repaid in
// 36 monthly instalments on the 1st: 35 of 1,388.89 and one of 1,388.85.
func monthly() loan.Loan {
	l := loan.Loan{ID: "B", PovertyRelieved: true, Principal: decimal.RequireFromString("50000.00"),
		AnnualRate: decimal.RequireFromString("0.0465"), Start: rules.MustDate("2021-09-01"), Maturity: rules.MustDate("2024-09-01")}
	y, m, _ := l.Start.Parts()
	for i := 1; i <= 36; i++ {
		amt := decimal.RequireFromString("1388.89")
		if i == 36 {
			amt = decimal.RequireFromString("1388.85")
		}
		l.Repayments = append(l.Repayments, loan.Repayment{Date: rules.NewDate(y, m+time.Month(i), 1), Amount: amt})
	}
	return l
}

// BenchmarkAccrue accrues the 3-year loan with monthly repayments, settled
// quarterly (13 periods).
func BenchmarkAccrue(b *testing.B) {
	l := monthly()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loan.Accrue(l, loan.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubsidy decides the same loan's subsidy: the eligibility rule,
// the policy's parameters, the accrual split at the cut-off and the LPR
// check.
func BenchmarkSubsidy(b *testing.B) {
	c := calc(b)
	l := monthly()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Subsidy(context.Background(), l); err != nil {
			b.Fatal(err)
		}
	}
}
