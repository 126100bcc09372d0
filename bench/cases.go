// Package bench compares one decision of the fangpin engine with the same
// decision written by hand in Go, in cel-go with a decimal type, in expr on
// float64 and in grule. Every implementation starts from the same text
// inputs; the exact ones (the engine, hand-written Go and cel-go with
// decimals) must agree on every case. It is a module of its own so the
// library's dependencies stay as they are.
package bench

import (
	"fmt"
	"math/rand/v2"

	"github.com/shopspring/decimal"
)

// Decision is what every implementation returns: whether the rule passed,
// the reason codes in declared order, and the outputs in declared order,
// rounded as the policy declares.
type Decision struct {
	Pass    bool
	Reasons []string
	Outputs []decimal.Decimal
}

// Equal reports whether two decisions are the same, comparing amounts by
// value.
func (d Decision) Equal(e Decision) bool {
	if d.Pass != e.Pass || len(d.Reasons) != len(e.Reasons) || len(d.Outputs) != len(e.Outputs) {
		return false
	}
	for i := range d.Reasons {
		if d.Reasons[i] != e.Reasons[i] {
			return false
		}
	}
	for i := range d.Outputs {
		if !d.Outputs[i].Equal(e.Outputs[i]) {
			return false
		}
	}
	return true
}

func (d Decision) String() string {
	return fmt.Sprintf("pass=%t reasons=%v outputs=%v", d.Pass, d.Reasons, d.Outputs)
}

// Training is a training-grant application as text.
type Training struct{ Relieved, Monitored, Affected, Tier string }

// Labour is a work-relief project's labour-share audit as text.
type Labour struct{ Fiscal, Labour string }

// Work is a 以工代训 claim as text.
type Work struct{ Relieved, Monitored, Affected, Months string }

var yn = []string{"是", "否"}

// TrainingCases returns every combination of the three flags with the six
// ways a tier is written.
func TrainingCases() []Training {
	var out []Training
	for _, tier := range []string{"A", "B", "C", "A类", "B类", "C类"} {
		for i := range 8 {
			out = append(out, Training{yn[i&1], yn[i>>1&1], yn[i>>2&1], tier})
		}
	}
	return out
}

// LabourCases returns n projects with amounts that differ on every case:
// fiscal funds from 1,000.00 to about 10 million, labour remuneration from
// 5% to 25% of it, some exactly at 15%.
func LabourCases(n int) []Labour {
	rng := rand.New(rand.NewPCG(9, 15))
	out := make([]Labour, n)
	for i := range out {
		fiscal := decimal.New(100_000+rng.Int64N(1_000_000_000), -2)
		var labour decimal.Decimal
		if i%10 == 0 {
			labour = fiscal.Mul(decimal.New(15, -2)).RoundUp(2)
		} else {
			labour = fiscal.Mul(decimal.New(500+rng.Int64N(2000), -4)).RoundDown(2)
		}
		out[i] = Labour{fiscal.StringFixed(2), labour.StringFixed(2)}
	}
	return out
}

// WorkCases returns claims with months from 0 to 12 and the flags varying.
func WorkCases() []Work {
	var out []Work
	for i := range 104 {
		out = append(out, Work{yn[i&1], "是", yn[i/3%2], fmt.Sprint(i % 13)})
	}
	return out
}
