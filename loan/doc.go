// Package loan computes microloan interest the way the bank charges it,
// and the clause-14 interest subsidy of 豫办发电〔2021〕48号: "贷款额度5万元以下的，
// 2023年12月31日前产生的利息全额贴息".
//
// A county 乡村振兴局 reimburses the interest the bank charged, so the
// package reproduces the bank's figure to the fen and splits it, period by
// period, into what the subsidy covers and what the borrower pays. It is
// plain functions over values: a [Loan] is a value, [Accrue] computes its
// interest under [Options], and a [Calculator] (built once from a policy,
// safe for concurrent use) decides its subsidy:
//
//	calc, err := loan.New() // the embedded policy; loan.WithPolicy(set) for one with overlays
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
//	d.WriteText(os.Stdout) // the same, period by period, in Chinese
//
// # Conventions
//
// Interest accrues daily on the outstanding principal at the annual rate
// divided by the day basis ([DayBasis]: the policy parameter
// microloan_day_basis, 360 by default after 银发〔2005〕129号; [Act365] where a
// county says so), from the start day up to, not including, the day of
// repayment (算头不算尾). A partial repayment lowers the balance from its
// day. Interest is settled quarterly by default: a period ends after the
// 20th of March, June, September and December, and the last one when the
// loan is repaid or reaches its (extended) maturity; monthly, yearly and
// at-maturity settlement are options ([Settlement], [WithSettlement],
// [Options]). A loan not repaid in full accrues to its due day, or to
// [Options].Until.
//
// [Calculator.SubsidyAsOf] answers as of a day: the interest and the
// subsidy accrued on the days before it (the open period cut at it and
// rounded as a period is), what is still owed, and the next settlement day.
//
// # Rounding
//
// Each period's interest is summed exactly (balance × rate × days, with no
// rounding inside the period, across repayments, rate changes and the
// cut-off), divided by the day basis once and rounded half-up (四舍五入) to
// the fen. The subsidy of a period is the part that accrued on covered
// days, rounded the same way; the borrower's share is the interest minus
// the subsidy, so the two add up to the interest exactly. Totals are sums
// of the rounded periods, as on the bank's statements. Nothing passes
// through float64, and no division uses decimal's global precision.
//
// # The subsidy
//
// Eligibility is the policy's rule microloan-interest-subsidy ([Rule]),
// judged on the loan's start day: the borrower is 脱贫人口 or 监测对象, the
// principal is at most microloan_max_principal ("5万元以下" includes 50,000.00
// under 民法典 第1259条; 50,000.01 is over), and the loan started on or
// before microloan_subsidy_until. A loan started before the rule took
// effect (2021-08-19) gets the reason not-in-force. Every figure comes from
// the policy file; none is written in Go.
//
// Interest that accrued on days up to and including the cut-off is
// covered, on the subsidised principal. The strict reading of "5万元以下"
// is the default: a larger loan gets nothing. A county that subsidises the
// first 50,000 of a larger loan instead sets the parameter
// microloan_cap_first_portion in an overlay (see the example of [New]):
//
//	extends: henan-2021-48
//	parameters:
//	  microloan_cap_first_portion:
//	    values:
//	      - {from: "2021-08-19", value: true, basis: 某县 对5万元以内部分贴息}
//
// Then interest is covered on min(balance, 50,000.00) each day.
//
// Two more readings of a county's published rules are parameters, off in
// the policy itself (see the examples of [New]):
//
//   - microloan_subsidy_rate_cap (a rate, such as "0.03" or "0.05") and
//     microloan_subsidy_rate_cap_lpr_1y (true: the 1-year LPR in force on
//     the start day) cap the rate the subsidy covers, whatever the contract
//     rate; the lower applies. Each period's subsidy is then the interest at
//     the capped rate, rounded half-up to the fen, and the borrower pays the
//     period's interest less it (Decision.SubsidyRateCap, note
//     subsidy-rate-capped).
//   - microloan_pre_policy_interest (true) subsidises a loan made before the
//     rule took effect: it is judged on the effective date, and only the
//     interest of the days from it on is covered (Decision.CoveredFrom,
//     note pre-policy-interest). Otherwise such a loan is not-in-force.
//
// Interest on days from the due day on (the maturity, or the extended
// maturity after a 展期) is overdue: it is reported, never subsidised. An
// extension moves the due day and may carry its own rate from the original
// maturity. A renewal (续贷) is a new loan with its own start day, linked to
// the old one by Renews.
//
// # Notes
//
// Notes ([rules.Note], in Decision.Notes) do not change the subsidy.
// principal-capped: a loan above the cap whose first portion a county
// subsidises. subsidy-rate-capped: the county's cap on the subsidised rate
// is below the loan's rate. pre-policy-interest: a loan made before the
// policy, covered from its effective date. rate-above-lpr: the
// contract rate is above the LPR in force on the start day (parameter lpr_1y
// for a term of up to one year, lpr_5y beyond), or an extension's rate is
// above the LPR in force on the day the extension starts, of the tier of the
// whole term. overdue-interest: interest accrued on or after the due day.
// Checked against a payment ledger ([Calculator.Unpaid]):
// periods-already-subsidised, the periods an earlier batch paid, and
// period-not-settled, a last period cut at the as-of day; neither is in
// Decision.Payable, the subsidy a batch pays now. [Calculator.Record]
// records a loan period by period into a batch ([Books]).
//
// # Errors
//
// A loan that is not eligible is a [Decision] with Granted false and the
// policy's reasons, never an error. An error means the loan could not be
// decided: a *[FieldError] names the field that is missing or wrong (the
// same names as in input files, see [Fields] and [Parse]); other errors
// come from the policy, such as a parameter with no value on the day.
//
// # Explanations
//
// A [Decision] marshals to the one JSON object of a decision (docs/json.md):
// "pass", amounts as strings with 2 places ("0.00", never "0"), dates as
// YYYY-MM-DD, reasons, notes, and the policy's id and SHA-256; it reads
// back into an equal Decision. [Decision.WriteText] lists each period with
// its days, balance, rate and amounts in Chinese, to be checked against a
// bank statement; the policy's own explanation of eligibility is
// [Decision.Explanation].
package loan
