package bench

import (
	"context"

	"github.com/ruralrelief/fangpin/policies"
	"github.com/ruralrelief/fangpin/rules"
)

// Engine decides through the compiled default policy, inputs as text.
type Engine struct {
	Set *rules.Set
	On  rules.EvalOption
}

// NewEngine loads the default policy.
func NewEngine(on rules.Date) (*Engine, error) {
	set, err := policies.Load()
	if err != nil {
		return nil, err
	}
	return &Engine{Set: set, On: rules.On(on)}, nil
}

// TrainingInput returns a training case as the engine's input.
func TrainingInput(c Training) rules.Input {
	return rules.Input{"poverty_relieved": rules.Text(c.Relieved), "monitored": rules.Text(c.Monitored),
		"disaster_affected": rules.Text(c.Affected), "certificate_tier": rules.Text(c.Tier)}
}

// LabourInput returns a labour-share case as the engine's input.
func LabourInput(c Labour) rules.Input {
	return rules.Input{"fiscal_funds": rules.Text(c.Fiscal), "labour_remuneration": rules.Text(c.Labour)}
}

// WorkInput returns a work-training case as the engine's input.
func WorkInput(c Work) rules.Input {
	return rules.Input{"poverty_relieved": rules.Text(c.Relieved), "monitored": rules.Text(c.Monitored),
		"disaster_affected": rules.Text(c.Affected), "months": rules.Text(c.Months)}
}

// Decide evaluates rule on in and returns the decision in the common form.
func (e *Engine) Decide(rule string, in rules.Input) (Decision, error) {
	res, err := e.Set.Eval(context.Background(), rule, in, e.On)
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Pass: res.Pass}
	for _, r := range res.Reasons {
		d.Reasons = append(d.Reasons, r.Code)
	}
	for _, o := range res.Outputs {
		d.Outputs = append(d.Outputs, o.Value)
	}
	return d, nil
}
