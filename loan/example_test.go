package loan_test

import (
	"context"
	"fmt"
	"os"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

func ExampleCalculator_Subsidy() {
	calc, err := loan.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	d, err := calc.Subsidy(context.Background(), loan.Loan{
		ID:              "L001",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("50000.00"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
		Repayments:      []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("50000.00")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range d.Schedule.Periods {
		fmt.Println(p.From, p.To.AddDays(-1), p.Days, p.Interest, p.Covered, p.Borrower)
	}
	fmt.Println("interest", d.Schedule.Interest, "subsidy", d.Schedule.Covered)
	// Output:
	// 2021-09-01 2021-09-20 20 106.94 106.94 0
	// 2021-09-21 2021-11-30 71 379.65 379.65 0
	// interest 486.59 subsidy 486.59
}

func ExampleDecision_WriteText() {
	calc, _ := loan.New()
	d, _ := calc.Subsidy(context.Background(), loan.Loan{
		ID:         "L002",
		Monitored:  true,
		Principal:  decimal.RequireFromString("30000.00"),
		AnnualRate: decimal.RequireFromString("0.0385"),
		Start:      rules.MustDate("2023-11-15"),
		Maturity:   rules.MustDate("2024-02-15"),
		Repayments: []loan.Repayment{{Date: rules.MustDate("2024-02-15"), Amount: decimal.RequireFromString("30000.00")}},
	})
	_ = d.WriteText(os.Stdout)
	// Output:
	// 贷款 L002：脱贫人口和监测对象小额信贷利息贴息资格（豫办发电〔2021〕48号 第十四条）
	// 依据：「对有贷款意愿、符合贷款条件的脱贫人口和监测对象应贷尽贷，担保机构要及时跟进，贷款额度5万元以下的，2023年12月31日前产生的利息全额贴息。」
	// 贴息资格：符合，贴息本金 30000.00 元，贴息截至 2023-12-31（含当日）
	// 计息：日利率 = 年利率 ÷ 360，算头不算尾，按季结息，每期合计后四舍五入到分
	// 第 1 期 2023-11-15 至 2023-12-20（36 天）：利息 115.50 元，贴息 115.50 元，借款人负担 0.00 元
	//   2023-11-15 至 2023-12-20 36 天，本金余额 30000.00 元，年利率 3.85%，贴息
	// 第 2 期 2023-12-21 至 2024-02-14（56 天）：利息 179.67 元，贴息 35.29 元，借款人负担 144.38 元
	//   2023-12-21 至 2023-12-31 11 天，本金余额 30000.00 元，年利率 3.85%，贴息
	//   2024-01-01 至 2024-02-14 45 天，本金余额 30000.00 元，年利率 3.85%，贴息截止日后，不贴息
	// 合计：利息 295.17 元，贴息 150.79 元，借款人负担 144.38 元
	// 审计提示（rate-above-lpr）：合同年利率 3.85% 高于放款日 2023-11-15 的一年期LPR 3.45%（2023-08-21 起）
}

func ExampleAccrue() {
	s, err := loan.Accrue(loan.Loan{
		ID:         "L003",
		Principal:  decimal.RequireFromString("20000.00"),
		AnnualRate: decimal.RequireFromString("0.0435"),
		Start:      rules.MustDate("2022-01-10"),
		Maturity:   rules.MustDate("2022-04-10"),
	}, loan.Options{Settlement: loan.Monthly, DayBasis: 360})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range s.Periods {
		fmt.Println(p.From, p.Days, p.Interest)
	}
	fmt.Println(s.Interest.StringFixed(2), s.Outstanding.StringFixed(2))
	// Output:
	// 2022-01-10 11 26.58
	// 2022-01-21 31 74.92
	// 2022-02-21 28 67.67
	// 2022-03-21 20 48.33
	// 217.50 20000.00
}
