package rules

import (
	"context"
	"fmt"
)

// Prepared is one rule of a Set ready to decide on values given in the
// order of its inputs, with no map: what a typed API that decides many
// cases of one rule uses. It is immutable and safe for concurrent use.
type Prepared struct {
	s *Set
	r *rule
}

// Prepare returns rule id of s, prepared; it fails for a rule s lacks.
func (s *Set) Prepare(id string) (*Prepared, error) {
	r, ok := s.rules[id]
	if !ok {
		return nil, &EvalError{Rule: id, Err: fmt.Errorf("%w %q%s", ErrUnknownRule, id, didYouMean(id, s.ruleOrder))}
	}
	return &Prepared{s: s, r: r}, nil
}

// Inputs returns the names of the rule's inputs, in the order
// [Prepared.Eval] takes their values.
func (p *Prepared) Inputs() []string {
	names := make([]string, len(p.r.inputs))
	for i, def := range p.r.inputs {
		names[i] = def.name
	}
	return names
}

// Eval decides the rule as [Set.Eval] does, on values, one per input in the
// order of [Prepared.Inputs] (a zero Value is a missing input). The as-of
// date is given with [On]. It fails when len(values) is not the number of
// inputs.
func (p *Prepared) Eval(ctx context.Context, values []Value, opts ...EvalOption) (res Result, err error) {
	r := p.r
	if len(values) != len(r.inputs) {
		return Result{}, &EvalError{Rule: r.id, Err: fmt.Errorf("%d values given for %d inputs", len(values), len(r.inputs))}
	}
	if err := ctx.Err(); err != nil {
		return Result{}, &EvalError{Rule: r.id, Err: err}
	}
	w := r.frames.Get().(*work)
	defer func() {
		if e := recover(); e != nil {
			res, err = Result{}, &EvalError{Rule: r.id, Err: fmt.Errorf("internal error: %v", e)}
		}
		w.f.Drop() // the pool keeps the frame, not the context
		r.frames.Put(w)
	}()
	return r.eval(ctx, nil, values, w, opts)
}
