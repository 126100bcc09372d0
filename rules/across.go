package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
	"github.com/shopspring/decimal"
)

// acrossSpec is a rule's checks that span records, from its across section.
type acrossSpec struct {
	amount int // the output that is the money paid, or -1
	once   *onceSpec
	cap    *capSpec
}

// onceSpec: a second passing decision for the same subject and key is
// refused.
type onceSpec struct {
	per           []*inputDef
	batchOnly     bool // earlier batches (History) are not asked
	code, message string
}

// capSpec: the quantity counted by output counts is limited per subject to
// the value of parameter limit; a record asking for more than is left is
// decided again with what is left.
type capSpec struct {
	input         *inputDef
	counts        int // output index
	limit         *param
	code, message string
	note          Note
}

// across compiles a rule's across section; r's inputs and outputs are
// already compiled.
func (c *compiler) across(s *Set, r *rule, d ruledoc.Across) *acrossSpec {
	if !d.Set {
		return nil
	}
	spec := &acrossSpec{amount: -1}
	output := func(sc ruledoc.Scalar, what string) int {
		for i, o := range r.outputs {
			if o.name == sc.Value {
				return i
			}
		}
		names := make([]string, len(r.outputs))
		for i, o := range r.outputs {
			names[i] = o.name
		}
		c.diag(c.at(sc.Pos), "unknown-output", "rule %q across: %s %q is not an output of the rule%s", r.id, what, sc.Value, didYouMean(sc.Value, names))
		return -1
	}
	input := func(sc ruledoc.Scalar, what string) *inputDef {
		for _, def := range r.inputs {
			if def.name == sc.Value {
				return def
			}
		}
		names := make([]string, len(r.inputs))
		for i, def := range r.inputs {
			names[i] = def.name
		}
		c.diag(c.at(sc.Pos), "unknown-input", "rule %q across: %s %q is not an input of the rule%s", r.id, what, sc.Value, didYouMean(sc.Value, names))
		return nil
	}
	code := func(sc ruledoc.Scalar) string {
		if !codePattern.MatchString(sc.Value) {
			c.diag(c.at(sc.Pos), "bad-name", "rule %q across: code %q must be kebab-case", r.id, sc.Value)
		}
		return sc.Value
	}
	if d.Amount.Set {
		spec.amount = output(d.Amount, "amount")
	}
	if o := d.Once; o != nil {
		once := &onceSpec{code: code(o.Code), message: o.Message.Value}
		switch o.Within.Value {
		case "":
		case "batch":
			once.batchOnly = true
		default:
			c.diag(c.at(o.Within.Pos), "bad-value", "rule %q across: once within is %q (want batch, or leave it out)", r.id, o.Within.Value)
		}
		for _, p := range o.Per {
			if def := input(p, "once per"); def != nil {
				once.per = append(once.per, def)
			}
		}
		spec.once = once
	}
	if cp := d.Cap; cp != nil {
		cs := &capSpec{code: code(cp.Code), message: cp.Message.Value,
			note: Note{Code: code(cp.NoteCode), Message: cp.NoteMessage.Value}}
		cs.input = input(cp.Input, "cap input")
		if cs.input != nil && cs.input.typ != TypeInt {
			c.diag(c.at(cp.Input.Pos), "bad-type", "rule %q across: cap input %q is %s; it must be int", r.id, cs.input.name, cs.input.typ)
		}
		cs.counts = output(cp.Counts, "cap counts")
		p, ok := s.params[cp.Limit.Value]
		switch {
		case !ok:
			c.diag(c.at(cp.Limit.Pos), "unknown-param", "rule %q across: cap limit %q is not a parameter%s", r.id, cp.Limit.Value, didYouMean(cp.Limit.Value, s.paramOrder))
		case p.typ != TypeInt:
			c.diag(c.at(cp.Limit.Pos), "bad-type", "rule %q across: cap limit %q is %s; it must be int", r.id, p.name, p.typ)
		default:
			cs.limit = p
		}
		if cs.input != nil && cs.counts >= 0 && cs.limit != nil {
			spec.cap = cs
		}
	}
	return spec
}

// History is what earlier batches paid: a payment ledger. [Tally] asks it
// before its own record of the batch, so a person paid in September is
// refused in November. Implementations are given the rule id, the subject
// (person, project or loan id) and, for once-per checks, the key.
type History interface {
	// Granted returns the earlier passing decision of rule for subject
	// under key, if there is one that was not reversed.
	Granted(ctx context.Context, rule, subject, key string) (Prior, bool, error)
	// Used returns the quantity of rule already paid to subject.
	Used(ctx context.Context, rule, subject string) (int64, error)
}

// Prior is where an earlier payment was recorded.
type Prior struct {
	Source string // the input file of its batch
	Line   int    // its line in that file (CSV line, Excel row)
	Paid   Date   // the day its batch was recorded; zero within a batch
	ID     int64  // the History's own id of it; 0 within a batch
}

func (p Prior) describe() string {
	if p.Paid.IsZero() {
		return fmt.Sprintf("已在 %s 第 %d 行", p.Source, p.Line)
	}
	return fmt.Sprintf("已于 %s 在 %s 第 %d 行", p.Paid, p.Source, p.Line)
}

// Entry is what [Tally.Apply] knows of one record after the checks: the
// row a ledger records.
type Entry struct {
	Rule     string
	Subject  string          // "" when the record named none
	Key      string          // the once-per key: the per inputs' values, ";"-joined, such as "B"
	Quantity int64           // what counts toward a cap (months paid), else 0
	Amount   decimal.Decimal // the output the rule's across section names as paid
	AsOf     Date
	Line     int
	Pass     bool
	Refusal  string // the across reason code when refused here
	Prior    *Prior // the earlier payment behind a refusal
	// Once reports that the rule pays at most once per subject and key, in
	// every batch: a ledger enforces it as well.
	Once bool
	// Cap, when above 0, is the most Quantity may add up to per subject
	// over every batch, on the as-of date: a ledger enforces it as well.
	Cap int64
}

// Tally applies a policy's checks that span records, declared in each
// rule's across section: a second passing decision for the same subject
// and key is refused, and a quantity (months) is capped per subject, with
// a record that asks for more than is left decided again with what is
// left. One implementation serves every front end: the typed batches, the
// command-line tool and the server. A Tally is not safe for concurrent
// use: decide records in parallel, then pass each through Apply in input
// order.
type Tally struct {
	set    *Set
	source string
	hist   History
	// granted holds, per rule, the line of each passing once-per decision
	// of the batch, by subject and key.
	granted map[string]*grants
	used    map[string]int64
	buf     []byte // the key being looked up
	// last is the rule of the record before, and lastGranted its once-per
	// grants once looked up: a batch is mostly of one rule.
	last        *rule
	lastGranted *grants
}

// NewTally starts the checks of a batch read from source (a file name, for
// messages). h may be nil: the batch is then checked only against itself.
func (s *Set) NewTally(source string, h History) *Tally {
	return &Tally{set: s, source: source, hist: h, granted: map[string]*grants{}, used: map[string]int64{}}
}

// Apply passes the decision res, made on in for subject at line of the
// batch, through the checks of its rule, in input order. in must be the
// input res was decided on, and opts the options it was decided with: a
// capped record is decided again. A record without a subject, or that did
// not pass, is left as it is. The Result returned is res, refused or cut;
// the Entry is what a ledger records.
func (t *Tally) Apply(ctx context.Context, subject string, line int, in Input, res Result, opts ...EvalOption) (Result, Entry, error) {
	e := Entry{Rule: res.Rule, Subject: subject, Line: line, Pass: res.Pass}
	if res.rec != nil {
		e.AsOf = res.rec.asOf
	}
	r := t.last
	if r == nil || r.id != res.Rule {
		r = t.set.rules[res.Rule]
		t.last, t.lastGranted = r, nil
	}
	if r == nil || r.across == nil || subject == "" || !res.Pass {
		e.Amount = r.amount(res)
		return res, e, nil
	}
	spec := r.across
	if o := spec.once; o != nil {
		t.buf = append(append(t.buf[:0], subject...), 0)
		keyAt := len(t.buf)
		var err error
		if t.buf, err = o.appendKey(t.buf, in, r.id); err != nil {
			return res, e, err
		}
		e.Key, e.Once = string(t.buf[keyAt:]), !o.batchOnly
		var prior Prior
		g := t.lastGranted
		if g == nil {
			if g = t.granted[r.id]; g == nil {
				g = newGrants()
				t.granted[r.id] = g
			}
			t.lastGranted = g
		}
		first, seen, at := g.lookup(t.buf)
		if seen {
			prior = Prior{Source: t.source, Line: first}
		} else if t.hist != nil && !o.batchOnly {
			prior, seen, err = t.hist.Granted(ctx, r.id, subject, e.Key)
			if err != nil {
				return res, e, err
			}
		}
		if seen {
			res = r.refuse(res, o.code, fmt.Sprintf("%s（%s%s：%s通过）", o.message, subject, o.shown(in), prior.describe()))
			e.Pass, e.Refusal, e.Prior = false, o.code, new(prior) // a copy, so prior stays off the heap when a record passes
			return res, e, nil
		}
		g.add(t.buf, line, at)
	}
	if cp := spec.cap; cp != nil {
		var err error
		if res, e.Quantity, e.Cap, err = t.capped(ctx, r, cp, subject, in, res, opts); err != nil {
			return res, e, err
		}
		if !res.Pass {
			e.Pass, e.Refusal = false, cp.code
		}
	}
	e.Amount = r.amount(res)
	return res, e, nil
}

// capped applies the cap cp to res; it returns the result, the quantity it
// pays and the limit on its as-of date.
func (t *Tally) capped(ctx context.Context, r *rule, cp *capSpec, subject string, in Input, res Result, opts []EvalOption) (_ Result, qty, limit int64, _ error) {
	k := r.id + "\x00" + subject
	used, seen := t.used[k]
	if !seen && t.hist != nil {
		var err error
		if used, err = t.hist.Used(ctx, r.id, subject); err != nil {
			return res, 0, 0, err
		}
	}
	pv := cp.limit.at(res.rec.asOf)
	if pv == nil {
		return res, 0, 0, &EvalError{Rule: r.id, Pos: r.pos, Err: noValue(cp.limit, res.rec.asOf)}
	}
	limit = pv.v.Int()
	left := max(0, limit-used)
	counts := res.Outputs[cp.counts].Value.IntPart()
	if left == 0 {
		t.used[k] = used
		return r.refuse(res, cp.code, fmt.Sprintf("%s（%s：此前已计 %d，上限 %d）", cp.message, subject, used, limit)), 0, limit, nil
	}
	if counts > left {
		claimed, err := cp.input.read(in[cp.input.name])
		if err != nil {
			return res, 0, 0, &InputError{Rule: r.id, Field: cp.input.name, Label: cp.input.label, Err: err}
		}
		again := make(Input, len(in))
		for name, v := range in {
			again[name] = v
		}
		again[cp.input.name] = Int(left)
		if res, err = t.set.Eval(ctx, r.id, again, opts...); err != nil {
			return res, 0, 0, err
		}
		res.Notes = append(res.Notes, Note{Code: cp.note.Code,
			Message: fmt.Sprintf("%s（%s：申报 %d，此前已计 %d，上限 %d，本次按 %d 计）", cp.note.Message, cp.input.label, claimed.Int(), used, limit, left)})
		counts = res.Outputs[cp.counts].Value.IntPart()
	}
	t.used[k] = used + counts
	return res, counts, limit, nil
}

// appendKey appends the once-per key of in to dst: each per input's value
// as the rule reads it (so A类 and A are one tier), ";"-joined.
func (o *onceSpec) appendKey(dst []byte, in Input, rule string) ([]byte, error) {
	for i, def := range o.per {
		v, err := def.read(in[def.name])
		if err != nil {
			return dst, &InputError{Rule: rule, Field: def.name, Label: def.label, Err: err}
		}
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, v.String()...)
	}
	return dst, nil
}

// shown is the once-per key of in for a message: each value after its
// label. in has been read by appendKey already.
func (o *onceSpec) shown(in Input) string {
	var b strings.Builder
	for _, def := range o.per {
		v, _ := def.read(in[def.name])
		fmt.Fprintf(&b, "，%s %s", def.label, v)
	}
	return b.String()
}

// refuse turns a passing decision into a refusal for code: outputs not
// kept on failure become zero, as in any refusal.
func (r *rule) refuse(res Result, code, message string) Result {
	res.Pass = false
	res.Outputs = append([]Output(nil), res.Outputs...)
	for i, o := range r.outputs {
		if !o.keep && i < len(res.Outputs) {
			res.Outputs[i].Value = decimal.Zero
		}
	}
	res.Reasons = append(append([]Reason(nil), res.Reasons...), Reason{Code: code, Message: message, Clause: r.clause})
	res.across = code
	return res
}

// amount is the output the rule's across section names as paid, or zero.
func (r *rule) amount(res Result) decimal.Decimal {
	if r == nil || r.across == nil || r.across.amount < 0 || r.across.amount >= len(res.Outputs) {
		return decimal.Zero
	}
	return res.Outputs[r.across.amount].Value
}
