package loan_test

import (
	"context"
	"fmt"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// paidInSeptember is what September's batch paid: loan L003's first
// period. A payment ledger (package ledger) answers the same questions
// from its database.
type paidInSeptember struct{}

func (paidInSeptember) Granted(_ context.Context, rule, subject, key string) (rules.Prior, bool, error) {
	if rule == loan.Rule && subject == "L003" && key == "2021-09-01..2021-09-21" {
		return rules.Prior{Source: "2021-09 贴息.xlsx", Line: 5, Paid: rules.MustDate("2021-09-30")}, true, nil
	}
	return rules.Prior{}, false, nil
}

func (paidInSeptember) Used(context.Context, string, string) (int64, error) { return 0, nil }

// December's sheet lists a loan whose first period September's batch
// paid: that period is not payable again, the December quarter's is.
func ExampleCalculator_Unpaid() {
	calc, _ := loan.New()
	ctx := context.Background()
	d, err := calc.SubsidyAsOf(ctx, loan.Loan{
		ID:              "L003",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("50000.00"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
	}, rules.MustDate("2021-12-21"))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err = calc.Unpaid(ctx, paidInSeptember{}, d)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range d.Schedule.Periods {
		fmt.Println(p.Key(), p.Covered.StringFixed(2))
	}
	fmt.Println("subsidy", d.Schedule.Covered.StringFixed(2), "payable now", d.Payable.StringFixed(2))
	for _, p := range d.PaidBefore {
		fmt.Println("paid before:", p.From, p.Prior.Source, "line", p.Prior.Line)
	}
	// Output:
	// 2021-09-01..2021-09-21 106.94
	// 2021-09-21..2021-12-21 486.60
	// subsidy 593.54 payable now 486.60
	// paid before: 2021-09-01 2021-09 贴息.xlsx line 5
}
