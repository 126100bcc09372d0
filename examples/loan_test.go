package examples_test

import (
	"context"
	"fmt"
	"sort"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// A village's microloans and the county's subsidy budget by quarter: how
// much the 乡村振兴局 must reimburse for the interest each bank settlement
// period charged (the quarter a period's settlement day falls in).
func Example_villageLoanBudget() {
	calc, err := loan.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	money := decimal.RequireFromString
	day := rules.MustDate
	loans := []loan.Loan{
		{ID: "张庄-01", PovertyRelieved: true, Principal: money("50000.00"), AnnualRate: money("0.0385"),
			Start: day("2021-09-01"), Maturity: day("2022-09-01"),
			Repayments: []loan.Repayment{{Date: day("2022-09-01"), Amount: money("50000.00")}}},
		{ID: "张庄-02", Monitored: true, Principal: money("30000.00"), AnnualRate: money("0.0385"),
			Start: day("2021-10-15"), Maturity: day("2022-10-15"),
			Repayments: []loan.Repayment{{Date: day("2022-04-15"), Amount: money("15000.00")}, {Date: day("2022-10-15"), Amount: money("15000.00")}}},
		{ID: "张庄-03", PovertyRelieved: true, Principal: money("60000.00"), AnnualRate: money("0.0385"),
			Start: day("2021-11-01"), Maturity: day("2022-11-01"),
			Repayments: []loan.Repayment{{Date: day("2022-11-01"), Amount: money("60000.00")}}},
	}
	budget := map[string]decimal.Decimal{}
	for _, l := range loans {
		d, err := calc.Subsidy(context.Background(), l)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s 利息 %s 贴息 %s 借款人 %s %v\n", l.ID, d.Schedule.Interest.StringFixed(2),
			d.Schedule.Covered.StringFixed(2), d.Schedule.Borrower.StringFixed(2), codes(d.Reasons))
		for _, p := range d.Schedule.Periods {
			q := quarter(p.To.AddDays(-1))
			budget[q] = budget[q].Add(p.Covered)
		}
	}
	quarters := make([]string, 0, len(budget))
	for q := range budget {
		quarters = append(quarters, q)
	}
	sort.Strings(quarters)
	total := decimal.Zero
	for _, q := range quarters {
		fmt.Println(q, budget[q].StringFixed(2))
		total = total.Add(budget[q])
	}
	fmt.Println("合计", total.StringFixed(2))
	// Output:
	// 张庄-01 利息 1951.73 贴息 1951.73 借款人 0.00 []
	// 张庄-02 利息 877.48 贴息 877.48 借款人 0.00 []
	// 张庄-03 利息 2342.07 贴息 0.00 借款人 2342.07 [principal-over-cap]
	// 2021Q3 106.94
	// 2021Q4 701.56
	// 2022Q1 770.00
	// 2022Q2 679.63
	// 2022Q3 532.58
	// 2022Q4 38.50
	// 合计 2829.21
}

func quarter(d rules.Date) string {
	y, m, _ := d.Parts()
	return fmt.Sprintf("%dQ%d", y, (int(m)+2)/3)
}

func codes(rs []rules.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}
