package subsidy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Rule ids in the policy that the methods decide.
const (
	RuleTrainingGrant = "training-grant"              // clause 七
	RuleWorkTraining  = "work-training-subsidy"       // clause 七
	RuleReturnTravel  = "return-travel-reimbursement" // clause 六
	RuleLabourShare   = "work-relief-labour-share"    // clause 九, over fiscal funds
	// RuleLabourShareCentral is the clause-九 audit over central funds, for
	// a policy whose labour_share_base_central is true.
	RuleLabourShareCentral = "work-relief-labour-share-central"
	RuleFundScale          = "fund-scale" // clause 十三
)

// Names of parameters, outputs and inputs in the policy.
const (
	paramWorkMonthly      = "work_training_monthly"
	paramWorkMaxMonths    = "work_training_max_months"
	paramShareBaseCentral = "labour_share_base_central"
	outputAmount          = "amount"
	outputMonthsPaid      = "months_paid"
	outputShare           = "share"
	outputRequired        = "required"
	outputShortfall       = "shortfall"
	inputPovertyRelieved  = "poverty_relieved"
	inputMonitored        = "monitored"
	inputDisasterAffected = "disaster_affected"
)

// Reason codes. They are stable: programs may match them.
const (
	ReasonNotInForce           = rules.ReasonNotInForce         // the as-of date is outside the rule's period
	ReasonNotCoveredPopulation = "not-covered-population"       // neither 脱贫人口 nor 监测对象 (clause 7)
	ReasonNotDisasterAffected  = "not-disaster-affected"        // not affected by the disaster (clause 7)
	ReasonNoTrainingMonths     = "no-training-months"           // 0 months of 以工代训 (clause 7)
	ReasonNotPovertyRelieved   = "not-poverty-relieved"         // not 脱贫劳动力 (clause 6)
	ReasonNotReturnedDisaster  = "not-returned-due-to-disaster" // did not go home because of the disaster (clause 6)
	ReasonNotBackToWork        = "not-back-to-work"             // not back at work yet (clause 6)
	ReasonLabourShareBelowMin  = "labour-share-below-minimum"   // 劳务报酬 under 15% of fiscal funds (clause 9)
	ReasonLabourShareOtherBase = "labour-share-other-base"      // the audit's base is not the one the policy chooses (clause 9)
	ReasonFundScaleBelow2020   = "fund-scale-below-2020"        // 2021 integrated funds under 2020 (clause 13)

	// Batch reasons: found only by looking across the records of a batch.
	ReasonDuplicateTrainingGrant = "duplicate-training-grant"       // a second grant for the same person and tier
	ReasonWorkTrainingExhausted  = "work-training-months-exhausted" // the person's months are used up by earlier records
)

// Calculator decides the clauses of the policy through typed methods. It is
// immutable and safe for concurrent use.
type Calculator struct {
	set      *rules.Set
	prepared map[string]prepared // each rule decided, by id; read only after New
}

// prepared is a rule ready to decide on values in the order of its inputs.
type prepared struct {
	p     *rules.Prepared
	names []string // its inputs, in order
}

// Option configures a Calculator.
type Option func(*config) error

type config struct {
	set *rules.Set
}

// WithPolicy decides with a compiled policy instead of the embedded
// 豫办发电〔2021〕48号: typically policies.Load with a county's overlays, the
// same *rules.Set given to loan.New and measures.Load, so every package
// decides under one policy compiled once. The policy must have the rules,
// inputs and outputs this package reads.
func WithPolicy(set *rules.Set) Option {
	return func(c *config) error {
		if set == nil {
			return errors.New("subsidy: WithPolicy(nil)")
		}
		c.set = set
		return nil
	}
}

// New returns a Calculator over the embedded policy, or the one given with
// [WithPolicy]. It fails if an option is invalid or the policy lacks a rule
// or an output this package reads; an invalid embedded policy (which the
// tests rule out) fails with rules.Diagnostics.
func New(opts ...Option) (*Calculator, error) {
	var cfg config
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	set := cfg.set
	if set == nil {
		var err error
		if set, err = policies.Load(); err != nil {
			return nil, err
		}
	}
	c := &Calculator{set: set, prepared: map[string]prepared{}}
	for id, outs := range readsOutputs {
		info, ok := set.Rule(id)
		if !ok && id == RuleLabourShareCentral {
			continue // needed only under the central base; LabourShareAudit says so then
		}
		if !ok {
			return nil, fmt.Errorf("subsidy: policy %s has no rule %q", set.Meta().ID, id)
		}
		for _, name := range outs {
			if !slices.ContainsFunc(info.Outputs, func(o rules.OutputInfo) bool { return o.Name == name }) {
				return nil, fmt.Errorf("subsidy: rule %q of policy %s has no output %q", id, set.Meta().ID, name)
			}
		}
		p, err := set.Prepare(id)
		if err != nil {
			return nil, err
		}
		c.prepared[id] = prepared{p: p, names: p.Inputs()}
	}
	return c, nil
}

// readsOutputs lists, per rule, the outputs the typed API reads; New checks
// the policy has each, so reading them never falls back to zero.
var readsOutputs = map[string][]string{
	RuleTrainingGrant:      {outputAmount},
	RuleWorkTraining:       {outputAmount, outputMonthsPaid},
	RuleReturnTravel:       {outputAmount},
	RuleLabourShare:        {outputShare, outputRequired, outputShortfall},
	RuleLabourShareCentral: {outputShare, outputRequired, outputShortfall},
	RuleFundScale:          {outputShortfall},
}

// output reads an output New checked the rule has.
func output(res rules.Result, name string) decimal.Decimal {
	v, _ := res.Output(name)
	return v
}

// Policy returns the compiled policy the calculator decides with.
func (c *Calculator) Policy() *rules.Set { return c.set }

// InputError reports an input that is missing or cannot be used: the claim
// could not be decided. Field is the policy's input name (months,
// certificate_tier, fiscal_funds, …).
type InputError struct {
	Field string // the input's name in the policy
	Err   error  // what is wrong; wraps rules.ErrMissing or rules.ErrInvalid
}

// Error returns "subsidy: FIELD: problem".
func (e *InputError) Error() string { return fmt.Sprintf("subsidy: %s: %v", e.Field, e.Err) }

// Unwrap returns the problem, which wraps rules.ErrMissing or
// rules.ErrInvalid.
func (e *InputError) Unwrap() error { return e.Err }

// InputField returns Field; through it rules.ProblemOf names the field in
// a decision's JSON "error" object.
func (e *InputError) InputField() string { return e.Field }

// Codes of the notes a [Decision] may carry. A note does not refuse a
// claim; it says how the claim was changed. Codes are added, never renamed.
const (
	// NoteMonthsCapped: 以工代训 months claimed beyond what the policy pays
	// (at most 6 a person, clause 7), within one record or, in a batch,
	// across a person's records; Decision.Months is what was paid.
	NoteMonthsCapped = "months-capped"
	// NoteLabourShareExempted: a labour share below the floor of clause 9,
	// passed under an approved exemption (WorkReliefProject.Exemption); the
	// message names the share, the shortfall and the approving document.
	NoteLabourShareExempted = "labour-share-exempted"
)

// Decision is the outcome of a claim for money. Its JSON is the one JSON
// object of a decision (docs/json.md): "pass" is Granted, each of the
// rule's outputs with its declared places ("amount": "1800.00",
// "months_paid": "6"), reasons, notes, error null, policy and
// policy_sha256.
type Decision struct {
	// Granted is true when every requirement held on the as-of date and, in
	// a batch, no earlier record used up the entitlement.
	Granted bool
	// Amount is what is owed, in yuan, rounded as the policy declares
	// (half-up to the fen); zero when not granted.
	Amount decimal.Decimal
	// Months is the number of months paid (以工代训 only).
	Months int
	// Reasons lists every failing requirement in the policy's order; empty
	// when Granted.
	Reasons []rules.Reason
	// Notes say how a granted claim was cut: NoteMonthsCapped when fewer
	// months were paid than claimed.
	Notes []rules.Note
	// Clause is the clause of the policy behind the decision, e.g. 第七条.
	Clause string
	result rules.Result
	set    *rules.Set
}

// Explanation returns the audit record of the decision; see rules.Explanation.
func (d Decision) Explanation() rules.Explanation { return d.result.Explanation() }

// HasReason reports whether code is among the decision's reasons.
func (d Decision) HasReason(code string) bool {
	for _, r := range d.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// Audit is the outcome of an audit of a project or a county. Its JSON is
// the one JSON object of a decision (docs/json.md), as for [Decision]:
// "rule" (which, for the labour share, names the base), "pass", then the
// rule's outputs ("share": "0.1499", "required", "shortfall"), reasons,
// notes, error, policy and policy_sha256.
type Audit struct {
	// Pass is true when the requirements hold exactly, or when the only one
	// that fails is the labour-share floor and an exemption was applied.
	Pass bool
	// Base is what the labour share is a share of: BaseFiscal, or
	// BaseCentral where the policy chooses central funds. Empty for
	// FundScale.
	Base LabourShareBase
	// Share is labour remuneration ÷ the base (fiscal or central funds),
	// rounded down to 4 places (so a failing project never shows 0.1500);
	// zero for FundScale.
	Share decimal.Decimal
	// Required is the least labour remuneration that passes, rounded up to
	// the fen (so paying it is enough); zero for FundScale.
	Required decimal.Decimal
	// Shortfall is what is missing to meet the requirement, in yuan,
	// rounded as the policy declares; zero when it is met (an exempted
	// project passes and keeps its shortfall).
	Shortfall decimal.Decimal
	// Reasons lists every failing requirement in the policy's order; empty
	// when Pass.
	Reasons []rules.Reason
	// Exemption is the exemption that turned a failing labour share into a
	// pass, as given in WorkReliefProject; nil when none was applied.
	Exemption *Exemption
	// Notes say what changed the outcome without refusing it:
	// NoteLabourShareExempted when Exemption was applied.
	Notes []rules.Note
	// Clause is the clause of the policy behind the audit, e.g. 第九条.
	Clause string
	result rules.Result
	set    *rules.Set
}

// Explanation returns the audit record; see rules.Explanation. An applied
// exemption is in it as a requirement that held after the floor that did
// not (code NoteLabourShareExempted, the document and the reason as its
// condition), and the record passes.
func (a Audit) Explanation() rules.Explanation {
	ex := a.result.Explanation()
	if e := a.Exemption; e != nil && ex.InForceOnDate {
		ex.Pass = true
		ex.Requirements = append(ex.Requirements, rules.Check{Code: NoteLabourShareExempted,
			Condition: fmt.Sprintf("原则上：经 %s 批准豁免（%s）", e.Document, e.Reason),
			Message:   "劳务报酬发放比例低于规定比例，经批准豁免", Held: true})
	}
	return ex
}

// eval runs a rule on the values fill writes, and maps input errors to
// *InputError. The values go straight to the rule's inputs, in their
// order (rules.Prepared): no map is built.
func (c *Calculator) eval(ctx context.Context, rule string, on rules.Date, vs values) (rules.Result, error) {
	if on.IsZero() {
		return rules.Result{}, &InputError{Field: rules.AsOf, Err: rules.ErrMissing}
	}
	res, err := c.prepared[rule].p.Eval(ctx, vs.v, rules.On(on))
	if ie, ok := errors.AsType[*rules.InputError](err); ok {
		return rules.Result{}, &InputError{Field: ie.Field, Err: ie.Err}
	}
	return res, err
}

// values are a rule's inputs in the order of names.
type values struct {
	names []string
	v     []rules.Value
}

// values returns rule's values, empty, in buf when it is long enough.
func (c *Calculator) values(rule string, buf []rules.Value) values {
	names := c.prepared[rule].names
	if len(buf) < len(names) {
		buf = make([]rules.Value, len(names))
	}
	return values{names: names, v: buf[:len(names)]}
}

// set sets the input name, if the rule reads it.
func (vs *values) set(name string, v rules.Value) {
	for i, n := range vs.names {
		if n == name {
			vs.v[i] = v
			return
		}
	}
}

func (p Person) input(in *values) {
	in.set(inputPovertyRelieved, rules.Bool(p.PovertyRelieved))
	in.set(inputMonitored, rules.Bool(p.Monitored))
	in.set(inputDisasterAffected, rules.Bool(p.DisasterAffected))
}

// input writes the inputs the training-grant rule reads.
func (a TrainingApplication) input(in *values) {
	a.Person.input(in)
	in.set("certificate_tier", rules.Text(string(a.Tier)))
}

// input writes the inputs the 以工代训 rule reads.
func (w WorkTraining) input(in *values) {
	w.Person.input(in)
	in.set("months", rules.Int(int64(w.Months)))
}

// input writes the inputs the return-travel rule reads.
func (r ReturnTrip) input(in *values) {
	in.set(inputPovertyRelieved, rules.Bool(r.PovertyRelieved))
	in.set("returned_due_to_disaster", rules.Bool(r.ReturnedDueToDisaster))
	in.set("back_to_work", rules.Bool(r.BackToWork))
	in.set("travel_cost", rules.Dec(r.Cost))
}

func (c *Calculator) decision(res rules.Result) Decision {
	return Decision{Granted: res.Pass, Amount: output(res, outputAmount), Reasons: res.Reasons,
		Notes: slices.Clone(res.Notes), Clause: res.Clause(), result: res, set: c.set}
}

// TrainingGrant decides the 培训补助 of clause 7 (七): A类 2000.00, B类
// 1800.00, C类 1500.00 yuan for a 脱贫人口 or 监测对象 affected by the
// disaster who earned a skill certificate.
func (c *Calculator) TrainingGrant(ctx context.Context, a TrainingApplication) (Decision, error) {
	if !a.Tier.valid() {
		return Decision{}, &InputError{Field: "certificate_tier", Err: fmt.Errorf("%w: %q is not A, B or C", rules.ErrInvalid, string(a.Tier))}
	}
	var buf [8]rules.Value
	vs := c.values(RuleTrainingGrant, buf[:])
	a.input(&vs)
	res, err := c.eval(ctx, RuleTrainingGrant, a.AsOf, vs)
	if err != nil {
		return Decision{}, err
	}
	return c.decision(res), nil
}

// WorkTrainingSubsidy decides the 以工代训补贴 of clause 7 (七) for one
// trainee: 200.00 yuan a month for at most 6 months, paid to the enterprise.
// Months beyond the cap are not paid; Decision.Months says how many were.
func (c *Calculator) WorkTrainingSubsidy(ctx context.Context, w WorkTraining) (Decision, error) {
	if w.Months < 0 {
		return Decision{}, &InputError{Field: "months", Err: fmt.Errorf("%w: %d is below the minimum 0", rules.ErrInvalid, w.Months)}
	}
	var buf [8]rules.Value
	vs := c.values(RuleWorkTraining, buf[:])
	w.input(&vs)
	res, err := c.eval(ctx, RuleWorkTraining, w.AsOf, vs)
	if err != nil {
		return Decision{}, err
	}
	d := c.decision(res)
	d.Months = int(output(res, outputMonthsPaid).IntPart())
	if d.Granted && d.Months < w.Months {
		d.Notes = append(d.Notes, rules.Note{Code: NoteMonthsCapped,
			Message: fmt.Sprintf("申报以工代训 %d 个月，超过每人 %d 个月上限，按 %d 个月发放", w.Months, d.Months, d.Months)})
	}
	return d, nil
}

// ReturnTravel decides the 返岗往返路费 reimbursement of clause 6 (六): the
// round-trip cost of a 脱贫劳动力 who went home because of the disaster and
// is back at work, capped only if the policy or an overlay sets a cap.
func (c *Calculator) ReturnTravel(ctx context.Context, r ReturnTrip) (Decision, error) {
	var buf [8]rules.Value
	vs := c.values(RuleReturnTravel, buf[:])
	r.input(&vs)
	res, err := c.eval(ctx, RuleReturnTravel, r.AsOf, vs)
	if err != nil {
		return Decision{}, err
	}
	return c.decision(res), nil
}

// LabourShareAudit audits a 以工代赈 project under clause 9 (九): labour
// remuneration must be at least labour_share_min (15%) of the base. The
// base is the project's fiscal funds, as the policy says (rule
// [RuleLabourShare]), unless the policy or an overlay sets
// labour_share_base_central on the as-of date: then it is the project's
// central funds (rule [RuleLabourShareCentral]), and Audit.Base says which.
//
// The clause says 原则上 ("in principle"): a project with an approved
// [Exemption] whose only failing requirement is the floor passes, with the
// note [NoteLabourShareExempted] and the exemption in Audit.Exemption and
// in the explanation; a project that meets the floor does not use it. An
// exemption without a document number or reason, or with one too long, is
// an *[InputError] (exemption_document, exemption_reason).
func (c *Calculator) LabourShareAudit(ctx context.Context, p WorkReliefProject) (Audit, error) {
	if p.Exemption != nil {
		if err := p.Exemption.check(); err != nil {
			return Audit{}, err
		}
	}
	base, err := c.labourShareBase(p.AsOf)
	if err != nil {
		return Audit{}, err
	}
	rule, baseInput, baseFunds := RuleLabourShare, "fiscal_funds", p.FiscalFunds
	if base == BaseCentral {
		if _, ok := c.set.Rule(RuleLabourShareCentral); !ok {
			return Audit{}, fmt.Errorf("subsidy: policy %s audits the labour share over central funds (%s) but has no rule %q",
				c.set.Meta().ID, paramShareBaseCentral, RuleLabourShareCentral)
		}
		rule, baseInput, baseFunds = RuleLabourShareCentral, "central_funds", p.CentralFunds
	}
	var buf [8]rules.Value
	vs := c.values(rule, buf[:])
	vs.set(baseInput, rules.Dec(baseFunds))
	vs.set("labour_remuneration", rules.Dec(p.LabourRemuneration))
	res, err := c.eval(ctx, rule, p.AsOf, vs)
	if err != nil {
		return Audit{}, err
	}
	a := Audit{Pass: res.Pass, Base: base, Share: output(res, outputShare), Required: output(res, outputRequired),
		Shortfall: output(res, outputShortfall), Reasons: res.Reasons, Notes: slices.Clone(res.Notes),
		Clause: res.Clause(), result: res, set: c.set}
	if e := p.Exemption; e != nil && !res.Pass && len(res.Reasons) == 1 && res.Reasons[0].Code == ReasonLabourShareBelowMin {
		a.Pass, a.Reasons, a.Exemption = true, nil, e
		label := outputShare
		for _, o := range res.Outputs {
			if o.Name == outputShare {
				label = o.Label
			}
		}
		a.Notes = append(a.Notes, rules.Note{Code: NoteLabourShareExempted,
			Message: fmt.Sprintf("%s %s 低于规定比例（应发劳务报酬 %s 元，差额 %s 元），经 %s 批准豁免：%s",
				label, a.Share.StringFixed(4), a.Required.StringFixed(2), a.Shortfall.StringFixed(2), e.Document, e.Reason)})
	}
	return a, nil
}

// labourShareBase returns the base the policy audits the labour share over
// on day on. Before the parameter's first value (the rule is not in force
// then either) and in a policy without it, the base is the policy's own:
// fiscal funds.
func (c *Calculator) labourShareBase(on rules.Date) (LabourShareBase, error) {
	pv, err := c.set.Param(paramShareBaseCentral, on)
	switch {
	case errors.Is(err, rules.ErrNoValue), errors.Is(err, rules.ErrUnknownParam):
		return BaseFiscal, nil
	case err != nil:
		return "", err
	case pv.Value.Bool():
		return BaseCentral, nil
	}
	return BaseFiscal, nil
}

// Limits of an exemption's text, in characters.
const (
	maxDocumentChars = 64
	maxReasonChars   = 200
)

// check reports a missing or too long document number or reason.
func (e *Exemption) check() error {
	for _, f := range []struct {
		field, text string
		limit       int
	}{{"exemption_document", e.Document, maxDocumentChars}, {"exemption_reason", e.Reason, maxReasonChars}} {
		t := strings.TrimSpace(f.text)
		switch n := utf8.RuneCountInString(t); {
		case n == 0:
			return &InputError{Field: f.field, Err: rules.ErrMissing}
		case n > f.limit:
			return &InputError{Field: f.field, Err: fmt.Errorf("%w: %s is longer than %d characters", rules.ErrInvalid, quote(t), f.limit)}
		}
	}
	return nil
}

// quote quotes text for a message: in full when short, else its first 32
// characters and its length.
func quote(s string) string {
	const keep = 32
	if utf8.RuneCountInString(s) <= keep {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return fmt.Sprintf("%s (%d characters)", strconv.Quote(string(r[:keep])+"…"), len(r))
}

// FundScaleAudit audits a county under clause 13 (十三): its 2021
// integrated agricultural funds must not fall below its 2020 funds.
func (c *Calculator) FundScaleAudit(ctx context.Context, f FundScale) (Audit, error) {
	var buf [8]rules.Value
	vs := c.values(RuleFundScale, buf[:])
	vs.set("integrated_2020", rules.Dec(f.Integrated2020))
	vs.set("integrated_2021", rules.Dec(f.Integrated2021))
	res, err := c.eval(ctx, RuleFundScale, f.AsOf, vs)
	if err != nil {
		return Audit{}, err
	}
	return Audit{Pass: res.Pass, Shortfall: output(res, outputShortfall), Reasons: res.Reasons,
		Clause: res.Clause(), result: res, set: c.set}, nil
}

// ParseTier reads a certificate tier written A, B, C or A类, B类, C类
// (also A类工种…), as county sheets write it.
func ParseTier(s string) (CertificateTier, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "工种"), "类")
	if tier := CertificateTier(t); tier.valid() {
		return tier, nil
	}
	return "", &InputError{Field: "certificate_tier", Err: fmt.Errorf("%w: %q is not A, B or C", rules.ErrInvalid, s)}
}
