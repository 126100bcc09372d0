package loan

import (
	"encoding/json"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// decisionJSON is a Decision as the one JSON object of a decision: the
// schedule's totals are the decision's outputs, next to "pass".
type decisionJSON struct {
	Loan                string         `json:"id"`
	Renews              string         `json:"renews,omitempty"`
	Rule                string         `json:"rule"`
	Pass                bool           `json:"pass"`
	SubsidisedPrincipal string         `json:"subsidised_principal"`
	Interest            string         `json:"interest"`
	Subsidy             string         `json:"subsidy"`
	SubsidyPayable      string         `json:"subsidy_payable,omitempty"`
	Borrower            string         `json:"borrower_interest"`
	Overdue             string         `json:"overdue"`
	Outstanding         string         `json:"outstanding"`
	Until               rules.Date     `json:"until"`
	CoveredFrom         rules.Date     `json:"covered_from,omitzero"`
	SubsidyRateCap      string         `json:"subsidy_rate_cap,omitempty"`
	AsOf                rules.Date     `json:"as_of,omitzero"`
	NextSettlement      rules.Date     `json:"next_settlement,omitzero"`
	End                 rules.Date     `json:"end"`
	Settlement          Settlement     `json:"settlement"`
	DayBasis            DayBasis       `json:"day_basis"`
	Periods             []periodOut    `json:"periods"`
	Reasons             []rules.Reason `json:"reasons"`
	Notes               []rules.Note   `json:"notes"`
	Error               *rules.Problem `json:"error"`
	Policy              string         `json:"policy"`
	PolicyHash          string         `json:"policy_sha256"`
}

// MarshalJSON writes the decision as the one JSON object of a decision
// (docs/json.md), standing alone: "id" (the loan's ID), "rule", "pass"
// (Granted), the amounts in yuan as strings with 2 places
// ("subsidised_principal", "interest", "subsidy", "borrower_interest",
// "overdue", "outstanding"; "0.00", never "0"), "subsidy_payable" after
// "subsidy" (only once Checked: Decision.Payable), "until", "covered_from"
// and "subsidy_rate_cap" (only when set: see [Decision]), "as_of" and
// "next_settlement" (only for [Calculator.SubsidyAsOf]), "end",
// "settlement", "day_basis", "periods" (each [Period] with its segments,
// and "paid_before" {"file", "line", "paid_on", "payment_id"} when an
// earlier batch paid it), "reasons", "notes", "error": null, "policy" and
// "policy_sha256".
// [Decision.UnmarshalJSON] reads it back into an equal Decision.
func (d Decision) MarshalJSON() ([]byte, error) {
	s := d.Schedule
	return json.Marshal(decisionJSON{Loan: d.Loan, Renews: d.Renews, Rule: Rule, Pass: d.Granted,
		SubsidisedPrincipal: yuan(d.SubsidisedPrincipal), Interest: yuan(s.Interest), Subsidy: yuan(s.Covered),
		Borrower: yuan(s.Borrower), Overdue: yuan(s.Overdue), Outstanding: yuan(s.Outstanding),
		Until: d.Until, CoveredFrom: d.CoveredFrom, SubsidyRateCap: rate(d.SubsidyRateCap), AsOf: d.AsOf, NextSettlement: d.NextSettlement, End: s.End, Settlement: s.Settlement,
		DayBasis: s.DayBasis, Periods: d.periodsOut(), Reasons: orEmpty(d.Reasons), Notes: orEmpty(d.Notes),
		Policy: d.Policy, PolicyHash: d.PolicyHash, SubsidyPayable: payable(d)})
}

// UnmarshalJSON reads what [Decision.MarshalJSON] writes. Amounts are read
// from their text, never as floats. The policy's explanation is not in the
// JSON: [Decision.Explanation] of a decision read back is empty.
func (d *Decision) UnmarshalJSON(b []byte) error {
	var j struct {
		decisionJSON
		SubsidisedPrincipal decimal.Decimal  `json:"subsidised_principal"`
		Interest            decimal.Decimal  `json:"interest"`
		Subsidy             decimal.Decimal  `json:"subsidy"`
		Borrower            decimal.Decimal  `json:"borrower_interest"`
		Overdue             decimal.Decimal  `json:"overdue"`
		Outstanding         decimal.Decimal  `json:"outstanding"`
		SubsidyRateCap      decimal.Decimal  `json:"subsidy_rate_cap"`
		SubsidyPayable      *decimal.Decimal `json:"subsidy_payable"`
		Periods             []Period         `json:"periods"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var marks struct {
		Periods []struct {
			Paid *paidJSON `json:"paid_before"`
		} `json:"periods"`
	}
	if err := json.Unmarshal(b, &marks); err != nil {
		return err
	}
	*d = Decision{Loan: j.Loan, Renews: j.Renews, Granted: j.Pass, Reasons: j.Reasons,
		SubsidisedPrincipal: j.SubsidisedPrincipal, Until: j.Until, CoveredFrom: j.CoveredFrom, SubsidyRateCap: j.SubsidyRateCap, AsOf: j.AsOf, NextSettlement: j.NextSettlement,
		Notes: j.Notes, Policy: j.Policy, PolicyHash: j.PolicyHash,
		Schedule: Schedule{Loan: j.Loan, Settlement: j.Settlement, DayBasis: j.DayBasis, Periods: j.Periods,
			Interest: j.Interest, Covered: j.Subsidy, Borrower: j.Borrower, Overdue: j.Overdue, End: j.End,
			Outstanding: j.Outstanding}}
	if j.SubsidyPayable != nil {
		d.Checked, d.Payable, d.PaidBefore = true, *j.SubsidyPayable, paidBefore(j.Periods, marks.Periods)
	}
	return nil
}

// MarshalJSON writes the schedule with its amounts in yuan as strings with
// 2 places ("0.00", never "0").
func (s Schedule) MarshalJSON() ([]byte, error) {
	type plain Schedule
	return json.Marshal(struct {
		plain
		Periods     []Period `json:"periods"`
		Interest    string   `json:"interest"`
		Covered     string   `json:"covered"`
		Borrower    string   `json:"borrower"`
		Overdue     string   `json:"overdue"`
		Outstanding string   `json:"outstanding"`
	}{plain(s), orEmpty(s.Periods), yuan(s.Interest), yuan(s.Covered), yuan(s.Borrower), yuan(s.Overdue), yuan(s.Outstanding)})
}

// MarshalJSON writes the period with its amounts in yuan as strings with 2
// places.
func (p Period) MarshalJSON() ([]byte, error) {
	type plain Period
	return json.Marshal(struct {
		plain
		Interest string    `json:"interest"`
		Covered  string    `json:"covered"`
		Borrower string    `json:"borrower"`
		Overdue  string    `json:"overdue"`
		Segments []Segment `json:"segments"`
	}{plain(p), yuan(p.Interest), yuan(p.Covered), yuan(p.Borrower), yuan(p.Overdue), orEmpty(p.Segments)})
}

// MarshalJSON writes the segment with its balances in yuan as strings with
// 2 places and its rate as the fraction it is ("0.0385").
func (g Segment) MarshalJSON() ([]byte, error) {
	type plain Segment
	return json.Marshal(struct {
		plain
		Balance        string `json:"balance"`
		Rate           string `json:"rate"`
		CoveredBalance string `json:"covered_balance"`
	}{plain(g), yuan(g.Balance), g.Rate.String(), yuan(g.CoveredBalance)})
}

// payable writes Decision.Payable once the decision was checked against a
// payment history, and "" (left out) before.
func payable(d Decision) string {
	if !d.Checked {
		return ""
	}
	return yuan(d.Payable)
}

// rate writes a rate as the fraction it is ("0.0385"), or "" for none.
func rate(r decimal.Decimal) string {
	if r.IsZero() {
		return ""
	}
	return r.String()
}

// yuan writes an amount with the 2 places of the fen.
func yuan(d decimal.Decimal) string { return d.StringFixed(2) }

// orEmpty returns s, or an empty slice for nil, so JSON lists are [] and
// never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
