package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
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
	// false; none are computed when the rule is not in force.
	Outputs []Output `json:"outputs"`
	// Reasons lists every requirement that failed, in declared order, then
	// the check across records that refused it (see [Tally]), if any.
	Reasons []Reason `json:"reasons"`
	// Notes tell what changed the decision without refusing it, such as a
	// claim cut to what a cap leaves (see [Tally]).
	Notes []Note `json:"notes,omitempty"`

	rec    *record // what [Result.Explanation] is built from
	across string  // the code of the check across records that refused it
}

// Output is one named output of a rule.
type Output struct {
	Name     string          `json:"name"`
	Label    string          `json:"label"`
	Value    decimal.Decimal `json:"value"`
	Rounding Rounding        `json:"rounding"`
}

// String returns the value with exactly its declared places ("2000.00").
func (o Output) String() string { return o.Value.StringFixed(o.Rounding.Places) }

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
	if r.rec == nil {
		return ""
	}
	return r.rec.rule.clause
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
	asOf Date
}

// On sets the as-of date for inputs that do not carry "as_of" themselves.
func On(d Date) EvalOption { return func(c *evalConfig) { c.asOf = d } }

// Eval decides rule id on in. The as-of date is in["as_of"] or, failing
// that, the date given with [On]. It returns an *InputError when an input is
// missing or cannot be read, and an *EvalError when the rule cannot be
// evaluated otherwise (unknown rule, a parameter with no value in force,
// division by zero, cancelled ctx). Eval is safe for concurrent use.
func (s *Set) Eval(ctx context.Context, id string, in Input, opts ...EvalOption) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = Result{}, &EvalError{Rule: id, Err: fmt.Errorf("internal error: %v", r)}
		}
	}()
	if err := ctx.Err(); err != nil {
		return Result{}, &EvalError{Rule: id, Err: err}
	}
	r, ok := s.rules[id]
	if !ok {
		return Result{}, &EvalError{Rule: id, Err: fmt.Errorf("%w %q%s", ErrUnknownRule, id, didYouMean(id, s.ruleOrder))}
	}
	var cfg evalConfig
	for _, o := range opts {
		o(&cfg)
	}
	asOf := cfg.asOf
	if v, ok := in[AsOf]; ok && !v.IsZero() && !(v.kind == kindText && v.s == "") {
		d, err := asOfDef.read(v)
		if err != nil {
			return Result{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: err}
		}
		asOf = d.day
	}
	if asOf.IsZero() {
		return Result{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: errMissing}
	}

	// The environment is not cleared between runs: every name a rule's
	// expressions read is set below before they run, and the checker rejects
	// any other name at load.
	st := s.pool.Get().(*evalState)
	defer s.pool.Put(st)
	env := st.env
	if st.day != asOf || st.dayBox == nil {
		st.day, st.dayBox = asOf, asOf.Time()
	}
	env[AsOf] = st.dayBox

	rec := &record{set: s, rule: r, asOf: asOf}
	// inputs, lets and outputs' exact values share one slice.
	if n := len(r.inputs) + len(r.lets) + len(r.outputs); n <= len(rec.buf) {
		rec.values = rec.buf[:n]
	} else {
		rec.values = make([]any, n)
	}
	for i, def := range r.inputs {
		v, err := def.read(in[def.name])
		if err != nil {
			return Result{}, &InputError{Rule: id, Field: def.name, Label: def.label, Err: err}
		}
		b := def.box(v)
		env[def.name] = b
		rec.values[i] = b
	}
	res = Result{Rule: id, rec: rec}
	if !r.inForce.Contains(asOf) {
		res.Reasons = []Reason{{Code: ReasonNotInForce, Message: fmt.Sprintf("判定日期 %s 不在本条规则的施行期内（%s）", asOf, r.inForce.text()), Clause: r.clause}}
		return res, nil
	}
	rec.inForce = true
	if len(r.params) <= len(rec.paramBuf) {
		rec.params = rec.paramBuf[:len(r.params)]
	} else {
		rec.params = make([]*paramValue, len(r.params))
	}
	for i, p := range r.params {
		v := p.at(asOf)
		if v == nil {
			return Result{}, &EvalError{Rule: id, Pos: r.pos, Err: noValue(p, asOf)}
		}
		env[p.name] = v.boxed
		rec.params[i] = v
	}
	lets := rec.values[len(r.inputs):]
	for i, l := range r.lets {
		out, err := l.prog.Run(st.vm, env)
		if err != nil {
			return Result{}, &EvalError{Rule: id, Pos: l.pos, Err: err}
		}
		env[l.name] = out
		lets[i] = out
	}
	res.Pass = true
	for i, q := range r.reqs {
		out, err := q.prog.Run(st.vm, env)
		if err != nil {
			return Result{}, &EvalError{Rule: id, Pos: q.pos, Err: err}
		}
		if held, _ := out.(bool); !held {
			rec.failed |= 1 << i
			res.Pass = false
			res.Reasons = append(res.Reasons, Reason{Code: q.code, Message: q.message, Clause: r.clause})
		}
	}
	res.Outputs = make([]Output, len(r.outputs))
	for i, o := range r.outputs {
		res.Outputs[i] = Output{Name: o.name, Label: o.label, Rounding: o.rounding}
		if res.Pass || o.keep {
			out, err := o.prog.Run(st.vm, env)
			if err != nil {
				return Result{}, &EvalError{Rule: id, Pos: o.pos, Err: err}
			}
			lets[len(r.lets)+i] = out
			res.Outputs[i].Value = o.rounding.round(out)
		}
	}
	rec.pass = res.Pass
	return res, nil
}

var asOfDef = &inputDef{name: AsOf, label: asOfLabel, typ: TypeDate}

// record is what an evaluation keeps for its explanation, built on demand.
type record struct {
	set     *Set
	rule    *rule
	asOf    Date
	inForce bool
	pass    bool
	params  []*paramValue
	values  []any  // inputs as expressions saw them, lets, outputs' exact values (nil if not computed)
	failed  uint64 // bit i: requirement i did not hold

	// Small rules keep everything in the record itself: one allocation.
	paramBuf [8]*paramValue
	buf      [12]any
}

// Explanation returns the audit record of the decision; see [Explanation].
// It is built from what the evaluation kept, so asking for it is optional.
func (r Result) Explanation() Explanation {
	rec := r.rec
	if rec == nil {
		return Explanation{}
	}
	s, ru := rec.set, rec.rule
	ex := Explanation{Policy: s.meta.ID, PolicyNumber: s.meta.Number, PolicyHash: s.hash, Rule: ru.id, Title: ru.title,
		Clause: ru.clause, Quote: ru.quote, AsOf: rec.asOf, InForce: ru.inForce, InForceOnDate: rec.inForce, Pass: rec.pass}
	for i, def := range ru.inputs {
		ex.Inputs = append(ex.Inputs, Fact{Name: def.name, Label: def.label, Value: def.unbox(rec.values[i])})
	}
	lets := rec.values[len(ru.inputs):]
	if !rec.inForce {
		return ex
	}
	for i, p := range ru.params {
		v := rec.params[i]
		ex.Parameters = append(ex.Parameters, ParamUse{Name: p.name, Label: p.label, Value: v.v, None: v.v.IsZero(),
			From: v.from, Basis: v.basis, Pos: v.pos})
	}
	for i, l := range ru.lets {
		ex.Values = append(ex.Values, Fact{Name: l.name, Value: valueOf(lets[i])})
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
	for i, o := range ru.outputs {
		step := Step{Name: o.name, Label: o.label, Rounding: o.rounding}
		if exact := lets[len(ru.lets)+i]; exact != nil {
			step.Exact, step.Value, step.Computed = valueOf(exact), o.rounding.round(exact), true
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

// valueOf wraps an expression result as a Value.
func valueOf(v any) Value {
	switch x := v.(type) {
	case decimal.Decimal:
		return Value{kind: kindComputed, d: x}
	case dexpr.Ratio:
		if d, ok := x.Terminating(); ok {
			return Value{kind: kindComputed, d: d}
		}
		return Value{kind: kindRatio, q: x.Rat()}
	case bool:
		return Bool(x)
	case string:
		return Text(x)
	case time.Time:
		return Day(DateOf(x))
	}
	return Value{}
}
