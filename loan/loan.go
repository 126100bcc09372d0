package loan

import (
	"errors"
	"fmt"
	"sort"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Loan is a microloan (小额信贷) as the bank booked it.
type Loan struct {
	ID string
	// PovertyRelieved and Monitored describe the borrower: 脱贫人口, 监测对象.
	PovertyRelieved, Monitored bool
	// Principal is the amount lent, in yuan, at most 2 decimal places.
	Principal decimal.Decimal
	// AnnualRate is the contract rate as a fraction per year (0.0385 for 3.85%).
	AnnualRate decimal.Decimal
	// Start is the day the money was paid out; interest accrues from it.
	Start rules.Date
	// Maturity is the day the loan falls due. Interest accrues up to, not
	// including, the day of repayment (算头不算尾).
	Maturity rules.Date
	// Repayments are the principal repaid, in date order.
	Repayments []Repayment
	// Extension, if set, moves the maturity (展期) and may change the rate.
	Extension *Extension
	// Renews is the ID of the loan this one replaces (续贷); "" if none. A
	// renewal is a new loan, judged on its own start date.
	Renews string
}

// Repayment is principal repaid on a day. Interest stops accruing on it
// from that day.
type Repayment struct {
	Date   rules.Date
	Amount decimal.Decimal
}

// Extension is a 展期: the loan's new maturity and, if not zero, the annual
// rate (a fraction) from the old maturity on.
type Extension struct {
	To   rules.Date
	Rate decimal.Decimal
}

// FieldError reports a loan field that is missing or not acceptable.
type FieldError struct {
	Loan  string // the loan's ID
	Field string // as in the input files: principal, annual_rate, start, …
	Err   error
}

func (e *FieldError) Error() string {
	if e.Loan != "" {
		return fmt.Sprintf("loan %s: %s: %v", e.Loan, e.Field, e.Err)
	}
	return fmt.Sprintf("loan: %s: %v", e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// maxRate bounds a sane annual rate: a value above it is almost always a
// percent typed where a fraction was meant.
var maxRate = decimal.RequireFromString("0.24")

// Validate checks the loan and returns a *FieldError naming the first field
// that is wrong: a principal that is not positive or has more than 2
// places, a rate outside (0, 0.24], a maturity not after the start,
// repayments out of order, before the start, not positive, or adding up to
// more than the principal, an extension not after the maturity.
func (l Loan) Validate() error {
	fail := func(field, format string, args ...any) error {
		return &FieldError{Loan: l.ID, Field: field, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case !l.Principal.IsPositive():
		return fail("principal", "%s must be more than 0", l.Principal)
	case l.Principal.Exponent() < -2 && !l.Principal.Equal(l.Principal.Round(2)):
		return fail("principal", "%s has more than 2 decimal places", l.Principal)
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
	repaid := decimal.Zero
	var prev rules.Date
	for i, r := range l.Repayments {
		switch {
		case !r.Date.After(l.Start):
			return fail("repayments", "repayment %d on %s is not after the start %s", i+1, r.Date, l.Start)
		case r.Date.Before(prev):
			return fail("repayments", "repayment %d on %s comes before the one on %s", i+1, r.Date, prev)
		case !r.Amount.IsPositive():
			return fail("repayments", "repayment %d of %s must be more than 0", i+1, r.Amount)
		case r.Amount.Exponent() < -2 && !r.Amount.Equal(r.Amount.Round(2)):
			return fail("repayments", "repayment %d of %s has more than 2 decimal places", i+1, r.Amount)
		}
		prev = r.Date
		repaid = repaid.Add(r.Amount)
		if repaid.GreaterThan(l.Principal) {
			return fail("repayments", "repayment %d on %s takes the repaid total to %s, above the principal %s", i+1, r.Date, repaid, l.Principal)
		}
	}
	if x := l.Extension; x != nil {
		if !x.To.After(l.Maturity) {
			return fail("extended_to", "%s is not after the maturity %s", x.To, l.Maturity)
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
// extended, else the maturity.
func (l Loan) Due() rules.Date {
	if l.Extension != nil {
		return l.Extension.To
	}
	return l.Maturity
}

// RepaidOn returns the day the last of the principal was repaid, and false
// if the repayments do not add up to the principal.
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

// sortRepayments returns the repayments in date order.
func sortRepayments(rs []Repayment) []Repayment {
	out := append([]Repayment(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

var errNoEnd = errors.New("the loan is not repaid in full and no date to accrue to was given")
