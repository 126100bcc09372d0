package loan

import (
	"context"
	"errors"
	"fmt"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Rule is the id of the clause-14 eligibility rule in the policy.
const Rule = "microloan-interest-subsidy"

// Parameters the calculator reads from the policy, on the loan's start day.
const (
	paramUntil        = "microloan_subsidy_until"
	paramDayBasis     = "microloan_day_basis"
	paramMaxPrincipal = "microloan_max_principal"
	paramLPR1Y        = "lpr_1y"
	paramLPR5Y        = "lpr_5y"
)

// Reason codes of a Decision, besides those of the policy's rule.
const (
	// FindingRateAboveLPR: the contract rate is above the LPR cap in force
	// on the start day (1-year LPR for terms up to a year, 5-year-plus
	// beyond). An audit finding, not a reason to refuse the subsidy.
	FindingRateAboveLPR = "rate-above-lpr"
	// FindingOverdue: interest accrued after the due day; never subsidised.
	FindingOverdue = "overdue-interest"
)

// Calculator decides clause-14 interest subsidies under a policy. It is
// immutable and safe for concurrent use.
type Calculator struct {
	set        *rules.Set
	settlement Settlement
}

// Option configures a Calculator.
type Option func(*Calculator) error

// WithPolicy uses a compiled policy (with its overlays) instead of the
// embedded 豫办发电〔2021〕48号.
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
		if s < Quarterly || s > AtMaturity {
			return fmt.Errorf("loan: unknown settlement %d", s)
		}
		c.settlement = s
		return nil
	}
}

// New returns a Calculator over the embedded policy, or the one given with
// [WithPolicy]. It fails if the policy lacks the clause-14 rule.
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
	if _, ok := c.set.Rule(Rule); !ok {
		return nil, fmt.Errorf("loan: the policy %s has no rule %q", c.set.Meta().ID, Rule)
	}
	return c, nil
}

// Finding is an audit finding about a loan.
type Finding struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Decision is the clause-14 subsidy of one loan: whether it is eligible
// (with the policy's reasons if not), and its interest split period by
// period into what the subsidy covers and what the borrower pays.
type Decision struct {
	Loan     string         `json:"loan"`
	Eligible bool           `json:"eligible"`
	Reasons  []rules.Reason `json:"reasons"`
	// SubsidisedPrincipal is the principal whose interest is covered: the
	// whole of it, or under the "first portion" reading the first
	// microloan_max_principal of a larger loan; zero when not eligible.
	SubsidisedPrincipal decimal.Decimal `json:"subsidised_principal"`
	// Until is the last day whose interest is covered (2023-12-31).
	Until    rules.Date `json:"until"`
	Schedule Schedule   `json:"schedule"`
	Findings []Finding  `json:"findings"`
	// Eligibility is the policy's decision, with its explanation.
	Eligibility rules.Result `json:"-"`
}

// Subsidy decides the loan's interest subsidy. Eligibility and every
// figure the policy fixes (the cap, the cut-off day, the day basis, the LPR)
// come from the policy, on the loan's start day. An error means the loan
// could not be decided: a *FieldError for a bad field, or the policy's
// error.
func (c *Calculator) Subsidy(ctx context.Context, l Loan) (Decision, error) {
	if err := l.Validate(); err != nil {
		return Decision{}, err
	}
	on := l.Start
	res, err := c.set.Eval(ctx, Rule, rules.Input{
		rules.AsOf:         rules.Day(on),
		"poverty_relieved": rules.Bool(l.PovertyRelieved),
		"monitored":        rules.Bool(l.Monitored),
		"principal":        rules.Dec(l.Principal),
		"start":            rules.Day(l.Start),
	})
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Loan: l.ID, Eligible: res.Pass, Reasons: res.Reasons, Eligibility: res,
		SubsidisedPrincipal: res.Output("subsidised_principal")}
	// A loan started before the rule took effect is not eligible; its
	// schedule still uses the conventions in force from that day.
	info, _ := c.set.Rule(Rule)
	paramDay := on
	if paramDay.Before(info.InForce.From) {
		paramDay = info.InForce.From
	}
	param := func(name string) (rules.ParamValue, error) { return c.set.Param(name, paramDay) }
	until, err := param(paramUntil)
	if err != nil {
		return Decision{}, err
	}
	basis, err := param(paramDayBasis)
	if err != nil {
		return Decision{}, err
	}
	d.Until = until.Value.Date()
	cov := cover{on: d.Eligible, until: d.Until}
	if d.Eligible && d.SubsidisedPrincipal.LessThan(l.Principal) {
		cov.cap = d.SubsidisedPrincipal
	}
	d.Schedule, err = schedule(l, Options{Settlement: c.settlement, DayBasis: int(basis.Value.Int())}, cov)
	if err != nil {
		return Decision{}, err
	}
	if f, err := c.rateFinding(l); err != nil {
		return Decision{}, err
	} else if f != nil {
		d.Findings = append(d.Findings, *f)
	}
	if d.Schedule.Overdue.IsPositive() {
		d.Findings = append(d.Findings, Finding{Code: FindingOverdue,
			Message: fmt.Sprintf("到期日 %s 后产生逾期利息 %s 元，不予贴息", l.Due(), d.Schedule.Overdue.StringFixed(2))})
	}
	return d, nil
}

// rateFinding compares the contract rate with the LPR in force on the start
// day: the 1-year LPR for a term of up to one year, else the 5-year-plus.
func (c *Calculator) rateFinding(l Loan) (*Finding, error) {
	name, term := paramLPR5Y, "五年期以上"
	y, m, dd := l.Start.Parts()
	if !l.Maturity.After(rules.NewDate(y+1, m, dd)) {
		name, term = paramLPR1Y, "一年期"
	}
	lpr, err := c.set.Param(name, l.Start)
	if err != nil {
		return nil, err
	}
	check := func(rate decimal.Decimal, what string) *Finding {
		if rate.GreaterThan(lpr.Value.Decimal()) {
			return &Finding{Code: FindingRateAboveLPR, Message: fmt.Sprintf("%s %s 高于放款日 %s 的%sLPR %s（%s 起）",
				what, pct(rate), l.Start, term, pct(lpr.Value.Decimal()), lpr.From)}
		}
		return nil
	}
	if f := check(l.AnnualRate, "合同年利率"); f != nil {
		return f, nil
	}
	if x := l.Extension; x != nil && !x.Rate.IsZero() {
		return check(x.Rate, "展期年利率"), nil
	}
	return nil, nil
}

// pct shows a fraction as a percent: 0.0385 → 3.85%.
func pct(r decimal.Decimal) string { return r.Shift(2).String() + "%" }
