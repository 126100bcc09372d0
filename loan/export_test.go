package loan

import (
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Accrued returns the loan's interest over [from, to) before it is divided
// by the day basis and rounded, as the schedule computes it: Σ balance ×
// rate × days in total, and on days up to and including until (zero: none
// covered).
func Accrued(l Loan, from, to, until rules.Date) (all, covered decimal.Decimal) {
	s, _ := newWalker(l, cover{on: !until.IsZero(), until: until}).accrue(from, to, nil)
	return s.all.value().Shift(-2), s.covered.value().Shift(-2)
}
