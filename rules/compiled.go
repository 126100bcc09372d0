package rules

import (
	"errors"
	"fmt"
	"math/bits"
	"sync/atomic"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
	"github.com/shopspring/decimal"
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
	// failures[m] lists the reasons of the requirements whose bits are set in
	// m, for rules of at most maxSharedReqs requirements; results share these
	// lists, which nothing changes in place.
	failures [][]Reason
	// the number of slots of each class, and of those that hold the as-of
	// date and the inputs (the first of each class)
	nums, opts, flags, texts, days   int
	inNums, inFlags, inTexts, inDays int
	textDefs                         []*inputDef              // per text slot of an input: its declaration
	inline                           bool                     // the input slots fit a record inline (see record)
	modes                            []dexpr.Mode             // per output: its rounding mode
	zeros                            []decimal.Decimal        // per output: zero at its places, which results share
	blank                            [sharedOutputs]Output    // the outputs with no values, copied into each new list
	shareOuts                        bool                     // results may share lists of outputs (the rule has at most sharedOutputs)
	outs                             atomic.Pointer[outCache] // the lists results share, made when first needed
	records                          atomic.Pointer[recCache] // the records results share, made when first needed
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
func (s *Set) link() Diagnostics { return s.linkWith(nil) }

// linkWith is link; when hits is not nil, every expression is linked for
// coverage instead (see coverage.go), telling hits(r, e) which way each of
// its decision points went, e numbering the expressions of rule r: its
// lets, then its requirements, then its outputs.
func (s *Set) linkWith(hits func(r *rule, e int) dexpr.Hit) Diagnostics {
	for _, p := range s.params {
		for i := range p.values {
			p.values[i].slot = slotOf(p, &p.values[i])
		}
	}
	var ds Diagnostics
	for _, id := range s.ruleOrder {
		r := s.rules[id]
		r.set, r.slot = s, slots{}
		l := dexpr.NewLayout()
		link := func(p *dexpr.Program, e int) error {
			if hits == nil {
				return p.Link(l)
			}
			return p.LinkCovered(l, hits(r, e))
		}
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
		for i, x := range r.lets {
			if err := link(x.prog, i); err != nil {
				fail(x.pos, err)
			}
		}
		for i, q := range r.reqs {
			if err := link(q.prog, len(r.lets)+i); err != nil {
				fail(q.pos, err)
			}
			r.slot.reasons = append(r.slot.reasons, Reason{Code: q.code, Message: q.message, Clause: r.clause})
		}
		for i, o := range r.outputs {
			if err := link(o.prog, len(r.lets)+len(r.reqs)+i); err != nil {
				fail(o.pos, err)
			}
		}
		r.slot.nums, r.slot.opts, r.slot.flags, r.slot.texts, r.slot.days = l.Sizes()
		r.slot.failures = failures(r.slot.reasons)
		for i, def := range r.inputs {
			if at := r.slot.inputs[i]; at.Kind == dexpr.Text {
				r.slot.textDefs = append(r.slot.textDefs, def)
				if at.Slot != len(r.slot.textDefs)-1 {
					fail(r.pos, errors.New("input text slots out of order"))
				}
			}
		}
		r.slot.inline = inlineFits(r)
		for _, o := range r.outputs {
			r.slot.modes = append(r.slot.modes, modes[o.rounding.Mode])
			r.slot.zeros = append(r.slot.zeros, decimal.New(0, -o.rounding.Places))
		}
		if len(r.outputs) <= sharedOutputs {
			r.slot.shareOuts = true
			for i, o := range r.outputs {
				r.slot.blank[i] = Output{Name: o.name, Label: o.label, Rounding: o.rounding}
			}
		}
		r.frames.New = func() any { return &work{f: *newFrame(r)} }
	}
	ds.sort()
	return ds
}

// maxSharedReqs is how many requirements a rule may have for its lists of
// reasons to be built at load: one per combination of failures, 2^n in all.
const maxSharedReqs = 6

// failures returns the reasons of every combination of failed requirements,
// indexed by the bits of the failed ones, or nil when there are too many
// requirements to list them all.
func failures(reasons []Reason) [][]Reason {
	if len(reasons) > maxSharedReqs {
		return nil
	}
	out := make([][]Reason, 1<<len(reasons))
	for m := range out {
		for i, x := range reasons {
			if m&(1<<i) != 0 {
				out[m] = append(out[m], x)
			}
		}
		out[m] = out[m][:len(out[m]):len(out[m])] // an append by a caller copies
	}
	return out
}

// reasonsFor returns the reasons of the requirements that failed.
func (r *rule) reasonsFor(failed uint64) []Reason {
	if r.slot.failures != nil {
		return r.slot.failures[failed]
	}
	out := make([]Reason, 0, bits.OnesCount64(failed))
	for i := range r.reqs {
		if failed&(1<<i) != 0 {
			out = append(out, r.slot.reasons[i])
		}
	}
	return out
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
//
// The input slots of most rules fit inline, packed without pointers (a flag
// as a bit, an enum's code as its index, an amount as its numerator and
// denominator), so a decision allocates one small record that the garbage
// collector has little to scan; a rule with more inputs, or an amount past
// int64, keeps them in slices apart. A record holds no pointers, so the
// garbage collector never scans it; the rule and the slots kept apart are
// in the Result.
type record struct {
	asOf    Date
	inForce bool
	pass    bool
	budget  int
	failed  uint64 // bit i: requirement i did not hold

	flags uint64             // bit i: flag slot i
	codes [inlineTexts]uint8 // text slot i: its code's index in the enum's values
	days  [inlineDays]dexpr.Day
	nums  [inlineNums][2]int64 // number slot i: its numerator and denominator
}

// The most input slots of each class a record holds inline.
const (
	inlineFlags = 64
	inlineTexts = 4
	inlineDays  = 2 // as_of and one date input
	inlineNums  = 3
	inlineCodes = 256 // an enum of more codes keeps its slots apart
)

type keptSlots struct {
	nums  []dexpr.Num
	flags []bool
	texts []string
	days  []dexpr.Day
}

// inlineFits reports whether the input slots of r fit a record inline,
// whatever the amounts.
func inlineFits(r *rule) bool {
	n := &r.slot
	if n.inFlags > inlineFlags || n.inTexts > inlineTexts || n.inDays > inlineDays || n.inNums > inlineNums {
		return false
	}
	for _, def := range n.textDefs {
		if len(def.values) > inlineCodes {
			return false
		}
	}
	return true
}

// newRecord returns an empty record.
func newRecord() *record { return &record{} }

// Results share their record too when it is the same: records are never
// changed once made, and a record holds the whole of a decision's inputs,
// so two equal records are two decisions of the same inputs on the same
// day. Every decision is still made in full; only the record's memory is
// shared. The cache works as the one of outputs below.
const (
	recCacheBits = 8
	recCacheSize = 1 << recCacheBits
)

type recCache struct {
	entries [recCacheSize]atomic.Pointer[record]
	missed  [recCacheSize]atomic.Uint64
}

// hash mixes every field of rec.
func (rec *record) hash() uint64 {
	h := uint64(0x6a09e667f3bcc908)
	mix := func(x uint64) { h = (h ^ x) * 0x9e3779b97f4a7c15; h ^= h >> 31 }
	b := uint64(0)
	if rec.inForce {
		b |= 1
	}
	if rec.pass {
		b |= 2
	}
	mix(uint64(uint32(rec.asOf.n))<<8 | b)
	mix(uint64(rec.budget))
	mix(rec.failed)
	mix(rec.flags)
	mix(uint64(rec.codes[0]) | uint64(rec.codes[1])<<8 | uint64(rec.codes[2])<<16 | uint64(rec.codes[3])<<24)
	for _, d := range rec.days {
		mix(uint64(d))
	}
	for _, n := range rec.nums {
		mix(uint64(n[0]))
		mix(uint64(n[1]))
	}
	return h | 1
}

// intern returns a record of r equal to rec: one that results already
// share, or a new one.
func (r *rule) intern(w *work, rec *record) *record {
	c := r.slot.records.Load()
	if c == nil {
		r.slot.records.CompareAndSwap(nil, &recCache{})
		c = r.slot.records.Load()
	}
	h := rec.hash()
	at := h >> (64 - recCacheBits)
	if e := c.entries[at].Load(); e != nil && *e == *rec {
		return e
	}
	x := new(record)
	*x = *rec
	if w.misses++; w.misses%missSample == 0 { // see decideOutputs
		if c.missed[at].Load() == h {
			c.entries[at].Store(x)
		} else {
			c.missed[at].Store(h)
		}
	}
	return x
}

// newFrame returns a frame with every slot of r.
func newFrame(r *rule) *dexpr.Frame {
	n := &r.slot
	return &dexpr.Frame{Nums: make([]dexpr.Num, n.nums), Opts: make([]dexpr.Opt, n.opts), Flags: make([]bool, n.flags),
		Texts: make([]string, n.texts), Days: make([]dexpr.Day, n.days)}
}

// keep copies the input slots of f, a frame of r, into rec, or returns
// them apart when they do not fit.
func (rec *record) keep(r *rule, f *dexpr.Frame) *keptSlots {
	n := &r.slot
	if n.inline {
		nums, ok := rec.nums[:n.inNums], true
		for i := range nums {
			nums[i][0], nums[i][1], ok = f.Nums[i].Parts()
			if !ok {
				break
			}
		}
		if ok && rec.keepInline(f, n) {
			return nil
		}
		rec.flags, rec.codes, rec.days, rec.nums = 0, [inlineTexts]uint8{}, [inlineDays]dexpr.Day{}, [inlineNums][2]int64{}
	}
	return &keptSlots{nums: append([]dexpr.Num(nil), f.Nums[:n.inNums]...), flags: append([]bool(nil), f.Flags[:n.inFlags]...),
		texts: append([]string(nil), f.Texts[:n.inTexts]...), days: append([]dexpr.Day(nil), f.Days[:n.inDays]...)}
}

// keepInline packs the flag, text and date input slots of f into rec. It
// reports false when a text is not one of its enum's codes, which read
// never gives.
func (rec *record) keepInline(f *dexpr.Frame, n *slots) bool {
	for i, b := range f.Flags[:n.inFlags] {
		if b {
			rec.flags |= 1 << i
		}
	}
	for i, t := range f.Texts[:n.inTexts] {
		found := false
		for k, c := range n.textDefs[i].values {
			if c == t {
				rec.codes[i], found = uint8(k), true
				break
			}
		}
		if !found {
			return false
		}
	}
	copy(rec.days[:], f.Days[:n.inDays])
	return true
}

// restore returns a new frame of r holding the input slots rec kept, or
// those kept apart.
func (rec *record) restore(r *rule, apart *keptSlots) *dexpr.Frame {
	n := &r.slot
	f := newFrame(r)
	if k := apart; k != nil {
		copy(f.Nums, k.nums)
		copy(f.Flags, k.flags)
		copy(f.Texts, k.texts)
		copy(f.Days, k.days)
		return f
	}
	for i := range n.inNums {
		f.Nums[i] = dexpr.NumFromParts(rec.nums[i][0], rec.nums[i][1])
	}
	for i := range n.inFlags {
		f.Flags[i] = rec.flags&(1<<i) != 0
	}
	for i := range n.inTexts {
		f.Texts[i] = n.textDefs[i].values[rec.codes[i]]
	}
	copy(f.Days, rec.days[:n.inDays])
	return f
}

// work is what one evaluation needs besides its result: the frame and the
// options, kept in the rule's pool between evaluations.
type work struct {
	f   dexpr.Frame
	cfg evalConfig
	// the day whose parameter values f holds, when bound is set: evaluation
	// never writes a parameter's slot, so the next decision on the same day
	// finds them in place
	day    Date
	bound  bool
	misses uint32 // lists of outputs not found shared (see outCache)
}

// Results share their list of outputs when the values are the same: a
// policy's amounts repeat (a tier's grant, months times a monthly rate),
// and a shared list costs no allocation. The cache is keyed by the rounded
// values, never by inputs, holds at most outCacheSize lists per rule, and
// keeps a list only when the same values are noted twice at its place, so
// a sheet whose amounts never repeat pays one comparison per decision and
// keeps nothing. Shared lists are never changed in place (across-record
// checks copy before they refuse).
const (
	sharedOutputs = 3 // rules of at most this many outputs share their lists
	outCacheBits  = 8
	outCacheSize  = 1 << outCacheBits
	missSample    = 8
)

// outKey is a list of outputs by value: which were computed, and each as
// its rounded value times 10^places.
type outKey struct {
	computed uint8
	qs       [sharedOutputs]int64
}

type outEntry struct {
	key  outKey
	outs []Output
}

type outCache struct {
	entries [outCacheSize]atomic.Pointer[outEntry]
	missed  [outCacheSize]atomic.Uint64 // the hash of the last list that missed at each place
}

func (k *outKey) hash() uint64 {
	h := uint64(k.computed) + 1
	for _, q := range k.qs {
		h = (h ^ uint64(q)) * 0x9e3779b97f4a7c15
	}
	return h | 1
}

// recordOuts is a record allocated together with the list of outputs of
// its result, when that list is not shared.
type recordOuts struct {
	record
	outs [sharedOutputs]Output
}

// decideOutputs returns the outputs of a decision in w's frame (every
// output when it passed, those kept on failure otherwise, each rounded as
// declared) and, when it allocated a new list, the record allocated with
// it for the result; nil when the list is shared.
func (r *rule) decideOutputs(w *work, pass bool) ([]Output, *record, error) {
	f := &w.f
	if !r.slot.shareOuts {
		outs := make([]Output, len(r.outputs))
		for i, o := range r.outputs {
			outs[i] = Output{Name: o.name, Label: o.label, Rounding: o.rounding}
			if pass || o.keep {
				x, err := o.prog.Num(f)
				if err != nil {
					return nil, nil, evalError(r.id, o.pos, o.at, err)
				}
				outs[i].Value = o.rounding.roundNum(x)
			}
		}
		return outs, nil, nil
	}
	var exact [sharedOutputs]dexpr.Num
	var key outKey
	shared := true
	for i, o := range r.outputs {
		if !pass && !o.keep {
			continue
		}
		x, err := o.prog.Num(f)
		if err != nil {
			return nil, nil, evalError(r.id, o.pos, o.at, err)
		}
		exact[i] = x
		key.computed |= 1 << i
		if shared {
			key.qs[i], shared = dexpr.RoundSmall(x, o.rounding.Places, r.slot.modes[i])
		}
	}
	var h, at uint64
	c := r.slot.outs.Load()
	if c == nil {
		r.slot.outs.CompareAndSwap(nil, &outCache{})
		c = r.slot.outs.Load()
	}
	if shared {
		h = key.hash()
		at = h >> (64 - outCacheBits)
		if e := c.entries[at].Load(); e != nil && e.key == key {
			return e.outs, nil, nil
		}
	}
	x := &recordOuts{outs: r.slot.blank}
	outs := x.outs[:len(r.outputs):len(r.outputs)]
	for i, o := range r.outputs {
		if key.computed&(1<<i) != 0 {
			switch {
			case shared && key.qs[i] == 0:
				outs[i].Value = r.slot.zeros[i] // decimals are immutable: one zero serves every result
			case shared:
				outs[i].Value = decimal.New(key.qs[i], -o.rounding.Places)
			default:
				outs[i].Value = dexpr.RoundNum(exact[i], o.rounding.Places, r.slot.modes[i])
			}
		}
	}
	// Only one miss in missSample is noted: a note is a write to memory the
	// goroutines deciding a sheet together share, and on a sheet whose
	// values never repeat every decision would make one.
	if w.misses++; shared && w.misses%missSample == 0 {
		if c.missed[at].Load() == h {
			c.entries[at].Store(&outEntry{key: key, outs: outs})
		} else {
			c.missed[at].Store(h)
		}
	}
	return outs, &x.record, nil
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
