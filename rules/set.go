package rules

import (
	"sync"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
)

// Set is a compiled policy with its overlays: every input, parameter, rule
// and test case, with every expression compiled and type-checked. A Set is
// immutable and safe for concurrent use; build it once with [Load] or
// [Compile] and share it.
type Set struct {
	meta    Meta
	hash    string
	sources []string

	inputs     map[string]*inputDef
	inputOrder []string
	params     map[string]*param
	paramOrder []string
	rules      map[string]*rule
	ruleOrder  []string
	tests      []testCase
	// files are the sources, kept when the set has test cases, which may
	// run on sets derived from them (see Set.Test, Set.Coverage); nil
	// otherwise.
	files []Source
}

// Meta describes the policy document a Set encodes.
type Meta struct {
	ID     string `json:"id"`     // stable id, such as "henan-2021-48"
	Number string `json:"number"` // the document number, such as 豫办发电〔2021〕48号
	Title  string `json:"title"`
	Issuer string `json:"issuer"`
	Issued Date   `json:"issued"`
	Source string `json:"source"`
}

type param struct {
	name, label string
	typ         Type
	nullable    bool
	values      []paramValue // sorted by from, no two on the same day
}

type paramValue struct {
	from  Date
	until Date      // the last day in force, or zero: until the next value
	v     Value     // zero Value when none
	slot  slotValue // the value as expressions see it, converted once at load
	basis string
	pos   Pos
}

type rule struct {
	id, title, clause, quote string
	inForce                  Period
	inputs                   []*inputDef
	params                   []*param
	lets                     []let
	reqs                     []requirement
	outputs                  []output
	across                   *acrossSpec // checks that span records, or nil
	pos                      Pos

	set    *Set
	slot   slots     // where each value lives in an evaluation's frame
	frames sync.Pool // *work: working frames of the rule, with their options
}

type let struct {
	name string
	prog *dexpr.Program
	pos  Pos
	at   func(line, col int) Pos // a position inside the expression
}

type requirement struct {
	code, message string
	src           string // the condition's source
	prog          *dexpr.Program
	pos           Pos
	at            func(line, col int) Pos
}

type output struct {
	name, label string
	prog        *dexpr.Program
	rounding    Rounding
	keep        bool // computed even when the rule does not pass
	pos         Pos
	at          func(line, col int) Pos
}

// Meta returns the policy's description.
func (s *Set) Meta() Meta { return s.meta }

// Hash returns the SHA-256, in hex, of the policy file and its overlays, in
// the order they were loaded. Every [Explanation] carries it, so a figure
// can be reproduced from the same files years later.
func (s *Set) Hash() string { return s.hash }

// Sources returns the names of the files the Set was built from, policy first.
func (s *Set) Sources() []string { return append([]string(nil), s.sources...) }

// RuleIDs returns the ids of the rules in the order the policy declares them.
func (s *Set) RuleIDs() []string { return append([]string(nil), s.ruleOrder...) }

// RuleInfo describes a rule: what it reads and what it gives.
type RuleInfo struct {
	ID      string
	Title   string
	Clause  string
	Quote   string
	InForce Period // To is zero when the rule has no end date
	Inputs  []InputInfo
	Outputs []OutputInfo
	Reasons []string // reason codes in declared order, "not-in-force" first
	// Across reports that the rule declares checks across records (one
	// grant per person, a cap on months), which [Tally.Apply] makes on the
	// input each decision was made on.
	Across bool
}

// InputInfo describes one input of a rule.
type InputInfo struct {
	Name    string
	Label   string // the Chinese label, also accepted as a column name
	Type    Type
	Choices []string // enum codes
}

// OutputInfo describes one output of a rule.
type OutputInfo struct {
	Name     string
	Label    string
	Rounding Rounding
}

// Rule describes the rule with the given id.
func (s *Set) Rule(id string) (RuleInfo, bool) {
	r, ok := s.rules[id]
	if !ok {
		return RuleInfo{}, false
	}
	info := RuleInfo{ID: r.id, Title: r.title, Clause: r.clause, Quote: r.quote, InForce: r.inForce,
		Reasons: []string{ReasonNotInForce}, Across: r.across != nil}
	for _, in := range r.inputs {
		info.Inputs = append(info.Inputs, InputInfo{Name: in.name, Label: in.label, Type: in.typ, Choices: in.values})
	}
	for _, o := range r.outputs {
		info.Outputs = append(info.Outputs, OutputInfo{Name: o.name, Label: o.label, Rounding: o.rounding})
	}
	for _, q := range r.reqs {
		info.Reasons = append(info.Reasons, q.code)
	}
	return info, true
}

// Field returns the input name a column header stands for: the name itself
// or its Chinese label, "as_of" or its label 判定日期.
func (ri RuleInfo) Field(header string) (string, bool) {
	if header == AsOf || header == asOfLabel {
		return AsOf, true
	}
	for _, in := range ri.Inputs {
		if header == in.Name || header == in.Label {
			return in.Name, true
		}
	}
	return "", false
}

// ParamValue is the value of a parameter on a date.
type ParamValue struct {
	Name  string
	Label string
	Type  Type
	Value Value // the zero Value when None
	None  bool  // the policy sets no value, such as no cap
	From  Date  // the day this value took effect
	Until Date  // the last day it is in force, or zero: until the next value
	Basis string
	Pos   Pos // where the value is written
}

// Param returns the value of a parameter in force on day on: the value with
// the latest From on or before on, unless it has an Until before on. It
// returns an error wrapping ErrNoValue if no value is in force on that day.
func (s *Set) Param(name string, on Date) (ParamValue, error) {
	p, ok := s.params[name]
	if !ok {
		return ParamValue{}, &EvalError{Rule: "parameter " + name, Err: ErrUnknownParam}
	}
	v := p.at(on)
	if v == nil {
		return ParamValue{}, &EvalError{Rule: "parameter " + name, Err: noValue(p, on)}
	}
	return ParamValue{Name: p.name, Label: p.label, Type: p.typ, Value: v.v, None: v.v.IsZero(),
		From: v.from, Until: v.until, Basis: v.basis, Pos: v.pos}, nil
}

// at returns the value in force on day on, or nil: the value with the
// latest from on or before on, unless its until is before on.
func (p *param) at(on Date) *paramValue {
	for i := len(p.values) - 1; i >= 0; i-- {
		if v := &p.values[i]; !on.Before(v.from) {
			if !v.until.IsZero() && on.After(v.until) {
				return nil
			}
			return v
		}
	}
	return nil
}

func exprKind(t Type) dexpr.Kind {
	switch t {
	case TypeBool:
		return dexpr.Bool
	case TypeDate:
		return dexpr.Date
	case TypeEnum:
		return dexpr.Text
	}
	return dexpr.Number
}
