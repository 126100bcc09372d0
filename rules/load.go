package rules

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
	"github.com/shopspring/decimal"
)

// Source is the text of one rule file and the name used in diagnostics.
type Source struct {
	Name string
	Data []byte
}

// ErrUnknownParam: no parameter has the name asked for.
var ErrUnknownParam = errors.New("unknown parameter")

// AsOf is the input every rule reads: the date the entitlement is judged on.
const AsOf = "as_of"

const asOfLabel = "判定日期"

// ReasonNotInForce is the reason given when a rule is not in force on the
// as-of date.
const ReasonNotInForce = "not-in-force"

// maxRequirements bounds the requirements of one rule.
const maxRequirements = 64

// reserved names cannot be output names: they are columns of every result.
var reserved = map[string]bool{"pass": true, "reasons": true, "error": true, "row": true, "id": true, "rule": true, AsOf: true}

var (
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	codePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
)

// Load reads the named files from fsys and compiles them with [Compile]: the
// first is the policy, the others overlays on it. A file is read only up to
// the size a rule file may have.
func Load(fsys fs.FS, names ...string) (*Set, error) {
	srcs := make([]Source, 0, len(names))
	for _, n := range names {
		b, err := readFile(fsys, n)
		if err != nil {
			return nil, Diagnostics{{Pos: Pos{File: n, Line: 1}, Code: "unreadable", Summary: fmt.Sprintf("cannot read file: %v", err)}}
		}
		srcs = append(srcs, Source{Name: n, Data: b})
	}
	return Compile(srcs...)
}

// readFile reads at most maxFileBytes+1 bytes of a file, enough for Compile
// to tell that it is too large.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read only
	return io.ReadAll(io.LimitReader(f, maxFileBytes+1))
}

// Limits on what rule files may hold. Each one exceeded is a diagnostic
// with its own code at the first item past it, and the files are not
// compiled further, so loading stays fast and small whatever a file holds.
const (
	maxFileBytes   = 2 << 20  // bytes in one file: "file-too-large"
	maxInputs      = 1000     // inputs of a policy: "too-many-inputs"
	maxParams      = 1000     // parameters of a file: "too-many-params"
	maxValues      = 10000    // dated values of one parameter, overlays merged: "too-many-values"
	maxRules       = 1000     // rules of a policy: "too-many-rules"
	maxLets        = 200      // lets of one rule: "too-many-lets"
	maxExpressions = 2000     // lets, requirements and outputs of a policy: "too-many-expressions"
	maxExprBytes   = 64 << 10 // bytes of expression text in a policy: "expressions-too-large"
	maxNameLen     = 64       // characters in a name, code or enum value: "name-too-long"
	maxLabelLen    = 100      // characters in a label, which input errors repeat: "label-too-long"
)

// Compile builds a Set from a policy file and any overlays on it. An overlay
// has `extends: <policy id>`, `parameters:` and optionally its own
// `tests:`; its values are merged into the policy's by date (a value with
// the same `from` replaces the policy's, others are added). Overlays cannot
// change inputs, rules or expressions. Every defect in every file is
// returned as [Diagnostics]; Compile never panics.
func Compile(sources ...Source) (*Set, error) {
	return compile(sources, derivation{})
}

// derivation says how a set built for running a test case differs from
// the one its files give: its test cases are not compiled, and parameters
// take the values the case sets (see Set.Test).
type derivation struct {
	derived  bool
	override []caseParam
}

// caseParam is a value a test case sets for a parameter: in force on every
// day, in place of the parameter's own values.
type caseParam struct {
	name  string
	value paramValue
}

func compile(sources []Source, how derivation) (set *Set, err error) {
	c := &compiler{}
	defer func() {
		if r := recover(); r != nil {
			set, err = nil, Diagnostics{{Pos: Pos{File: "rules", Line: 1}, Code: "internal", Summary: fmt.Sprintf("loading failed: %v", r)}}
		}
	}()
	if len(sources) == 0 {
		return nil, Diagnostics{{Code: "no-files", Summary: "no rule file given"}}
	}
	s := &Set{inputs: map[string]*inputDef{}, params: map[string]*param{}, rules: map[string]*rule{}}
	h := sha256.New()
	files := make([]*ruledoc.File, len(sources))
	refused := false
	for i, src := range sources {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(src.Data)))
		h.Write(n[:])
		h.Write(src.Data)
		s.sources = append(s.sources, src.Name)
		if len(src.Data) > maxFileBytes {
			c.diag(Pos{File: src.Name, Line: 1, Col: 1}, "file-too-large", "%s is larger than %d bytes; split it or remove what it repeats", src.Name, maxFileBytes)
			files[i], refused = &ruledoc.File{}, true
			continue
		}
		f, problems := ruledoc.Parse(src.Data)
		for _, p := range problems {
			if p.Code == "yaml-syntax" {
				c.diags = append(Diagnostics{{Pos: Pos{File: src.Name, Line: p.Pos.Line, Col: p.Pos.Col}, Code: p.Code, Summary: p.Message}}, c.diags...)
				continue
			}
			c.diag(Pos{File: src.Name, Line: p.Pos.Line, Col: p.Pos.Col}, p.Code, "%s", p.Message)
		}
		files[i] = f
		c.file = src.Name
		if !c.limits(f) {
			refused = true
		}
	}
	s.hash = hex.EncodeToString(h.Sum(nil))
	if len(c.diags) > 0 && c.diags[0].Code == "yaml-syntax" {
		return nil, c.diags // nothing below can be trusted
	}
	if refused {
		c.diags.sort()
		return nil, c.diags // compiling more than a file may hold could take long
	}

	c.file = sources[0].Name
	base := files[0]
	if base.Extends.Set {
		c.diag(c.at(base.Extends.Pos), "overlay-without-policy", "%s is an overlay (extends %q); the first file must be a policy", c.file, base.Extends.Value)
	}
	c.meta(s, base)
	c.inputs(s, base)
	for _, p := range base.Parameters {
		c.param(s, p)
	}
	for i, f := range files[1:] {
		c.file = sources[i+1].Name
		c.overlay(s, f)
	}
	for _, o := range how.override {
		s.params[o.name].values = []paramValue{o.value}
	}
	c.file = sources[0].Name
	for _, r := range base.Rules {
		c.rule(s, r)
	}
	if !how.derived {
		for _, t := range base.Tests {
			c.test(s, t, false)
		}
		for i, f := range files[1:] {
			c.file = sources[i+1].Name
			for _, t := range f.Tests {
				c.test(s, t, true)
			}
		}
	}
	if len(c.diags) > 0 {
		c.diags.sort()
		return nil, c.diags
	}
	if ds := s.link(); len(ds) > 0 {
		return nil, ds
	}
	if s.needsFiles(len(sources)) {
		s.files = make([]Source, len(sources))
		for i, src := range sources {
			s.files[i] = Source{Name: src.Name, Data: slices.Clone(src.Data)}
		}
	}
	return s, nil
}

type compiler struct {
	file   string
	diags  Diagnostics
	params map[string]dexpr.Kind // see paramEnv
}

func (c *compiler) at(p ruledoc.Pos) Pos { return Pos{File: c.file, Line: p.Line, Col: p.Col} }

// diag records a diagnostic. String arguments longer than a short name are
// clipped: %q quotes a short prefix and the length, %s repeats at most a
// few hundred characters.
func (c *compiler) diag(p Pos, code, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{Pos: p, Code: code, Summary: fmt.Sprintf(format, ruledoc.ClipArgs(args)...)})
}

// limits checks f against the limits on what a rule file may hold and
// reports whether it is within them.
func (c *compiler) limits(f *ruledoc.File) bool {
	n := len(c.diags)
	tooMany := func(have, limit int, at ruledoc.Pos, code, what string) {
		c.diag(c.at(at), code, "%s has %d %s; at most %d are allowed", c.file, have, what, limit)
	}
	name := func(s ruledoc.Scalar, what string) {
		if k := utf8.RuneCountInString(s.Value); k > maxNameLen {
			c.diag(c.at(s.Pos), "name-too-long", "%s %q has %d characters; at most %d are allowed", what, s.Value, k, maxNameLen)
		}
	}
	label := func(s ruledoc.Scalar, of string) {
		if k := utf8.RuneCountInString(s.Value); k > maxLabelLen {
			c.diag(c.at(s.Pos), "label-too-long", "the label of %s has %d characters; at most %d are allowed", of, k, maxLabelLen)
		}
	}
	name(f.Policy.ID, "policy id")
	name(f.Extends, "extends")
	if len(f.Inputs) > maxInputs {
		tooMany(len(f.Inputs), maxInputs, f.Inputs[maxInputs].Pos, "too-many-inputs", "inputs")
	}
	for _, in := range f.Inputs {
		name(in.Name, "input name")
		label(in.Label, "input "+in.Name.Value)
		for _, v := range in.Values {
			name(v, "enum value")
		}
		for _, a := range in.Aliases {
			name(a.Key, "alias")
			name(a.Value, "alias target")
		}
	}
	if len(f.Parameters) > maxParams {
		tooMany(len(f.Parameters), maxParams, f.Parameters[maxParams].Pos, "too-many-params", "parameters")
	}
	for _, p := range f.Parameters {
		name(p.Name, "parameter name")
		label(p.Label, "parameter "+p.Name.Value)
		if len(p.Values) > maxValues {
			c.diag(c.at(p.Values[maxValues].Pos), "too-many-values", "parameter %q has %d values; at most %d are allowed", p.Name.Value, len(p.Values), maxValues)
		}
	}
	if len(f.Rules) > maxRules {
		tooMany(len(f.Rules), maxRules, f.Rules[maxRules].Pos, "too-many-rules", "rules")
	}
	exprs, exprBytes := 0, 0
	for _, r := range f.Rules {
		name(r.ID, "rule id")
		for _, in := range r.Inputs {
			name(in, "input name")
		}
		if len(r.Lets) > maxLets {
			c.diag(c.at(r.Lets[maxLets].Name.Pos), "too-many-lets", "rule %q has %d lets; at most %d are allowed", r.ID.Value, len(r.Lets), maxLets)
		}
		for _, l := range r.Lets {
			name(l.Name, "let name")
		}
		for _, q := range r.Requirements {
			name(q.Code, "reason code")
		}
		for _, o := range r.Outputs {
			name(o.Name, "output name")
			label(o.Label, "output "+o.Name.Value)
		}
		before, beforeBytes := exprs, exprBytes
		exprs += len(r.Lets) + len(r.Requirements) + len(r.Outputs)
		for _, l := range r.Lets {
			exprBytes += len(l.Expr.Value)
		}
		for _, q := range r.Requirements {
			exprBytes += len(q.When.Value)
		}
		for _, o := range r.Outputs {
			exprBytes += len(o.Expr.Value)
		}
		if before <= maxExpressions && exprs > maxExpressions {
			c.diag(c.at(r.Pos), "too-many-expressions", "%s has more than %d expressions (lets, requirements and outputs) from rule %q on", c.file, maxExpressions, r.ID.Value)
		}
		if beforeBytes <= maxExprBytes && exprBytes > maxExprBytes {
			c.diag(c.at(r.Pos), "expressions-too-large", "%s has more than %d bytes of expressions from rule %q on", c.file, maxExprBytes, r.ID.Value)
		}
	}
	for _, t := range f.Tests {
		name(t.Rule, "rule id")
		for _, p := range t.Input {
			name(p.Key, "input name")
		}
		for _, p := range t.Want {
			name(p.Key, "output name")
		}
		for _, p := range t.Parameters {
			name(p.Key, "parameter name")
		}
	}
	return len(c.diags) == n
}

func (c *compiler) date(s ruledoc.Scalar, what string) Date {
	d, err := ParseDate(s.Value)
	if err != nil {
		c.diag(c.at(s.Pos), "bad-date", "%s: %v", what, err)
	}
	return d
}

func (c *compiler) meta(s *Set, f *ruledoc.File) {
	m := f.Policy
	if !m.ID.Set {
		c.diag(Pos{File: c.file, Line: 1, Col: 1}, "missing-key", "the policy has no id (policy: id:)")
		return
	}
	s.meta = Meta{ID: m.ID.Value, Number: m.Number.Value, Title: m.Title.Value, Issuer: m.Issuer.Value, Source: m.Source.Value}
	if m.Issued.Set {
		s.meta.Issued = c.date(m.Issued, "policy issued")
	}
}

func (c *compiler) inputs(s *Set, f *ruledoc.File) {
	labels := map[string]string{}
	for _, in := range f.Inputs {
		name := in.Name.Value
		p := c.at(in.Pos)
		if !namePattern.MatchString(name) {
			c.diag(p, "bad-name", "input name %q must be lower-case snake_case", name)
		}
		if name == AsOf {
			c.diag(p, "reserved-name", "input %q is declared by every rule already", name)
			continue
		}
		def := &inputDef{name: name, label: in.Label.Value, description: in.Description.Value, typ: Type(in.Type.Value)}
		if !def.typ.valid() {
			c.diag(c.at(in.Type.Pos), "bad-type", "input %q has unknown type %q (want bool, money, decimal, int, date or enum)", name, in.Type.Value)
		}
		if other, dup := labels[def.label]; dup && def.label != "" {
			c.diag(c.at(in.Label.Pos), "duplicate-label", "inputs %q and %q have the same label %q", other, name, def.label)
		}
		labels[def.label] = name
		for _, v := range in.Values {
			def.values = append(def.values, v.Value)
		}
		if def.typ == TypeEnum && len(def.values) == 0 {
			c.diag(p, "missing-key", "enum input %q lists no values", name)
		}
		def.aliases = make(map[string]string, len(in.Aliases))
		for _, a := range in.Aliases {
			if !contains(def.values, a.Value.Value) {
				c.diag(c.at(a.Value.Pos), "bad-alias", "alias %q of input %q points to %q, which is not one of its values", a.Key.Value, name, a.Value.Value)
			}
			def.aliases[a.Key.Value] = a.Value.Value
		}
		def.min = c.bound(in.Min, def, "min")
		def.max = c.bound(in.Max, def, "max")
		def.above = c.bound(in.Above, def, "above")
		s.inputs[name] = def
		s.inputOrder = append(s.inputOrder, name)
	}
}

func (c *compiler) bound(b ruledoc.Scalar, def *inputDef, key string) *decimal.Decimal {
	if !b.Set {
		return nil
	}
	if !def.typ.numeric() {
		c.diag(c.at(b.Pos), "bad-bound", "input %q: %s applies only to numbers", def.name, key)
		return nil
	}
	d, err := parsePlain(b.Value)
	if err != nil {
		c.diag(c.at(b.Pos), "bad-number", "input %q %s: %v", def.name, key, err)
		return nil
	}
	return &d
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (c *compiler) param(s *Set, d ruledoc.Parameter) {
	name := d.Name.Value
	if !namePattern.MatchString(name) {
		c.diag(c.at(d.Pos), "bad-name", "parameter name %q must be lower-case snake_case", name)
	}
	if _, clash := s.inputs[name]; clash || name == AsOf {
		c.diag(c.at(d.Pos), "duplicate-name", "parameter %q has the name of an input", name)
	}
	p := &param{name: name, label: d.Label.Value, typ: Type(d.Type.Value)}
	switch p.typ {
	case TypeBool, TypeMoney, TypeDecimal, TypeInt, TypeDate:
	default:
		c.diag(c.at(d.Type.Pos), "bad-type", "parameter %q has type %q (want bool, money, decimal, int or date)", name, d.Type.Value)
		return
	}
	if d.Nullable.Set {
		p.nullable = d.Nullable.Value == "true"
		if p.nullable && !p.typ.numeric() {
			c.diag(c.at(d.Nullable.Pos), "bad-nullable", "parameter %q: only numbers may have no value", name)
		}
	}
	p.values = c.paramValues(p, nil, d.Values)
	s.params[name] = p
	s.paramOrder = append(s.paramOrder, name)
}

// paramValues checks values and merges them into have by date: a value
// from the same day replaces the one in have, others are added. The merge
// is one pass with a map and one sort, whatever the number of values.
func (c *compiler) paramValues(p *param, have []paramValue, values []ruledoc.Value) []paramValue {
	at := make(map[Date]int, len(have)+len(values))
	for i, v := range have {
		at[v.from] = i
	}
	var prev, prevUntil Date
	for _, v := range values {
		from := c.date(v.From, fmt.Sprintf("parameter %q value from", p.name))
		if !from.IsZero() && !prev.Before(from) { // prev is zero, before every day, at i == 0
			c.diag(c.at(v.From.Pos), "overlapping-periods", "parameter %q: value from %s must come after the value from %s", p.name, from, prev)
		}
		if !from.IsZero() && !prevUntil.IsZero() && !prevUntil.Before(from) {
			c.diag(c.at(v.From.Pos), "overlapping-periods", "parameter %q: value from %s starts before the value before it ends (until %s)", p.name, from, prevUntil)
		}
		prev = from
		pv := paramValue{from: from, basis: v.Basis.Value, pos: c.at(v.Pos)}
		if v.Until.Set {
			pv.until = c.date(v.Until, fmt.Sprintf("parameter %q value until", p.name))
			if !pv.until.IsZero() && pv.until.Before(from) {
				c.diag(c.at(v.Until.Pos), "bad-period", "parameter %q: value from %s is in force until %s, before it starts", p.name, from, pv.until)
			}
		}
		prevUntil = pv.until
		switch {
		case v.Value.Null:
			if !p.nullable {
				c.diag(c.at(v.Value.Pos), "bad-value", "parameter %q cannot be none; declare nullable: true if the policy may set no value", p.name)
			}
		default:
			pv.v = c.paramValue(p, v.Value)
		}
		if j, ok := at[from]; ok {
			have[j] = pv
			continue
		}
		at[from] = len(have)
		have = append(have, pv)
	}
	if len(have) > maxValues && len(values) > 0 {
		c.diag(c.at(values[0].Pos), "too-many-values", "parameter %q has %d values with this file's; at most %d are allowed", p.name, len(have), maxValues)
	}
	slices.SortStableFunc(have, func(a, b paramValue) int { return a.from.Compare(b.from) })
	return have
}

func (c *compiler) paramValue(p *param, v ruledoc.Scalar) Value {
	where := c.at(v.Pos)
	switch p.typ {
	case TypeBool:
		b, err := readBool(Text(v.Value))
		if err != nil {
			c.diag(where, "bad-value", "parameter %q: %v", p.name, err)
		}
		return b
	case TypeDate:
		return Day(c.date(v, fmt.Sprintf("parameter %q", p.name)))
	}
	if p.typ != TypeInt && !v.Quoted {
		c.diag(where, "unquoted-amount", "parameter %q: write %s amounts in quotes (\"%s\") so no reader takes them for binary floats", p.name, p.typ, v.Value)
	}
	d, err := readNumber(Text(v.Value), p.typ)
	if err != nil {
		c.diag(where, "bad-value", "parameter %q: %v", p.name, err)
	}
	if p.typ == TypeInt {
		return Int(d.IntPart())
	}
	return Dec(d)
}

func (c *compiler) overlay(s *Set, f *ruledoc.File) {
	top := Pos{File: c.file, Line: 1, Col: 1}
	switch {
	case !f.Extends.Set:
		c.diag(top, "not-an-overlay", "%s has no `extends:`; only the first file may be a policy", c.file)
		return
	case f.Extends.Value != s.meta.ID:
		c.diag(c.at(f.Extends.Pos), "wrong-policy", "overlay extends %q but the policy is %q", f.Extends.Value, s.meta.ID)
	}
	if f.HasRules {
		c.diag(c.at(f.RulesPos), "overlay-changes-rules", "an overlay may change parameters only, not rules or expressions")
	}
	if f.HasInputs {
		c.diag(c.at(f.InputsPos), "overlay-changes-rules", "an overlay may change parameters only, not inputs")
	}
	if f.Policy.ID.Set {
		c.diag(c.at(f.Policy.Pos), "overlay-changes-rules", "an overlay may not redefine the policy; use extends")
	}
	for _, d := range f.Parameters {
		p, ok := s.params[d.Name.Value]
		if !ok {
			c.diag(c.at(d.Pos), "unknown-param", "overlay sets unknown parameter %q%s", d.Name.Value, didYouMean(d.Name.Value, s.paramOrder))
			continue
		}
		if d.Type.Set && Type(d.Type.Value) != p.typ {
			c.diag(c.at(d.Type.Pos), "bad-type", "overlay gives parameter %q type %q; the policy says %q", p.name, d.Type.Value, p.typ)
			continue
		}
		if d.Nullable.Set {
			c.diag(c.at(d.Nullable.Pos), "overlay-changes-rules", "an overlay cannot change whether parameter %q may be none", p.name)
		}
		p.values = c.paramValues(p, p.values, d.Values)
	}
}

func didYouMean(got string, names []string) string {
	if best := ruledoc.Closest(got, names); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func (c *compiler) rule(s *Set, d ruledoc.Rule) {
	id := d.ID.Value
	if !codePattern.MatchString(id) {
		c.diag(c.at(d.Pos), "bad-name", "rule id %q must be kebab-case", id)
	}
	r := &rule{id: id, title: d.Title.Value, clause: d.Clause.Value, quote: d.Quote.Value, pos: c.at(d.Pos)}
	if d.From.Set {
		r.inForce.From = c.date(d.From, "in_force from")
	}
	if d.Until.Set {
		until := c.date(d.Until, "in_force until")
		r.inForce.To = until.AddDays(1)
		if !until.IsZero() && until.Before(r.inForce.From) {
			c.diag(c.at(d.Until.Pos), "bad-period", "rule %q is in force until %s, before it starts", id, until)
		}
	}
	env := maps.Clone(c.paramEnv(s))
	seen := map[string]bool{}
	for _, in := range d.Inputs {
		def, ok := s.inputs[in.Value]
		switch {
		case !ok:
			c.diag(c.at(in.Pos), "unknown-input", "rule %q reads undeclared input %q%s", id, in.Value, didYouMean(in.Value, s.inputOrder))
			continue
		case seen[in.Value]:
			c.diag(c.at(in.Pos), "duplicate-name", "rule %q lists input %q twice", id, in.Value)
			continue
		}
		seen[in.Value] = true
		r.inputs = append(r.inputs, def)
		env[def.name] = exprKind(def.typ)
	}
	used := map[string]bool{}
	compile := func(e ruledoc.Scalar, want dexpr.Kind, what string) *dexpr.Program {
		if !e.Set || strings.TrimSpace(e.Value) == "" {
			c.diag(c.at(e.Pos), "missing-key", "rule %q: %s has no expression", id, what)
			return nil
		}
		prog, problems := dexpr.Compile(e.Value, env, want)
		for _, p := range problems {
			msg := p.Message
			if p.Code == "unknown-name" {
				name := strings.TrimSpace(strings.TrimPrefix(msg, "unknown name"))
				msg = fmt.Sprintf("unknown name %q%s", name, didYouMean(name, keys(env)))
			}
			c.diag(c.at(e.At(p.Line, p.Col)), p.Code, "rule %q %s: %s", id, what, msg)
		}
		if prog != nil {
			for _, n := range prog.Names {
				used[n] = true
			}
		}
		return prog
	}
	for _, l := range d.Lets {
		name := l.Name.Value
		if _, clash := env[name]; clash || !namePattern.MatchString(name) {
			c.diag(c.at(l.Name.Pos), "bad-name", "rule %q: let name %q must be new and snake_case", id, name)
			continue
		}
		prog := compile(l.Expr, dexpr.Invalid, "let "+name)
		if prog == nil {
			continue
		}
		r.lets = append(r.lets, let{name: name, prog: prog, pos: c.at(l.Expr.Pos), at: c.within(l.Expr)})
		env[name] = prog.Kind
	}
	if len(d.Requirements) > maxRequirements {
		c.diag(c.at(d.Pos), "too-many-requirements", "rule %q has %d requirements; at most %d are allowed", id, len(d.Requirements), maxRequirements)
	}
	codes := map[string]bool{ReasonNotInForce: true}
	for _, q := range d.Requirements {
		code := q.Code.Value
		if !codePattern.MatchString(code) {
			c.diag(c.at(q.Code.Pos), "bad-name", "rule %q: reason code %q must be kebab-case", id, code)
		}
		if codes[code] {
			c.diag(c.at(q.Code.Pos), "duplicate-name", "rule %q: reason code %q is used twice or is reserved", id, code)
		}
		codes[code] = true
		prog := compile(q.When, dexpr.Bool, "requirement "+code)
		r.reqs = append(r.reqs, requirement{code: code, message: q.Message.Value, src: strings.TrimSpace(q.When.Value), prog: prog, pos: c.at(q.When.Pos), at: c.within(q.When)})
	}
	for _, o := range d.Outputs {
		name := o.Name.Value
		if reserved[name] || !namePattern.MatchString(name) {
			c.diag(c.at(o.Pos), "bad-name", "rule %q: output name %q is reserved or not snake_case", id, name)
		}
		out := output{name: name, label: o.Label.Value, pos: c.at(o.Expr.Pos), at: c.within(o.Expr)}
		out.prog = compile(o.Expr, dexpr.Number, "output "+name)
		out.rounding = c.rounding(o)
		switch o.OnFail.Value {
		case "", "zero":
		case "keep":
			out.keep = true
		default:
			c.diag(c.at(o.OnFail.Pos), "bad-value", "rule %q output %q: on_fail is %q (want zero or keep)", id, name, o.OnFail.Value)
		}
		r.outputs = append(r.outputs, out)
	}
	for _, name := range s.paramOrder {
		if used[name] {
			r.params = append(r.params, s.params[name])
		}
	}
	r.across = c.across(s, r, d.Across)
	if _, dup := s.rules[id]; dup {
		c.diag(c.at(d.Pos), "duplicate-name", "rule %q is declared twice", id)
		return
	}
	s.rules[id] = r
	s.ruleOrder = append(s.ruleOrder, id)
}

// paramEnv returns the names every rule's expressions see, as_of and the
// parameters, built once and cloned by each rule.
func (c *compiler) paramEnv(s *Set) map[string]dexpr.Kind {
	if c.params == nil {
		c.params = make(map[string]dexpr.Kind, len(s.paramOrder)+1)
		c.params[AsOf] = dexpr.Date
		for _, name := range s.paramOrder {
			p := s.params[name]
			c.params[name] = exprKind(p.typ)
			if p.nullable {
				c.params[name] = dexpr.Optional
			}
		}
	}
	return c.params
}

func (c *compiler) rounding(o ruledoc.Output) Rounding {
	var r Rounding
	if !o.Places.Set {
		return Rounding{Places: 2, Mode: HalfUp}
	}
	n, err := strconv.Atoi(o.Places.Value)
	if err != nil || n < 0 || n > 28 {
		c.diag(c.at(o.Places.Pos), "bad-value", "output %q: places must be a whole number from 0 to 28", o.Name.Value)
	}
	r.Places = int32(n) //nolint:gosec // G109: n was checked to be 0..28 above
	r.Mode = RoundingMode(o.Mode.Value)
	if _, ok := modes[r.Mode]; !ok {
		c.diag(c.at(o.Mode.Pos), "bad-value", "output %q: rounding mode %q (want half-up, half-even, down or up)", o.Name.Value, o.Mode.Value)
	}
	return r
}

func keys(m map[string]dexpr.Kind) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
