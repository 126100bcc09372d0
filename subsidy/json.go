package subsidy

import (
	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// MarshalJSON writes the decision as the one JSON object of a decision
// (docs/json.md), standing alone: "rule", "pass" (Granted), each of the
// rule's outputs as a string with its declared places ("amount":
// "1200.00", "months_paid": "6"), "reasons", "notes", "error": null,
// "policy" and "policy_sha256". The amounts are the decision's own, so a
// claim a batch cut or refused is written as the batch decided it.
func (d Decision) MarshalJSON() ([]byte, error) {
	return d.AppendJSON(nil, rules.JSONOptions{Policy: d.set}), nil
}

// AppendJSON appends the decision to dst as [rules.AppendJSON] writes it,
// with o saying what to add (row, line, id, policy, explanation); the
// decision's notes are written as "notes".
func (d Decision) AppendJSON(dst []byte, o rules.JSONOptions) []byte {
	res := d.result
	res.Pass, res.Reasons, res.Notes = d.Granted, d.Reasons, nil // d.Notes holds the result's notes
	res.Outputs = withOutputs(res.Outputs, map[string]decimal.Decimal{
		outputAmount: d.Amount, outputMonthsPaid: decimal.NewFromInt(int64(d.Months))})
	o.Notes = append(o.Notes[:len(o.Notes):len(o.Notes)], d.Notes...)
	return rules.AppendJSON(dst, res, nil, o)
}

// MarshalJSON writes the audit as the one JSON object of a decision
// (docs/json.md), standing alone: "rule", "pass", the rule's outputs with
// their declared places ("share": "0.1499", "required": "150000.00",
// "shortfall": "0.01"), "reasons", "notes", "error": null, "policy" and
// "policy_sha256".
func (a Audit) MarshalJSON() ([]byte, error) {
	return a.AppendJSON(nil, rules.JSONOptions{Policy: a.set}), nil
}

// AppendJSON appends the audit to dst as [rules.AppendJSON] writes it,
// with o saying what to add; the audit's notes (an exemption applied) are
// written as "notes".
func (a Audit) AppendJSON(dst []byte, o rules.JSONOptions) []byte {
	res := a.result
	res.Pass, res.Reasons, res.Notes = a.Pass, a.Reasons, nil // a.Notes holds the result's notes
	o.Notes = append(o.Notes[:len(o.Notes):len(o.Notes)], a.Notes...)
	res.Outputs = withOutputs(res.Outputs, map[string]decimal.Decimal{
		outputShare: a.Share, outputRequired: a.Required, outputShortfall: a.Shortfall})
	return rules.AppendJSON(dst, res, nil, o)
}

// MarshalJSON writes the outcome as one record of a batch: the decision's
// JSON object (docs/json.md) with "row" (Index + 1) and "id" (the person's
// ID) first, and no policy fields, which belong to the batch. An outcome
// that could not be decided has "pass": null, no outputs, and "error":
// {"field", "message"}.
func (o Outcome) MarshalJSON() ([]byte, error) {
	opts := rules.JSONOptions{Row: o.Index + 1, ID: o.Claim.personID()}
	if o.Err != nil {
		return rules.AppendJSON(nil, rules.Result{Rule: o.Claim.rule()}, o.Err, opts), nil
	}
	return o.Decision.AppendJSON(nil, opts), nil
}

// withOutputs returns a copy of outs with the named values replaced; the
// Result's own slice is never written to.
func withOutputs(outs []rules.Output, values map[string]decimal.Decimal) []rules.Output {
	if len(outs) == 0 {
		return outs
	}
	cp := make([]rules.Output, len(outs))
	for i, out := range outs {
		if v, ok := values[out.Name]; ok {
			out.Value = v
		}
		cp[i] = out
	}
	return cp
}

// personID returns the ID of the person the claim is about, or "" (the
// checks across records then decide it alone).
func (cl Claim) personID() string {
	switch {
	case cl.Training != nil:
		return cl.Training.ID
	case cl.WorkTraining != nil:
		return cl.WorkTraining.ID
	case cl.ReturnTrip != nil:
		return cl.ReturnTrip.ID
	}
	return ""
}

// rule returns the id of the rule that decides the claim.
func (cl Claim) rule() string {
	switch {
	case cl.Training != nil:
		return RuleTrainingGrant
	case cl.WorkTraining != nil:
		return RuleWorkTraining
	case cl.ReturnTrip != nil:
		return RuleReturnTravel
	}
	return ""
}
