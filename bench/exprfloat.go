package bench

import (
	"fmt"
	"strconv"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// FloatEnv is what the float64 expr programs see. Money in float64 is not
// exact; this peer shows what an engine without a decimal type costs.
type FloatEnv struct {
	PovertyRelieved  bool    `expr:"poverty_relieved"`
	Monitored        bool    `expr:"monitored"`
	DisasterAffected bool    `expr:"disaster_affected"`
	Tier             string  `expr:"certificate_tier"`
	Months           float64 `expr:"months"`
	Fiscal           float64 `expr:"fiscal_funds"`
	Labour           float64 `expr:"labour_remuneration"`
	TierA            float64 `expr:"tier_a"`
	TierB            float64 `expr:"tier_b"`
	TierC            float64 `expr:"tier_c"`
	Monthly          float64 `expr:"monthly"`
	MaxMonths        float64 `expr:"max_months"`
	MinShare         float64 `expr:"min_share"`
}

// FloatResult is a decision in float64.
type FloatResult struct {
	Pass    bool
	Reasons []string
	Outputs []float64
}

// ExprFloat decides with expr on float64, one program per requirement and
// output, one reused VM.
type ExprFloat struct {
	base                               FloatEnv
	covered, affected, tierAmount      *vm.Program
	labourPass, share, required, short *vm.Program
	monthsPass, monthsPaid, workAmount *vm.Program
	m                                  vm.VM
}

// NewExprFloat compiles the programs with the parameters as floats.
func NewExprFloat(p Params) (*ExprFloat, error) {
	e := &ExprFloat{}
	e.base.TierA, _ = p.TierA.Float64()
	e.base.TierB, _ = p.TierB.Float64()
	e.base.TierC, _ = p.TierC.Float64()
	e.base.Monthly, _ = p.Monthly.Float64()
	e.base.MinShare, _ = p.MinShare.Float64()
	e.base.MaxMonths = float64(p.MaxMonths)
	for dst, src := range map[**vm.Program]string{
		&e.covered:    "poverty_relieved || monitored",
		&e.affected:   "disaster_affected",
		&e.tierAmount: `certificate_tier == "A" ? tier_a : certificate_tier == "B" ? tier_b : tier_c`,
		&e.labourPass: "labour_remuneration >= fiscal_funds * min_share",
		&e.share:      "floor(labour_remuneration / fiscal_funds * 10000) / 10000",
		&e.required:   "ceil(fiscal_funds * min_share * 100) / 100",
		&e.short:      "ceil(max(0, fiscal_funds * min_share - labour_remuneration) * 100) / 100",
		&e.monthsPass: "months > 0",
		&e.monthsPaid: "min(months, max_months)",
		&e.workAmount: "round(monthly * min(months, max_months) * 100) / 100",
	} {
		prg, err := expr.Compile(src, expr.Env(FloatEnv{}))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", src, err)
		}
		*dst = prg
	}
	return e, nil
}

func (e *ExprFloat) run(p *vm.Program, env *FloatEnv) (any, error) { return e.m.Run(p, env) }

func parseFloat(s string) (float64, error) { return strconv.ParseFloat(s, 64) }

// TrainingGrant decides a training grant.
func (e *ExprFloat) TrainingGrant(in Training) (FloatResult, error) {
	env := e.base
	var err error
	if env.PovertyRelieved, err = parseBool(in.Relieved); err != nil {
		return FloatResult{}, err
	}
	if env.Monitored, err = parseBool(in.Monitored); err != nil {
		return FloatResult{}, err
	}
	if env.DisasterAffected, err = parseBool(in.Affected); err != nil {
		return FloatResult{}, err
	}
	tier, err := parseTier(in.Tier)
	if err != nil {
		return FloatResult{}, err
	}
	env.Tier = string(tier)
	var r FloatResult
	for _, q := range []struct {
		p    *vm.Program
		code string
	}{{e.covered, "not-covered-population"}, {e.affected, "not-disaster-affected"}} {
		ok, err := e.run(q.p, &env)
		if err != nil {
			return FloatResult{}, err
		}
		if !ok.(bool) {
			r.Reasons = append(r.Reasons, q.code)
		}
	}
	r.Pass = len(r.Reasons) == 0
	r.Outputs = []float64{0}
	if r.Pass {
		v, err := e.run(e.tierAmount, &env)
		if err != nil {
			return FloatResult{}, err
		}
		r.Outputs[0] = v.(float64)
	}
	return r, nil
}

// LabourShare audits a project's labour share.
func (e *ExprFloat) LabourShare(in Labour) (FloatResult, error) {
	env := e.base
	var err error
	if env.Fiscal, err = parseFloat(in.Fiscal); err != nil || env.Fiscal <= 0 {
		return FloatResult{}, fmt.Errorf("fiscal_funds %q: %w", in.Fiscal, errBad)
	}
	if env.Labour, err = parseFloat(in.Labour); err != nil {
		return FloatResult{}, err
	}
	var r FloatResult
	ok, err := e.run(e.labourPass, &env)
	if err != nil {
		return FloatResult{}, err
	}
	if r.Pass = ok.(bool); !r.Pass {
		r.Reasons = []string{"labour-share-below-minimum"}
	}
	r.Outputs = make([]float64, 3)
	for i, p := range []*vm.Program{e.share, e.required, e.short} {
		v, err := e.run(p, &env)
		if err != nil {
			return FloatResult{}, err
		}
		r.Outputs[i] = v.(float64)
	}
	return r, nil
}

// WorkTraining decides a 以工代训 subsidy.
func (e *ExprFloat) WorkTraining(in Work) (FloatResult, error) {
	env := e.base
	var err error
	if env.PovertyRelieved, err = parseBool(in.Relieved); err != nil {
		return FloatResult{}, err
	}
	if env.Monitored, err = parseBool(in.Monitored); err != nil {
		return FloatResult{}, err
	}
	if env.DisasterAffected, err = parseBool(in.Affected); err != nil {
		return FloatResult{}, err
	}
	if env.Months, err = parseFloat(in.Months); err != nil || env.Months < 0 {
		return FloatResult{}, fmt.Errorf("months %q: %w", in.Months, errBad)
	}
	var r FloatResult
	for _, q := range []struct {
		p    *vm.Program
		code string
	}{{e.covered, "not-covered-population"}, {e.affected, "not-disaster-affected"}, {e.monthsPass, "no-training-months"}} {
		ok, err := e.run(q.p, &env)
		if err != nil {
			return FloatResult{}, err
		}
		if !ok.(bool) {
			r.Reasons = append(r.Reasons, q.code)
		}
	}
	r.Pass = len(r.Reasons) == 0
	r.Outputs = []float64{0, 0}
	if r.Pass {
		for i, p := range []*vm.Program{e.monthsPaid, e.workAmount} {
			v, err := e.run(p, &env)
			if err != nil {
				return FloatResult{}, err
			}
			r.Outputs[i] = v.(float64)
		}
	}
	return r, nil
}
