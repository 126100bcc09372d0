package loan_test

import (
	"context"
	"slices"
	"testing"
	"testing/quick"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// genLoan builds a valid loan from small random numbers: a start from
// 2021-08-19 to 2024-05-14, a principal from 0.01 to 65,535.99 (so on
// both sides of the cap), a rate from 1% to 9.99%, a term of 30 to 1,125
// days, up to three repayments (the last may be late, or may not repay the
// loan in full) and, one time in four, an extension with its own rate.
func genLoan(seed [8]uint16) loan.Loan {
	start := rules.MustDate("2021-08-19").AddDays(int(seed[0] % 1000))
	fen := int64(seed[1])*100 + int64(seed[2]%100) + 1
	l := loan.Loan{ID: "P", PovertyRelieved: seed[7]%7 != 0, Monitored: seed[7]%5 == 0,
		Principal:  decimal.New(fen, -2),
		AnnualRate: decimal.New(int64(100+seed[4]%900), -4),
		Start:      start,
		Maturity:   start.AddDays(30 + int(seed[5]%1096)),
	}
	if seed[3]%4 == 0 {
		l.Extension = &loan.Extension{To: l.Maturity.AddDays(1 + int(seed[3]%200)), Rate: decimal.New(int64(200+seed[3]%500), -4)}
	}
	left, when := fen, start
	for i := 0; i < int(seed[6]%4) && left > 0; i++ {
		when = when.AddDays(1 + int(seed[7]%97)*(i+1))
		amt := left
		if i < 2 {
			amt = (left + 1) / 2
		}
		l.Repayments = append(l.Repayments, loan.Repayment{Date: when, Amount: decimal.New(amt, -2)})
		left -= amt
	}
	return l
}

// dayByDay is the loan's interest over [from, to) before division by the
// day basis, summed one day at a time straight from the definition: the
// balance after the repayments made on or before the day, times the rate of
// the day. covered is the same over the days up to and including until that
// are before the due day.
func dayByDay(l loan.Loan, from, to, until rules.Date) (all, covered decimal.Decimal) {
	for day := from; day.Before(to); day = day.AddDays(1) {
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
		all = all.Add(b.Mul(rate))
		if !until.IsZero() && !day.After(until) && day.Before(l.Due()) {
			covered = covered.Add(b.Mul(rate))
		}
	}
	return all, covered
}

// FuzzAccrueSplit: accruing [a,c) equals accruing [a,b) plus [b,c), before
// any rounding, in total and in the covered part; and both equal the
// day-by-day sum.
func FuzzAccrueSplit(f *testing.F) {
	f.Add(uint16(0), uint16(500), uint16(7), uint16(3), uint16(285), uint16(365), uint16(2), uint16(40), uint16(10), uint16(50))
	f.Add(uint16(860), uint16(500), uint16(0), uint16(4), uint16(285), uint16(100), uint16(3), uint16(9), uint16(30), uint16(400))
	f.Fuzz(func(t *testing.T, s0, s1, s2, s3, s4, s5, s6, s7, b, c uint16) {
		l := genLoan([8]uint16{s0, s1, s2, s3, s4, s5, s6, s7})
		until := rules.MustDate("2023-12-31")
		a := l.Start.AddDays(int(s2 % 30))
		cc := a.AddDays(int(c%1200) + 1)
		bb := a.AddDays(int(b) % (a.DaysUntil(cc) + 1))
		whole, wholeCov := loan.Accrued(l, a, cc, until)
		x, xCov := loan.Accrued(l, a, bb, until)
		y, yCov := loan.Accrued(l, bb, cc, until)
		if !whole.Equal(x.Add(y)) || !wholeCov.Equal(xCov.Add(yCov)) {
			t.Fatalf("[%s,%s) = %s (covered %s), but [%s,%s) + [%s,%s) = %s (covered %s)",
				a, cc, whole, wholeCov, a, bb, bb, cc, x.Add(y), xCov.Add(yCov))
		}
		want, wantCov := dayByDay(l, a, cc, until)
		if !whole.Equal(want) || !wholeCov.Equal(wantCov) {
			t.Fatalf("[%s,%s) = %s (covered %s), day by day %s (covered %s)", a, cc, whole, wholeCov, want, wantCov)
		}
	})
}

// TestScheduleProperties checks random loans under both readings of the
// cap: every period's subsidy and borrower share add up to its interest
// exactly; its interest is the day-by-day sum rounded half-up; the periods
// tile the accrual and their segments tile them; no covered day is after
// the cut-off or overdue; overdue interest is never more than the
// borrower's share; and the totals are the sums of the periods.
func TestScheduleProperties(t *testing.T) {
	calcs := []*loan.Calculator{calc(t), calc(t, firstPortion)}
	basis := decimal.NewFromInt(360)
	prop := func(seed [8]uint16, choice uint8) bool {
		l := genLoan(seed)
		dec, err := calcs[choice%2].Subsidy(context.Background(), l)
		if err != nil {
			t.Logf("%+v: %v", l, err)
			return false
		}
		s := dec.Schedule
		fail := func(format string, args ...any) bool {
			t.Logf("loan %+v: "+format, append([]any{l}, args...)...)
			return false
		}
		var interest, covered, borrower, overdue decimal.Decimal
		from := l.Start
		for _, p := range s.Periods {
			if p.From != from || !p.To.After(p.From) || p.Days != p.From.DaysUntil(p.To) {
				return fail("period %s..%s does not follow %s", p.From, p.To, from)
			}
			from = p.To
			if !p.Covered.Add(p.Borrower).Equal(p.Interest) {
				return fail("period %s: %s + %s != %s", p.From, p.Covered, p.Borrower, p.Interest)
			}
			all, _ := dayByDay(l, p.From, p.To, rules.Date{})
			if want := all.DivRound(basis, 2); !want.Equal(p.Interest) {
				return fail("period %s..%s: %s, day by day %s", p.From, p.To, p.Interest, want)
			}
			if p.Overdue.GreaterThan(p.Borrower) || p.Overdue.IsNegative() || p.Covered.IsNegative() {
				return fail("period %s: overdue %s, covered %s, borrower %s", p.From, p.Overdue, p.Covered, p.Borrower)
			}
			if !dec.Granted && !p.Covered.IsZero() {
				return fail("not eligible, but %s covered", p.Covered)
			}
			g0 := p.From
			for _, g := range p.Segments {
				if g.From != g0 || g.Days != g.From.DaysUntil(g.To) {
					return fail("segment %s..%s does not follow %s", g.From, g.To, g0)
				}
				g0 = g.To
				if g.Covered && (g.To.AddDays(-1).After(dec.Until) || g.Overdue) {
					return fail("segment %s..%s covered after %s or overdue", g.From, g.To, dec.Until)
				}
				if g.Covered && g.CoveredBalance.GreaterThan(g.Balance) {
					return fail("segment %s covers %s of %s", g.From, g.CoveredBalance, g.Balance)
				}
			}
			if g0 != p.To {
				return fail("segments of %s end on %s", p.From, g0)
			}
			interest, covered = interest.Add(p.Interest), covered.Add(p.Covered)
			borrower, overdue = borrower.Add(p.Borrower), overdue.Add(p.Overdue)
		}
		if from != s.End {
			return fail("periods end on %s, not %s", from, s.End)
		}
		if !interest.Equal(s.Interest) || !covered.Equal(s.Covered) || !borrower.Equal(s.Borrower) || !overdue.Equal(s.Overdue) {
			return fail("totals %s %s %s %s are not the sums of the periods", s.Interest, s.Covered, s.Borrower, s.Overdue)
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 400}); err != nil {
		t.Error(err)
	}
}

// TestLaterRepaymentNeverLowersInterest moves one repayment later and
// checks that no period's interest, nor the total, falls.
func TestLaterRepaymentNeverLowersInterest(t *testing.T) {
	prop := func(seed [8]uint16, which, shift uint8, settle uint8) bool {
		l := genLoan(seed)
		if len(l.Repayments) == 0 {
			return true
		}
		o := loan.Options{Settlement: loan.Settlement(settle % 4)}
		before, err := loan.Accrue(l, o)
		if err != nil {
			t.Log(err)
			return false
		}
		moved := l
		moved.Repayments = slices.Clone(l.Repayments)
		k := int(which) % len(moved.Repayments)
		moved.Repayments[k].Date = moved.Repayments[k].Date.AddDays(int(shift%90) + 1)
		slices.SortStableFunc(moved.Repayments, func(a, b loan.Repayment) int { return a.Date.Compare(b.Date) })
		after, err := loan.Accrue(moved, o)
		if err != nil {
			t.Log(err)
			return false
		}
		if after.Interest.LessThan(before.Interest) {
			t.Logf("moving %s later lowered interest %s → %s", l.Repayments[k].Date, before.Interest, after.Interest)
			return false
		}
		for i, p := range before.Periods {
			if q := after.Periods[i]; q.From != p.From || q.Interest.LessThan(p.Interest) {
				t.Logf("moving %s later lowered period %s: %s → %s", l.Repayments[k].Date, p.From, p.Interest, q.Interest)
				return false
			}
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 400}); err != nil {
		t.Error(err)
	}
}

// TestLargeAmountsStayExact accrues the largest principal Validate accepts
// at the highest rate, where fen-days no longer fit in an int64, and checks
// every period against the day-by-day sum.
func TestLargeAmountsStayExact(t *testing.T) {
	l := loan.Loan{ID: "big", Principal: decimal.RequireFromString("1000000000000000.00"), AnnualRate: decimal.RequireFromString("0.24"),
		Start: rules.MustDate("2021-01-01"), Maturity: rules.MustDate("2031-01-01"),
		Extension: &loan.Extension{To: rules.MustDate("2032-01-01"), Rate: decimal.RequireFromString("0.2399")},
		Repayments: []loan.Repayment{{Date: rules.MustDate("2021-02-10"), Amount: decimal.RequireFromString("0.01")},
			{Date: rules.MustDate("2023-03-01"), Amount: decimal.RequireFromString("0.01")},
			{Date: rules.MustDate("2023-05-01"), Amount: decimal.RequireFromString("0.01")},
			{Date: rules.MustDate("2032-03-01"), Amount: decimal.RequireFromString("999999999999999.97")}}}
	basis := decimal.NewFromInt(360)
	// Quarterly: fen-days fit; yearly: 70 + 61 days in 2023 each fit but
	// not their sum; at maturity: a single run does not fit.
	for _, settle := range []loan.Settlement{loan.Quarterly, loan.Yearly, loan.AtMaturity} {
		s, err := loan.Accrue(l, loan.Options{Settlement: settle})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Periods {
			all, _ := dayByDay(l, p.From, p.To, rules.Date{})
			if want := all.DivRound(basis, 2); !want.Equal(p.Interest) {
				t.Errorf("%s period %s..%s: %s, day by day %s", settle, p.From, p.To, p.Interest, want)
			}
		}
		if settle == loan.AtMaturity && !s.Overdue.IsPositive() {
			t.Errorf("repaid after the extended maturity, but overdue = %s", s.Overdue)
		}
	}
}
