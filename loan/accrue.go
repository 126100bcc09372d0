package loan

import (
	"fmt"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Settlement is how often the bank settles (结息) and charges interest.
type Settlement int

// The settlement conventions. Quarterly is the banks' default (按季结息).
const (
	// Quarterly periods end after the 20th of March, June, September and December.
	Quarterly Settlement = iota
	// Monthly periods end after the 20th of each month.
	Monthly
	// Yearly periods end after the 20th of December.
	Yearly
	// AtMaturity settles once, when the loan ends (利随本清).
	AtMaturity
)

// String returns quarterly, monthly, yearly or at-maturity.
func (s Settlement) String() string {
	return [...]string{"quarterly", "monthly", "yearly", "at-maturity"}[s]
}

// ParseSettlement reads quarterly, monthly, yearly or at-maturity.
func ParseSettlement(s string) (Settlement, error) {
	for i, n := range [...]string{"quarterly", "monthly", "yearly", "at-maturity"} {
		if s == n {
			return Settlement(i), nil
		}
	}
	return 0, fmt.Errorf("settlement %q: want quarterly, monthly, yearly or at-maturity", s)
}

// next returns the first day of the settlement period after the one that
// holds day d, or the zero Date for AtMaturity.
func (s Settlement) next(d rules.Date) rules.Date {
	y, m, day := d.Parts()
	step := map[Settlement]int{Quarterly: 3, Monthly: 1, Yearly: 12}[s]
	if step == 0 {
		return rules.Date{}
	}
	// Months whose 21st opens a period: every month, Mar/Jun/Sep/Dec, or Dec.
	for i := 0; i <= 12; i++ {
		mm := time.Month((int(m)-1+i)%12 + 1)
		yy := y + (int(m)-1+i)/12
		if int(mm)%step != 0 && step != 1 {
			continue
		}
		if i == 0 && day >= 21 {
			continue
		}
		return rules.NewDate(yy, mm, 21)
	}
	return rules.Date{}
}

// Options set the conventions of an accrual.
type Options struct {
	// Settlement is when periods end; Quarterly if zero.
	Settlement Settlement
	// DayBasis divides the annual rate into a daily one: 360 (the banks'
	// convention, 银发〔2005〕129号) or 365.
	DayBasis int
	// Until, if not zero, is the day accrual stops for a loan that is not
	// repaid in full (interest up to, not including, it). Otherwise such a
	// loan accrues to its due day, as a projection.
	Until rules.Date
}

// Segment is a run of days in a period on which the same balance, rate
// and status apply.
type Segment struct {
	From    rules.Date      `json:"from"`
	To      rules.Date      `json:"to"` // exclusive
	Days    int             `json:"days"`
	Balance decimal.Decimal `json:"balance"`
	Rate    decimal.Decimal `json:"rate"`
	// Overdue: past the due day without an extension; never subsidised.
	Overdue bool `json:"overdue"`
	// Covered: the interest of these days is subsidised (on CoveredBalance).
	Covered        bool            `json:"covered"`
	CoveredBalance decimal.Decimal `json:"covered_balance"`
}

// Period is one settlement period. Interest is the exact interest of its
// days, summed, then rounded half-up to the fen; Covered (the subsidy) is
// the part that accrued on covered days, rounded the same way; Borrower =
// Interest − Covered exactly; Overdue is the part that accrued after the
// due day: Interest less the rounded interest of the days before it, so it
// is never more than Borrower.
type Period struct {
	From     rules.Date      `json:"from"`
	To       rules.Date      `json:"to"` // exclusive
	Days     int             `json:"days"`
	Interest decimal.Decimal `json:"interest"`
	Covered  decimal.Decimal `json:"covered"`
	Borrower decimal.Decimal `json:"borrower"`
	Overdue  decimal.Decimal `json:"overdue"`
	Segments []Segment       `json:"segments"`
}

// Schedule is a loan's interest, period by period, with totals.
type Schedule struct {
	Loan        string          `json:"loan"`
	Settlement  string          `json:"settlement"`
	DayBasis    int             `json:"day_basis"`
	Periods     []Period        `json:"periods"`
	Interest    decimal.Decimal `json:"interest"`
	Covered     decimal.Decimal `json:"covered"`
	Borrower    decimal.Decimal `json:"borrower"`
	Overdue     decimal.Decimal `json:"overdue"`
	End         rules.Date      `json:"end"`         // accrual stops before this day
	Outstanding decimal.Decimal `json:"outstanding"` // principal not repaid by End
}

// cover says which days' interest is subsidised and on how much principal.
type cover struct {
	on    bool
	until rules.Date      // last covered day, inclusive
	cap   decimal.Decimal // subsidised principal; zero means the whole balance
}

// Accrue computes the loan's interest period by period, with nothing
// subsidised. It validates the loan first.
func Accrue(l Loan, o Options) (Schedule, error) {
	return schedule(l, o, cover{})
}

func schedule(l Loan, o Options, c cover) (Schedule, error) {
	if err := l.Validate(); err != nil {
		return Schedule{}, err
	}
	if o.DayBasis != 360 && o.DayBasis != 365 {
		return Schedule{}, &FieldError{Loan: l.ID, Field: "day_basis", Err: fmt.Errorf("%d: want 360 or 365", o.DayBasis)}
	}
	end, repaid := l.RepaidOn()
	if !repaid {
		end = l.Due()
		if !o.Until.IsZero() {
			end = o.Until
		}
	}
	if !end.After(l.Start) {
		return Schedule{}, &FieldError{Loan: l.ID, Field: "until", Err: fmt.Errorf("%s is not after the start %s", end, l.Start)}
	}
	basis := decimal.NewFromInt(int64(o.DayBasis))
	s := Schedule{Loan: l.ID, Settlement: o.Settlement.String(), DayBasis: o.DayBasis, End: end,
		Interest: decimal.Zero, Covered: decimal.Zero, Borrower: decimal.Zero, Overdue: decimal.Zero}
	reps := sortRepayments(l.Repayments)
	balance := l.Principal
	ri := 0
	for from := l.Start; from.Before(end); {
		to := end
		if nx := o.Settlement.next(from); !nx.IsZero() && nx.Before(to) {
			to = nx
		}
		p := Period{From: from, To: to, Days: from.DaysUntil(to)}
		var num, covNum, overNum decimal.Decimal
		for day := from; day.Before(to); {
			for ri < len(reps) && !reps[ri].Date.After(day) {
				balance = balance.Sub(reps[ri].Amount)
				ri++
			}
			seg := Segment{From: day, Balance: balance, Rate: l.rateOn(day), Overdue: !day.Before(l.Due())}
			seg.Covered = c.on && !seg.Overdue && !day.After(c.until)
			if seg.Covered {
				seg.CoveredBalance = balance
				if !c.cap.IsZero() && c.cap.LessThan(balance) {
					seg.CoveredBalance = c.cap
				}
			}
			segEnd := to
			for _, b := range []rules.Date{l.Maturity, l.Due(), c.until.AddDays(1)} {
				if b.After(day) && b.Before(segEnd) {
					segEnd = b
				}
			}
			if ri < len(reps) && reps[ri].Date.Before(segEnd) {
				segEnd = reps[ri].Date
			}
			seg.To, seg.Days = segEnd, day.DaysUntil(segEnd)
			days := decimal.NewFromInt(int64(seg.Days))
			n := seg.Balance.Mul(seg.Rate).Mul(days)
			num = num.Add(n)
			if seg.Covered {
				covNum = covNum.Add(seg.CoveredBalance.Mul(seg.Rate).Mul(days))
			}
			if seg.Overdue {
				overNum = overNum.Add(n)
			}
			if seg.Balance.IsPositive() {
				p.Segments = append(p.Segments, seg)
			}
			day = segEnd
		}
		p.Interest = num.DivRound(basis, 2)
		p.Covered = covNum.DivRound(basis, 2)
		p.Borrower = p.Interest.Sub(p.Covered)
		// Overdue is what rounding the rest leaves, so that the part before the
		// due day and the overdue part add up to Interest exactly.
		p.Overdue = p.Interest.Sub(num.Sub(overNum).DivRound(basis, 2))
		s.Periods = append(s.Periods, p)
		s.Interest = s.Interest.Add(p.Interest)
		s.Covered = s.Covered.Add(p.Covered)
		s.Borrower = s.Borrower.Add(p.Borrower)
		s.Overdue = s.Overdue.Add(p.Overdue)
		from = to
	}
	for ; ri < len(reps) && !reps[ri].Date.After(end); ri++ {
		balance = balance.Sub(reps[ri].Amount)
	}
	s.Outstanding = balance
	return s, nil
}

// rateOn returns the annual rate that applies on day d: the extension's
// rate from the original maturity on, if it has one.
func (l Loan) rateOn(d rules.Date) decimal.Decimal {
	if x := l.Extension; x != nil && !x.Rate.IsZero() && !d.Before(l.Maturity) {
		return x.Rate
	}
	return l.AnnualRate
}

// exactInterest is the interest of [from, to) before any rounding, as a
// numerator over the day basis: the sum of balance × rate × days.
func exactInterest(l Loan, from, to rules.Date) decimal.Decimal {
	reps := sortRepayments(l.Repayments)
	balance := l.Principal
	num := decimal.Zero
	for day := from; day.Before(to); day = day.AddDays(1) {
		b := balance
		for _, r := range reps {
			if !r.Date.After(day) {
				b = b.Sub(r.Amount)
			}
		}
		num = num.Add(b.Mul(l.rateOn(day)))
	}
	return num
}
