// Package loan computes microloan interest the way the bank charges it and
// the clause-14 interest subsidy of 豫办发电〔2021〕48号: "贷款额度5万元以下的，
// 2023年12月31日前产生的利息全额贴息".
//
// A county 乡村振兴局 reimburses the interest the bank charged, so the
// library reproduces the bank's figure to the fen and splits it, period by
// period, into what the subsidy covers and what the borrower pays:
//
//	calc, _ := loan.New() // the embedded policy; loan.WithPolicy for overlays
//	d, err := calc.Subsidy(ctx, loan.Loan{
//		ID: "L001", PovertyRelieved: true,
//		Principal:  decimal.RequireFromString("50000.00"),
//		AnnualRate: decimal.RequireFromString("0.0385"),
//		Start:      rules.MustDate("2021-09-01"),
//		Maturity:   rules.MustDate("2022-09-01"),
//		Repayments: []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: decimal.RequireFromString("50000.00")}},
//	})
//	// d.Schedule: 2021-09-01..09-20 (20 days) 106.94 and 2021-09-21..11-30
//	// (71 days) 379.65; interest 486.59, all of it subsidised.
//
// # Conventions
//
// Interest accrues daily on the outstanding principal at the annual rate
// divided by the day basis (policy parameter microloan_day_basis: 360 by
// default, 银发〔2005〕129号), from the start day up to, not including, the
// day of repayment (算头不算尾). A partial repayment lowers the balance from
// its day. Interest is settled quarterly by default: a period ends after the
// 20th of March, June, September and December, and the last one when the
// loan is repaid or reaches its (extended) maturity; monthly, yearly and
// at-maturity settlement are options ([WithSettlement], [Options]). Each
// period's interest is summed exactly, then rounded half-up to the fen.
//
// # The subsidy
//
// Eligibility is the policy's rule microloan-interest-subsidy, judged on the
// loan's start day: the borrower is 脱贫人口 or 监测对象, the principal is at
// most microloan_max_principal (50,000.00; "5万元以下" includes 50,000 under
// 民法典 第1259条), and the loan started on or before microloan_subsidy_until
// (2023-12-31). A county may set microloan_cap_first_portion in an overlay to
// subsidise the first 50,000 of a larger loan instead of refusing it. A loan
// started before the rule took effect (2021-08-19) is not in force.
//
// A period's subsidy is the interest that accrued on days up to and
// including the cut-off, on the subsidised principal, rounded half-up; the
// borrower pays the rest, so subsidy + borrower share = interest exactly.
// Interest after the due day without an extension (展期) is overdue: it is
// reported, never subsidised. An extension moves the due day and may carry
// its own rate. A renewal (续贷) is a new loan, linked by Renews.
//
// # Findings
//
// A contract rate above the LPR in force on the start day (1-year LPR for a
// term up to one year, 5-year-plus beyond; parameters lpr_1y and lpr_5y) is
// reported as the finding rate-above-lpr; overdue interest as
// overdue-interest. Findings do not change the subsidy.
//
// # Explanations
//
// [Decision.WriteText] lists each period with its days, balance, rate and
// amounts in Chinese, to be checked against a bank statement. No figure
// here ever passes through float64, and no policy figure is written in Go.
package loan
