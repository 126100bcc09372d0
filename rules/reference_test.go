package rules

import (
	"context"
	"fmt"
	"time"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/shopspring/decimal"
)

// The reference evaluator is the engine as it was before rules were
// compiled to closures: every expression runs on expr's VM over a map
// environment with boxed values, and the explanation is built from boxed
// values. It is kept here, small and unoptimised, so the compiled evaluator
// can be checked against it on random inputs (see equivalence_test.go).

type refResult struct {
	res Result
	ex  Explanation
}

func (s *Set) referenceEval(ctx context.Context, id string, in Input, on Date) (out refResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = refResult{}, &EvalError{Rule: id, Err: fmt.Errorf("internal error: %v", r)}
		}
	}()
	if err := ctx.Err(); err != nil {
		return refResult{}, &EvalError{Rule: id, Err: err}
	}
	r, ok := s.rules[id]
	if !ok {
		return refResult{}, &EvalError{Rule: id, Err: fmt.Errorf("%w %q%s", ErrUnknownRule, id, didYouMean(id, s.ruleOrder))}
	}
	asOf := on
	if v, ok := in[AsOf]; ok && !v.IsZero() && (v.kind != kindText || v.s != "") {
		d, err := asOfDef.read(v)
		if err != nil {
			return refResult{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: err}
		}
		asOf = d.day
	}
	if asOf.IsZero() {
		return refResult{}, &InputError{Rule: id, Field: AsOf, Label: asOfLabel, Err: errMissing}
	}
	m := dexpr.NewVM()
	env := map[string]any{AsOf: asOf.Time()}
	ex := Explanation{Policy: s.meta.ID, PolicyNumber: s.meta.Number, PolicyHash: s.hash, Rule: r.id, Title: r.title,
		Clause: r.clause, Quote: r.quote, AsOf: asOf, InForce: r.inForce}
	for _, def := range r.inputs {
		v, err := def.read(in[def.name])
		if err != nil {
			return refResult{}, &InputError{Rule: id, Field: def.name, Label: def.label, Err: err}
		}
		b := refBox(def, v)
		env[def.name] = b
		ex.Inputs = append(ex.Inputs, Fact{Name: def.name, Label: def.label, Value: refUnbox(def, b)})
	}
	res := Result{Rule: id}
	if !r.inForce.Contains(asOf) {
		res.Reasons = []Reason{{Code: ReasonNotInForce, Message: fmt.Sprintf("判定日期 %s 不在本条规则的施行期内（%s）", asOf, r.inForce.text()), Clause: r.clause}}
		return refResult{res: res, ex: ex}, nil
	}
	ex.InForceOnDate = true
	for _, p := range r.params {
		v := p.at(asOf)
		if v == nil {
			return refResult{}, &EvalError{Rule: id, Pos: r.pos, Err: noValue(p, asOf)}
		}
		env[p.name] = refParam(p, v)
		ex.Parameters = append(ex.Parameters, ParamUse{Name: p.name, Label: p.label, Value: v.v, None: v.v.IsZero(),
			From: v.from, Basis: v.basis, Pos: v.pos})
	}
	for _, l := range r.lets {
		out, err := l.prog.Run(m, env)
		if err != nil {
			return refResult{}, &EvalError{Rule: id, Pos: l.pos, Err: err}
		}
		env[l.name] = out
		ex.Values = append(ex.Values, Fact{Name: l.name, Value: refValueOf(out)})
	}
	res.Pass = true
	for _, q := range r.reqs {
		out, err := q.prog.Run(m, env)
		if err != nil {
			return refResult{}, &EvalError{Rule: id, Pos: q.pos, Err: err}
		}
		held, _ := out.(bool)
		if !held {
			res.Pass = false
			res.Reasons = append(res.Reasons, Reason{Code: q.code, Message: q.message, Clause: r.clause})
		}
		ex.Requirements = append(ex.Requirements, Check{Code: q.code, Condition: q.src, Message: q.message, Held: held})
	}
	res.Outputs = make([]Output, len(r.outputs))
	for i, o := range r.outputs {
		res.Outputs[i] = Output{Name: o.name, Label: o.label, Rounding: o.rounding}
		step := Step{Name: o.name, Label: o.label, Rounding: o.rounding}
		if res.Pass || o.keep {
			out, err := o.prog.Run(m, env)
			if err != nil {
				return refResult{}, &EvalError{Rule: id, Pos: o.pos, Err: err}
			}
			res.Outputs[i].Value = dexpr.Round(out, o.rounding.Places, modes[o.rounding.Mode])
			step.Exact, step.Value, step.Computed = refValueOf(out), res.Outputs[i].Value, true
		}
		ex.Outputs = append(ex.Outputs, step)
	}
	ex.Pass = res.Pass
	return refResult{res: res, ex: ex}, nil
}

// refBox returns a value read by inputDef.read as an expression sees it.
func refBox(def *inputDef, v Value) any {
	switch def.typ {
	case TypeBool:
		return v.b
	case TypeDate:
		return v.day.Time()
	case TypeEnum:
		return v.s
	case TypeInt:
		return decimal.NewFromInt(v.n)
	}
	return v.d
}

// refUnbox turns a value boxed by refBox back into the Value read.
func refUnbox(def *inputDef, b any) Value {
	switch x := b.(type) {
	case bool:
		return Bool(x)
	case time.Time:
		return Day(DateOf(x))
	case string:
		return Text(x)
	case decimal.Decimal:
		if def.typ == TypeInt {
			return Int(x.IntPart())
		}
		return Dec(x)
	}
	return Value{}
}

// refParam returns a parameter's value as an expression sees it.
func refParam(p *param, v *paramValue) any {
	switch {
	case p.nullable && v.v.IsZero():
		return dexpr.Maybe{}
	case p.nullable:
		return dexpr.Maybe{Value: v.v.Decimal(), Valid: true}
	case p.typ == TypeBool:
		return v.v.b
	case p.typ == TypeDate:
		return v.v.day.Time()
	}
	return v.v.Decimal()
}

// refValueOf wraps an expression result as a Value.
func refValueOf(v any) Value {
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
