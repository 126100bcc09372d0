package bench

import (
	"fmt"

	"github.com/hyperjumptech/grule-rule-engine/ast"
	"github.com/hyperjumptech/grule-rule-engine/builder"
	"github.com/hyperjumptech/grule-rule-engine/engine"
	"github.com/hyperjumptech/grule-rule-engine/pkg"
)

// GruleFact is the working memory of one grule decision, in float64.
type GruleFact struct {
	PovertyRelieved, Monitored, DisasterAffected bool
	Tier                                         string
	Months, Fiscal, Labour                       float64
	TierA, TierB, TierC, Monthly, MaxMonths      float64
	MinShare                                     float64

	Step                                     int64
	Covered, Pass                            bool
	Amount, Paid, Share, Required, Shortfall float64
}

const gruleRules = `
rule TrainingDecide "training grant: requirements" salience 10 {
	when F.Step == 0 && F.Tier != ""
	then F.Covered = F.PovertyRelieved || F.Monitored; F.Pass = F.Covered && F.DisasterAffected; F.Step = 1;
}
rule TrainingA "tier A" { when F.Step == 1 && F.Pass && F.Tier == "A" then F.Amount = F.TierA; F.Step = 2; }
rule TrainingB "tier B" { when F.Step == 1 && F.Pass && F.Tier == "B" then F.Amount = F.TierB; F.Step = 2; }
rule TrainingC "tier C" { when F.Step == 1 && F.Pass && F.Tier == "C" then F.Amount = F.TierC; F.Step = 2; }
rule LabourDecide "labour share" salience 10 {
	when F.Step == 0 && F.Fiscal > 0
	then F.Required = F.Fiscal * F.MinShare; F.Pass = F.Labour >= F.Required; F.Share = F.Labour / F.Fiscal; F.Step = 1;
}
rule LabourShort "labour shortfall" { when F.Step == 1 && F.Fiscal > 0 && F.Required > F.Labour then F.Shortfall = F.Required - F.Labour; F.Step = 2; }
rule LabourEnough "labour enough" { when F.Step == 1 && F.Fiscal > 0 && F.Required <= F.Labour then F.Shortfall = 0; F.Step = 2; }
rule WorkDecide "work training" salience 10 {
	when F.Step == 0 && F.Tier == "" && F.Fiscal == 0
	then F.Pass = (F.PovertyRelieved || F.Monitored) && F.DisasterAffected && F.Months > 0; F.Step = 1;
}
rule WorkCapped "months capped" { when F.Step == 1 && F.Tier == "" && F.Fiscal == 0 && F.Pass && F.Months > F.MaxMonths then F.Paid = F.MaxMonths; F.Amount = F.Paid * F.Monthly; F.Step = 2; }
rule WorkMonths "months" { when F.Step == 1 && F.Tier == "" && F.Fiscal == 0 && F.Pass && F.Months <= F.MaxMonths then F.Paid = F.Months; F.Amount = F.Paid * F.Monthly; F.Step = 2; }
`

// Grule decides with grule's rule engine over float64 facts.
type Grule struct {
	base GruleFact
	kb   *ast.KnowledgeBase
	eng  *engine.GruleEngine
}

// NewGrule builds the knowledge base.
func NewGrule(p Params) (*Grule, error) {
	lib := ast.NewKnowledgeLibrary()
	if err := builder.NewRuleBuilder(lib).BuildRuleFromResource("bench", "1", pkg.NewBytesResource([]byte(gruleRules))); err != nil {
		return nil, err
	}
	kb, err := lib.NewKnowledgeBaseInstance("bench", "1")
	if err != nil {
		return nil, err
	}
	g := &Grule{kb: kb, eng: engine.NewGruleEngine()}
	g.base.TierA, _ = p.TierA.Float64()
	g.base.TierB, _ = p.TierB.Float64()
	g.base.TierC, _ = p.TierC.Float64()
	g.base.Monthly, _ = p.Monthly.Float64()
	g.base.MinShare, _ = p.MinShare.Float64()
	g.base.MaxMonths = float64(p.MaxMonths)
	return g, nil
}

func (g *Grule) run(f *GruleFact) error {
	dc := ast.NewDataContext()
	if err := dc.Add("F", f); err != nil {
		return err
	}
	return g.eng.Execute(dc, g.kb)
}

// TrainingGrant decides a training grant.
func (g *Grule) TrainingGrant(in Training) (GruleFact, error) {
	f := g.base
	var err error
	if f.PovertyRelieved, err = parseBool(in.Relieved); err != nil {
		return f, err
	}
	if f.Monitored, err = parseBool(in.Monitored); err != nil {
		return f, err
	}
	if f.DisasterAffected, err = parseBool(in.Affected); err != nil {
		return f, err
	}
	tier, err := parseTier(in.Tier)
	if err != nil {
		return f, err
	}
	f.Tier = string(tier)
	return f, g.run(&f)
}

// LabourShare audits a project's labour share.
func (g *Grule) LabourShare(in Labour) (GruleFact, error) {
	f := g.base
	var err error
	if f.Fiscal, err = parseFloat(in.Fiscal); err != nil || f.Fiscal <= 0 {
		return f, fmt.Errorf("fiscal_funds %q: %w", in.Fiscal, errBad)
	}
	if f.Labour, err = parseFloat(in.Labour); err != nil {
		return f, err
	}
	return f, g.run(&f)
}

// WorkTraining decides a 以工代训 subsidy.
func (g *Grule) WorkTraining(in Work) (GruleFact, error) {
	f := g.base
	var err error
	if f.PovertyRelieved, err = parseBool(in.Relieved); err != nil {
		return f, err
	}
	if f.Monitored, err = parseBool(in.Monitored); err != nil {
		return f, err
	}
	if f.DisasterAffected, err = parseBool(in.Affected); err != nil {
		return f, err
	}
	n, err := parseMonths(in.Months)
	if err != nil {
		return f, err
	}
	f.Months = float64(n)
	return f, g.run(&f)
}
