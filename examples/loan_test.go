package examples_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// A village's microloans (data/loans-village.csv, 36 loans of 张庄村 from
// 2021 to 2024) and the county's subsidy budget by quarter: how much the
// 乡村振兴局 must reimburse in each quarter for the interest the bank
// charged. The bank charges a period's interest on its settlement day (the
// 20th of the last month of a quarter), and the last period's with the
// principal on the day of repayment; a loan still running is projected to
// its maturity. Interest of 21–31 December 2023 is covered but settled in
// March 2024, so the budget runs one quarter past the cut-off. Rows that
// cannot be read are listed by field, not dropped.
func Example_villageLoanBudget() {
	calc, err := loan.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open("data/loans-village.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		fmt.Println(err)
		return
	}
	header := map[string]int{}
	for i, h := range rows[0] {
		header[h] = i
	}
	var eligible, refused, failed int
	budget := map[string]decimal.Decimal{}
	total := decimal.Zero
	for _, row := range rows[1:] {
		l, err := loan.Parse(func(name string) string {
			if i, ok := header[name]; ok {
				return row[i]
			}
			return ""
		})
		var d loan.Decision
		if err == nil {
			d, err = calc.Subsidy(context.Background(), l)
		}
		var fe *loan.FieldError
		switch {
		case errors.As(err, &fe):
			failed++
			fmt.Println("无法判定", row[header["id"]], fe.Field)
			continue
		case err != nil:
			fmt.Println(err)
			return
		case d.Granted:
			eligible++
		default:
			refused++
			fmt.Println("不符合", l.ID, codes(d.Reasons))
		}
		for _, x := range d.Notes {
			fmt.Println("审计提示", l.ID, x.Code)
		}
		for i, p := range d.Schedule.Periods {
			charged := p.To.AddDays(-1) // the settlement day
			if i == len(d.Schedule.Periods)-1 {
				charged = p.To // with the principal
			}
			if p.Covered.IsPositive() {
				q := quarter(charged)
				budget[q] = budget[q].Add(p.Covered)
				total = total.Add(p.Covered)
			}
		}
	}
	fmt.Printf("%d 笔：符合 %d，不符合 %d，无法判定 %d\n", len(rows)-1, eligible, refused, failed)
	quarters := make([]string, 0, len(budget))
	for q := range budget {
		quarters = append(quarters, q)
	}
	sort.Strings(quarters)
	for _, q := range quarters {
		fmt.Println(q, budget[q].StringFixed(2))
	}
	fmt.Println("合计", total.StringFixed(2))
	// Output:
	// 不符合 ZZ-004 [not-covered-population]
	// 不符合 ZZ-005 [principal-over-cap]
	// 审计提示 ZZ-009 overdue-interest
	// 审计提示 ZZ-012 rate-above-lpr
	// 不符合 ZZ-019 [principal-over-cap]
	// 不符合 ZZ-023 [starts-after-cutoff]
	// 不符合 ZZ-024 [not-covered-population]
	// 不符合 ZZ-026 [not-in-force]
	// 审计提示 ZZ-027 overdue-interest
	// 无法判定 ZZ-030 annual_rate
	// 无法判定 ZZ-031 monitored
	// 无法判定 ZZ-032 maturity
	// 无法判定 ZZ-033 principal
	// 无法判定 ZZ-034 extension_rate
	// 无法判定 ZZ-035 repayments
	// 36 笔：符合 24，不符合 6，无法判定 6
	// 2021Q3 126.19
	// 2021Q4 1494.96
	// 2022Q1 2586.55
	// 2022Q2 3365.86
	// 2022Q3 3720.70
	// 2022Q4 3505.11
	// 2023Q1 3725.17
	// 2023Q2 4442.89
	// 2023Q3 4086.81
	// 2023Q4 3445.43
	// 2024Q1 399.20
	// 合计 30898.87
}

// quarter names the calendar quarter of day d: 2021Q3.
func quarter(d rules.Date) string {
	y, m, _ := d.Parts()
	return fmt.Sprintf("%dQ%d", y, (int(m)+2)/3)
}

// codes lists the reason codes of a decision.
func codes(rs []rules.Reason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}
