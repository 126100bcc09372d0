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

	// A county's readings, each off in the policy itself. A policy that
	// lacks one decides as if it were off.
	paramRateCap    = "microloan_subsidy_rate_cap"        // highest annual rate subsidised; none: the contract rate
	paramRateCapLPR = "microloan_subsidy_rate_cap_lpr_1y" // subsidise at most the 1-year LPR
	paramPrePolicy  = "microloan_pre_policy_interest"     // subsidise a pre-policy loan's interest from the effective date
)

// Codes of the notes of a [Decision]. A note does not refuse the subsidy or
// change it: it says how the claim was cut, or what an auditor should look
// at. Codes are added, never renamed.
const (
	// NotePrincipalCapped: the loan is larger than microloan_max_principal
	// and the county subsidises its first portion only
	// (microloan_cap_first_portion): interest is covered on the capped
	// principal, Decision.SubsidisedPrincipal.
	NotePrincipalCapped = "principal-capped"
	// NoteRateAboveLPR: a rate above the LPR cap. The contract rate is
	// held to the LPR in force on the start day: the 1-year LPR for a term of
	// up to one year, the 5-year-plus LPR beyond. An extension's rate is held
	// to the LPR in force on the day the extension starts (the original
	// maturity), of the tier of the whole term up to the extended maturity
	// (《人民币利率管理规定》: 展期期限累计计算).
	NoteRateAboveLPR = "rate-above-lpr"
	// NoteOverdue: interest accrued on or after the due day; never
	// subsidised.
	NoteOverdue = "overdue-interest"
	// NoteSubsidyRateCapped: the county subsidises interest at most at a
	// rate (microloan_subsidy_rate_cap, or the 1-year LPR under
	// microloan_subsidy_rate_cap_lpr_1y) below the loan's rate; the borrower
	// pays the interest of the difference. Decision.SubsidyRateCap is the
	// rate.
	NoteSubsidyRateCapped = "subsidy-rate-capped"
	// NotePrePolicyInterest: a loan made before the rule took effect, whose
	// interest the county subsidises from the effective date on
	// (microloan_pre_policy_interest); Decision.CoveredFrom is that day.
	NotePrePolicyInterest = "pre-policy-interest"
)

// Calculator decides clause-14 interest subsidies under a policy. It is
// immutable and safe for concurrent use; build it once.
type Calculator struct {
	set        *rules.Set
	settlement Settlement
}

// Option configures a Calculator.
type Option func(*Calculator) error

// WithPolicy decides with a compiled policy instead of the embedded
// 豫办发电〔2021〕48号: typically policies.Load with a county's overlays, the
// same *rules.Set given to subsidy.New and measures.Load, so every package
// decides under one policy compiled once.
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

// Decision is the clause-14 subsidy of one loan: whether it is granted
// (with the policy's reasons if not), and its interest split period by
// period into what the subsidy covers and what the borrower pays. Its
// amounts are in Schedule: Interest, Covered (the subsidy), Borrower and
// Overdue, per period and in total. Its JSON is the one JSON object of a
// decision (docs/json.md; see [Decision.MarshalJSON]), and reads back into
// the same Decision.
type Decision struct {
	// Loan is the loan's ID, as in [Loan].ID.
	Loan string
	// Renews is the loan this one renews (续贷), as in [Loan].Renews.
	Renews string
	// Granted is true when the policy's rule [Rule] passes: the interest of
	// the days up to Until is subsidised.
	Granted bool
	// Reasons lists every failing requirement in the policy's order; empty
	// when Granted.
	Reasons []rules.Reason
	// SubsidisedPrincipal is the principal whose interest is covered, in
	// yuan: the whole of it or, under the first-portion reading
	// (microloan_cap_first_portion), at most microloan_max_principal of it;
	// zero when not granted. Repayments lower the covered balance only once
	// the balance falls below it.
	SubsidisedPrincipal decimal.Decimal
	// Until is the last day whose interest is covered, inclusive
	// (microloan_subsidy_until on the start day).
	Until rules.Date
	// CoveredFrom is the first day whose interest is covered when that is
	// after the start day: the day the rule took effect, for a loan made
	// before it under microloan_pre_policy_interest. Zero otherwise.
	CoveredFrom rules.Date
	// SubsidyRateCap is the highest annual rate (a fraction) whose
	// interest is covered, when the policy sets one
	// (microloan_subsidy_rate_cap, or the 1-year LPR in force on the start
	// day under microloan_subsidy_rate_cap_lpr_1y, whichever is lower);
	// zero when the subsidy covers the contract rate in full, or the loan is
	// not granted.
	SubsidyRateCap decimal.Decimal
	// AsOf is the day given to [Calculator.SubsidyAsOf]: Schedule holds the
	// interest of the days before it, the last period cut at it. Zero for
	// the whole loan.
	AsOf rules.Date
	// NextSettlement is, with AsOf, the day the bank next settles and
	// charges interest (结息日): the 20th of the settlement month of the
	// period holding AsOf, or the day the loan is repaid or falls due if that
	// comes first. Zero for the whole loan, or when the loan was repaid in
	// full before AsOf.
	NextSettlement rules.Date
	// Schedule is the interest period by period, with its totals in yuan:
	// Interest, Covered (the subsidy), Borrower, Overdue.
	Schedule Schedule
	// Notes say how the claim was cut (NotePrincipalCapped) and what an
	// auditor should look at (NoteRateAboveLPR, NoteOverdue); none of them
	// changes the subsidy.
	Notes []rules.Note
	// Policy is the policy's id and PolicyHash the SHA-256 of the policy and
	// its overlays, so the figure can be reproduced.
	Policy     string
	PolicyHash string
	// Checked reports that the decision was checked against what earlier
	// batches paid ([Calculator.Unpaid]): Payable and PaidBefore are set.
	Checked bool
	// Payable is, once Checked, the subsidy this batch pays in yuan: the
	// covered amounts of the periods not paid before, less a last period
	// not yet settled (NotePeriodOpen). Zero when not Checked.
	Payable decimal.Decimal
	// PaidBefore lists, once Checked, the periods an earlier batch paid.
	PaidBefore []PaidPeriod

	result rules.Result // the policy's decision, for Explanation
}

// Explanation returns the policy's audit record of the eligibility
// decision: inputs, parameters with their sources, requirements. A Decision
// read back from JSON has none; the zero Explanation is returned.
func (d Decision) Explanation() rules.Explanation { return d.result.Explanation() }

// Eligibility returns the policy's decision on the loan's eligibility: the
// rule [Rule] with its outputs, as `fangpin eval` writes it.
func (d Decision) Eligibility() rules.Result { return d.result }

// Subsidy decides the loan's interest subsidy. Eligibility is the policy's
// rule [Rule], judged on the loan's start day: 脱贫人口 or 监测对象, principal
// within the cap, started on or before the cut-off. The cut-off, the day
// basis, the LPR and a cap on the subsidised rate come from the policy's
// parameters in force on the start day, or on the day the rule took effect
// for a loan started earlier. Such a loan is not in force, unless the
// policy sets microloan_pre_policy_interest: then it is judged on the day
// the rule took effect and only the interest from that day on is covered. Not being eligible is a Decision with Reasons,
// whose Schedule still shows the interest, none of it covered. An error
// means the loan could not be decided: a *[FieldError] for a bad field, or
// the policy's error (a parameter with no value, say).
func (c *Calculator) Subsidy(ctx context.Context, l Loan) (Decision, error) {
	return c.decide(ctx, l, rules.Date{})
}

// decide decides the loan, up to asOf if it is not zero.
func (c *Calculator) decide(ctx context.Context, l Loan, asOf rules.Date) (Decision, error) {
	if err := l.Validate(); err != nil {
		return Decision{}, err
	}
	judged := l.Start
	if info, _ := c.set.Rule(Rule); l.Start.Before(info.InForce.From) {
		pre, err := c.flag(paramPrePolicy, info.InForce.From)
		if err != nil {
			return Decision{}, err
		}
		if pre {
			judged = info.InForce.From
		}
	}
	res, err := c.set.Eval(ctx, Rule, rules.Input{
		rules.AsOf:         rules.Day(judged),
		"poverty_relieved": rules.Bool(l.PovertyRelieved),
		"monitored":        rules.Bool(l.Monitored),
		"principal":        rules.Dec(l.Principal.Round(2)), // 100 and 100.000 are 100.00
		"start":            rules.Day(l.Start),
	})
	if err != nil {
		return Decision{}, err
	}
	return c.schedule(l, res, asOf)
}

// schedule completes the decision on l whose eligibility is res: the
// interest period by period, and the part of it subsidised.
func (c *Calculator) schedule(l Loan, res rules.Result, asOf rules.Date) (Decision, error) {
	d := Decision{Loan: l.ID, Renews: l.Renews, Granted: res.Pass, Reasons: res.Reasons, result: res,
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
	cov := cover{on: d.Granted, until: d.Until}
	if d.Granted && d.SubsidisedPrincipal.LessThan(l.Principal) {
		cov.cap = d.SubsidisedPrincipal
		d.Notes = append(d.Notes, rules.Note{Code: NotePrincipalCapped,
			Message: fmt.Sprintf("贷款本金 %s 元超过贴息上限，按 %s 元贴息", l.Principal.StringFixed(2), d.SubsidisedPrincipal.StringFixed(2))})
	}
	if d.Granted && l.Start.Before(info.InForce.From) {
		// Granted before the rule took effect: only under microloan_pre_policy_interest.
		cov.from, d.CoveredFrom = info.InForce.From, info.InForce.From
		d.Notes = append(d.Notes, rules.Note{Code: NotePrePolicyInterest,
			Message: fmt.Sprintf("贷款于 %s 发放，早于政策施行日 %s，只对施行日起产生的利息贴息", l.Start, info.InForce.From)})
	}
	if d.Granted {
		rate, source, err := c.rateCap(on)
		if err != nil {
			return Decision{}, err
		}
		if rate.IsPositive() {
			cov.rate, d.SubsidyRateCap = rate, rate
			if top := l.topRate(); rate.LessThan(top) {
				d.Notes = append(d.Notes, rules.Note{Code: NoteSubsidyRateCapped,
					Message: fmt.Sprintf("贴息年利率以%s为上限，年利率 %s 超出部分的利息由借款人负担", source, pct(top))})
			}
		}
	}
	opts := Options{Settlement: c.settlement, DayBasis: basis}
	accrued := l
	if !asOf.IsZero() {
		// Interest of the days before asOf: repayments after it have not
		// happened yet, and accrual stops at it.
		accrued = l.upTo(asOf)
		opts.Until = asOf
		d.AsOf, d.NextSettlement = asOf, l.nextSettlement(c.settlement, asOf)
	}
	d.Schedule, err = schedule(accrued, opts, cov)
	if err != nil {
		return Decision{}, err
	}
	notes, err := c.rateNotes(l)
	if err != nil {
		return Decision{}, err
	}
	d.Notes = append(d.Notes, notes...)
	if d.Schedule.Overdue.IsPositive() {
		d.Notes = append(d.Notes, rules.Note{Code: NoteOverdue,
			Message: fmt.Sprintf("到期日 %s 起产生逾期利息 %s 元，不予贴息", l.Due(), d.Schedule.Overdue.StringFixed(2))})
	}
	return d, nil
}

// Policy returns the compiled policy the calculator decides with.
func (c *Calculator) Policy() *rules.Set { return c.set }

// flag reads a bool parameter on day on; a policy without it reads false.
func (c *Calculator) flag(name string, on rules.Date) (bool, error) {
	pv, err := c.set.Param(name, on)
	if errors.Is(err, rules.ErrUnknownParam) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return pv.Value.Bool(), nil
}

// rateCap returns the highest annual rate the policy subsidises for a loan
// whose parameters are read on day on, and where it comes from in words;
// zero when the subsidy covers the contract rate in full. A flat cap
// (microloan_subsidy_rate_cap) and the 1-year LPR in force on the day
// (microloan_subsidy_rate_cap_lpr_1y) may both apply: the lower one does.
func (c *Calculator) rateCap(on rules.Date) (decimal.Decimal, string, error) {
	var rate decimal.Decimal
	var source string
	flat, err := c.set.Param(paramRateCap, on)
	switch {
	case errors.Is(err, rules.ErrUnknownParam):
	case err != nil:
		return decimal.Decimal{}, "", err
	case !flat.None:
		rate = flat.Value.Decimal()
		if !rate.IsPositive() || rate.GreaterThan(maxRate) {
			return decimal.Decimal{}, "", fmt.Errorf("loan: parameter %s is %s on %s; want a rate in (0, %s]", paramRateCap, rate, on, maxRate)
		}
		source = fmt.Sprintf(" %s（%s 起，%s）", pct(rate), flat.From, flat.Basis)
	}
	lpr, err := c.flag(paramRateCapLPR, on)
	if err != nil || !lpr {
		return rate, source, err
	}
	v, err := c.set.Param(paramLPR1Y, on)
	if err != nil {
		return decimal.Decimal{}, "", err
	}
	if r := v.Value.Decimal(); rate.IsZero() || r.LessThan(rate) {
		rate, source = r, fmt.Sprintf("一年期LPR %s（%s 起）", pct(r), v.From)
	}
	return rate, source, nil
}

// topRate returns the highest annual rate the loan accrues at: the
// contract rate, or an extension's own rate if higher.
func (l Loan) topRate() decimal.Decimal {
	if x := l.Extension; x != nil && x.Rate.GreaterThan(l.AnnualRate) {
		return x.Rate
	}
	return l.AnnualRate
}

// Across passes the decision d on l, at line of a batch, through the
// policy's checks across records (t; see [rules.Tally]): with the default
// policy, a loan id seen twice in one batch is refused the second time
// (duplicate-loan) and its interest is all the borrower's. The command-line
// tool and the server call it for every loan, in input order.
func (c *Calculator) Across(ctx context.Context, t *rules.Tally, line int, l Loan, d Decision) (Decision, error) {
	d, _, err := c.across(ctx, t, line, l, d)
	return d, err
}

// across is Across, with the tally's entry of the loan.
func (c *Calculator) across(ctx context.Context, t *rules.Tally, line int, l Loan, d Decision) (Decision, rules.Entry, error) {
	res, e, err := t.Apply(ctx, l.ID, line, nil, d.result)
	if err != nil || res.Pass == d.Granted {
		return d, e, err
	}
	d, err = c.schedule(l, res, d.AsOf)
	return d, e, err
}

// SubsidyAsOf is [Calculator.Subsidy] up to a day: the interest and the
// subsidy accrued on the days before asOf (the as-of day itself is not
// counted, as a repayment day is not), the last period cut at asOf and
// rounded as a period is, and Decision.NextSettlement. Repayments after
// asOf are left out, as if they had not happened yet; one on asOf lowers
// Schedule.Outstanding. Eligibility is judged on the start day, as for the
// whole loan. asOf must be after the start day.
func (c *Calculator) SubsidyAsOf(ctx context.Context, l Loan, asOf rules.Date) (Decision, error) {
	if asOf.IsZero() {
		return Decision{}, &FieldError{Loan: l.ID, Field: rules.AsOf, Err: errors.New("is missing")}
	}
	if !asOf.After(l.Start) {
		return Decision{}, &FieldError{Loan: l.ID, Field: rules.AsOf, Err: fmt.Errorf("%s is not after the start %s", asOf, l.Start)}
	}
	return c.decide(ctx, l, asOf)
}

// upTo returns the loan with only the repayments made on or before day d.
func (l Loan) upTo(d rules.Date) Loan {
	n := 0
	for n < len(l.Repayments) && !l.Repayments[n].Date.After(d) {
		n++
	}
	l.Repayments = l.Repayments[:n:n]
	return l
}

// nextSettlement returns the day interest is next settled for a loan asked
// about on day d (see Decision.NextSettlement).
func (l Loan) nextSettlement(s Settlement, d rules.Date) rules.Date {
	last, repaid := repaidOn(l)
	if repaid && last.Before(d) {
		return rules.Date{}
	}
	if !repaid {
		last = l.Due()
	}
	if b := s.next(d); !b.IsZero() && (b.AddDays(-1).Before(last) || last.Before(d)) {
		return b.AddDays(-1) // the 20th: periods end after it
	}
	if last.Before(d) {
		return rules.Date{} // overdue, settled at maturity: no day is known
	}
	return last
}

// rateNotes holds the contract rate, and an extension's own rate, to their
// LPR caps.
func (c *Calculator) rateNotes(l Loan) ([]rules.Note, error) {
	var out []rules.Note
	f, err := c.lprNote(l.AnnualRate, "合同年利率", "放款日", l.Start, l.Start, l.Maturity)
	if err != nil {
		return nil, err
	}
	out = append(out, f...)
	if x := l.Extension; x != nil && !x.Rate.IsZero() {
		f, err := c.lprNote(x.Rate, "展期年利率", "展期日", l.Maturity, l.Start, x.To)
		if err != nil {
			return nil, err
		}
		out = append(out, f...)
	}
	return out, nil
}

// lprNote compares rate with the LPR in force on day on, of the tier of
// a term from start to end: 1-year up to one year, else 5-year-plus. A day
// before the LPR's first value gives no note.
func (c *Calculator) lprNote(rate decimal.Decimal, what, dayName string, on, start, end rules.Date) ([]rules.Note, error) {
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
	return []rules.Note{{Code: NoteRateAboveLPR, Message: fmt.Sprintf("%s %s 高于%s %s 的%sLPR %s（%s 起）",
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
