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
	// the number of slots of each class, and of those that hold the as-of
	// date and the inputs (the first of each class)
	nums, opts, flags, texts, days   int
	inNums, inFlags, inTexts, inDays int
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
			def.prepare()
			r.slot.inputs = append(r.slot.inputs, l.Declare(def.name, exprKind(def.typ)))
		}
		r.slot.inNums, _, r.slot.inFlags, r.slot.inTexts, r.slot.inDays = l.Sizes()
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
		r.alloc = allocator(r)
		r.frames.New = func() any { return &work{f: *newFrame(r)} }
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

// record is what a [Result] keeps of its evaluation: the as-of date and the
// inputs as bound into their slots (the first slots of each class: the
// layout declares as_of and the inputs first), and the outcome of each
// requirement. Everything else is recomputed from them when the
// explanation is asked for: evaluation is deterministic.
type record struct {
	rule    *rule
	asOf    Date
	inForce bool
	pass    bool
	budget  int
	failed  uint64 // bit i: requirement i did not hold
	kept    shape  // the input slots, in buffers allocated with the record
}

// A record is allocated together with buffers for the input slots and the
// outputs, sized by the shape that fits the rule (chosen at load), so an
// evaluation allocates once and no more than it needs. The working frame
// (parameters, lets) comes from a pool and is not kept.
type shape interface {
	fits(n *slots, outs int) bool
	slots(n *slots) (nums []dexpr.Num, flags []bool, texts []string, days []dexpr.Day)
	outputs(outs int) []Output
	reasons(n int) []Reason // room for n reasons
}

type shaped[S any, PS interface {
	*S
	shape
}] struct {
	record
	bufs S
}

// tinyShape fits a rule of flags and a choice, such as the training grant.
type tinyShape struct {
	flags  [4]bool
	texts  [1]string
	days   [1]dexpr.Day
	outs   [1]Output
	failed [2]Reason
}

func (b *tinyShape) fits(n *slots, outs int) bool {
	return n.inNums == 0 && n.inFlags <= len(b.flags) && n.inTexts <= len(b.texts) && n.inDays <= len(b.days) && outs <= len(b.outs) &&
		len(n.reasons) <= len(b.failed)
}

func (b *tinyShape) slots(n *slots) ([]dexpr.Num, []bool, []string, []dexpr.Day) {
	return nil, b.flags[:n.inFlags], b.texts[:n.inTexts], b.days[:n.inDays]
}

func (b *tinyShape) outputs(outs int) []Output { return b.outs[:outs] }
func (b *tinyShape) reasons(n int) []Reason    { return b.failed[:0:n] }

// smallShape fits most other rules of a policy: a few amounts, flags and
// dates, up to three outputs.
type smallShape struct {
	nums   [3]dexpr.Num
	flags  [4]bool
	days   [2]dexpr.Day
	outs   [3]Output
	failed [3]Reason
}

func (b *smallShape) fits(n *slots, outs int) bool {
	return n.inNums <= len(b.nums) && n.inFlags <= len(b.flags) && n.inTexts == 0 && n.inDays <= len(b.days) && outs <= len(b.outs) &&
		len(n.reasons) <= len(b.failed)
}

func (b *smallShape) slots(n *slots) ([]dexpr.Num, []bool, []string, []dexpr.Day) {
	return b.nums[:n.inNums], b.flags[:n.inFlags], nil, b.days[:n.inDays]
}

func (b *smallShape) outputs(outs int) []Output { return b.outs[:outs] }
func (b *smallShape) reasons(n int) []Reason    { return b.failed[:0:n] }

// anyShape fits every rule: its buffers are allocated apart.
type anyShape struct {
	nums  []dexpr.Num
	flags []bool
	texts []string
	days  []dexpr.Day
	outs  []Output
}

func (*anyShape) fits(*slots, int) bool { return true }

func (b *anyShape) slots(n *slots) ([]dexpr.Num, []bool, []string, []dexpr.Day) {
	if b.days == nil {
		b.nums, b.flags, b.texts, b.days = make([]dexpr.Num, n.inNums), make([]bool, n.inFlags), make([]string, n.inTexts), make([]dexpr.Day, n.inDays)
	}
	return b.nums, b.flags, b.texts, b.days
}

func (b *anyShape) reasons(n int) []Reason { return make([]Reason, 0, n) }

func (b *anyShape) outputs(outs int) []Output {
	if b.outs == nil {
		b.outs = make([]Output, outs)
	}
	return b.outs
}

func newShaped[S any, PS interface {
	*S
	shape
}](r *rule) *record {
	x := &shaped[S, PS]{}
	x.rule, x.kept = r, PS(&x.bufs)
	return &x.record
}

// allocator returns the function that allocates r's records.
func allocator(r *rule) func(*rule) *record {
	switch outs := len(r.outputs); {
	case (&tinyShape{}).fits(&r.slot, outs):
		return newShaped[tinyShape]
	case (&smallShape{}).fits(&r.slot, outs):
		return newShaped[smallShape]
	}
	return newShaped[anyShape]
}

// work is what one evaluation needs besides its result: the frame and the
// options, kept in the rule's pool between evaluations.
type work struct {
	f   dexpr.Frame
	cfg evalConfig
}

// newFrame returns a frame with every slot of r.
func newFrame(r *rule) *dexpr.Frame {
	n := &r.slot
	return &dexpr.Frame{Nums: make([]dexpr.Num, n.nums), Opts: make([]dexpr.Opt, n.opts), Flags: make([]bool, n.flags),
		Texts: make([]string, n.texts), Days: make([]dexpr.Day, n.days)}
}

// keep copies the input slots of f into rec.
func (rec *record) keep(f *dexpr.Frame) {
	nums, flags, texts, days := rec.kept.slots(&rec.rule.slot)
	copy(nums, f.Nums)
	copy(flags, f.Flags)
	copy(texts, f.Texts)
	copy(days, f.Days)
}

// restore returns a new frame holding the input slots rec kept.
func (rec *record) restore() *dexpr.Frame {
	f := newFrame(rec.rule)
	nums, flags, texts, days := rec.kept.slots(&rec.rule.slot)
	copy(f.Nums, nums)
	copy(f.Flags, flags)
	copy(f.Texts, texts)
	copy(f.Days, days)
	return f
}

// bindInput stores input i, as read, in its slot.
func bindInput(f *dexpr.Frame, at int, def *inputDef, v Value) {
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

// input returns input i of f as it was read.
func input(f *dexpr.Frame, at int, def *inputDef) Value {
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

// bindParams stores in f the value in force on day of every parameter r
// uses.
func (r *rule) bindParams(f *dexpr.Frame, day Date) error {
	for i, p := range r.params {
		v := p.at(day)
		if v == nil {
			return &EvalError{Rule: r.id, Pos: r.pos, Err: noValue(p, day)}
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

// decide computes the lets into f and returns which requirements failed.
func (r *rule) decide(f *dexpr.Frame) (failed uint64, err error) {
	for i, l := range r.lets {
		if err := l.prog.Assign(f, r.slot.lets[i]); err != nil {
			return 0, evalError(r.id, l.pos, l.at, err)
		}
	}
	for i, q := range r.reqs {
		held, err := q.prog.Bool(f)
		if err != nil {
			return 0, evalError(r.id, q.pos, q.at, err)
		}
		if !held {
			failed |= 1 << i
		}
	}
	return failed, nil
}

// value returns slot v of f as an explanation shows it.
func value(f *dexpr.Frame, v dexpr.Var) Value {
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
