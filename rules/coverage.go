package rules

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
)

// Coverage is how much of its rules the test cases of a set reach: for
// each rule, every decision point and which of its outcomes some case
// reached. See [Set.Coverage].
type Coverage struct {
	// Rules are the rules of the policy in file order.
	Rules []RuleCoverage `json:"rules"`
	// Tests are the results of the cases run to measure it, as [Set.Test]
	// gives them.
	Tests []TestResult `json:"-"`
}

// RuleCoverage is the decision points of one rule.
type RuleCoverage struct {
	Rule string `json:"rule"`
	Pos  Pos    `json:"pos"` // where the rule is written
	// Points are the rule's decision points: its requirements, the points
	// of its expressions (lets, then requirements, then outputs, each in
	// the order of its source), its outputs' rounding, then the dated
	// values of the parameters it reads.
	Points []DecisionPoint `json:"points"`
}

// The kinds of [DecisionPoint], with the names of their outcomes.
const (
	PointRequirement = "requirement"     // "held", "failed"
	PointCondition   = "condition"       // c ? x : y: "true", "false"
	PointMin         = "min"             // min(a, b): "first" (a <= b), "second" (a > b)
	PointMax         = "max"             // max(a, b): "first" (a >= b), "second" (a < b)
	PointFallback    = "fallback"        // x ?? y: "value" (x has one), "none" (y is used)
	PointRounding    = "rounding"        // an output's declared rounding: "exact", "rounded"
	PointParamValue  = "parameter-value" // a dated value of a parameter the rule reads: "used"
)

// DecisionPoint is a place in a rule where a decision can go more than
// one way, with each way (outcome) and whether some case reached it.
type DecisionPoint struct {
	Kind string `json:"kind"` // one of the Point… constants
	// Where names the point in the rule: "requirement no-months", "let
	// paid", "output amount" or "parameter travel_cap from 2022-01-01".
	Where    string    `json:"where"`
	Pos      Pos       `json:"pos"` // the point itself: the condition, the call, the value
	Outcomes []Outcome `json:"outcomes"`
}

// Outcome is one way a decision point can go.
type Outcome struct {
	Name    string `json:"name"`
	Reached bool   `json:"reached"`
}

// Covered reports whether some case reached every outcome of p.
func (p DecisionPoint) Covered() bool {
	for _, o := range p.Outcomes {
		if !o.Reached {
			return false
		}
	}
	return true
}

// Counts returns how many outcomes of the rule's points the cases reached,
// of how many.
func (r RuleCoverage) Counts() (reached, total int) {
	for _, p := range r.Points {
		for _, o := range p.Outcomes {
			total++
			if o.Reached {
				reached++
			}
		}
	}
	return reached, total
}

// Counts returns how many outcomes of all the rules' points the cases
// reached, of how many.
func (c Coverage) Counts() (reached, total int) {
	for _, r := range c.Rules {
		n, t := r.Counts()
		reached, total = reached+n, total+t
	}
	return reached, total
}

// Complete reports whether the cases reached every outcome of every point.
func (c Coverage) Complete() bool {
	n, t := c.Counts()
	return n == t
}

// Percent renders reached of total as a percentage with one decimal,
// rounded down, so that only a complete coverage shows "100.0%". No
// points at all is "100.0%".
func Percent(reached, total int) string {
	if total == 0 {
		return "100.0%"
	}
	per := reached * 1000 / total
	return fmt.Sprintf("%d.%d%%", per/10, per%10)
}

// WriteText writes one line per rule with its share of outcomes reached,
// then one line per outcome no case reached, with the file:line:col of its
// point, then the total:
//
//	policy.yaml:12:3: grant: 75.0% (3 of 4)
//	policy.yaml:20:15: grant: requirement not-relieved: never failed
//	total: 75.0% (3 of 4)
func (c Coverage) WriteText(w io.Writer) error {
	var err error
	printf := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, args...)
		}
	}
	for _, r := range c.Rules {
		n, t := r.Counts()
		printf("%s: %s: %s (%d of %d)\n", r.Pos, r.Rule, Percent(n, t), n, t)
		for _, p := range r.Points {
			for _, o := range p.Outcomes {
				if !o.Reached {
					printf("%s: %s: %s: %s\n", p.Pos, r.Rule, p.Where, missed(p.Kind, o.Name))
				}
			}
		}
	}
	n, t := c.Counts()
	printf("total: %s (%d of %d)\n", Percent(n, t), n, t)
	return err
}

// missed says that no case reached outcome of a point of kind.
func missed(kind, outcome string) string {
	switch kind {
	case PointRequirement:
		return "never " + outcome
	case PointCondition:
		return "condition never " + outcome
	case PointMin, PointMax:
		return fmt.Sprintf("%s(…) never chose its %s argument", kind, outcome)
	case PointFallback:
		if outcome == "value" {
			return "?? never had a value on its left"
		}
		return "?? never fell back to its right (the left always had a value)"
	case PointRounding:
		if outcome == "exact" {
			return "rounding never met a value already at its places"
		}
		return "rounding never changed a value"
	}
	return "never " + outcome
}

// Coverage runs the test cases of s, as [Set.Test] does, and reports for
// each rule which outcomes of its decision points they reached:
//
//   - each requirement, held and failed;
//   - each `c ? x : y` (the condition true and false), min(a, b) and
//     max(a, b) (each argument chosen; a tie chooses the first) and
//     `x ?? y` (x with a value and without) in a let, a requirement or
//     an output;
//   - each output's declared rounding: a value it changed and a value
//     already at its places. An output whose value can never have more
//     places than it is rounded to (money added, compared or multiplied
//     by whole numbers, and rounded to the fen) has no rounding point;
//   - each dated value of each parameter the rule reads whose period
//     overlaps the rule's in-force period: decided by some case on a day
//     it is in force. A parameter a case sets for itself is not counted
//     for that case. With overlays, the values are the merged ones, and
//     the policy's cases count both under the policy alone and with the
//     overlays.
//
// A case that ends in an input error, or is judged on a day the rule is
// not in force, reaches no point. round() inside an expression, and the
// two sides of && and ||, are not points.
//
// Coverage compiles sets of its own from the files s was built from;
// evaluation with s is never slowed by it. It is safe for concurrent use.
func (s *Set) Coverage(ctx context.Context) Coverage {
	cov := Coverage{}
	seen := &coverSeen{ways: map[coverKey]bool{}, values: map[Pos]bool{}}
	built := map[int]*Set{}
	build := func(params []caseParam, n int) (*Set, error) {
		if len(params) == 0 && built[n] != nil {
			return built[n], nil
		}
		if len(s.files) < n {
			return nil, fmt.Errorf("the files of the policy were not kept")
		}
		set, err := compile(s.files[:n], derivation{derived: true, override: params})
		if err != nil {
			return nil, err
		}
		if ds := set.linkWith(seen.hits); len(ds) > 0 {
			return nil, ds
		}
		if len(params) == 0 {
			built[n] = set
		}
		return set, nil
	}
	cov.Tests = s.runTests(ctx, build, seen.decision)
	for _, id := range s.ruleOrder {
		cov.Rules = append(cov.Rules, s.rules[id].coverage(seen))
	}
	return cov
}

// coverSeen is what the cases reached: the outcomes of points, by rule
// and place, and the parameter values used, by where they are written.
type coverSeen struct {
	ways   map[coverKey]bool
	values map[Pos]bool
}

type coverKey struct {
	rule         string
	kind         uint8 // seenExpr, seenReq or seenRound
	e, point, to int   // the expression (or requirement, or output), its point, the outcome
}

const (
	seenExpr uint8 = iota
	seenReq
	seenRound
)

// hits returns what expression e of r tells as its points go one way or
// the other.
func (c *coverSeen) hits(r *rule, e int) dexpr.Hit {
	id := r.id
	return func(point, way int) { c.ways[coverKey{rule: id, kind: seenExpr, e: e, point: point, to: way}] = true }
}

// decision notes what a decision of tc reached besides its expressions'
// points: the requirements, the outputs' rounding, the parameter values.
func (c *coverSeen) decision(tc *testCase, res Result, err error) {
	if err != nil || res.rec == nil || res.ru == nil || !res.rec.inForce {
		return
	}
	r, rec := res.ru, res.rec
	for i := range r.reqs {
		c.ways[coverKey{rule: r.id, kind: seenReq, e: i, to: int(rec.failed >> i & 1)}] = true
	}
	for _, p := range r.params {
		if slices.ContainsFunc(tc.params, func(o caseParam) bool { return o.name == p.name }) {
			continue
		}
		if v := p.at(rec.asOf); v != nil {
			c.values[v.pos] = true
		}
	}
	for i, step := range res.Explanation().Outputs {
		if !step.Computed {
			continue
		}
		rounded := step.Exact.kind == kindRatio || !step.Exact.d.Equal(step.Value)
		c.ways[coverKey{rule: r.id, kind: seenRound, e: i, to: way(rounded)}] = true
	}
}

// way is the outcome index of a yes/no point: 0 for the first outcome
// (no), 1 for the second (yes).
func way(second bool) int {
	if second {
		return 1
	}
	return 0
}

// coverage lists the decision points of r and which outcomes seen holds.
func (r *rule) coverage(seen *coverSeen) RuleCoverage {
	rc := RuleCoverage{Rule: r.id, Pos: r.pos}
	reached := func(k coverKey) bool { return seen.ways[k] }
	for i, q := range r.reqs {
		rc.Points = append(rc.Points, DecisionPoint{Kind: PointRequirement, Where: "requirement " + q.code, Pos: q.pos,
			Outcomes: []Outcome{{"held", reached(coverKey{rule: r.id, kind: seenReq, e: i, to: 0})},
				{"failed", reached(coverKey{rule: r.id, kind: seenReq, e: i, to: 1})}}})
	}
	type expression struct {
		where string
		prog  *dexpr.Program
		at    func(line, col int) Pos
	}
	var exprs []expression
	for _, l := range r.lets {
		exprs = append(exprs, expression{"let " + l.name, l.prog, l.at})
	}
	for _, q := range r.reqs {
		exprs = append(exprs, expression{"requirement " + q.code, q.prog, q.at})
	}
	for _, o := range r.outputs {
		exprs = append(exprs, expression{"output " + o.name, o.prog, o.at})
	}
	for e, x := range exprs {
		for i, pt := range x.prog.Points() {
			kind, names := pointKind(pt.Kind)
			dp := DecisionPoint{Kind: kind, Where: x.where, Pos: x.at(pt.Line, pt.Col)}
			for w, name := range names {
				dp.Outcomes = append(dp.Outcomes, Outcome{name, reached(coverKey{rule: r.id, kind: seenExpr, e: e, point: i, to: w})})
			}
			rc.Points = append(rc.Points, dp)
		}
	}
	places := r.placesOf()
	for i, o := range r.outputs {
		if k, ok := o.prog.Places(places); ok && k <= o.rounding.Places {
			continue // rounding cannot change it
		}
		rc.Points = append(rc.Points, DecisionPoint{Kind: PointRounding, Where: "output " + o.name, Pos: o.pos,
			Outcomes: []Outcome{{"exact", reached(coverKey{rule: r.id, kind: seenRound, e: i, to: 0})},
				{"rounded", reached(coverKey{rule: r.id, kind: seenRound, e: i, to: 1})}}})
	}
	for _, p := range r.params {
		for i, v := range p.values {
			if !r.inForce.overlaps(p.period(i)) {
				continue
			}
			rc.Points = append(rc.Points, DecisionPoint{Kind: PointParamValue, Where: fmt.Sprintf("parameter %s from %s", p.name, v.from),
				Pos: v.pos, Outcomes: []Outcome{{"used", seen.values[v.pos]}}})
		}
	}
	return rc
}

// pointKind returns the kind of an expression's point and its outcomes.
func pointKind(k dexpr.PointKind) (string, []string) {
	switch k {
	case dexpr.Branch:
		return PointCondition, []string{"true", "false"}
	case dexpr.Min:
		return PointMin, []string{"first", "second"}
	case dexpr.Max:
		return PointMax, []string{"first", "second"}
	}
	return PointFallback, []string{"value", "none"}
}

// placesOf returns the most decimal places each name r's expressions read
// can have, ok false for none: money inputs 2, int inputs 0, decimal inputs
// any; a parameter the most of its values; a let what its expression
// gives.
func (r *rule) placesOf() func(name string) (int32, bool) {
	type bound struct {
		places int32
		ok     bool
	}
	known := map[string]bound{AsOf: {0, true}}
	for _, def := range r.inputs {
		switch def.typ {
		case TypeMoney:
			known[def.name] = bound{2, true}
		case TypeDecimal:
			known[def.name] = bound{0, false}
		default:
			known[def.name] = bound{0, true}
		}
	}
	for _, p := range r.params {
		b := bound{0, true}
		for _, v := range p.values {
			if !v.v.IsZero() && (p.typ == TypeMoney || p.typ == TypeDecimal) {
				b.places = max(b.places, -v.v.Decimal().Exponent())
			}
		}
		known[p.name] = b
	}
	of := func(name string) (int32, bool) {
		b, ok := known[name]
		return b.places, ok && b.ok
	}
	for _, l := range r.lets {
		k, ok := l.prog.Places(of)
		known[l.name] = bound{k, ok}
	}
	return of
}

// period returns the days value i of p is in force.
func (p *param) period(i int) Period {
	v := p.values[i]
	per := Period{From: v.from}
	if i+1 < len(p.values) {
		per.To = p.values[i+1].from
	}
	if !v.until.IsZero() && (per.To.IsZero() || v.until.AddDays(1).Before(per.To)) {
		per.To = v.until.AddDays(1)
	}
	return per
}

// overlaps reports whether p and q share a day.
func (p Period) overlaps(q Period) bool {
	return (q.To.IsZero() || p.From.Before(q.To)) && (p.To.IsZero() || q.From.Before(p.To))
}
