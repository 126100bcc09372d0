package examples_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/loan"
	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/ruralrelief/fangpin/subsidy"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of the two county overlays in overlays/: each decides the
// bundled sheets and hand-checked cases under the overlay, and under the
// policy alone where the overlay changes an answer.

// overlay compiles the policy with one overlay from overlays/.
func overlay(t *testing.T, name string) *rules.Set {
	t.Helper()
	path := filepath.Join("overlays", name)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	set, err := policies.Load(rules.Source{Name: path, Data: data})
	require.NoError(t, err)
	return set
}

// sheet reads a bundled CSV sheet into rows keyed by column header.
func sheet(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("data", name))
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	out := make([]map[string]string, 0, len(rows)-1)
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out = append(out, m)
	}
	return out
}

// loans reads data/loans.csv, keeping the loans that can be read, by ID.
func loans(t *testing.T) map[string]loan.Loan {
	t.Helper()
	labels := map[string]string{}
	for _, f := range loan.Fields() {
		labels[f.Name] = f.Label
	}
	out := map[string]loan.Loan{}
	for _, row := range sheet(t, "loans.csv") {
		l, err := loan.Parse(func(name string) string { return row[labels[name]] })
		if err == nil {
			out[l.ID] = l
		}
	}
	require.Len(t, out, 15, "loans.csv has 18 loans, 3 of them with a field that cannot be read")
	return out
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func assertYuan(t *testing.T, want string, got decimal.Decimal, what string) {
	t.Helper()
	assert.True(t, dec(want).Equal(got), "%s = %s, want %s", what, got.StringFixed(2), want)
}

// interestDayByDay sums a loan's interest over [from, to) one day at a
// time, from the definition, and divides by 360 once: in total, and on the
// days from first to until (inclusive) at the lower of the day's rate and
// rateCap (zero: no cap). Each is rounded half-up to the fen, as a period
// is.
func interestDayByDay(l loan.Loan, from, to, first, until rules.Date, rateCap decimal.Decimal) (all, covered decimal.Decimal) {
	for day := from; day.Before(to); day = day.AddDays(1) {
		b := l.Principal
		for _, r := range l.Repayments {
			if !r.Date.After(day) {
				b = b.Sub(r.Amount)
			}
		}
		rate := l.AnnualRate
		all = all.Add(b.Mul(rate))
		if day.Before(first) || day.After(until) || !day.Before(l.Due()) {
			continue
		}
		if rateCap.IsPositive() && rateCap.LessThan(rate) {
			rate = rateCap
		}
		covered = covered.Add(b.Mul(rate))
	}
	basis := decimal.NewFromInt(360)
	return all.DivRound(basis, 2), covered.DivRound(basis, 2)
}

// TestCentralFundsCountyLabourShare audits the bundled central-funds sheet
// under overlays/central-funds.yaml: the share of central funds, at least
// 20%.
func TestCentralFundsCountyLabourShare(t *testing.T) {
	ctx := context.Background()
	county := overlay(t, "central-funds.yaml")
	c, err := subsidy.New(subsidy.WithPolicy(county))
	require.NoError(t, err)
	want := map[string]struct {
		pass                       bool
		share, required, shortfall string
	}{
		"WR0003": {true, "0.3600", "126000.00", "0.00"},
		"WR0004": {true, "0.2000", "150000.00", "0.00"},  // exactly 20% of 750,000.00
		"WR0005": {false, "0.1999", "150000.00", "0.01"}, // one fen short
		"WR0007": {true, "0.2520", "100000.00", "0.00"},  // 14% of fiscal funds, 25.2% of central
		"WR0012": {false, "0.1633", "60000.00", "11000.00"},
		"WR0014": {true, "0.7500", "80000.00", "0.00"},
		"WR0019": {false, "0.1714", "140000.00", "20000.00"},
		"WR0020": {true, "0.3000", "66667.00", "0.00"},
		"WR0024": {true, "0.2000", "120000.00", "0.00"},
		"WR0028": {false, "0.1798", "80000.00", "8048.00"},
	}
	rows := sheet(t, "work-relief-labour-share-central.csv")
	require.Len(t, rows, 11)
	for _, row := range rows {
		id := row["编号"]
		p := subsidy.WorkReliefProject{ID: id, Name: row["项目名称"], LabourRemuneration: dec(row["劳务报酬发放金额"]),
			FiscalFunds: dec(row["项目财政资金"]), AsOf: rules.MustDate("2021-11-01")}
		if s := row["中央财政资金"]; s != "" {
			p.CentralFunds = dec(s)
		}
		a, err := c.LabourShareAudit(ctx, p)
		w, ok := want[id]
		if !ok {
			var ie *subsidy.InputError
			require.ErrorAs(t, err, &ie, "%s has no central funds", id)
			assert.Equal(t, "central_funds", ie.Field)
			continue
		}
		require.NoError(t, err, id)
		assert.Equal(t, subsidy.BaseCentral, a.Base, id)
		assert.Equal(t, w.pass, a.Pass, id)
		assert.Equal(t, w.share, a.Share.StringFixed(4), id)
		assertYuan(t, w.required, a.Required, id+" required")
		assertYuan(t, w.shortfall, a.Shortfall, id+" shortfall")
		ex := a.Explanation()
		assert.Equal(t, subsidy.RuleLabourShareCentral, ex.Rule)
		for _, u := range ex.Parameters {
			if u.Name == "labour_share_min" {
				assert.Equal(t, "0.20", u.Value.String(), "the county's floor")
				assert.Equal(t, "overlays/central-funds.yaml", u.Pos.File, "the explanation points at the overlay")
			}
		}
	}
}

// TestCentralFundsCountyRefusesTheFiscalAudit decides the bundled sheet
// of fiscal funds with the policy's own rule, as `fangpin eval
// work-relief-labour-share` does: under the policy alone it decides as
// before; under the county every record is refused, saying the county
// audits over central funds, and none passes silently.
func TestCentralFundsCountyRefusesTheFiscalAudit(t *testing.T) {
	ctx := context.Background()
	plain, err := policies.Load()
	require.NoError(t, err)
	county := overlay(t, "central-funds.yaml")
	var passed, refused, errs int
	for _, row := range sheet(t, "work-relief-labour-share.csv") {
		in := rules.Input{rules.AsOf: rules.Text("2021-11-01"), "fiscal_funds": rules.Text(row["项目财政资金"]),
			"labour_remuneration": rules.Text(row["劳务报酬发放金额"])}
		before, err := plain.Eval(ctx, subsidy.RuleLabourShare, in)
		if err != nil {
			errs++
			continue
		}
		if before.Pass {
			passed++
		}
		after, err := county.Eval(ctx, subsidy.RuleLabourShare, in)
		require.NoError(t, err)
		assert.False(t, after.Pass, row["编号"])
		assert.True(t, after.HasReason(subsidy.ReasonLabourShareOtherBase), row["编号"])
		refused++
	}
	assert.Equal(t, 16, passed, "the policy's answers on the bundled sheet")
	assert.Equal(t, 26, refused)
	assert.Equal(t, 2, errs, "WR0011 (fiscal funds 0) and WR0018 (no labour remuneration)")
}

// TestCentralFundsCountyExemption records an approved exemption for a
// project below the county's floor: it passes with a note, and the
// explanation shows the floor that failed and the exemption.
func TestCentralFundsCountyExemption(t *testing.T) {
	c, err := subsidy.New(subsidy.WithPolicy(overlay(t, "central-funds.yaml")))
	require.NoError(t, err)
	p := subsidy.WorkReliefProject{ID: "WR0019", Name: "淅川县桥涵重建", FiscalFunds: dec("1000000.00"), CentralFunds: dec("700000.00"),
		LabourRemuneration: dec("120000.00"), AsOf: rules.MustDate("2021-11-01"),
		Exemption: &subsidy.Exemption{Document: "淅川县发改〔2021〕52号", Reason: "桥梁主体为预制构件，现场用工少"}}
	a, err := c.LabourShareAudit(context.Background(), p)
	require.NoError(t, err)
	assert.True(t, a.Pass)
	assert.Empty(t, a.Reasons)
	require.Len(t, a.Notes, 1)
	assert.Equal(t, subsidy.NoteLabourShareExempted, a.Notes[0].Code)
	assert.Equal(t, "劳务报酬占中央财政资金比例 0.1714 低于规定比例（应发劳务报酬 140000.00 元，差额 20000.00 元），经 淅川县发改〔2021〕52号 批准豁免：桥梁主体为预制构件，现场用工少",
		a.Notes[0].Message)

	var text strings.Builder
	require.NoError(t, a.Explanation().WriteText(&text))
	got := text.String()
	for _, line := range []string{
		"规则：以工代赈项目劳务报酬发放比例审核（以中央财政资金为基数）（work-relief-labour-share-central）",
		"  中央财政资金（central_funds）= 700000.00",
		"  劳务报酬占项目财政资金最低比例（labour_share_min）= 0.20，自 2021-08-19 起施行，依据：某县发改委 劳务报酬原则上不低于中央财政资金的20%",
		"  [不成立] labour_remuneration >= required_exact —— labour-share-below-minimum：劳务报酬发放比例低于中央财政资金的规定比例",
		"  [成立]   原则上：经 淅川县发改〔2021〕52号 批准豁免（桥梁主体为预制构件，现场用工少）",
		"结论：符合条件",
		"  劳务报酬差额（shortfall）= 20000.00",
	} {
		assert.Contains(t, got, line)
	}
}

// TestCentralFundsCountyLoanCappedAtLPR decides a loan at 4.35% under the
// county's cap at the 1-year LPR: each period's subsidy is the interest at
// 3.85% (the LPR on the day the loan was made), the borrower pays the
// rest, to the fen, as a day-by-day sum gives it.
func TestCentralFundsCountyLoanCappedAtLPR(t *testing.T) {
	calc, err := loan.New(loan.WithPolicy(overlay(t, "central-funds.yaml")))
	require.NoError(t, err)
	l := loan.Loan{ID: "L435", PovertyRelieved: true, Principal: dec("50000.00"), AnnualRate: dec("0.0435"),
		Start: rules.MustDate("2021-09-01"), Maturity: rules.MustDate("2022-09-01"),
		Repayments: []loan.Repayment{{Date: rules.MustDate("2022-01-10"), Amount: dec("20000.00")}, {Date: rules.MustDate("2022-09-01"), Amount: dec("30000.00")}}}
	d, err := calc.Subsidy(context.Background(), l)
	require.NoError(t, err)
	require.True(t, d.Granted)
	assertYuan(t, "0.0385", d.SubsidyRateCap, "cap")
	want := []struct{ from, interest, subsidy, borrower string }{
		{"2021-09-01", "120.83", "106.94", "13.89"},
		{"2021-09-21", "549.79", "486.60", "63.19"},
		{"2021-12-21", "374.58", "331.53", "43.05"}, // 50,000.00 for 20 days, 30,000.00 for 70
		{"2022-03-21", "333.50", "295.17", "38.33"},
		{"2022-06-21", "261.00", "231.00", "30.00"},
	}
	require.Len(t, d.Schedule.Periods, len(want))
	for i, w := range want {
		p := d.Schedule.Periods[i]
		assert.Equal(t, w.from, p.From.String())
		assertYuan(t, w.interest, p.Interest, w.from+" interest")
		assertYuan(t, w.subsidy, p.Covered, w.from+" subsidy")
		assertYuan(t, w.borrower, p.Borrower, w.from+" borrower")
		all, covered := interestDayByDay(l, p.From, p.To, rules.Date{}, d.Until, dec("0.0385"))
		assertYuan(t, all.String(), p.Interest, w.from+" interest day by day")
		assertYuan(t, covered.String(), p.Covered, w.from+" subsidy day by day")
	}
	assertYuan(t, "1639.70", d.Schedule.Interest, "interest")
	assertYuan(t, "1451.24", d.Schedule.Covered, "subsidy")
	assertYuan(t, "188.46", d.Schedule.Borrower, "borrower")
}

// TestCentralFundsCountyBundledLoans decides data/loans.csv under the
// county and the policy alone: only the loans whose rate is above the
// 1-year LPR on the day they were made change, and for them the subsidy
// falls by what the borrower's share rises.
func TestCentralFundsCountyBundledLoans(t *testing.T) {
	ctx := context.Background()
	plain, err := loan.New()
	require.NoError(t, err)
	county, err := loan.New(loan.WithPolicy(overlay(t, "central-funds.yaml")))
	require.NoError(t, err)
	changed := map[string][2]string{}
	for id, l := range loans(t) {
		before, err := plain.Subsidy(ctx, l)
		require.NoError(t, err)
		after, err := county.Subsidy(ctx, l)
		require.NoError(t, err)
		assert.Equal(t, before.Granted, after.Granted, id)
		assert.True(t, before.Schedule.Interest.Equal(after.Schedule.Interest), "%s: the bank's interest does not change", id)
		if !before.Schedule.Covered.Equal(after.Schedule.Covered) {
			changed[id] = [2]string{before.Schedule.Covered.StringFixed(2), after.Schedule.Covered.StringFixed(2)}
			cut := before.Schedule.Covered.Sub(after.Schedule.Covered)
			assert.True(t, after.Schedule.Borrower.Sub(before.Schedule.Borrower).Equal(cut), "%s: the borrower pays what the subsidy no longer covers", id)
		}
	}
	assert.Equal(t, map[string][2]string{
		"L006": {"3508.18", "2791.46"}, // 4.65% on 2022-03-10, LPR 3.70%; L005's 3.80% on 2022-01-05 is the LPR then
	}, changed)
}

// TestPrePolicyCountyLoanFromJune decides a loan made on 2021-06-01 under
// both readings: not in force under the policy alone; under
// overlays/pre-policy-loans.yaml the interest from 2021-08-19 on is
// subsidised, period by period as a day-by-day sum gives it.
func TestPrePolicyCountyLoanFromJune(t *testing.T) {
	ctx := context.Background()
	l := loan.Loan{ID: "L0601", PovertyRelieved: true, Principal: dec("30000.00"), AnnualRate: dec("0.0385"),
		Start: rules.MustDate("2021-06-01"), Maturity: rules.MustDate("2022-06-01"),
		Repayments: []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: dec("30000.00")}}}

	plain, err := loan.New()
	require.NoError(t, err)
	before, err := plain.Subsidy(ctx, l)
	require.NoError(t, err)
	assert.False(t, before.Granted)
	require.Len(t, before.Reasons, 1)
	assert.Equal(t, rules.ReasonNotInForce, before.Reasons[0].Code)
	assertYuan(t, "587.13", before.Schedule.Interest, "interest")
	assertYuan(t, "0.00", before.Schedule.Covered, "subsidy under the policy alone")

	county, err := loan.New(loan.WithPolicy(overlay(t, "pre-policy-loans.yaml")))
	require.NoError(t, err)
	after, err := county.Subsidy(ctx, l)
	require.NoError(t, err)
	assert.True(t, after.Granted)
	assert.Equal(t, "2021-08-19", after.CoveredFrom.String())
	assertYuan(t, "0.05", after.SubsidyRateCap, "the county's flat cap, above the contract rate")
	want := []struct{ from, interest, subsidy, borrower string }{
		{"2021-06-01", "64.17", "0.00", "64.17"},
		{"2021-06-21", "295.17", "105.88", "189.29"}, // 33 of its 92 days from 2021-08-19
		{"2021-09-21", "227.79", "227.79", "0.00"},
	}
	require.Len(t, after.Schedule.Periods, len(want))
	for i, w := range want {
		p := after.Schedule.Periods[i]
		assert.Equal(t, w.from, p.From.String())
		assertYuan(t, w.interest, p.Interest, w.from+" interest")
		assertYuan(t, w.subsidy, p.Covered, w.from+" subsidy")
		assertYuan(t, w.borrower, p.Borrower, w.from+" borrower")
		all, covered := interestDayByDay(l, p.From, p.To, rules.MustDate("2021-08-19"), after.Until, decimal.Zero)
		assertYuan(t, all.String(), p.Interest, w.from+" interest day by day")
		assertYuan(t, covered.String(), p.Covered, w.from+" subsidy day by day")
	}
	assertYuan(t, "333.67", after.Schedule.Covered, "subsidy")
	assertYuan(t, "253.46", after.Schedule.Borrower, "borrower")
	var text strings.Builder
	require.NoError(t, after.WriteText(&text))
	assert.Contains(t, text.String(), "2021-06-21 至 2021-08-18 59 天，本金余额 30000.00 元，年利率 3.85%，政策施行前，不贴息")
	assert.Contains(t, text.String(), "2021-08-19 至 2021-09-20 33 天，本金余额 30000.00 元，年利率 3.85%，贴息")
}

// TestPrePolicyCountyBundledLoans decides data/loans.csv under the county
// and the policy alone: only L018, made on 2021-08-01, changes; and a loan
// above the county's 5% cap is subsidised at 5%.
func TestPrePolicyCountyBundledLoans(t *testing.T) {
	ctx := context.Background()
	plain, err := loan.New()
	require.NoError(t, err)
	county, err := loan.New(loan.WithPolicy(overlay(t, "pre-policy-loans.yaml")))
	require.NoError(t, err)
	var changed []string
	for id, l := range loans(t) {
		before, err := plain.Subsidy(ctx, l)
		require.NoError(t, err)
		after, err := county.Subsidy(ctx, l)
		require.NoError(t, err)
		if before.Granted != after.Granted || !before.Schedule.Covered.Equal(after.Schedule.Covered) {
			changed = append(changed, id)
			assert.False(t, before.Granted, id)
			assert.True(t, after.Granted, id)
			assertYuan(t, "1951.74", after.Schedule.Interest, id+" interest")
			assertYuan(t, "1855.49", after.Schedule.Covered, id+" subsidy from 2021-08-19")
			assertYuan(t, "96.25", after.Schedule.Borrower, id+" borrower: 18 days before the policy")
		}
	}
	assert.Equal(t, []string{"L018"}, changed)

	high := loan.Loan{ID: "L600", PovertyRelieved: true, Principal: dec("50000.00"), AnnualRate: dec("0.0600"),
		Start: rules.MustDate("2021-09-01"), Maturity: rules.MustDate("2022-09-01"),
		Repayments: []loan.Repayment{{Date: rules.MustDate("2021-12-01"), Amount: dec("50000.00")}}}
	d, err := county.Subsidy(ctx, high)
	require.NoError(t, err)
	assertYuan(t, "758.34", d.Schedule.Interest, "interest at 6%") // 166.67 + 591.67
	assertYuan(t, "631.95", d.Schedule.Covered, "subsidy at 5%")   // 138.89 + 493.06
	assertYuan(t, "126.39", d.Schedule.Borrower, "borrower")
	assert.Equal(t, loan.NoteSubsidyRateCapped, d.Notes[0].Code)
}

// TestPrePolicyCountyKeepsTheLabourShare checks the overlay changes no
// labour-share audit.
func TestPrePolicyCountyKeepsTheLabourShare(t *testing.T) {
	c, err := subsidy.New(subsidy.WithPolicy(overlay(t, "pre-policy-loans.yaml")))
	require.NoError(t, err)
	a, err := c.LabourShareAudit(context.Background(), subsidy.WorkReliefProject{FiscalFunds: dec("1000000.00"),
		LabourRemuneration: dec("149999.99"), AsOf: rules.MustDate("2021-11-01")})
	require.NoError(t, err)
	assert.Equal(t, subsidy.BaseFiscal, a.Base)
	assert.False(t, a.Pass)
	assertYuan(t, "0.01", a.Shortfall, "shortfall")
}
