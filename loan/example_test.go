package loan_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// The worked example of the design: 50,000.00 at 3.85% from 2021-09-01,
// repaid on 2021-12-01, settled quarterly.
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

// A loan not yet repaid, asked about as of a day: the interest and the
// subsidy of the days before it, what is still owed, and the day the bank
// next settles.
func ExampleCalculator_SubsidyAsOf() {
	calc, _ := loan.New()
	d, err := calc.SubsidyAsOf(context.Background(), loan.Loan{
		ID:              "L002",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("50000.00"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
	}, rules.MustDate("2021-10-15"))
	if err != nil {
		fmt.Println(err)
		return
	}
	s := d.Schedule
	fmt.Println("interest", s.Interest.StringFixed(2), "subsidy", s.Covered.StringFixed(2), "owed", s.Outstanding.StringFixed(2))
	fmt.Println("next settlement", d.NextSettlement)
	// Output:
	// interest 235.27 subsidy 235.27 owed 50000.00
	// next settlement 2021-12-20
}

// A decision's JSON is the one JSON object of a decision, and reads back.
func ExampleDecision_MarshalJSON() {
	calc, _ := loan.New()
	d, _ := calc.Subsidy(context.Background(), loan.Loan{
		ID:              "L001",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("50000.00"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
		Repayments:      []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("50000.00")}},
	})
	b, _ := json.Marshal(d)
	var back loan.Decision
	if err := json.Unmarshal(b, &back); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.Granted, back.Schedule.Covered, back.Schedule.Borrower.StringFixed(2), len(back.Schedule.Periods))
	// Output: true 486.59 0.00 2
}

// A loan that is not eligible is a decision with reasons, not an error;
// its interest is still computed, all of it the borrower's.
func ExampleCalculator_Subsidy_notEligible() {
	calc, _ := loan.New()
	d, err := calc.Subsidy(context.Background(), loan.Loan{
		ID:              "L004",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("50000.01"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
		Repayments:      []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("50000.01")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.Granted, d.Reasons[0].Code, d.Reasons[0].Clause)
	fmt.Println("interest", d.Schedule.Interest, "subsidy", d.Schedule.Covered, "borrower", d.Schedule.Borrower)
	// Output:
	// false principal-over-cap 第十四条
	// interest 486.59 subsidy 0 borrower 486.59
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

// A county that subsidises the first 50,000 of a larger loan says so in an
// overlay; the 80,000 loan is then eligible on 50,000 of it.
func ExampleNew_firstPortion() {
	set, err := policies.Load(rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_cap_first_portion:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 对5万元以内部分贴息}
`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	calc, err := loan.New(loan.WithPolicy(set))
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := calc.Subsidy(context.Background(), loan.Loan{
		ID:              "L005",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("80000.00"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
		Repayments:      []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("80000.00")}},
	})
	fmt.Println(d.Granted, d.SubsidisedPrincipal)
	fmt.Println("interest", d.Schedule.Interest, "subsidy", d.Schedule.Covered, "borrower", d.Schedule.Borrower)
	// Output:
	// true 50000
	// interest 778.55 subsidy 486.59 borrower 291.96
}

// A county that subsidises interest at most at the 1-year LPR says so in
// an overlay; on a loan at 4.35% the borrower pays the interest of the
// difference, period by period.
func ExampleNew_rateCap() {
	set, err := policies.Load(rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_subsidy_rate_cap_lpr_1y:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 按一年期LPR贴息}
`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	calc, _ := loan.New(loan.WithPolicy(set))
	d, _ := calc.Subsidy(context.Background(), loan.Loan{
		ID:              "L435",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("50000.00"),
		AnnualRate:      decimal.RequireFromString("0.0435"),
		Start:           rules.MustDate("2021-09-01"),
		Maturity:        rules.MustDate("2022-09-01"),
		Repayments:      []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("50000.00")}},
	})
	fmt.Println(d.Granted, "capped at", d.SubsidyRateCap)
	for _, p := range d.Schedule.Periods {
		fmt.Println(p.From, p.Days, "days: interest", p.Interest, "subsidy", p.Covered, "borrower", p.Borrower)
	}
	// Output:
	// true capped at 0.0385
	// 2021-09-01 20 days: interest 120.83 subsidy 106.94 borrower 13.89
	// 2021-09-21 71 days: interest 428.96 subsidy 379.65 borrower 49.31
}

// A county that subsidises loans made before the policy, from the day it
// took effect, says so in an overlay; the period that holds 2021-08-19 is
// covered only from that day.
func ExampleNew_prePolicyLoans() {
	set, err := policies.Load(rules.Source{Name: "county.yaml", Data: []byte(`extends: henan-2021-48
parameters:
  microloan_pre_policy_interest:
    values:
      - {from: "2021-08-19", value: true, basis: 某县 政策施行前发放的贷款自施行日起贴息}
`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	calc, _ := loan.New(loan.WithPolicy(set))
	d, _ := calc.Subsidy(context.Background(), loan.Loan{
		ID:              "L0601",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("30000.00"),
		AnnualRate:      decimal.RequireFromString("0.0385"),
		Start:           rules.MustDate("2021-06-01"),
		Maturity:        rules.MustDate("2022-06-01"),
		Repayments:      []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("30000.00")}},
	})
	fmt.Println(d.Granted, "covered from", d.CoveredFrom)
	fmt.Println("interest", d.Schedule.Interest, "subsidy", d.Schedule.Covered, "borrower", d.Schedule.Borrower)
	// Output:
	// true covered from 2021-08-19
	// interest 587.13 subsidy 333.67 borrower 253.46
}

func ExampleWithSettlement() {
	calc, _ := loan.New(loan.WithSettlement(loan.Monthly))
	d, _ := calc.Subsidy(context.Background(), loan.Loan{
		ID:              "L006",
		PovertyRelieved: true,
		Principal:       decimal.RequireFromString("20000.00"),
		AnnualRate:      decimal.RequireFromString("0.0370"),
		Start:           rules.MustDate("2023-11-01"),
		Maturity:        rules.MustDate("2024-11-01"),
		Repayments:      []loan.Repayment{{Date: rules.MustDate("2024-02-01"), Amount: decimal.RequireFromString("20000.00")}},
	})
	for _, p := range d.Schedule.Periods {
		fmt.Println(p.From, p.Days, p.Interest, p.Covered, p.Borrower)
	}
	// Output:
	// 2023-11-01 20 41.11 41.11 0
	// 2023-11-21 30 61.67 61.67 0
	// 2023-12-21 31 63.72 22.61 41.11
	// 2024-01-21 11 22.61 0 22.61
}

// Accrue computes interest as the bank charges it, without a policy.
func ExampleAccrue() {
	s, err := loan.Accrue(loan.Loan{
		ID:         "L003",
		Principal:  decimal.RequireFromString("20000.00"),
		AnnualRate: decimal.RequireFromString("0.0435"),
		Start:      rules.MustDate("2022-01-10"),
		Maturity:   rules.MustDate("2022-04-10"),
	}, loan.Options{Settlement: loan.Monthly, DayBasis: loan.Act360})
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

// A loan still unpaid after its due day, accrued to an as-of day: the days
// from the due day on are overdue.
func ExampleAccrue_overdue() {
	s, _ := loan.Accrue(loan.Loan{
		ID:         "L007",
		Principal:  decimal.RequireFromString("10000.00"),
		AnnualRate: decimal.RequireFromString("0.0365"),
		Start:      rules.MustDate("2022-09-01"),
		Maturity:   rules.MustDate("2023-03-01"),
		Repayments: []loan.Repayment{{Date: rules.MustDate("2023-03-01"), Amount: decimal.RequireFromString("6000.00")}},
	}, loan.Options{Settlement: loan.AtMaturity, Until: rules.MustDate("2023-04-01")})
	fmt.Println(s.End, s.Interest, s.Overdue, s.Outstanding)
	// Output:
	// 2023-04-01 196.09 12.58 4000
}

func ExampleLoan_Validate() {
	l := loan.Loan{
		ID:         "L008",
		Principal:  decimal.RequireFromString("30000.00"),
		AnnualRate: decimal.RequireFromString("3.85"), // a percent, not a fraction
		Start:      rules.MustDate("2022-03-01"),
		Maturity:   rules.MustDate("2023-03-01"),
	}
	err := l.Validate()
	fmt.Println(err)
	var fe *loan.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field)
	}
	// Output:
	// loan L008: annual_rate: 3.85 is above 0.24 a year; give the rate as a fraction (0.0385 for 3.85%)
	// annual_rate
}

func ExampleLoan_RepaidOn() {
	l := loan.Loan{
		Principal:  decimal.RequireFromString("30000.00"),
		AnnualRate: decimal.RequireFromString("0.0385"),
		Start:      rules.MustDate("2022-03-01"),
		Maturity:   rules.MustDate("2023-03-01"),
		Extension:  &loan.Extension{To: rules.MustDate("2023-09-01")},
		Repayments: []loan.Repayment{
			{Date: rules.MustDate("2022-09-01"), Amount: decimal.RequireFromString("10000.00")},
			{Date: rules.MustDate("2023-06-01"), Amount: decimal.RequireFromString("20000.00")},
		},
	}
	on, ok := l.RepaidOn()
	fmt.Println(on, ok, l.Due())
	// Output:
	// 2023-06-01 true 2023-09-01
}

// Parse reads a loan from a sheet's row, by field name.
func ExampleParse() {
	row := map[string]string{
		"id": "L009", "poverty_relieved": "是", "monitored": "否", "principal": "40,000.00",
		"annual_rate": "0.0380", "start": "2022-01-05", "maturity": "2023-01-05",
		"repayments": "2022-07-05:20000.00;2023-01-05:20000.00",
	}
	l, err := loan.Parse(func(name string) string { return row[name] })
	fmt.Println(l.ID, l.Principal, len(l.Repayments), err)

	row["principal"] = "40000.001"
	_, err = loan.Parse(func(name string) string { return row[name] })
	fmt.Println(err)
	// Output:
	// L009 40000 2 <nil>
	// loan L009: principal: "40000.001" has more than 2 decimal places
}

func ExampleParseSettlement() {
	s, err := loan.ParseSettlement("monthly")
	fmt.Println(s, err, s == loan.Monthly)
	_, err = loan.ParseSettlement("weekly")
	fmt.Println(err)
	// Output:
	// monthly <nil> true
	// settlement "weekly": want quarterly, monthly, yearly or at-maturity
}
