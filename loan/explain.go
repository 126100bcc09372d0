package loan

import (
	"bufio"
	"fmt"
	"io"
)

// WriteText explains the decision in Chinese so a borrower or an auditor
// can check it against the bank's statement: eligibility and its clause,
// then each settlement period with its days, balance, rate, interest, the
// part the subsidy covers and the part the borrower pays.
func (d Decision) WriteText(w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	ex := d.Explanation()
	p("贷款 %s：%s（%s %s）\n", d.Loan, ex.Title, ex.PolicyNumber, ex.Clause)
	if d.Renews != "" {
		p("续贷：接续原贷款 %s，作为新贷款按本笔放款日判定\n", d.Renews)
	}
	p("依据：「%s」\n", ex.Quote)
	if d.Granted {
		p("贴息资格：符合，贴息本金 %s 元", d.SubsidisedPrincipal.StringFixed(2))
		if !d.CoveredFrom.IsZero() {
			p("，贴息自 %s 起", d.CoveredFrom)
		}
		if d.SubsidyRateCap.IsPositive() {
			p("，贴息年利率至多 %s", pct(d.SubsidyRateCap))
		}
		p("，贴息截至 %s（含当日）\n", d.Until)
	} else {
		p("贴息资格：不符合\n")
		for _, r := range d.Reasons {
			p("  原因：%s（%s）\n", r.Message, r.Code)
		}
	}
	if !d.AsOf.IsZero() {
		p("计至 %s（不含当日）", d.AsOf)
		if !d.NextSettlement.IsZero() {
			p("，下一结息日 %s", d.NextSettlement)
		}
		p("\n")
	}
	s := d.Schedule
	p("计息：日利率 = 年利率 ÷ %d，算头不算尾，%s结息，每期合计后四舍五入到分\n", int(s.DayBasis), settlementNames[s.Settlement])
	for i, per := range s.Periods {
		p("第 %d 期 %s 至 %s（%d 天）：利息 %s 元，贴息 %s 元，借款人负担 %s 元", i+1, per.From, per.To.AddDays(-1),
			per.Days, per.Interest.StringFixed(2), per.Covered.StringFixed(2), per.Borrower.StringFixed(2))
		if per.Overdue.IsPositive() {
			p("（其中逾期利息 %s 元）", per.Overdue.StringFixed(2))
		}
		p("\n")
		for _, g := range per.Segments {
			note := ""
			switch {
			case g.Overdue:
				note = "，逾期，不贴息"
			case g.Covered && !g.CoveredRate.IsZero() && !g.CoveredBalance.Equal(g.Balance):
				note = fmt.Sprintf("，按 %s 元、年利率 %s 贴息", g.CoveredBalance.StringFixed(2), pct(g.CoveredRate))
			case g.Covered && !g.CoveredRate.IsZero():
				note = fmt.Sprintf("，按年利率 %s 贴息", pct(g.CoveredRate))
			case g.Covered && !g.CoveredBalance.Equal(g.Balance):
				note = fmt.Sprintf("，按 %s 元贴息", g.CoveredBalance.StringFixed(2))
			case g.Covered:
				note = "，贴息"
			case d.Granted && g.From.Before(d.CoveredFrom):
				note = "，政策施行前，不贴息"
			case d.Granted:
				note = "，贴息截止日后，不贴息"
			}
			p("  %s 至 %s %d 天，本金余额 %s 元，年利率 %s%s\n", g.From, g.To.AddDays(-1), g.Days,
				g.Balance.StringFixed(2), pct(g.Rate), note)
		}
	}
	p("合计：利息 %s 元，贴息 %s 元，借款人负担 %s 元", s.Interest.StringFixed(2), s.Covered.StringFixed(2), s.Borrower.StringFixed(2))
	if s.Outstanding.IsPositive() {
		p("，截至 %s 未还本金 %s 元", s.End, s.Outstanding.StringFixed(2))
	}
	p("\n")
	for _, f := range d.Notes {
		label := "审计提示"
		if f.Code == NotePrincipalCapped || f.Code == NoteSubsidyRateCapped || f.Code == NotePrePolicyInterest {
			label = "说明"
		}
		p("%s（%s）：%s\n", label, f.Code, f.Message)
	}
	return b.Flush()
}

// settlementNames are the Chinese names of the settlement conventions.
var settlementNames = map[Settlement]string{Quarterly: "按季", Monthly: "按月", Yearly: "按年", AtMaturity: "到期一次"}
