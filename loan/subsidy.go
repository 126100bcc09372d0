package loan

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Rule is the id of the clause-14 eligibility rule in the policy.
const Rule = "microloan-interest-subsidy"

// The parameters the calculator reads from the policy. Every figure of
// clause 14 comes from them; none is written in Go.
const (
	paramUntil    = "microloan_subsidy_until" // last day whose interest is covered
	paramDayBasis = "microloan_day_basis"     // 360 or 365
	paramLPR1Y    = "lpr_1y"                  // 1-year LPR, dated by publication
	paramLPR5Y    = "lpr_5y"                  // 5-year-plus LPR
)

// Codes of the audit findings of a [Decision]. They are added, never
// renamed.
const (
	// FindingRateAboveLPR: a rate above the LPR cap. The contract rate is
	// held to the LPR in force on the start day: the 1-year LPR for a term of
	// up to one year, the 5-year-plus LPR beyond. An extension's rate is held
	// to the LPR in force on the day the extension starts (the original
	// maturity), of the tier of the whole term up to the extended maturity
	// (《人民币利率管理规定》: 展期期限累计计算). A finding does not change the
	// subsidy.
	FindingRateAboveLPR = "rate-above-lpr"
	// FindingOverdue: interest accrued on or after the due day; never
	// subsidised.
	FindingOverdue = "overdue-interest"
)

// Calculator decides clause-14 interest subsidies under a policy. It is
// immutable and safe for concurrent use; build it once.
type Calculator struct {
	set        *rules.Set
	settlement Settlement
}

// Option configures a Calculator.
type Option func(*Calculator) error

// WithPolicy uses a compiled policy (with its overlays) instead of the
// embedded 豫办发电〔2021〕48号, such as one from policies.Load with a county's
// overlay.
func WithPolicy(set *rules.Set) Option {
	return func(c *Calculator) error {
		if set == nil {
			return errors.New("loan: WithPolicy(nil)")
		}
		c.set = set
		return nil
	}
}

// WithSettlement sets when interest is settled; Quarterly by default.
func WithSettlement(s Settlement) Option {
	return func(c *Calculator) error {
		if !s.valid() {
			return fmt.Errorf("loan: unknown settlement %d", int(s))
		}
		c.settlement = s
		return nil
	}
}

// New returns a Calculator over the embedded policy, or the one given with
// [WithPolicy]. It fails if an option is invalid or the policy lacks the
// clause-14 rule or one of its parameters.
func New(opts ...Option) (*Calculator, error) {
	c := &Calculator{}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.set == nil {
		set, err := policies.Load()
		if err != nil {
			return nil, err
		}
		c.set = set
	}
	info, ok := c.set.Rule(Rule)
	if !ok {
		return nil, fmt.Errorf("loan: the policy %s has no rule %q", c.set.Meta().ID, Rule)
	}
	if !slices.ContainsFunc(info.Outputs, func(o rules.OutputInfo) bool { return o.Name == outputSubsidisedPrincipal }) {
		return nil, fmt.Errorf("loan: rule %q of policy %s has no output %q", Rule, c.set.Meta().ID, outputSubsidisedPrincipal)
	}
	for _, name := range []string{paramUntil, paramDayBasis, paramLPR1Y, paramLPR5Y} {
		if _, err := c.set.Param(name, info.InForce.From); errors.Is(err, rules.ErrUnknownParam) {
			return nil, fmt.Errorf("loan: the policy %s has no parameter %q", c.set.Meta().ID, name)
		}
	}
	return c, nil
}

// outputSubsidisedPrincipal is the rule's output New checks for.
const outputSubsidisedPrincipal = "subsidised_principal"

// subsidisedPrincipal reads the output New checked the rule has.
func subsidisedPrincipal(res rules.Result) decimal.Decimal {
	v, _ := res.Output(outputSubsidisedPrincipal)
	return v
}

// Finding is an audit finding about a loan: something an auditor should
// look at, which does not change the subsidy.
type Finding struct {
	Code    string `json:"code"`    // FindingRateAboveLPR, FindingOverdue
	Message string `json:"message"` // Chinese
}

// Decision is the clause-14 subsidy of one loan: whether it is eligible
// (with the policy's reasons if not), and its interest split period by
// period into what the subsidy covers and what the borrower pays. Its
// amounts are in Schedule: Interest, Covered (the subsidy), Borrower and
// Overdue, per period and in total.
type Decision struct {
	Loan string `json:"loan"`
	// Renews is the loan this one renews (续贷), as in [Loan].Renews.
	Renews   string         `json:"renews,omitempty"`
	Eligible bool           `json:"eligible"`
	Reasons  []rules.Reason `json:"reasons"`
	// SubsidisedPrincipal is the principal whose interest is covered, in
	// yuan: the whole of it or, under the first-portion reading
	// (microloan_cap_first_portion), at most microloan_max_principal of it;
	// zero when not eligible. Repayments lower the covered balance only once
	// the balance falls below it.
	SubsidisedPrincipal decimal.Decimal `json:"subsidised_principal"`
	// Until is the last day whose interest is covered, inclusive
	// (microloan_subsidy_until on the start day).
	Until    rules.Date `json:"until"`
	Schedule Schedule   `json:"schedule"`
	Findings []Finding  `json:"findings"`
	// Policy is the policy's id and PolicyHash the SHA-256 of the policy and
	// its overlays, so the figure can be reproduced.
	Policy     string `json:"policy"`
	PolicyHash string `json:"policy_sha256"`
	// Eligibility is the policy's decision; its Explanation method (and its
	// JSON) give the audit record: inputs, parameters with their sources,
	// requirements.
	Eligibility rules.Result `json:"eligibility"`
}

// Subsidy decides the loan's interest subsidy. Eligibility is the policy's
// rule [Rule], judged on the loan's start day: 脱贫人口 or 监测对象, principal
// within the cap, started on or before the cut-off. The cut-off, the day
// basis and the LPR come from the policy's parameters in force on the start
// day (or on the day the rule took effect, for a loan started earlier,
// which is not in force). Not being eligible is a Decision with Reasons,
// whose Schedule still shows the interest, none of it covered. An error
// means the loan could not be decided: a *[FieldError] for a bad field, or
// the policy's error (a parameter with no value, say).
func (c *Calculator) Subsidy(ctx context.Context, l Loan) (Decision, error) {
	if err := l.Validate(); err != nil {
		return Decision{}, err
	}
	res, err := c.set.Eval(ctx, Rule, rules.Input{
		rules.AsOf:         rules.Day(l.Start),
		"poverty_relieved": rules.Bool(l.PovertyRelieved),
		"monitored":        rules.Bool(l.Monitored),
		"principal":        rules.Dec(l.Principal.Round(2)), // 100 and 100.000 are 100.00
		"start":            rules.Day(l.Start),
	})
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Loan: l.ID, Renews: l.Renews, Eligible: res.Pass, Reasons: res.Reasons, Eligibility: res,
		SubsidisedPrincipal: subsidisedPrincipal(res), Policy: c.set.Meta().ID, PolicyHash: c.set.Hash()}
	info, _ := c.set.Rule(Rule)
	on := l.Start
	if on.Before(info.InForce.From) {
		on = info.InForce.From
	}
	until, err := c.set.Param(paramUntil, on)
	if err != nil {
		return Decision{}, err
	}
	bp, err := c.set.Param(paramDayBasis, on)
	if err != nil {
		return Decision{}, err
	}
	basis := DayBasis(bp.Value.Int())
	if !basis.valid() {
		return Decision{}, fmt.Errorf("loan: parameter %s is %d on %s; want 360 or 365", paramDayBasis, bp.Value.Int(), on)
	}
	d.Until = until.Value.Date()
	cov := cover{on: d.Eligible, until: d.Until}
	if d.Eligible && d.SubsidisedPrincipal.LessThan(l.Principal) {
		cov.cap = d.SubsidisedPrincipal
	}
	d.Schedule, err = schedule(l, Options{Settlement: c.settlement, DayBasis: basis}, cov)
	if err != nil {
		return Decision{}, err
	}
	if d.Findings, err = c.rateFindings(l); err != nil {
		return Decision{}, err
	}
	if d.Schedule.Overdue.IsPositive() {
		d.Findings = append(d.Findings, Finding{Code: FindingOverdue,
			Message: fmt.Sprintf("到期日 %s 起产生逾期利息 %s 元，不予贴息", l.Due(), d.Schedule.Overdue.StringFixed(2))})
	}
	return d, nil
}

// rateFindings holds the contract rate, and an extension's own rate, to
// their LPR caps.
func (c *Calculator) rateFindings(l Loan) ([]Finding, error) {
	var out []Finding
	f, err := c.lprFinding(l.AnnualRate, "合同年利率", "放款日", l.Start, l.Start, l.Maturity)
	if err != nil {
		return nil, err
	}
	out = append(out, f...)
	if x := l.Extension; x != nil && !x.Rate.IsZero() {
		f, err := c.lprFinding(x.Rate, "展期年利率", "展期日", l.Maturity, l.Start, x.To)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
	}
	return out, nil
}

// lprFinding compares rate with the LPR in force on day on, of the tier of
// a term from start to end: 1-year up to one year, else 5-year-plus. A day
// before the LPR's first value gives no finding.
func (c *Calculator) lprFinding(rate decimal.Decimal, what, dayName string, on, start, end rules.Date) ([]Finding, error) {
	name, tier := paramLPR5Y, "五年期以上"
	if !end.After(oneYearAfter(start)) {
		name, tier = paramLPR1Y, "一年期"
	}
	lpr, err := c.set.Param(name, on)
	if errors.Is(err, rules.ErrNoValue) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !rate.GreaterThan(lpr.Value.Decimal()) {
		return nil, nil
	}
	return []Finding{{Code: FindingRateAboveLPR, Message: fmt.Sprintf("%s %s 高于%s %s 的%sLPR %s（%s 起）",
		what, pct(rate), dayName, on, tier, pct(lpr.Value.Decimal()), lpr.From)}}, nil
}

// pct shows a fraction as a percent with at least 2 places, as rates are
// published: 0.0385 → 3.85%, 0.038 → 3.80%, 0.03875 → 3.875%.
func pct(r decimal.Decimal) string {
	p := r.Shift(2)
	if p.Equal(p.Round(2)) {
		return p.StringFixed(2) + "%"
	}
	return p.String() + "%"
}
