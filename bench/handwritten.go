package bench

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
)

// Params are the policy's values on the as-of date, read from the policy
// file, for the implementations that are not the engine.
type Params struct {
	From                rules.Date // the rules are in force from this day
	TierA, TierB, TierC decimal.Decimal
	Monthly             decimal.Decimal
	MaxMonths           int64
	MinShare            decimal.Decimal
	AsOf                rules.Date
}

// LoadParams reads the parameters from the compiled policy.
func LoadParams(set *rules.Set, on rules.Date) (Params, error) {
	p := Params{AsOf: on}
	info, _ := set.Rule("training-grant")
	p.From = info.InForce.From
	for name, dst := range map[string]*decimal.Decimal{"training_grant_tier_a": &p.TierA, "training_grant_tier_b": &p.TierB,
		"training_grant_tier_c": &p.TierC, "work_training_monthly": &p.Monthly, "labour_share_min": &p.MinShare} {
		v, err := set.Param(name, on)
		if err != nil {
			return p, err
		}
		*dst = v.Value.Decimal()
	}
	v, err := set.Param("work_training_max_months", on)
	if err != nil {
		return p, err
	}
	p.MaxMonths = v.Value.Int()
	return p, nil
}

// Hand is each decision written directly in Go with decimal, parsing the
// text the way the engine does.
type Hand struct{ P Params }

var errBad = errors.New("invalid value")

func parseBool(s string) (bool, error) {
	switch s {
	case "是", "true", "1", "TRUE":
		return true, nil
	case "否", "false", "0", "FALSE":
		return false, nil
	}
	return false, fmt.Errorf("%w: %q is not a boolean", errBad, s)
}

func parseTier(s string) (byte, error) {
	switch s {
	case "A", "A类", "A类工种":
		return 'A', nil
	case "B", "B类", "B类工种":
		return 'B', nil
	case "C", "C类", "C类工种":
		return 'C', nil
	}
	return 0, fmt.Errorf("%w: %q is not a tier", errBad, s)
}

// parseMoney reads plain digits with at most 2 decimal places.
func parseMoney(s string) (decimal.Decimal, error) {
	dot := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0:
			dot = i
		default:
			return decimal.Decimal{}, fmt.Errorf("%w: %q is not an amount", errBad, s)
		}
	}
	if s == "" || s == "." || (dot >= 0 && len(s)-dot-1 > 2) {
		return decimal.Decimal{}, fmt.Errorf("%w: %q is not an amount", errBad, s)
	}
	return decimal.NewFromString(s)
}

// TrainingGrant decides a training grant.
func (h *Hand) TrainingGrant(c Training) (Decision, error) {
	relieved, err := parseBool(c.Relieved)
	if err != nil {
		return Decision{}, err
	}
	monitored, err := parseBool(c.Monitored)
	if err != nil {
		return Decision{}, err
	}
	affected, err := parseBool(c.Affected)
	if err != nil {
		return Decision{}, err
	}
	tier, err := parseTier(c.Tier)
	if err != nil {
		return Decision{}, err
	}
	var d Decision
	if h.P.AsOf.Before(h.P.From) {
		return Decision{Reasons: []string{"not-in-force"}}, nil
	}
	if !relieved && !monitored {
		d.Reasons = append(d.Reasons, "not-covered-population")
	}
	if !affected {
		d.Reasons = append(d.Reasons, "not-disaster-affected")
	}
	d.Pass = len(d.Reasons) == 0
	amount := decimal.Decimal{}
	if d.Pass {
		switch tier {
		case 'A':
			amount = h.P.TierA.Round(2)
		case 'B':
			amount = h.P.TierB.Round(2)
		default:
			amount = h.P.TierC.Round(2)
		}
	}
	d.Outputs = []decimal.Decimal{amount}
	return d, nil
}

// LabourShare audits a project's labour share.
func (h *Hand) LabourShare(c Labour) (Decision, error) {
	fiscal, err := parseMoney(c.Fiscal)
	if err != nil || !fiscal.IsPositive() {
		return Decision{}, fmt.Errorf("fiscal_funds %q: %w", c.Fiscal, errBad)
	}
	labour, err := parseMoney(c.Labour)
	if err != nil {
		return Decision{}, err
	}
	if h.P.AsOf.Before(h.P.From) {
		return Decision{Reasons: []string{"not-in-force"}}, nil
	}
	required := fiscal.Mul(h.P.MinShare)
	var d Decision
	d.Pass = labour.GreaterThanOrEqual(required)
	if !d.Pass {
		d.Reasons = []string{"labour-share-below-minimum"}
	}
	share, _ := labour.QuoRem(fiscal, 4) // truncated to 4 places: rounded down
	shortfall := required.Sub(labour)
	if shortfall.IsNegative() {
		shortfall = decimal.Decimal{}
	}
	d.Outputs = []decimal.Decimal{share, required.RoundUp(2), shortfall.RoundUp(2)}
	return d, nil
}

// WorkTraining decides a 以工代训 subsidy.
func (h *Hand) WorkTraining(c Work) (Decision, error) {
	relieved, err := parseBool(c.Relieved)
	if err != nil {
		return Decision{}, err
	}
	monitored, err := parseBool(c.Monitored)
	if err != nil {
		return Decision{}, err
	}
	affected, err := parseBool(c.Affected)
	if err != nil {
		return Decision{}, err
	}
	months, err := parseMonths(c.Months)
	if err != nil {
		return Decision{}, err
	}
	if h.P.AsOf.Before(h.P.From) {
		return Decision{Reasons: []string{"not-in-force"}}, nil
	}
	var d Decision
	if !relieved && !monitored {
		d.Reasons = append(d.Reasons, "not-covered-population")
	}
	if !affected {
		d.Reasons = append(d.Reasons, "not-disaster-affected")
	}
	if months <= 0 {
		d.Reasons = append(d.Reasons, "no-training-months")
	}
	d.Pass = len(d.Reasons) == 0
	paid, amount := decimal.Decimal{}, decimal.Decimal{}
	if d.Pass {
		n := min(months, h.P.MaxMonths)
		paid = decimal.NewFromInt(n)
		amount = h.P.Monthly.Mul(paid).Round(2)
	}
	d.Outputs = []decimal.Decimal{paid, amount}
	return d, nil
}

func parseMonths(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("months %q: %w", s, errBad)
	}
	return n, nil
}
