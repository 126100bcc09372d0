package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// Result is the decision of one rule on one input. Not being eligible is a
// Result with Pass false and Reasons, not an error.
type Result struct {
	Rule string `json:"rule"`
	// Pass reports whether every requirement held and the rule was in force.
	Pass bool `json:"pass"`
	// Outputs are the rule's named outputs in declared order, each rounded as
	// declared. Outputs that are not kept on failure are zero when Pass is
	// false; none are computed when the rule is not in force. Results with
	// the same values may share this list: copy it before changing it.
	Outputs []Output `json:"outputs"`
	// Reasons lists every requirement that failed, in declared order, then
	// the check across records that refused it (see [Tally]), if any.
	// Results may share this list too.
	Reasons []Reason `json:"reasons"`
	// Notes tell what changed the decision without refusing it, such as a
	// claim cut to what a cap leaves (see [Tally]).
	Notes []Note `json:"notes,omitempty"`

	rec    *record    // what [Result.Explanation] is built from
	ru     *rule      // the rule decided
	apart  *keptSlots // the input slots when rec could not hold them
	across string     // the code of the check across records that refused it
}

// Output is one named output of a rule.
type Output struct {
	Name     string          `json:"name"`
	Label    string          `json:"label"`
	Value    decimal.Decimal `json:"value"`
	Rounding Rounding        `json:"rounding"`
}

// String returns the value with exactly its declared places ("2000.00"),
// rounded half-up if it has more.
func (o Output) String() string {
	var buf [32]byte
	return string(o.AppendText(buf[:0]))
}

// AppendText appends the value as [Output.String] writes it to dst and
// returns the extended buffer. A value of at most 18 digits is written
// without allocating.
func (o Output) AppendText(dst []byte) []byte {
	p, e := o.Rounding.Places, o.Value.Exponent()
	if k := p + e; p < 0 || p > maxFixedPlaces || k < 0 || k > maxFixedPlaces || o.Value.NumDigits() > maxFixedPlaces {
		return append(dst, o.Value.StringFixed(p)...)
	}
	c := o.Value.CoefficientInt64()
	hi, lo := bits.Mul64(abs64(c), pow10[p+e])
	if hi != 0 || lo > math.MaxInt64 {
		return append(dst, o.Value.StringFixed(p)...)
	}
	if c < 0 {
		dst = append(dst, '-')
	}
	// lo is the value times 10^p: its digits, the last p after the point,
	// with zeros before them so that at least one digit precedes the point
	var digits [24]byte
	i := len(digits)
	for n := int32(0); lo > 0 || n <= p; n++ {
		if n == p && p > 0 {
			i--
			digits[i] = '.'
		}
		i--
		digits[i] = byte('0' + lo%10)
		lo /= 10
	}
	return append(dst, digits[i:]...)
}

// Units returns the value in units of its last declared place, such as
// fen for money at 2 places (1234.56 is 123456), for sums kept in
// integers. ok is false when the value is not a whole number of those
// units or does not fit in an int64.
func (o Output) Units() (n int64, ok bool) {
	p, e := o.Rounding.Places, o.Value.Exponent()
	if k := p + e; k >= 0 && k <= maxFixedPlaces && o.Value.NumDigits() <= maxFixedPlaces {
		c := o.Value.CoefficientInt64()
		hi, lo := bits.Mul64(abs64(c), pow10[k])
		if hi == 0 && lo <= math.MaxInt64 {
			if c < 0 {
				return -int64(lo), true
			}
			return int64(lo), true
		}
	}
	u := o.Value.Shift(p)
	if !u.IsInteger() || !u.BigInt().IsInt64() {
		return 0, false
	}
	return u.IntPart(), true
}

// maxFixedPlaces is the most places, and digits, Output.AppendText writes
// from an int64.
const maxFixedPlaces = 18

var pow10 = [maxFixedPlaces + 1]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

func abs64(n int64) uint64 {
	if n < 0 {
		return uint64(-n)
	}
	return uint64(n)
}

// MarshalJSON writes the value with exactly its declared places.
func (o Output) MarshalJSON() ([]byte, error) {
	type plain Output
	return json.Marshal(struct {
		plain
		Value string `json:"value"`
	}{plain(o), o.String()})
}

// Reason is a requirement that failed.
type Reason struct {
	Code    string `json:"code"`    // stable, kebab-case
	Message string `json:"message"` // Chinese, for the applicant
	Clause  string `json:"clause"`  // the clause of the policy behind it
}

// Output returns the named output's value. ok is false when the rule has no
// output of that name, so a misspelt name is never read as zero.
func (r Result) Output(name string) (v decimal.Decimal, ok bool) {
	for _, o := range r.Outputs {
		if o.Name == name {
			return o.Value, true
		}
	}
	return decimal.Decimal{}, false
}

// Clause returns the clause of the policy behind the rule decided, such as
// "第七条". It is read without building the explanation.
func (r Result) Clause() string {
	if r.ru == nil {
		return ""
	}
	return r.ru.clause
}

// HasReason reports whether code is among r's reasons.
func (r Result) HasReason(code string) bool {
	for _, x := range r.Reasons {
		if x.Code == code {
			return true
		}
	}
	return false
}

// EvalOption changes how one evaluation runs.
type EvalOption func(*evalConfig)

type evalConfig struct {
	asOf   Date
	budget int
}

// On sets the as-of date for inputs that do not carry "as_of" themselves.
func On(d Date) EvalOption { return func(c *evalConfig) { c.asOf = d } }

// DefaultBudget is the number of steps (operators, calls, branches) one
// decision may take unless [WithBudget] says otherwise. The rules of a policy
// take a few dozen; arithmetic on very large exact values counts extra
// steps for its size.
const DefaultBudget = 100_000

// WithBudget sets the number of steps one decision may take; past it,
// evaluation stops with an [*EvalError] wrapping [ErrBudget]. A budget of
// zero or less means [DefaultBudget].
func WithBudget(steps int) EvalOption {
	return func(c *evalConfig) { c.budget = steps }
}

// Eval decides rule id on in. The as-of date is in["as_of"] or, failing
// that, the date given with [On]. It returns an *InputError when an input is
// missing or cannot be read, and an *EvalError when the rule cannot be
// evaluated otherwise (unknown rule, a parameter with no value in force,
// division by zero, an exact value past its size limit ([ErrTooLarge]), the
// budget used up ([ErrBudget]), cancelled ctx). The context is checked
// between steps. Eval is safe for concurrent use.
func (s *Set) Eval(ctx context.Context, id string, in Input, opts ...EvalOption) (res Result, err error) {
	if err := ctx.Err(); err != nil {
		return Result{}, &EvalError{Rule: id, Err: err}
	}
	r, ok := s.rules[id]
	if !ok {
		return Result{}, &EvalError{Rule: id, Err: fmt.Errorf("%w %q%s", ErrUnknownRule, id, didYouMean(id, s.ruleOrder))}
	}
	w := r.frames.Get().(*work)
	defer func() {
		if p := recover(); p != nil {
			res, err = Result{}, &EvalError{Rule: id, Err: fmt.Errorf("internal error: %v", p)}
		}
		w.f.Drop() // the pool keeps the frame, not the context
		r.frames.Put(w)
	}()
	return r.eval(ctx, in, nil, w, opts)
}

// eval is [Set.Eval] of rule r with working frame w: on in, or, when vals
// is not nil, on vals, one value per input of r in order.
func (r *rule) eval(ctx context.Context, in Input, vals []Value, w *work, opts []EvalOption) (Result, error) {
	id := r.id
	// The options write into w, which is on the heap already: a config on
	// the stack would escape to it through the option functions.
	cfg := &w.cfg
	*cfg = evalConfig{}
	for _, o := range opts {
		o(cfg)
	}
	if cfg.budget <= 0 {
		cfg.budget = DefaultBudget
	}
	asOf := cfg.asOf
	if v, ok := in[AsOf]; ok && !v.IsZero() && (v.kind != kindText || v.s != "") {
		d, err := asOfDef.read(v)
		if err != nil {
			return Result{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: err}
		}
		asOf = d.day
	}
	if asOf.IsZero() {
		return Result{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: errMissing}
	}

	f := &w.f
	f.Days[r.slot.asOf.Slot] = dayOf(asOf)
	for i, def := range r.inputs {
		var v Value
		if vals != nil {
			v = vals[i]
		} else {
			v = in[def.name]
		}
		if err := def.bind(f, r.slot.inputs[i].Slot, v); err != nil {
			return Result{}, &InputError{Rule: id, Field: def.name, Label: def.label, Err: err}
		}
	}
	if !r.inForce.Contains(asOf) {
		rec := newRecord()
		rec.asOf, rec.budget = asOf, cfg.budget
		return Result{Rule: id, rec: rec, ru: r, apart: rec.keep(r, f), Reasons: []Reason{{Code: ReasonNotInForce,
			Message: fmt.Sprintf("判定日期 %s 不在本条规则的施行期内（%s）", asOf, r.inForce.text()), Clause: r.clause}}}, nil
	}
	if !w.bound || w.day != asOf {
		w.bound = false
		if err := r.bindParams(f, asOf); err != nil {
			return Result{}, err
		}
		w.day, w.bound = asOf, true
	}
	f.Limit(ctx, cfg.budget)
	failed, err := r.decide(f)
	if err != nil {
		return Result{}, err
	}
	outs, rec, err := r.decideOutputs(w, failed == 0)
	if err != nil {
		return Result{}, err
	}
	kept := record{asOf: asOf, budget: cfg.budget, inForce: true, failed: failed, pass: failed == 0}
	apart := kept.keep(r, f)
	if rec != nil {
		*rec = kept
	} else {
		rec = r.intern(w, &kept)
	}
	res := Result{Rule: id, Pass: rec.pass, Outputs: outs, rec: rec, ru: r, apart: apart}
	if !rec.pass {
		res.Reasons = r.reasonsFor(failed)
	}
	return res, nil
}

var asOfDef = &inputDef{name: AsOf, label: asOfLabel, typ: TypeDate}

// Explanation returns the audit record of the decision; see [Explanation].
// Evaluation keeps only its frame of values; the record is built from it
// when asked for, recomputing each output's exact value, so a caller that
// never asks pays nothing for it.
func (r Result) Explanation() Explanation {
	rec, ru := r.rec, r.ru
	if rec == nil || ru == nil {
		return Explanation{}
	}
	s := ru.set
	ex := Explanation{Policy: s.meta.ID, PolicyNumber: s.meta.Number, PolicyHash: s.hash, Rule: ru.id, Title: ru.title,
		Clause: ru.clause, Quote: ru.quote, AsOf: rec.asOf, InForce: ru.inForce, InForceOnDate: rec.inForce, Pass: rec.pass}
	f := rec.restore(ru, r.apart)
	for i, def := range ru.inputs {
		ex.Inputs = append(ex.Inputs, Fact{Name: def.name, Label: def.label, Value: input(f, ru.slot.inputs[i].Slot, def)})
	}
	if !rec.inForce {
		return ex
	}
	// The lets, requirements and outputs are computed again from the kept
	// inputs: the same closures on the same values give the same values.
	f.Limit(context.Background(), rec.budget)
	if ru.bindParams(f, rec.asOf) != nil {
		return ex // cannot happen: Eval bound the same parameters on the same day
	}
	if _, err := ru.decide(f); err != nil {
		return ex
	}
	for _, p := range ru.params {
		v := p.at(rec.asOf)
		ex.Parameters = append(ex.Parameters, ParamUse{Name: p.name, Label: p.label, Value: v.v, None: v.v.IsZero(),
			From: v.from, Basis: v.basis, Pos: v.pos})
	}
	for i, l := range ru.lets {
		ex.Values = append(ex.Values, Fact{Name: l.name, Value: value(f, ru.slot.lets[i])})
	}
	for i, q := range ru.reqs {
		ex.Requirements = append(ex.Requirements, Check{Code: q.code, Condition: q.src, Message: q.message, Held: rec.failed&(1<<i) == 0})
	}
	for _, x := range r.Reasons {
		if r.across != "" && x.Code == r.across {
			ex.Pass = false
			ex.Requirements = append(ex.Requirements, Check{Code: x.Code, Condition: "across", Message: x.Message})
		}
	}
	for _, o := range ru.outputs {
		step := Step{Name: o.name, Label: o.label, Rounding: o.rounding}
		if rec.pass || o.keep {
			if exact, err := o.prog.Num(f); err == nil {
				step.Exact, step.Value, step.Computed = computed(exact), o.rounding.roundNum(exact), true
			}
		}
		ex.Outputs = append(ex.Outputs, step)
	}
	return ex
}

func noValue(p *param, on Date) error {
	first := "none"
	if len(p.values) > 0 {
		first = p.values[0].from.String()
	}
	return fmt.Errorf("%w: parameter %q has no value on %s (its first value is from %s)", ErrNoValue, p.name, on, first)
}

func (p Period) text() string {
	if p.To.IsZero() {
		return p.From.String() + " 起"
	}
	return fmt.Sprintf("%s 至 %s", p.From, p.To.AddDays(-1))
}
