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
	// Reasons lists every requirement that failed, in declared order.
	Reasons     []Reason    `json:"reasons"`
	Explanation Explanation `json:"explanation"`
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

// Output returns the named output's value, and zero if there is none.
func (r Result) Output(name string) decimal.Decimal {
	for _, o := range r.Outputs {
		if o.Name == name {
			return o.Value
		}
	}
	return decimal.Decimal{}
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
		d, err := (&inputDef{typ: TypeDate}).read(v)
		if err != nil {
			return Result{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: err}
		}
		asOf = d.day
	}
	if asOf.IsZero() {
		return Result{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: errMissing}
	}

	st := s.pool.Get().(*evalState)
	defer func() {
		clear(st.env)
		s.pool.Put(st)
	}()
	env := st.env
	env[AsOf] = asOf.Time()

	res = Result{Rule: id}
	ex := &res.Explanation
	*ex = Explanation{Policy: s.meta.ID, PolicyNumber: s.meta.Number, PolicyHash: s.hash, Rule: id, Title: r.title,
		Clause: r.clause, Quote: r.quote, AsOf: asOf, InForce: r.inForce}
	ex.Inputs = make([]Fact, 0, len(r.inputs))
	for _, def := range r.inputs {
		v, err := def.read(in[def.name])
		if err != nil {
			return Result{}, &InputError{Rule: id, Field: def.name, Label: def.label, Err: err}
		}
		env[def.name] = exprValue(def.typ, v)
		ex.Inputs = append(ex.Inputs, Fact{Name: def.name, Label: def.label, Value: v})
	}
	if !r.inForce.Contains(asOf) {
		res.Reasons = []Reason{{Code: ReasonNotInForce, Message: fmt.Sprintf("判定日期 %s 不在本条规则的施行期内（%s）", asOf, r.inForce.text()), Clause: r.clause}}
		return res, nil
	}
	ex.InForceOnDate = true
	ex.Parameters = make([]ParamUse, 0, len(r.params))
	for _, p := range r.params {
		v, ok := p.at(asOf)
		if !ok {
			return Result{}, &EvalError{Rule: id, Pos: r.pos, Err: noValue(p, asOf)}
		}
		env[p.name] = v.exprValue(p)
		ex.Parameters = append(ex.Parameters, ParamUse{Name: p.name, Label: p.label, Value: v.v, None: v.v.IsZero(),
			From: v.from, Basis: v.basis, Pos: v.pos})
	}
	for _, l := range r.lets {
		out, err := l.prog.Run(st.vm, env)
		if err != nil {
			return Result{}, &EvalError{Rule: id, Pos: l.pos, Err: err}
		}
		env[l.name] = out
		ex.Values = append(ex.Values, Fact{Name: l.name, Value: valueOf(out)})
	}
	res.Pass = true
	ex.Requirements = make([]Check, 0, len(r.reqs))
	for _, q := range r.reqs {
		out, err := q.prog.Run(st.vm, env)
		if err != nil {
			return Result{}, &EvalError{Rule: id, Pos: q.pos, Err: err}
		}
		held, _ := out.(bool)
		ex.Requirements = append(ex.Requirements, Check{Code: q.code, Condition: q.prog.Source(), Message: q.message, Held: held})
		if !held {
			res.Pass = false
			res.Reasons = append(res.Reasons, Reason{Code: q.code, Message: q.message, Clause: r.clause})
		}
	}
	res.Outputs = make([]Output, 0, len(r.outputs))
	ex.Outputs = make([]Step, 0, len(r.outputs))
	for _, o := range r.outputs {
		step := Step{Name: o.name, Label: o.label, Rounding: o.rounding}
		if res.Pass || o.keep {
			out, err := o.prog.Run(st.vm, env)
			if err != nil {
				return Result{}, &EvalError{Rule: id, Pos: o.pos, Err: err}
			}
			step.Exact = valueOf(out)
			step.Value = o.rounding.round(out)
			step.Computed = true
		}
		ex.Outputs = append(ex.Outputs, step)
		res.Outputs = append(res.Outputs, Output{Name: o.name, Label: o.label, Value: step.Value, Rounding: o.rounding})
	}
	ex.Pass = res.Pass
	return res, nil
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
