package loan

import (
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// DayBasis is the number of days a year's interest is spread over: the
// daily rate is the annual rate divided by it, and days are counted as they
// fall (actual/basis).
type DayBasis int

// The day bases in use.
const (
	// Act360 divides the annual rate by 360: the banks' convention for
	// loans (银发〔2005〕129号 第三条), and the policy's default.
	Act360 DayBasis = 360
	// Act365 divides the annual rate by 365, as some counties compute.
	Act365 DayBasis = 365
)

// String returns act/360 or act/365.
func (b DayBasis) String() string { return fmt.Sprintf("act/%d", int(b)) }

func (b DayBasis) valid() bool { return b == Act360 || b == Act365 }

// Settlement is how often the bank settles (结息) and charges interest.
type Settlement int

// The settlement conventions. Quarterly, the zero value, is the banks'
// default (按季结息, 《人民币利率管理规定》 第二十条).
const (
	// Quarterly periods end after the 20th of March, June, September and
	// December.
	Quarterly Settlement = iota
	// Monthly periods end after the 20th of each month.
	Monthly
	// Yearly periods end after the 20th of December.
	Yearly
	// AtMaturity settles once, when the loan ends (利随本清).
	AtMaturity
)

var settlementCodes = [...]string{"quarterly", "monthly", "yearly", "at-maturity"}

func (s Settlement) valid() bool { return s >= Quarterly && s <= AtMaturity }

// String returns quarterly, monthly, yearly or at-maturity.
func (s Settlement) String() string {
	if !s.valid() {
		return fmt.Sprintf("Settlement(%d)", int(s))
	}
	return settlementCodes[s]
}

// MarshalText writes the settlement as [Settlement.String] does.
func (s Settlement) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("loan: unknown settlement %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a settlement as [ParseSettlement] does.
func (s *Settlement) UnmarshalText(b []byte) error {
	v, err := ParseSettlement(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSettlement reads quarterly, monthly, yearly or at-maturity.
func ParseSettlement(s string) (Settlement, error) {
	for i, n := range settlementCodes {
		if s == n {
			return Settlement(i), nil
		}
	}
	return 0, fmt.Errorf("settlement %q: want quarterly, monthly, yearly or at-maturity", s)
}

// next returns the first day of the settlement period after the one that
// holds day d (the 21st of a settlement month), or the zero Date for
// AtMaturity.
func (s Settlement) next(d rules.Date) rules.Date {
	var step int
	switch s {
	case Quarterly:
		step = 3
	case Monthly:
		step = 1
	case Yearly:
		step = 12
	default:
		return rules.Date{}
	}
	y, m, day := d.Parts()
	i := int(m) - 1 // months after January of year y, 0-based
	if day > 20 {
		i++
	}
	for (i%12+1)%step != 0 {
		i++
	}
	return rules.NewDate(y+i/12, time.Month(i%12+1), 21)
}

// Options set the conventions of [Accrue].
type Options struct {
	// Settlement is when periods end; Quarterly if zero.
	Settlement Settlement
	// DayBasis divides the annual rate into a daily one; Act360 if zero.
	DayBasis DayBasis
	// Until, if not zero, is the day accrual stops for a loan that is not
	// repaid in full: interest up to, not including, it (an as-of day, which
	// may be after the due day: the days from the due day on are overdue).
	// A loan without it accrues to its due day, as a projection. A loan
	// repaid in full always accrues to the day it was repaid.
	Until rules.Date
}

// Segment is a run of days inside a period with the same balance, rate and
// status.
type Segment struct {
	From rules.Date `json:"from"`
	To   rules.Date `json:"to"` // exclusive
	Days int        `json:"days"`
	// Balance is the principal outstanding, in yuan; Rate the annual rate.
	Balance decimal.Decimal `json:"balance"`
	Rate    decimal.Decimal `json:"rate"`
	// Overdue: on or after the due day; never subsidised.
	Overdue bool `json:"overdue"`
	// Covered: the interest of these days on CoveredBalance is subsidised.
	Covered        bool            `json:"covered"`
	CoveredBalance decimal.Decimal `json:"covered_balance"`
	// CoveredRate, when not zero, is the annual rate the subsidy covers on
	// these days, below Rate: a county's cap on the subsidised rate. The
	// borrower pays the interest of the difference. Zero when the subsidy
	// covers the full Rate.
	CoveredRate decimal.Decimal `json:"covered_rate,omitzero"`
}

// Period is one settlement period [From, To). Interest is the exact
// interest of its days, summed, then rounded half-up to the fen. Covered
// (the subsidy) is the part that accrued on covered days, on the covered
// balance at the covered rate, rounded the same way. Borrower = Interest − Covered, exactly. Overdue is the part that
// accrued on or after the due day: Interest less the rounded interest of
// the days before it, so the two parts add up to Interest and Overdue is
// never more than Borrower. All amounts are in yuan.
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

// Schedule is a loan's interest, period by period, with totals: each total
// is the sum of the periods' rounded amounts, so it matches the sum of the
// bank's charges.
type Schedule struct {
	Loan       string     `json:"loan"`
	Settlement Settlement `json:"settlement"`
	DayBasis   DayBasis   `json:"day_basis"`
	Periods    []Period   `json:"periods"`
	// Interest, Covered (the subsidy), Borrower and Overdue in yuan.
	Interest decimal.Decimal `json:"interest"`
	Covered  decimal.Decimal `json:"covered"`
	Borrower decimal.Decimal `json:"borrower"`
	Overdue  decimal.Decimal `json:"overdue"`
	// End is the day accrual stops (exclusive): the day of full repayment,
	// Options.Until, or the due day.
	End rules.Date `json:"end"`
	// Outstanding is the principal not repaid by End, in yuan.
	Outstanding decimal.Decimal `json:"outstanding"`
}

// Accrue computes the loan's interest as the bank charges it, period by
// period, with nothing subsidised: interest accrues daily on the
// outstanding principal at the annual rate divided by the day basis, from
// Start up to, not including, the day accrual ends (算头不算尾); each
// period is summed exactly, then rounded half-up to the fen. It validates
// the loan first, returning a *[FieldError] for a bad field.
func Accrue(l Loan, o Options) (Schedule, error) {
	if err := l.Validate(); err != nil {
		return Schedule{}, err
	}
	return schedule(l, o, cover{})
}

// cover says which days' interest is subsidised, on how much principal and
// at what rate.
type cover struct {
	on    bool
	from  rules.Date      // first covered day; zero means the start day
	until rules.Date      // last covered day, inclusive
	cap   decimal.Decimal // subsidised principal; zero means the whole balance
	rate  decimal.Decimal // highest annual rate subsidised; zero means the full rate
}

// schedule accrues a valid loan, with the days c says covered.
func schedule(l Loan, o Options, c cover) (Schedule, error) {
	if o.DayBasis == 0 {
		o.DayBasis = Act360
	}
	if !o.DayBasis.valid() {
		return Schedule{}, fmt.Errorf("loan: day basis %d: want 360 or 365", int(o.DayBasis))
	}
	if !o.Settlement.valid() {
		return Schedule{}, fmt.Errorf("loan: unknown settlement %d", int(o.Settlement))
	}
	end, repaid := repaidOn(l)
	if !repaid {
		end = l.Due()
		if !o.Until.IsZero() {
			end = o.Until
		}
	}
	if !end.After(l.Start) {
		return Schedule{}, fmt.Errorf("loan %s: accrual until %s is not after the start %s", l.ID, end, l.Start)
	}
	s := Schedule{Loan: l.ID, Settlement: o.Settlement, DayBasis: o.DayBasis, End: end}
	w := newWalker(l, c)
	s.Periods = make([]Period, 0, periods(l.Start, end, o.Settlement))
	// one backing array for the segments; each period holds a slice of it
	segs := make([]Segment, 0, cap(s.Periods)+len(l.Repayments)+4)
	total := totals{zeroAmount(), zeroAmount(), zeroAmount()}
	for from := l.Start; from.Before(end); {
		to := end
		if nx := o.Settlement.next(from); !nx.IsZero() && nx.Before(to) {
			to = nx
		}
		first := len(segs)
		var sum sums
		sum, segs = w.accrue(from, to, segs)
		p := Period{From: from, To: to, Days: from.DaysUntil(to), Segments: segs[first:len(segs):len(segs)]}
		interest := sum.all.interest(o.DayBasis)
		covered := sum.covered.interest(o.DayBasis)
		overdue := zeroAmount()
		if !sum.overdue.isZero() {
			overdue = interest.minus(sum.all.without(&sum.overdue).interest(o.DayBasis))
		}
		p.Interest, p.Covered, p.Overdue = interest.value(), covered.value(), overdue.value()
		p.Borrower = p.Interest // less nothing, the same decimal
		if !covered.isZero() {
			p.Borrower = interest.minus(covered).value()
		}
		s.Periods = append(s.Periods, p)
		total.interest = plus(total.interest, interest)
		total.covered = plus(total.covered, covered)
		total.overdue = plus(total.overdue, overdue)
		from = to
	}
	s.Interest, s.Covered, s.Overdue = total.interest.value(), total.covered.value(), total.overdue.value()
	s.Borrower = s.Interest
	if !total.covered.isZero() {
		s.Borrower = total.interest.minus(total.covered).value()
	}
	w.repaidBy(end)
	s.Outstanding = w.balance
	return s, nil
}

// periods returns how many settlement periods [start, end) spans.
func periods(start, end rules.Date, s Settlement) int {
	n := 0
	for from := start; from.Before(end); n++ {
		nx := s.next(from)
		if nx.IsZero() || !nx.Before(end) {
			return n + 1
		}
		from = nx
	}
	return n
}

// fenAmount is an amount of money, in fen while it fits an int64 (inFen)
// and as a decimal in yuan after. It builds its decimal only when read, and
// keeps the exponent the decimals would have: a zero that nothing was added
// to is decimal.Zero, every amount rounded to the fen has 2 places.
type fenAmount struct {
	fen   int64
	inFen bool
	cents bool // rounded to the fen: its decimal has exponent -2
	d     decimal.Decimal
}

// zeroAmount is decimal.Zero as an amount.
func zeroAmount() fenAmount { return fenAmount{inFen: true} }

func fenAmt(fen int64) fenAmount { return fenAmount{fen: fen, inFen: true, cents: true} }

func (a fenAmount) isZero() bool { return a.inFen && !a.cents }

// value returns the amount in yuan.
func (a fenAmount) value() decimal.Decimal {
	switch {
	case !a.inFen:
		return a.d
	case a.cents:
		return decimal.New(a.fen, -2)
	}
	return decimal.Zero
}

// minus returns a − b, as decimal's Sub would.
func (a fenAmount) minus(b fenAmount) fenAmount {
	switch {
	case b.isZero():
		return a
	case a.inFen && b.inFen:
		if d, ok := sub64(a.fen, b.fen); ok {
			return fenAmt(d)
		}
	}
	return fenAmount{d: a.value().Sub(b.value())}
}

// plus returns a + b, as decimal's Add would.
func plus(a, b fenAmount) fenAmount {
	if a.inFen && b.inFen {
		if s, ok := add64(a.fen, b.fen); ok {
			return fenAmount{fen: s, inFen: true, cents: a.cents || b.cents}
		}
	}
	return fenAmount{d: a.value().Add(b.value())}
}

// totals are the schedule's sums of the periods' rounded amounts.
type totals struct{ interest, covered, overdue fenAmount }

func add64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

func sub64(a, b int64) (int64, bool) {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		return 0, false
	}
	return d, true
}

// repaidOn is [Loan.RepaidOn] for a valid loan, counted in fen.
func repaidOn(l Loan) (rules.Date, bool) {
	left := fen(l.Principal)
	for _, r := range l.Repayments {
		if left -= fen(r.Amount); left == 0 {
			return r.Date, true
		}
	}
	return rules.Date{}, false
}

// sums are interest before it is divided by the day basis and rounded, in
// fen: Σ balance × rate × days over all days, over covered days (on the
// covered balance) and over overdue days.
type sums struct{ all, covered, overdue fenDays }

// fenDays sums balance × days × rate exactly. It counts balance × days in
// fen-days as an int64 while the rate stays the same (the rate changes at
// most once, when an extension starts) and multiplies by the rate only when
// the rate changes or the sum is read, so a period costs a few decimal
// operations however many runs of days it has. A product or sum that would
// overflow int64 goes to the decimal part instead.
type fenDays struct {
	rate decimal.Decimal // the rate of n
	n    int64           // fen-days at rate, not yet multiplied
	done decimal.Decimal // Σ fen-days × rate of earlier rates and overflows
}

func (a *fenDays) add(fen int64, days int, rate decimal.Decimal) {
	if a.n != 0 && !rate.Equal(a.rate) {
		a.flush()
	}
	a.rate = rate
	hi, lo := bits.Mul64(uint64(fen), uint64(days))
	if hi != 0 || lo > math.MaxInt64 {
		a.done = a.done.Add(decimal.NewFromInt(fen).Mul(decimal.NewFromInt(int64(days))).Mul(rate))
		return
	}
	if int64(lo) > math.MaxInt64-a.n {
		a.flush()
	}
	a.n += int64(lo)
}

func (a *fenDays) flush() {
	if a.n != 0 {
		a.done = a.done.Add(decimal.NewFromInt(a.n).Mul(a.rate))
		a.n = 0
	}
}

// value returns Σ balance × rate × days, in fen.
func (a *fenDays) value() decimal.Decimal {
	a.flush()
	return a.done
}

func (a *fenDays) isZero() bool { return a.n == 0 && a.done.IsZero() }

// without returns the sum of a's days less b's, which are some of a's days
// at the same rates.
func (a *fenDays) without(b *fenDays) *fenDays {
	if a.done.IsZero() && b.done.IsZero() && (b.n == 0 || a.rate.Equal(b.rate)) {
		return &fenDays{rate: a.rate, n: a.n - b.n}
	}
	return &fenDays{done: a.value().Sub(b.value())}
}

// interest returns the sum divided by the day basis and rounded half-up to
// the fen: the interest of the days summed. While the fen-days at one rate
// times the rate's digits fit an int64, this is integer arithmetic.
func (a *fenDays) interest(basis DayBasis) fenAmount {
	if a.isZero() {
		return zeroAmount()
	}
	if a.done.IsZero() && a.n > 0 && a.rate.IsPositive() && a.rate.NumDigits() <= 18 {
		c, e := a.rate.CoefficientInt64(), a.rate.Exponent()
		hi, lo := bits.Mul64(uint64(a.n), uint64(c))
		if e <= 0 && -e < int32(len(pow10)) && hi == 0 && lo <= math.MaxInt64 {
			// fen = n × c / 10^-e / basis, rounded half-up
			den := uint64(pow10[-e]) * uint64(basis)
			q, r := lo/den, lo%den
			if 2*r >= den {
				q++
			}
			return fenAmt(int64(q))
		}
	}
	sum := a.value()
	if sum.IsZero() {
		return zeroAmount()
	}
	return fenAmount{d: sum.DivRound(decimal.NewFromInt(int64(basis)*100), 2)}
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// fen returns an amount of at most 2 places in fen as fenOf does, without
// building a decimal when its digits fit.
func fen(m decimal.Decimal) int64 {
	if e := m.Exponent(); e >= -2 && e <= 0 && m.NumDigits() <= 16 {
		return m.CoefficientInt64() * pow10[2+e]
	}
	return fenOf(m)
}

// walker accrues a loan's interest run of days by run of days, in date
// order, keeping the balance and the next repayment between calls, so a
// schedule walks the loan once.
type walker struct {
	l       Loan
	c       cover
	capFen  int64 // c.cap in fen; 0 for none
	due     rules.Date
	next    int             // the first repayment not yet taken off the balance
	balance decimal.Decimal // in yuan
	fen     int64           // the balance in fen
}

func newWalker(l Loan, c cover) *walker {
	return &walker{l: l, c: c, capFen: fen(c.cap), due: l.Due(), balance: l.Principal, fen: fen(l.Principal)}
}

// repaidBy takes every repayment made on or before day d off the balance.
func (w *walker) repaidBy(d rules.Date) {
	reps := w.l.Repayments
	if w.next >= len(reps) || reps[w.next].Date.After(d) {
		return
	}
	for ; w.next < len(reps) && !reps[w.next].Date.After(d); w.next++ {
		w.fen -= fen(reps[w.next].Amount)
	}
	w.balance = decimal.New(w.fen, -2)
}

// accrue walks [from, to), appending a Segment to segs for each run of days
// with the same balance, rate and status. from must not be before the end
// of the previous call's span.
func (w *walker) accrue(from, to rules.Date, segs []Segment) (sums, []Segment) {
	var s sums
	for day := from; day.Before(to); {
		w.repaidBy(day)
		end := to
		cut := func(b rules.Date) {
			if b.After(day) && b.Before(end) {
				end = b
			}
		}
		cut(w.l.Maturity) // an extension's rate starts here
		cut(w.due)        // overdue from here
		if w.c.on {
			cut(w.c.from) // the policy's effective date, for a loan made before it
			cut(w.c.until.AddDays(1))
		}
		if w.next < len(w.l.Repayments) {
			cut(w.l.Repayments[w.next].Date)
		}
		g := Segment{From: day, To: end, Days: day.DaysUntil(end), Balance: w.balance, Rate: w.l.rateOn(day),
			Overdue: !day.Before(w.due)}
		g.Covered = w.c.on && !g.Overdue && !day.Before(w.c.from) && !day.After(w.c.until)
		s.all.add(w.fen, g.Days, g.Rate)
		if g.Overdue {
			s.overdue.add(w.fen, g.Days, g.Rate)
		}
		if g.Covered {
			covered := w.fen
			g.CoveredBalance = g.Balance
			if w.capFen > 0 && w.capFen < w.fen {
				g.CoveredBalance, covered = w.c.cap, w.capFen
			}
			rate := g.Rate
			if w.c.rate.IsPositive() && w.c.rate.LessThan(rate) {
				g.CoveredRate, rate = w.c.rate, w.c.rate
			}
			s.covered.add(covered, g.Days, rate)
		}
		if w.fen > 0 {
			segs = append(segs, g)
		}
		day = end
	}
	return s, segs
}
