// Package ruledoc decodes rule files from YAML into plain structs that keep
// the position of every value, so the compiler can point at any mistake.
// Unknown keys, duplicate keys and values of the wrong shape are reported,
// all of them, never only the first.
package ruledoc

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pos is a 1-based line and column in the file.
type Pos struct{ Line, Col int }

// Problem is one defect found while decoding.
type Problem struct {
	Pos     Pos
	Code    string
	Message string
}

// Scalar is one YAML scalar with its position. Set is false when the key was
// absent; Null is true for an explicit null (~ or null).
type Scalar struct {
	Value  string
	Pos    Pos
	Set    bool
	Null   bool
	Quoted bool
	// Tag is the YAML tag after resolution: "!!str", "!!int", "!!float", "!!bool", "!!null".
	Tag string
	// Block is the indentation of the content of a block scalar (| or >), or -1.
	Block int
}

// At returns the file position of the 1-based line and column inside the
// scalar's text.
func (s Scalar) At(line, col int) Pos {
	if s.Block >= 0 {
		return Pos{Line: s.Pos.Line + line, Col: s.Block + col}
	}
	c := s.Pos.Col + col - 1
	if s.Quoted {
		c++
	}
	return Pos{Line: s.Pos.Line + line - 1, Col: c}
}

// Pair is one key and value of a free-form mapping (test inputs, aliases).
type Pair struct {
	Key   Scalar
	Value Scalar
}

// File is a rule file: a policy, or an overlay when Extends is set.
type File struct {
	Extends    Scalar
	Policy     Meta
	Inputs     []Input
	Parameters []Parameter
	Rules      []Rule
	Tests      []Test
	// HasRules and HasInputs record that the keys were present, so an
	// overlay that tries to change them can be told.
	HasRules, HasInputs bool
	RulesPos, InputsPos Pos
}

// Meta describes the document a policy encodes.
type Meta struct {
	ID, Number, Title, Issuer, Issued, Source Scalar
	Pos                                       Pos
}

// Input declares a typed input.
type Input struct {
	Name, Type, Label Scalar
	Values            []Scalar
	Aliases           []Pair
	Min, Max, Above   Scalar
	Description       Scalar
	Pos               Pos
}

// Parameter declares a dated parameter.
type Parameter struct {
	Name, Type, Label, Nullable Scalar
	Values                      []Value
	Pos                         Pos
}

// Value is one dated value of a parameter. Until, when set, is the last
// day the value is in force.
type Value struct {
	From, Until, Value, Basis Scalar
	Pos                       Pos
}

// Rule is one rule.
type Rule struct {
	ID, Title, Clause, Quote, From, Until Scalar
	Inputs                                []Scalar
	Lets                                  []Let
	Requirements                          []Requirement
	Outputs                               []Output
	Across                                Across
	Pos                                   Pos
}

// Across holds a rule's checks that span records: once per subject and key,
// or a quantity capped per subject. Set is false when the rule has none.
type Across struct {
	Set    bool
	Amount Scalar // the output that is the money paid
	Once   *Once
	Cap    *Cap
	Pos    Pos
}

// Once refuses a second passing decision for the same subject and key.
type Once struct {
	Per           []Scalar // the inputs that, with the subject, make the key
	Within        Scalar   // "batch": earlier batches are not asked
	Code, Message Scalar
	Pos           Pos
}

// Cap limits the quantity paid to one subject across records.
type Cap struct {
	Input, Counts, Limit, Code, Message Scalar
	NoteCode, NoteMessage               Scalar
	Pos                                 Pos
}

// Let is a named intermediate value.
type Let struct {
	Name, Expr Scalar
}

// Requirement is a condition that must hold for a rule to pass.
type Requirement struct {
	Code, When, Message Scalar
	Pos                 Pos
}

// Output is a named result of a rule.
type Output struct {
	Name, Expr, Label, Places, Mode, OnFail Scalar
	Pos                                     Pos
}

// Test is a test case kept in a rule file. Parameters are the values the
// case sets for itself, by parameter name.
type Test struct {
	Name, Rule, On          Scalar
	Input, Want, Parameters []Pair
	WantReasons             []Scalar
	HasReasons              bool
	Pos                     Pos
}

type decoder struct {
	lines    []string
	problems []Problem
}

// Parse decodes a rule file. It never panics; when problems are returned the
// File holds what could be decoded.
func Parse(data []byte) (f *File, problems []Problem) {
	defer func() {
		if r := recover(); r != nil {
			problems = append(problems, Problem{Pos: Pos{1, 1}, Code: "yaml-syntax", Message: fmt.Sprintf("file could not be read: %v", r)})
		}
	}()
	d := &decoder{lines: strings.Split(string(data), "\n")}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &File{}, []Problem{syntaxProblem(err)}
	}
	f = &File{}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return f, []Problem{{Pos: Pos{1, 1}, Code: "empty-file", Message: "file is empty"}}
	}
	d.file(doc.Content[0], f)
	return f, d.problems
}

func syntaxProblem(err error) Problem {
	msg := err.Error()
	var line int
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if _, e := fmt.Sscanf(msg, "line %d:", &line); e == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return Problem{Pos: Pos{max(line, 1), 1}, Code: "yaml-syntax", Message: fmt.Sprintf("%s", Clip(msg))}
}

func pos(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }

func (d *decoder) fail(n *yaml.Node, code, format string, args ...any) {
	d.problems = append(d.problems, Problem{Pos: pos(n), Code: code, Message: fmt.Sprintf(format, ClipArgs(args)...)})
}

// fields reads a mapping, reporting unknown and duplicate keys. It returns
// the value nodes by key, and the key order.
func (d *decoder) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		d.fail(n, "bad-shape", "%s must be a mapping of keys to values", what)
		return nil
	}
	out := map[string]*yaml.Node{}
	for kv := n.Content; len(kv) >= 2; kv = kv[2:] {
		k, v := kv[0], kv[1]
		if _, dup := out[k.Value]; dup {
			d.fail(k, "duplicate-key", "%s has key %q twice", what, k.Value)
			continue
		}
		ok := false
		for _, a := range allowed {
			if a == k.Value {
				ok = true
				break
			}
		}
		if !ok {
			d.fail(k, "unknown-key", "%s has unknown key %q%s", what, k.Value, hint(k.Value, allowed))
			continue
		}
		out[k.Value] = v
	}
	return out
}

// pairs reads a mapping in order, for maps whose keys are names.
func (d *decoder) pairs(n *yaml.Node, what string) (keys []*yaml.Node, values []*yaml.Node) {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil, nil
		}
		d.fail(n, "bad-shape", "%s must be a mapping", what)
		return nil, nil
	}
	seen := map[string]bool{}
	for kv := n.Content; len(kv) >= 2; kv = kv[2:] {
		k := kv[0]
		if seen[k.Value] {
			d.fail(k, "duplicate-key", "%s has key %q twice", what, k.Value)
			continue
		}
		seen[k.Value] = true
		keys = append(keys, k)
		values = append(values, kv[1])
	}
	return keys, values
}

// scalars reads a list of single values.
func (d *decoder) scalars(n *yaml.Node, what string) []Scalar {
	var out []Scalar
	for _, e := range d.list(n, what+"s") {
		out = append(out, d.scalar(e, what))
	}
	return out
}

func (d *decoder) list(n *yaml.Node, what string) []*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		d.fail(n, "bad-shape", "%s must be a list", what)
		return nil
	}
	return n.Content
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (d *decoder) scalar(n *yaml.Node, what string) Scalar {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		d.fail(n, "bad-shape", "%s must be a single value", what)
		return Scalar{Pos: pos(n), Set: true, Block: -1}
	}
	s := Scalar{
		Value:  n.Value,
		Pos:    pos(n),
		Set:    true,
		Null:   n.Tag == "!!null",
		Quoted: n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0,
		Tag:    n.Tag,
		Block:  -1,
	}
	if s.Null {
		s.Value = ""
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		s.Block = d.blockIndent(n.Line)
	}
	return s
}

// blockIndent finds the indentation of the first content line after line.
func (d *decoder) blockIndent(line int) int {
	for i := line; i < len(d.lines); i++ {
		t := d.lines[i]
		if strings.TrimSpace(t) == "" {
			continue
		}
		return len(t) - len(strings.TrimLeft(t, " "))
	}
	return 0
}

// fill gives absent scalars the position of the mapping they belong to, so
// a diagnostic about a missing value still points somewhere.
func fill(p Pos, ss ...*Scalar) {
	for _, s := range ss {
		if s.Pos.Line == 0 {
			s.Pos = p
		}
	}
}

func (d *decoder) get(m map[string]*yaml.Node, key, what string) Scalar {
	n, ok := m[key]
	if !ok {
		return Scalar{Block: -1}
	}
	return d.scalar(n, what+" "+key)
}

func (d *decoder) require(m map[string]*yaml.Node, parent *yaml.Node, what string, keys ...string) {
	for _, k := range keys {
		if _, ok := m[k]; !ok && m != nil {
			d.fail(parent, "missing-key", "%s has no %q", what, k)
		}
	}
}

func (d *decoder) file(root *yaml.Node, f *File) {
	m := d.fields(root, "the file", "extends", "policy", "inputs", "parameters", "rules", "tests")
	if m == nil {
		return
	}
	f.Extends = d.get(m, "extends", "the file's")
	if f.Extends.Set {
		// An overlay may hold parameters and its own test cases only; the
		// compiler reports any other section once, without picking through
		// what is inside it.
		f.HasRules, f.HasInputs = m["rules"] != nil, m["inputs"] != nil
		for _, k := range []string{"rules", "inputs", "policy"} {
			if n, ok := m[k]; ok {
				switch k {
				case "rules":
					f.RulesPos = pos(n)
				case "inputs":
					f.InputsPos = pos(n)
				case "policy":
					f.Policy.Pos, f.Policy.ID.Set = pos(n), true
				}
			}
		}
		d.parameters(m, f)
		d.tests(m, f)
		return
	}
	if n, ok := m["policy"]; ok {
		f.Policy = d.meta(n)
	}
	if n, ok := m["inputs"]; ok {
		f.HasInputs, f.InputsPos = true, pos(n)
		keys, vals := d.pairs(n, "inputs")
		for i, k := range keys {
			f.Inputs = append(f.Inputs, d.input(k, vals[i]))
		}
	}
	d.parameters(m, f)
	if n, ok := m["rules"]; ok {
		f.HasRules, f.RulesPos = true, pos(n)
		keys, vals := d.pairs(n, "rules")
		for i, k := range keys {
			f.Rules = append(f.Rules, d.rule(k, vals[i]))
		}
	}
	d.tests(m, f)
}

func (d *decoder) tests(m map[string]*yaml.Node, f *File) {
	if n, ok := m["tests"]; ok {
		for _, t := range d.list(n, "tests") {
			f.Tests = append(f.Tests, d.test(t))
		}
	}
}

func (d *decoder) parameters(m map[string]*yaml.Node, f *File) {
	if n, ok := m["parameters"]; ok {
		keys, vals := d.pairs(n, "parameters")
		for i, k := range keys {
			f.Parameters = append(f.Parameters, d.parameter(k, vals[i]))
		}
	}
}

func (d *decoder) meta(n *yaml.Node) Meta {
	const what = "policy"
	m := d.fields(n, what, "id", "number", "title", "issuer", "issued", "source")
	d.require(m, n, what, "id", "title")
	mt := Meta{
		ID: d.get(m, "id", what), Number: d.get(m, "number", what), Title: d.get(m, "title", what),
		Issuer: d.get(m, "issuer", what), Issued: d.get(m, "issued", what), Source: d.get(m, "source", what),
		Pos: pos(n),
	}
	fill(mt.Pos, &mt.ID, &mt.Number, &mt.Title, &mt.Issuer, &mt.Issued, &mt.Source)
	return mt
}

func (d *decoder) input(k, n *yaml.Node) Input {
	what := fmt.Sprintf("input %q", k.Value)
	m := d.fields(n, what, "type", "label", "values", "aliases", "min", "max", "above", "description")
	d.require(m, n, what, "type", "label")
	in := Input{
		Name: d.scalar(k, "input name"), Type: d.get(m, "type", what), Label: d.get(m, "label", what),
		Min: d.get(m, "min", what), Max: d.get(m, "max", what), Above: d.get(m, "above", what),
		Description: d.get(m, "description", what), Pos: pos(k),
	}
	fill(in.Pos, &in.Type, &in.Label, &in.Min, &in.Max, &in.Above, &in.Description)
	if v, ok := m["values"]; ok {
		in.Values = d.scalars(v, what+" value")
	}
	if v, ok := m["aliases"]; ok {
		keys, vals := d.pairs(v, what+" aliases")
		for i, a := range keys {
			in.Aliases = append(in.Aliases, Pair{Key: d.scalar(a, "alias"), Value: d.scalar(vals[i], "alias target")})
		}
	}
	return in
}

func (d *decoder) parameter(k, n *yaml.Node) Parameter {
	what := fmt.Sprintf("parameter %q", k.Value)
	m := d.fields(n, what, "type", "label", "nullable", "values")
	d.require(m, n, what, "values")
	p := Parameter{
		Name: d.scalar(k, "parameter name"), Type: d.get(m, "type", what), Label: d.get(m, "label", what),
		Nullable: d.get(m, "nullable", what), Pos: pos(k),
	}
	fill(p.Pos, &p.Type, &p.Label, &p.Nullable)
	if v, ok := m["values"]; ok {
		for _, e := range d.list(v, what+" values") {
			vm := d.fields(e, what+" value", "from", "until", "value", "basis")
			d.require(vm, e, what+" value", "from", "value", "basis")
			v := Value{From: d.get(vm, "from", what), Until: d.get(vm, "until", what), Value: d.get(vm, "value", what),
				Basis: d.get(vm, "basis", what), Pos: pos(e)}
			fill(v.Pos, &v.From, &v.Until, &v.Value, &v.Basis)
			p.Values = append(p.Values, v)
		}
	}
	return p
}

func (d *decoder) rule(k, n *yaml.Node) Rule {
	what := fmt.Sprintf("rule %q", k.Value)
	m := d.fields(n, what, "title", "basis", "in_force", "inputs", "let", "requirements", "outputs", "across")
	d.require(m, n, what, "title", "basis", "in_force", "inputs", "outputs")
	r := Rule{ID: d.scalar(k, "rule id"), Title: d.get(m, "title", what), Pos: pos(k)}
	defer fill(r.Pos, &r.Title, &r.Clause, &r.Quote, &r.From, &r.Until)
	if b, ok := m["basis"]; ok {
		bm := d.fields(b, what+" basis", "clause", "quote")
		d.require(bm, b, what+" basis", "clause", "quote")
		r.Clause, r.Quote = d.get(bm, "clause", what+" basis"), d.get(bm, "quote", what+" basis")
	}
	if f, ok := m["in_force"]; ok {
		fm := d.fields(f, what+" in_force", "from", "until")
		d.require(fm, f, what+" in_force", "from")
		r.From, r.Until = d.get(fm, "from", what+" in_force"), d.get(fm, "until", what+" in_force")
	}
	if v, ok := m["inputs"]; ok {
		r.Inputs = d.scalars(v, what+" input")
	}
	if v, ok := m["let"]; ok {
		keys, vals := d.pairs(v, what+" let")
		for i, lk := range keys {
			r.Lets = append(r.Lets, Let{Name: d.scalar(lk, "let name"), Expr: d.scalar(vals[i], "let expression")})
		}
	}
	if v, ok := m["requirements"]; ok {
		for _, e := range d.list(v, what+" requirements") {
			rm := d.fields(e, what+" requirement", "code", "when", "message")
			d.require(rm, e, what+" requirement", "code", "when", "message")
			q := Requirement{Code: d.get(rm, "code", what), When: d.get(rm, "when", what), Message: d.get(rm, "message", what), Pos: pos(e)}
			fill(q.Pos, &q.Code, &q.When, &q.Message)
			r.Requirements = append(r.Requirements, q)
		}
	}
	if v, ok := m["outputs"]; ok {
		keys, vals := d.pairs(v, what+" outputs")
		for i, ok := range keys {
			ow := fmt.Sprintf("%s output %q", what, ok.Value)
			om := d.fields(vals[i], ow, "expr", "label", "round", "on_fail")
			d.require(om, vals[i], ow, "expr", "label", "round")
			o := Output{Name: d.scalar(ok, "output name"), Expr: d.get(om, "expr", ow), Label: d.get(om, "label", ow),
				OnFail: d.get(om, "on_fail", ow), Pos: pos(ok)}
			if rn, ok := om["round"]; ok {
				rm := d.fields(rn, ow+" round", "places", "mode")
				d.require(rm, rn, ow+" round", "places", "mode")
				o.Places, o.Mode = d.get(rm, "places", ow+" round"), d.get(rm, "mode", ow+" round")
			}
			fill(o.Pos, &o.Expr, &o.Label, &o.Places, &o.Mode, &o.OnFail)
			r.Outputs = append(r.Outputs, o)
		}
	}
	if v, ok := m["across"]; ok {
		r.Across = d.across(v, what+" across")
	}
	return r
}

func (d *decoder) across(n *yaml.Node, what string) Across {
	a := Across{Set: true, Pos: pos(n)}
	m := d.fields(n, what, "amount", "once", "cap")
	a.Amount = d.get(m, "amount", what)
	fill(a.Pos, &a.Amount)
	if v, ok := m["once"]; ok {
		ow := what + " once"
		om := d.fields(v, ow, "per", "within", "code", "message")
		d.require(om, v, ow, "code", "message")
		o := &Once{Code: d.get(om, "code", ow), Message: d.get(om, "message", ow), Within: d.get(om, "within", ow), Pos: pos(v)}
		fill(o.Pos, &o.Code, &o.Message, &o.Within)
		if p, ok := om["per"]; ok {
			o.Per = d.scalars(p, ow+" per")
		}
		a.Once = o
	}
	if v, ok := m["cap"]; ok {
		cw := what + " cap"
		cm := d.fields(v, cw, "input", "counts", "limit", "code", "message", "note")
		d.require(cm, v, cw, "input", "counts", "limit", "code", "message", "note")
		c := &Cap{Input: d.get(cm, "input", cw), Counts: d.get(cm, "counts", cw), Limit: d.get(cm, "limit", cw),
			Code: d.get(cm, "code", cw), Message: d.get(cm, "message", cw), Pos: pos(v)}
		if nt, ok := cm["note"]; ok {
			nw := cw + " note"
			nm := d.fields(nt, nw, "code", "message")
			d.require(nm, nt, nw, "code", "message")
			c.NoteCode, c.NoteMessage = d.get(nm, "code", nw), d.get(nm, "message", nw)
		}
		fill(c.Pos, &c.Input, &c.Counts, &c.Limit, &c.Code, &c.Message, &c.NoteCode, &c.NoteMessage)
		a.Cap = c
	}
	return a
}

func (d *decoder) test(n *yaml.Node) Test {
	const what = "test"
	m := d.fields(n, what, "name", "rule", "on", "parameters", "input", "want")
	d.require(m, n, what, "name", "rule", "input", "want")
	t := Test{Name: d.get(m, "name", what), Rule: d.get(m, "rule", what), On: d.get(m, "on", what), Pos: pos(n)}
	fill(t.Pos, &t.Name, &t.Rule, &t.On)
	if v, ok := m["input"]; ok {
		t.Input = d.scalarPairs(v, "test input")
	}
	if v, ok := m["parameters"]; ok {
		t.Parameters = d.scalarPairs(v, "test parameter")
	}
	if v, ok := m["want"]; ok {
		keys, vals := d.pairs(v, "test want")
		for i, k := range keys {
			if k.Value == "reasons" {
				t.HasReasons = true
				t.WantReasons = d.scalars(vals[i], "reason code")
				continue
			}
			t.Want = append(t.Want, Pair{Key: d.scalar(k, "key"), Value: d.scalar(vals[i], "test want "+k.Value)})
		}
	}
	return t
}

func (d *decoder) scalarPairs(n *yaml.Node, what string) []Pair {
	keys, vals := d.pairs(n, what)
	out := make([]Pair, 0, len(keys))
	for i, k := range keys {
		out = append(out, Pair{Key: d.scalar(k, "key"), Value: d.scalar(vals[i], what+" "+k.Value)})
	}
	return out
}

// hint suggests the closest allowed key to a misspelt one.
func hint(got string, allowed []string) string {
	if best := Closest(got, allowed); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

// maxCompared is the longest name, in characters, that did-you-mean hints
// compare: a longer name gets no hint, so a hint costs at most
// maxCompared² steps per candidate.
const maxCompared = 64

// maxHint is the largest edit distance a hint may be at.
const maxHint = 2

// distance is the Levenshtein distance between a and b.
func distance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Closest returns the name among names closest to got, or "" if none is
// within two edits. Only names whose lengths differ from got's by less than
// the best distance so far are compared, and names longer than 64
// characters never are, so the cost is linear in the number of names.
func Closest(got string, names []string) string {
	g, ok := runes(got)
	if !ok {
		return ""
	}
	best, bestD := "", maxHint+1
	for _, a := range names {
		if d := len(a) - len(got); d >= 4*bestD || -d >= 4*bestD {
			continue // a UTF-8 character is at most 4 bytes
		}
		r, ok := runes(a)
		if !ok || abs(len(r)-len(g)) >= bestD {
			continue
		}
		if dd := distance(g, r); dd < bestD {
			best, bestD = a, dd
		}
	}
	return best
}

// runes returns s as characters, or false if it is too long to compare.
func runes(s string) ([]rune, bool) {
	if len(s) > 4*maxCompared {
		return nil, false
	}
	r := []rune(s)
	return r, len(r) <= maxCompared
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
