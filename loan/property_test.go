package loan

import (
	"context"
	"testing"
	"testing/quick"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// genLoan builds a valid loan from small random numbers: principal up to
// 99,999.99, a rate from 1% to 9.99%, a term of 30 to 1,125 days and up to
// three repayments.
func genLoan(seed [8]uint16) Loan {
	start := rules.MustDate("2021-08-19").AddDays(int(seed[0] % 1000))
	l := Loan{ID: "P", PovertyRelieved: true,
		Principal:  decimal.New(int64(seed[1])*100+int64(seed[2]%100)+1, -2).Add(decimal.NewFromInt(int64(seed[3] % 1000))),
		AnnualRate: decimal.New(int64(100+seed[4]%900), -4),
		Start:      start,
		Maturity:   start.AddDays(30 + int(seed[5]%1096)),
	}
	left := l.Principal
	day := start
	for i := 0; i < int(seed[6]%4) && left.IsPositive(); i++ {
		day = day.AddDays(1 + int(seed[7]%97)*(i+1))
		amt := left
		if i < 2 {
			amt = left.Div(decimal.NewFromInt(2)).Round(2)
		}
		if !amt.IsPositive() {
			break
		}
		l.Repayments = append(l.Repayments, Repayment{Date: day, Amount: amt})
		left = left.Sub(amt)
	}
	return l
}

// FuzzAccrueSplit: accruing [a,c) equals accruing [a,b) plus [b,c),
// before any rounding.
func FuzzAccrueSplit(f *testing.F) {
	f.Add(uint16(0), uint16(500), uint16(7), uint16(3), uint16(285), uint16(365), uint16(2), uint16(40), uint16(10), uint16(50))
	f.Fuzz(func(t *testing.T, s0, s1, s2, s3, s4, s5, s6, s7, b, c uint16) {
		l := genLoan([8]uint16{s0, s1, s2, s3, s4, s5, s6, s7})
		a := l.Start
		cc := a.AddDays(int(c%1200) + 1)
		bb := a.AddDays(int(b) % (a.DaysUntil(cc) + 1))
		whole := exactInterest(l, a, cc)
		parts := exactInterest(l, a, bb).Add(exactInterest(l, bb, cc))
		if !whole.Equal(parts) {
			t.Fatalf("[%s,%s) = %s, but [%s,%s) + [%s,%s) = %s", a, cc, whole, a, bb, bb, cc, parts)
		}
	})
}

// TestScheduleMatchesDayByDay checks the segment arithmetic against a plain
// day-by-day sum, and that the subsidy never covers a day after the cutoff
// and always adds up with the borrower's share.
func TestScheduleProperties(t *testing.T) {
	until := rules.MustDate("2023-12-31")
	prop := func(seed [8]uint16, settle uint8) bool {
		l := genLoan(seed)
		o := Options{Settlement: Settlement(settle % 4), DayBasis: 360}
		s, err := schedule(l, o, cover{on: true, until: until})
		if err != nil {
			t.Logf("%+v: %v", l, err)
			return false
		}
		basis := decimal.NewFromInt(360)
		for _, p := range s.Periods {
			if !p.Covered.Add(p.Borrower).Equal(p.Interest) {
				t.Logf("period %s: %s + %s != %s", p.From, p.Covered, p.Borrower, p.Interest)
				return false
			}
			if want := exactInterest(l, p.From, p.To).DivRound(basis, 2); !want.Equal(p.Interest) {
				t.Logf("period %s..%s: %s, day by day %s", p.From, p.To, p.Interest, want)
				return false
			}
			for _, g := range p.Segments {
				if g.Covered && g.To.AddDays(-1).After(until) {
					t.Logf("segment %s..%s covered after %s", g.From, g.To, until)
					return false
				}
			}
			if p.Overdue.GreaterThan(p.Borrower) {
				t.Logf("period %s: overdue %s above the borrower's %s", p.From, p.Overdue, p.Borrower)
				return false
			}
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 300}); err != nil {
		t.Error(err)
	}
}

// TestLaterRepaymentNeverLowersInterest moves one repayment later, day by
// day, and checks the total interest never falls.
func TestLaterRepaymentNeverLowersInterest(t *testing.T) {
	prop := func(seed [8]uint16, shift uint8) bool {
		l := genLoan(seed)
		if len(l.Repayments) == 0 {
			return true
		}
		before, err := Accrue(l, Options{DayBasis: 360})
		if err != nil {
			return false
		}
		moved := l
		moved.Repayments = append([]Repayment(nil), l.Repayments...)
		last := len(moved.Repayments) - 1
		moved.Repayments[last].Date = moved.Repayments[last].Date.AddDays(int(shift%60) + 1)
		after, err := Accrue(moved, Options{DayBasis: 360})
		if err != nil {
			return false
		}
		if after.Interest.LessThan(before.Interest) {
			t.Logf("moving %s later lowered interest %s → %s", l.Repayments[last].Date, before.Interest, after.Interest)
			return false
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 300}); err != nil {
		t.Error(err)
	}
}

// BenchmarkAccrue computes a 3-year 50,000.00 loan repaid in 36 monthly
// instalments, settled quarterly, with the subsidy split.
func BenchmarkAccrue(b *testing.B) {
	l := Loan{ID: "B", PovertyRelieved: true, Principal: decimal.RequireFromString("50000.00"),
		AnnualRate: decimal.RequireFromString("0.0465"), Start: rules.MustDate("2021-09-01"), Maturity: rules.MustDate("2024-09-01")}
	for i := 1; i <= 36; i++ {
		y, m, _ := l.Start.Parts()
		amt := decimal.RequireFromString("1388.89")
		if i == 36 {
			amt = decimal.RequireFromString("1388.85")
		}
		l.Repayments = append(l.Repayments, Repayment{Date: rules.NewDate(y, m+timeMonth(i), 1), Amount: amt})
	}
	o := Options{DayBasis: 360}
	c := cover{on: true, until: rules.MustDate("2023-12-31")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := schedule(l, o, c); err != nil {
			b.Fatal(err)
		}
	}
}

func timeMonth(i int) time.Month { return time.Month(i) }

// BenchmarkSubsidy is the same loan through Calculator.Subsidy, with the
// eligibility rule and the policy's parameters.
func BenchmarkSubsidy(b *testing.B) {
	c, err := New()
	if err != nil {
		b.Fatal(err)
	}
	l := Loan{ID: "B", PovertyRelieved: true, Principal: decimal.RequireFromString("50000.00"),
		AnnualRate: decimal.RequireFromString("0.0465"), Start: rules.MustDate("2021-09-01"), Maturity: rules.MustDate("2024-09-01"),
		Repayments: []Repayment{{Date: rules.MustDate("2024-09-01"), Amount: decimal.RequireFromString("50000.00")}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Subsidy(context.Background(), l); err != nil {
			b.Fatal(err)
		}
	}
}
