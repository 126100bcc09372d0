package loan

import (
	"fmt"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Loan is a microloan (小额信贷) as the bank booked it. It is a plain value:
// build it (or decode it from JSON, where decimals are read from their
// text, never as floats), call [Loan.Validate] (every function here does),
// and pass it by value.
type Loan struct {
	// ID is the bank's loan number, echoed in decisions and errors.
	ID string `json:"id"`
	// PovertyRelieved and Monitored describe the borrower: 脱贫人口, 监测对象.
	PovertyRelieved bool `json:"poverty_relieved"`
	Monitored       bool `json:"monitored"`
	// Principal is the amount lent, in yuan, at most 2 decimal places.
	Principal decimal.Decimal `json:"principal"`
	// AnnualRate is the contract rate as a fraction per year (0.0385 for
	// 3.85%), fixed for the contract's term.
	AnnualRate decimal.Decimal `json:"annual_rate"`
	// Start is the day the money was paid out (放款日) and the contract date
	// the LPR cap is read on; interest accrues from it.
	Start rules.Date `json:"start"`
	// Maturity is the day the loan falls due under the contract. Interest
	// accrues up to, not including, the day of repayment (算头不算尾).
	Maturity rules.Date `json:"maturity"`
	// Repayments are the principal repaid, in date order, each after Start.
	// Their total may be less than Principal (not yet repaid in full).
	Repayments []Repayment `json:"repayments"`
	// Extension, if set, moves the maturity (展期) and may change the rate.
	Extension *Extension `json:"extension,omitempty"`
	// Renews is the ID of the loan this one replaces (续贷); "" if none. A
	// renewal is a new loan, judged on its own start date.
	Renews string `json:"renews,omitempty"`
}

// Repayment is principal repaid, in yuan, on a day. The balance is lower
// from that day on, so the day itself accrues on the lower balance.
type Repayment struct {
	Date   rules.Date      `json:"date"`   // the day of repayment
	Amount decimal.Decimal `json:"amount"` // principal repaid, in yuan, at most 2 places
}

// Extension is a 展期: the loan's new maturity and, if not zero, the annual
// rate (a fraction) that applies from the original maturity on. A zero Rate
// keeps the contract rate.
type Extension struct {
	To   rules.Date      `json:"to"`   // the new maturity
	Rate decimal.Decimal `json:"rate"` // the annual rate from the original maturity on; zero keeps the contract rate
}

// FieldError reports a loan field that is missing or not acceptable. Field
// is the field's name in input files: principal, annual_rate, start,
// maturity, repayments, extended_to, extension_rate, renews, … (see
// [Fields]).
type FieldError struct {
	Loan  string // the loan's ID
	Field string // the field's name in input files
	Err   error  // what is wrong
}

// Error returns "loan ID: FIELD: problem", or "loan: FIELD: problem" for a
// loan without an ID.
func (e *FieldError) Error() string {
	if e.Loan != "" {
		return fmt.Sprintf("loan %s: %s: %v", e.Loan, e.Field, e.Err)
	}
	return fmt.Sprintf("loan: %s: %v", e.Field, e.Err)
}

// Unwrap returns the underlying problem.
func (e *FieldError) Unwrap() error { return e.Err }

// InputField returns Field; through it rules.ProblemOf names the field in
// a decision's JSON "error" object.
func (e *FieldError) InputField() string { return e.Field }

// maxRate bounds a sane annual rate: above it, the rate is almost always a
// percent typed where a fraction was meant (3.85 for 0.0385). It is the
// 24% a year of the 2015 private-lending rules, far above any microloan.
var maxRate = decimal.New(24, -2)

// Validate checks the loan and returns a *FieldError naming the first
// field that is wrong:
//   - principal: missing, not more than 0, or more than 2 decimal places;
//   - annual_rate: not in (0, 0.24];
//   - start, maturity: missing, or maturity not after start;
//   - repayments: a date not after the start or before the previous
//     repayment's, an amount not more than 0 or with more than 2 decimal
//     places, or a running total above the principal;
//   - extended_to: not after the maturity; extension_rate: not in (0, 0.24];
//   - renews: the loan's own ID.
//
// A repayment after the maturity is accepted: it is a loan repaid late,
// whose interest after the due day is overdue.
func (l Loan) Validate() error {
	fail := func(field, format string, args ...any) error {
		return &FieldError{Loan: l.ID, Field: field, Err: fmt.Errorf(format, args...)}
	}
	if err := checkMoney(l.Principal); err != nil {
		return fail("principal", "%v", err)
	}
	if l.Principal.GreaterThan(maxPrincipal) {
		return fail("principal", "%s is too large", l.Principal)
	}
	if err := checkRate(l.AnnualRate); err != nil {
		return fail("annual_rate", "%v", err)
	}
	switch {
	case l.Start.IsZero():
		return fail("start", "is missing")
	case l.Maturity.IsZero():
		return fail("maturity", "is missing")
	case !l.Maturity.After(l.Start):
		return fail("maturity", "%s is not after the start %s", l.Maturity, l.Start)
	}
	// Counted in fen: every amount is checked to be at most the principal
	// before it is added, so the total stays far inside int64.
	principal, repaid := fenOf(l.Principal), int64(0)
	prev := l.Start
	for i, r := range l.Repayments {
		switch {
		case !r.Date.After(l.Start):
			return fail("repayments", "repayment %d on %q is not after the start %s", i+1, r.Date, l.Start)
		case r.Date.Before(prev):
			return fail("repayments", "repayment %d on %s comes before the one on %s", i+1, r.Date, prev)
		}
		if err := checkMoney(r.Amount); err != nil {
			return fail("repayments", "repayment %d on %s: %v", i+1, r.Date, err)
		}
		prev = r.Date
		if r.Amount.GreaterThan(l.Principal) {
			repaid = principal + 1
		} else {
			repaid += fenOf(r.Amount)
		}
		if repaid > principal {
			return fail("repayments", "repayment %d on %s of %s takes the repaid total above the principal %s",
				i+1, r.Date, r.Amount, l.Principal)
		}
	}
	if x := l.Extension; x != nil {
		if !x.To.After(l.Maturity) {
			return fail("extended_to", "%q is not after the maturity %s", x.To, l.Maturity)
		}
		if !x.Rate.IsZero() {
			if err := checkRate(x.Rate); err != nil {
				return fail("extension_rate", "%v", err)
			}
		}
	}
	if l.Renews != "" && l.Renews == l.ID {
		return fail("renews", "a loan cannot renew itself")
	}
	return nil
}

// checkMoney accepts an amount of yuan more than 0 with at most 2 decimal
// places, by value: 100.000 is 100.00.
func checkMoney(m decimal.Decimal) error {
	switch {
	case !m.IsPositive():
		return fmt.Errorf("%s must be more than 0", m)
	case !m.Shift(2).IsInteger():
		return fmt.Errorf("%s has more than 2 decimal places", m)
	}
	return nil
}

// maxPrincipal bounds a principal so that amounts can be counted in fen as
// an int64 with room to spare: 10^15 yuan.
var maxPrincipal = decimal.New(1, 15)

// fenOf returns an amount of yuan checked by checkMoney, and at most
// maxPrincipal, in fen.
func fenOf(m decimal.Decimal) int64 { return m.Shift(2).IntPart() }

func checkRate(r decimal.Decimal) error {
	switch {
	case !r.IsPositive():
		return fmt.Errorf("%s must be more than 0", r)
	case r.GreaterThan(maxRate):
		return fmt.Errorf("%s is above %s a year; give the rate as a fraction (0.0385 for 3.85%%)", r, maxRate)
	}
	return nil
}

// Due returns the day the loan falls due: the extended maturity if it was
// extended, else the maturity. Interest on days from Due on is overdue.
func (l Loan) Due() rules.Date {
	if l.Extension != nil {
		return l.Extension.To
	}
	return l.Maturity
}

// RepaidOn returns the day the repayments reach the principal, and false if
// they never do (the loan is not repaid in full).
func (l Loan) RepaidOn() (rules.Date, bool) {
	sum := decimal.Zero
	for _, r := range l.Repayments {
		sum = sum.Add(r.Amount)
		if sum.Equal(l.Principal) {
			return r.Date, true
		}
	}
	return rules.Date{}, false
}

// rateOn returns the annual rate that applies on day d: the extension's
// rate from the original maturity on, if it has one.
func (l Loan) rateOn(d rules.Date) decimal.Decimal {
	if x := l.Extension; x != nil && !x.Rate.IsZero() && !d.Before(l.Maturity) {
		return x.Rate
	}
	return l.AnnualRate
}

// oneYearAfter returns the same day a year later; 29 February gives 28
// February.
func oneYearAfter(d rules.Date) rules.Date {
	y, m, day := d.Parts()
	if m == time.February && day == 29 {
		day = 28
	}
	return rules.NewDate(y+1, m, day)
}
