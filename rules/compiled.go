package rules

import (
	"errors"
	"fmt"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
)

// A rule is evaluated in a frame of typed slots (see dexpr.Layout): the
// as-of date, each input, each parameter the rule uses and each let have a
// numbered slot, filled by index, and every expression is compiled at load
// to Go closures that read those slots. Parameter values are converted to
// the slots' types once, at load.

// slots is where a rule's values live in its frames.
type slots struct {
	asOf    dexpr.Var
	inputs  []dexpr.Var // per rule input
	params  []dexpr.Var // per used parameter, in r.params order
	lets    []dexpr.Var
	reasons []Reason // per requirement: the reason given when it fails
	// the number of slots of each class
	nums, opts, flags, texts, days int
}

// num, opt, flag and day are a parameter value in its slot's type.
type slotValue struct {
	num  dexpr.Num
	opt  dexpr.Opt
	flag bool
	day  dexpr.Day
}

// link converts every parameter value and compiles every rule of s to
// closures. It fails only on a defect of the compiler, reported at the
// expression it could not compile.
func (s *Set) link() Diagnostics {
	for _, p := range s.params {
		for i := range p.values {
			p.values[i].slot = slotOf(p, &p.values[i])
		}
	}
	var ds Diagnostics
	for _, id := range s.ruleOrder {
		r := s.rules[id]
		r.set = s
		l := dexpr.NewLayout()
		r.slot.asOf = l.Declare(AsOf, dexpr.Date)
		for _, def := range r.inputs {
			r.slot.inputs = append(r.slot.inputs, l.Declare(def.name, exprKind(def.typ)))
		}
		for _, p := range r.params {
			k := exprKind(p.typ)
			if p.nullable {
				k = dexpr.Optional
			}
			r.slot.params = append(r.slot.params, l.Declare(p.name, k))
		}
		for _, x := range r.lets {
			r.slot.lets = append(r.slot.lets, l.Declare(x.name, x.prog.Kind))
		}
		fail := func(pos Pos, err error) {
			ds = append(ds, Diagnostic{Pos: pos, Code: "expr-internal", Summary: fmt.Sprintf("rule %q: %v", r.id, err)})
		}
		for _, x := range r.lets {
			if err := x.prog.Link(l); err != nil {
				fail(x.pos, err)
			}
		}
		for _, q := range r.reqs {
			if err := q.prog.Link(l); err != nil {
				fail(q.pos, err)
			}
			r.slot.reasons = append(r.slot.reasons, Reason{Code: q.code, Message: q.message, Clause: r.clause})
		}
		for _, o := range r.outputs {
			if err := o.prog.Link(l); err != nil {
				fail(o.pos, err)
			}
		}
		r.slot.nums, r.slot.opts, r.slot.flags, r.slot.texts, r.slot.days = l.Sizes()
	}
	ds.sort()
	return ds
}

func slotOf(p *param, v *paramValue) slotValue {
	switch {
	case p.nullable && v.v.IsZero():
		return slotValue{}
	case p.nullable:
		return slotValue{opt: dexpr.Opt{Num: dexpr.KeptNumOf(v.v.Decimal()), Valid: true}}
	case p.typ == TypeBool:
		return slotValue{flag: v.v.b}
	case p.typ == TypeDate:
		return slotValue{day: dayOf(v.v.day)}
	}
	return slotValue{num: dexpr.KeptNumOf(v.v.Decimal())}
}

// dayOf and dateOf convert between a Date and the day expressions compare.
func dayOf(d Date) dexpr.Day  { return dexpr.Day(int64(d.n) - 1 + epoch) }
func dateOf(d dexpr.Day) Date { return Date{n: int32(int64(d) - epoch + 1)} }

// within returns a function giving the file position of a line and column
// inside the expression e.
func (c *compiler) within(e ruledoc.Scalar) func(line, col int) Pos {
	file := c.file
	return func(line, col int) Pos {
		p := e.At(line, col)
		return Pos{File: file, Line: p.Line, Col: p.Col}
	}
}

// evalError reports err from the expression written at pos; when err
// carries a position inside the expression, the error points there.
func evalError(id string, pos Pos, at func(line, col int) Pos, err error) error {
	var de *dexpr.Error
	if errors.As(err, &de) && at != nil {
		pos = at(de.Line, de.Col)
	}
	return &EvalError{Rule: id, Pos: pos, Err: err}
}

// record is one evaluation: its frame of slots, kept by the [Result] so the
// explanation can be built from it when asked for. Small rules fit in the
// record's own buffers, so an evaluation allocates once.
type record struct {
	rule    *rule
	asOf    Date
	inForce bool
	pass    bool
	failed  uint64 // bit i: requirement i did not hold
	budget  int

	f dexpr.Frame

	numBuf  [4]dexpr.Num
	flagBuf [4]bool
	textBuf [1]string
	dayBuf  [2]dexpr.Day
	optBuf  [1]dexpr.Opt
	outBuf  [3]Output
}

func newRecord(r *rule) *record {
	rec := &record{rule: r}
	f, n := &rec.f, &r.slot
	f.Nums = sized(rec.numBuf[:], n.nums)
	f.Flags = sized(rec.flagBuf[:], n.flags)
	f.Texts = sized(rec.textBuf[:], n.texts)
	f.Days = sized(rec.dayBuf[:], n.days)
	f.Opts = sized(rec.optBuf[:], n.opts)
	return rec
}

// sized returns buf[:n], or a new slice when buf is too short.
func sized[T any](buf []T, n int) []T {
	if n <= len(buf) {
		return buf[:n]
	}
	return make([]T, n)
}

// bindInput stores input i, as read, in its slot.
func (rec *record) bindInput(i int, def *inputDef, v Value) {
	f, at := &rec.f, rec.rule.slot.inputs[i].Slot
	switch def.typ {
	case TypeBool:
		f.Flags[at] = v.b
	case TypeDate:
		f.Days[at] = dayOf(v.day)
	case TypeEnum:
		f.Texts[at] = v.s
	case TypeInt:
		f.Nums[at] = dexpr.IntNum(v.n)
	default:
		f.Nums[at] = dexpr.NumOf(v.d)
	}
}

// input returns input i as it was read.
func (rec *record) input(i int, def *inputDef) Value {
	f, at := &rec.f, rec.rule.slot.inputs[i].Slot
	switch def.typ {
	case TypeBool:
		return Bool(f.Flags[at])
	case TypeDate:
		return Day(dateOf(f.Days[at]))
	case TypeEnum:
		return Text(f.Texts[at])
	}
	n := f.Nums[at]
	if def.typ == TypeInt {
		if v, k, ok := n.Scaled(); ok && k == 0 {
			return Int(v)
		}
		return Int(n.Rat().Num().Int64())
	}
	if d, ok := n.Written(); ok {
		return Dec(d)
	}
	d, _ := n.Decimal()
	return Dec(d)
}

// bindParams stores the value in force on the as-of date of every
// parameter the rule uses.
func (rec *record) bindParams() error {
	r, f := rec.rule, &rec.f
	for i, p := range r.params {
		v := p.at(rec.asOf)
		if v == nil {
			return &EvalError{Rule: r.id, Pos: r.pos, Err: noValue(p, rec.asOf)}
		}
		at := r.slot.params[i]
		switch at.Kind {
		case dexpr.Optional:
			f.Opts[at.Slot] = v.slot.opt
		case dexpr.Bool:
			f.Flags[at.Slot] = v.slot.flag
		case dexpr.Date:
			f.Days[at.Slot] = v.slot.day
		default:
			f.Nums[at.Slot] = v.slot.num
		}
	}
	return nil
}

// value returns slot v of the frame as an explanation shows it.
func (rec *record) value(v dexpr.Var) Value {
	f := &rec.f
	switch v.Kind {
	case dexpr.Number, dexpr.Fraction:
		return computed(f.Nums[v.Slot])
	case dexpr.Bool:
		return Bool(f.Flags[v.Slot])
	case dexpr.Text:
		return Text(f.Texts[v.Slot])
	case dexpr.Date:
		return Day(dateOf(f.Days[v.Slot]))
	}
	return Value{}
}

// computed returns a number an expression computed as an explanation shows
// it: as a decimal when it terminates, else as the exact ratio.
func computed(n dexpr.Num) Value {
	if d, ok := n.Decimal(); ok {
		return Value{kind: kindComputed, d: d}
	}
	return Value{kind: kindRatio, q: n.Rat()}
}
