package bench

import (
	"fmt"
	"reflect"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
	"github.com/shopspring/decimal"
)

// celDecType is the decimal type CEL expressions see.
var celDecType = cel.OpaqueType("fangpin.Decimal")

// celDec is a decimal as a CEL value.
type celDec struct{ d decimal.Decimal }

func (v celDec) ConvertToNative(reflect.Type) (any, error) { return v.d, nil }
func (v celDec) ConvertToType(t ref.Type) ref.Val {
	if t == celDecType {
		return v
	}
	return types.NewErr("no conversion from decimal to %s", t)
}
func (v celDec) Equal(o ref.Val) ref.Val {
	w, ok := o.(celDec)
	return types.Bool(ok && v.d.Equal(w.d))
}
func (v celDec) Type() ref.Type { return celDecType }
func (v celDec) Value() any     { return v.d }

func dec(v ref.Val) decimal.Decimal { return v.(celDec).d }

// celDecimal declares the decimal operators and the rounding functions.
func celDecimal() []cel.EnvOption {
	dd := []*cel.Type{celDecType, celDecType}
	arith := func(op, id string, f func(a, b decimal.Decimal) decimal.Decimal) cel.EnvOption {
		return cel.Function(op, cel.Overload(id, dd, celDecType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val { return celDec{f(dec(a), dec(b))} })))
	}
	cmp := func(op, id string, f func(c int) bool) cel.EnvOption {
		return cel.Function(op, cel.Overload(id, dd, cel.BoolType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val { return types.Bool(f(dec(a).Cmp(dec(b)))) })))
	}
	places := func(name string, f func(d decimal.Decimal, p int32) decimal.Decimal) cel.EnvOption {
		return cel.Function(name, cel.Overload(name+"_dec_int", []*cel.Type{celDecType, cel.IntType}, celDecType,
			cel.BinaryBinding(func(a, p ref.Val) ref.Val { return celDec{f(dec(a), int32(p.(types.Int)))} })))
	}
	return []cel.EnvOption{
		arith("dmul", "dmul_dec", decimal.Decimal.Mul),
		arith("dsub", "dsub_dec", decimal.Decimal.Sub),
		// _*_, _-_ and _>=_ have singleton bindings in cel-go that
		// overloads cannot extend, so these are functions.
		cmp("dge", "dge_dec", func(c int) bool { return c >= 0 }),
		cel.Function("dmax", cel.Overload("dmax_dec", dd, celDecType, cel.BinaryBinding(func(a, b ref.Val) ref.Val {
			return celDec{decimal.Max(dec(a), dec(b))}
		}))),
		cel.Function("dec_of", cel.Overload("dec_of_int", []*cel.Type{cel.IntType}, celDecType,
			cel.UnaryBinding(func(n ref.Val) ref.Val { return celDec{decimal.NewFromInt(int64(n.(types.Int)))} }))),
		places("round_up", decimal.Decimal.RoundUp),
		places("round_half_up", decimal.Decimal.Round),
		cel.Function("quo_down", cel.Overload("quo_down_dec", []*cel.Type{celDecType, celDecType, cel.IntType}, celDecType,
			cel.FunctionBinding(func(args ...ref.Val) ref.Val {
				q, _ := dec(args[0]).QuoRem(dec(args[1]), int32(args[2].(types.Int)))
				return celDec{q}
			}))),
	}
}

// CEL decides with cel-go over a decimal type: each requirement and each
// output is one compiled program, the inputs parsed from text as the
// hand-written version parses them.
type CEL struct {
	P                                  Params
	covered, affected, tierAmount      cel.Program
	labourPass, share, required, short cel.Program
	monthsPass, monthsPaid, workAmount cel.Program
	zero                               decimal.Decimal
}

// NewCEL compiles the programs.
func NewCEL(p Params) (*CEL, error) {
	opts := append(celDecimal(),
		cel.Variable("poverty_relieved", cel.BoolType), cel.Variable("monitored", cel.BoolType),
		cel.Variable("disaster_affected", cel.BoolType), cel.Variable("certificate_tier", cel.StringType),
		cel.Variable("months", cel.IntType), cel.Variable("fiscal_funds", celDecType),
		cel.Variable("labour_remuneration", celDecType),
		cel.Variable("tier_a", celDecType), cel.Variable("tier_b", celDecType), cel.Variable("tier_c", celDecType),
		cel.Variable("monthly", celDecType), cel.Variable("max_months", cel.IntType), cel.Variable("min_share", celDecType))
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, err
	}
	c := &CEL{P: p}
	for dst, src := range map[*cel.Program]string{
		&c.covered:    "poverty_relieved || monitored",
		&c.affected:   "disaster_affected",
		&c.tierAmount: `round_half_up(certificate_tier == "A" ? tier_a : certificate_tier == "B" ? tier_b : tier_c, 2)`,
		&c.labourPass: "dge(labour_remuneration, dmul(fiscal_funds, min_share))",
		&c.share:      "quo_down(labour_remuneration, fiscal_funds, 4)",
		&c.required:   "round_up(dmul(fiscal_funds, min_share), 2)",
		&c.short:      "round_up(dmax(dec_of(0), dsub(dmul(fiscal_funds, min_share), labour_remuneration)), 2)",
		&c.monthsPass: "months > 0",
		&c.monthsPaid: "months < max_months ? months : max_months",
		&c.workAmount: "round_half_up(dmul(monthly, dec_of(months < max_months ? months : max_months)), 2)",
	} {
		ast, iss := env.Compile(src)
		if iss.Err() != nil {
			return nil, fmt.Errorf("%s: %v", src, iss.Err())
		}
		prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
		if err != nil {
			return nil, err
		}
		*dst = prg
	}
	return c, nil
}

// celVars is the activation: the inputs of one decision and the parameters.
type celVars struct {
	p                             *Params
	relieved, monitored, affected bool
	tier                          string
	months                        int64
	fiscal, labour                decimal.Decimal
}

func (a *celVars) ResolveName(name string) (any, bool) {
	switch name {
	case "poverty_relieved":
		return types.Bool(a.relieved), true
	case "monitored":
		return types.Bool(a.monitored), true
	case "disaster_affected":
		return types.Bool(a.affected), true
	case "certificate_tier":
		return types.String(a.tier), true
	case "months":
		return types.Int(a.months), true
	case "fiscal_funds":
		return celDec{a.fiscal}, true
	case "labour_remuneration":
		return celDec{a.labour}, true
	case "tier_a":
		return celDec{a.p.TierA}, true
	case "tier_b":
		return celDec{a.p.TierB}, true
	case "tier_c":
		return celDec{a.p.TierC}, true
	case "monthly":
		return celDec{a.p.Monthly}, true
	case "max_months":
		return types.Int(a.p.MaxMonths), true
	case "min_share":
		return celDec{a.p.MinShare}, true
	}
	return nil, false
}

func (a *celVars) Parent() interpreter.Activation { return nil }

func evalBool(p cel.Program, a *celVars) (bool, error) {
	out, _, err := p.Eval(a)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("not a bool: %v", out)
	}
	return bool(b), nil
}

func evalDec(p cel.Program, a *celVars) (decimal.Decimal, error) {
	out, _, err := p.Eval(a)
	if err != nil {
		return decimal.Decimal{}, err
	}
	switch v := out.(type) {
	case celDec:
		return v.d, nil
	case types.Int:
		return decimal.NewFromInt(int64(v)), nil
	}
	return decimal.Decimal{}, fmt.Errorf("not a decimal: %v", out)
}

// TrainingGrant decides a training grant.
func (c *CEL) TrainingGrant(in Training) (Decision, error) {
	a := &celVars{p: &c.P}
	var err error
	if a.relieved, err = parseBool(in.Relieved); err != nil {
		return Decision{}, err
	}
	if a.monitored, err = parseBool(in.Monitored); err != nil {
		return Decision{}, err
	}
	if a.affected, err = parseBool(in.Affected); err != nil {
		return Decision{}, err
	}
	tier, err := parseTier(in.Tier)
	if err != nil {
		return Decision{}, err
	}
	a.tier = string(tier)
	if c.P.AsOf.Before(c.P.From) {
		return Decision{Reasons: []string{"not-in-force"}}, nil
	}
	var d Decision
	if ok, err := evalBool(c.covered, a); err != nil {
		return Decision{}, err
	} else if !ok {
		d.Reasons = append(d.Reasons, "not-covered-population")
	}
	if ok, err := evalBool(c.affected, a); err != nil {
		return Decision{}, err
	} else if !ok {
		d.Reasons = append(d.Reasons, "not-disaster-affected")
	}
	d.Pass = len(d.Reasons) == 0
	amount := c.zero
	if d.Pass {
		if amount, err = evalDec(c.tierAmount, a); err != nil {
			return Decision{}, err
		}
	}
	d.Outputs = []decimal.Decimal{amount}
	return d, nil
}

// LabourShare audits a project's labour share.
func (c *CEL) LabourShare(in Labour) (Decision, error) {
	a := &celVars{p: &c.P}
	var err error
	if a.fiscal, err = parseMoney(in.Fiscal); err != nil || !a.fiscal.IsPositive() {
		return Decision{}, fmt.Errorf("fiscal_funds %q: %w", in.Fiscal, errBad)
	}
	if a.labour, err = parseMoney(in.Labour); err != nil {
		return Decision{}, err
	}
	if c.P.AsOf.Before(c.P.From) {
		return Decision{Reasons: []string{"not-in-force"}}, nil
	}
	var d Decision
	if d.Pass, err = evalBool(c.labourPass, a); err != nil {
		return Decision{}, err
	}
	if !d.Pass {
		d.Reasons = []string{"labour-share-below-minimum"}
	}
	d.Outputs = make([]decimal.Decimal, 3)
	for i, p := range []cel.Program{c.share, c.required, c.short} {
		if d.Outputs[i], err = evalDec(p, a); err != nil {
			return Decision{}, err
		}
	}
	return d, nil
}

// WorkTraining decides a 以工代训 subsidy.
func (c *CEL) WorkTraining(in Work) (Decision, error) {
	a := &celVars{p: &c.P}
	var err error
	if a.relieved, err = parseBool(in.Relieved); err != nil {
		return Decision{}, err
	}
	if a.monitored, err = parseBool(in.Monitored); err != nil {
		return Decision{}, err
	}
	if a.affected, err = parseBool(in.Affected); err != nil {
		return Decision{}, err
	}
	if a.months, err = parseMonths(in.Months); err != nil {
		return Decision{}, err
	}
	if c.P.AsOf.Before(c.P.From) {
		return Decision{Reasons: []string{"not-in-force"}}, nil
	}
	var d Decision
	for _, q := range []struct {
		p    cel.Program
		code string
	}{{c.covered, "not-covered-population"}, {c.affected, "not-disaster-affected"}, {c.monthsPass, "no-training-months"}} {
		ok, err := evalBool(q.p, a)
		if err != nil {
			return Decision{}, err
		}
		if !ok {
			d.Reasons = append(d.Reasons, q.code)
		}
	}
	d.Pass = len(d.Reasons) == 0
	d.Outputs = []decimal.Decimal{c.zero, c.zero}
	if d.Pass {
		for i, p := range []cel.Program{c.monthsPaid, c.workAmount} {
			if d.Outputs[i], err = evalDec(p, a); err != nil {
				return Decision{}, err
			}
		}
	}
	return d, nil
}
