package dexpr

import (
	"errors"
	"fmt"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/shopspring/decimal"
)

func (c *linker) num(n ast.Node) numFn {
	switch x := n.(type) {
	case *ast.ConstantNode:
		if d, ok := x.Value.(decimal.Decimal); ok {
			v := KeptNumOf(d)
			return func(*Frame) (Num, error) { return v, nil }
		}
	case *ast.IdentifierNode:
		if v, ok := c.variable(x); ok && class(v.Kind) == Number {
			return func(f *Frame) (Num, error) { return f.Nums[v.Slot], nil }
		}
	case *ast.ConditionalNode:
		cond, a, b, w := c.branch(x, c.boolean(x.Cond)), c.num(x.Exp1), c.num(x.Exp2), c.wrap(x)
		return func(f *Frame) (Num, error) {
			if err := f.tick(); err != nil {
				return Num{}, w(err)
			}
			ok, err := cond(f)
			switch {
			case err != nil:
				return Num{}, err
			case ok:
				return a(f)
			}
			return b(f)
		}
	case *ast.VariableDeclaratorNode:
		store, restore := c.declare(x)
		body := c.num(x.Expr)
		restore()
		return func(f *Frame) (Num, error) {
			if err := store(f); err != nil {
				return Num{}, err
			}
			return body(f)
		}
	case *ast.CallNode:
		return c.numCall(x)
	}
	c.fail(n, "a number cannot be computed from %s", clip(n.String()))
	return func(*Frame) (Num, error) { return Num{}, nil }
}

var binaryOps = map[string]func(a, b Num) (Num, error){
	"dadd": Add, "dsub": Sub, "dmul": Mul, "ddiv": Quo, "dmod": Mod,
	"min": func(a, b Num) (Num, error) {
		if Cmp(a, b) <= 0 {
			return a, nil
		}
		return b, nil
	},
	"max": func(a, b Num) (Num, error) {
		if Cmp(a, b) >= 0 {
			return a, nil
		}
		return b, nil
	},
}

func (c *linker) numCall(x *ast.CallNode) numFn {
	name := callee(x)
	w := c.wrap(x)
	args := x.Arguments
	if op, ok := binaryOps[name]; ok && len(args) == 2 {
		l, r, op := c.num(args[0]), c.num(args[1]), c.choice(x, name, op)
		return func(f *Frame) (Num, error) {
			if err := f.tick(); err != nil {
				return Num{}, w(err)
			}
			a, err := l(f)
			if err != nil {
				return Num{}, err
			}
			b, err := r(f)
			if err != nil {
				return Num{}, err
			}
			v, err := op(a, b)
			if err != nil {
				return Num{}, w(err)
			}
			if v.isBig() {
				f.steps -= v.cost() // arithmetic on large values costs steps for its size
			}
			return v, nil
		}
	}
	switch {
	case (name == "neg" || name == "abs") && len(args) == 1:
		a := c.num(args[0])
		op := Neg
		if name == "abs" {
			op = Abs
		}
		return func(f *Frame) (Num, error) {
			if err := f.tick(); err != nil {
				return Num{}, w(err)
			}
			v, err := a(f)
			if err != nil {
				return Num{}, err
			}
			return op(v), nil
		}
	case name == "round" && len(args) == 2:
		return c.round(x, w)
	case name == "dor" && len(args) == 2:
		o, b := c.present(x, c.opt(args[0])), c.num(args[1])
		return func(f *Frame) (Num, error) {
			if err := f.tick(); err != nil {
				return Num{}, w(err)
			}
			m, err := o(f)
			if err != nil {
				return Num{}, err
			}
			v, err := b(f) // both operands are evaluated, as for any call
			if err != nil {
				return Num{}, err
			}
			if m.Valid {
				return m.Num, nil
			}
			return v, nil
		}
	}
	c.fail(x, "function %q cannot be compiled", name)
	return func(*Frame) (Num, error) { return Num{}, nil }
}

// round compiles round(x, places): places must be a whole decimal from 0 to
// 28; the result is rounded half-up.
func (c *linker) round(x *ast.CallNode, w func(error) error) numFn {
	a, p := c.num(x.Arguments[0]), c.num(x.Arguments[1])
	fraction := kindOf(x.Arguments[1].Type()) == Fraction
	return func(f *Frame) (Num, error) {
		if err := f.tick(); err != nil {
			return Num{}, w(err)
		}
		v, err := a(f)
		if err != nil {
			return Num{}, err
		}
		places, err := p(f)
		if err != nil {
			return Num{}, err
		}
		n, k, scaled := places.Scaled()
		whole := scaled && n%pow10[k] == 0
		if fraction || !whole || n < 0 || n/pow10[k] > 28 {
			return Num{}, w(fmt.Errorf("round: places must be a whole number from 0 to 28, not %s", places))
		}
		return roundToNum(v, int32(n/pow10[k]), HalfUp), nil
	}
}

// roundToNum is [RoundNum] with the result kept as a Num.
func roundToNum(a Num, places int32, m Mode) Num {
	if !a.isBig() && places <= 18 {
		if q, ok := roundSmall(a.n, a.den(), pow10[places], m); ok {
			return Num{n: q, d: pow10[places]}
		}
	}
	return NumOf(roundRat(a.rat(), places, m))
}

func callee(x *ast.CallNode) string {
	if id, ok := x.Callee.(*ast.IdentifierNode); ok {
		return id.Value
	}
	return ""
}

var comparisons = map[string]func(c int) bool{
	"deq": func(c int) bool { return c == 0 },
	"dne": func(c int) bool { return c != 0 },
	"dlt": func(c int) bool { return c < 0 },
	"dle": func(c int) bool { return c <= 0 },
	"dgt": func(c int) bool { return c > 0 },
	"dge": func(c int) bool { return c >= 0 },
}

func (c *linker) boolean(n ast.Node) boolFn {
	switch x := n.(type) {
	case *ast.BoolNode:
		v := x.Value
		return func(*Frame) (bool, error) { return v, nil }
	case *ast.ConstantNode:
		if v, ok := x.Value.(bool); ok {
			return func(*Frame) (bool, error) { return v, nil }
		}
	case *ast.IdentifierNode:
		if v, ok := c.variable(x); ok && v.Kind == Bool {
			return func(f *Frame) (bool, error) { return f.Flags[v.Slot], nil }
		}
	case *ast.UnaryNode:
		if x.Operator == "!" || x.Operator == "not" {
			a, w := c.boolean(x.Node), c.wrap(x)
			return func(f *Frame) (bool, error) {
				if err := f.tick(); err != nil {
					return false, w(err)
				}
				v, err := a(f)
				return !v, err
			}
		}
	case *ast.BinaryNode:
		return c.binary(x)
	case *ast.ConditionalNode:
		cond, a, b, w := c.branch(x, c.boolean(x.Cond)), c.boolean(x.Exp1), c.boolean(x.Exp2), c.wrap(x)
		return func(f *Frame) (bool, error) {
			if err := f.tick(); err != nil {
				return false, w(err)
			}
			ok, err := cond(f)
			switch {
			case err != nil:
				return false, err
			case ok:
				return a(f)
			}
			return b(f)
		}
	case *ast.VariableDeclaratorNode:
		store, restore := c.declare(x)
		body := c.boolean(x.Expr)
		restore()
		return func(f *Frame) (bool, error) {
			if err := store(f); err != nil {
				return false, err
			}
			return body(f)
		}
	case *ast.CallNode:
		name := callee(x)
		w := c.wrap(x)
		if test, ok := comparisons[name]; ok && len(x.Arguments) == 2 {
			l, r := c.num(x.Arguments[0]), c.num(x.Arguments[1])
			return func(f *Frame) (bool, error) {
				if err := f.tick(); err != nil {
					return false, w(err)
				}
				a, err := l(f)
				if err != nil {
					return false, err
				}
				b, err := r(f)
				if err != nil {
					return false, err
				}
				return test(Cmp(a, b)), nil
			}
		}
		if name == "din" && len(x.Arguments) == 2 {
			return c.numberIn(x, w)
		}
	}
	c.fail(n, "a condition cannot be computed from %s", clip(n.String()))
	return func(*Frame) (bool, error) { return false, nil }
}

func (c *linker) binary(x *ast.BinaryNode) boolFn {
	w := c.wrap(x)
	switch x.Operator {
	case "&&", "and", "||", "or":
		l, r := c.boolean(x.Left), c.boolean(x.Right)
		or := x.Operator == "||" || x.Operator == "or"
		return func(f *Frame) (bool, error) {
			if err := f.tick(); err != nil {
				return false, w(err)
			}
			a, err := l(f)
			if err != nil || a == or {
				return a, err
			}
			return r(f)
		}
	case "in":
		return c.textIn(x, w)
	}
	var cmp func(f *Frame) (int, error)
	lk, rk := kindOf(x.Left.Type()), kindOf(x.Right.Type())
	switch {
	case lk != rk:
	case lk == Bool:
		l, r := c.boolean(x.Left), c.boolean(x.Right)
		cmp = func(f *Frame) (int, error) {
			a, err := l(f)
			if err != nil {
				return 0, err
			}
			b, err := r(f)
			if a == b {
				return 0, err
			}
			return 1, err
		}
	case lk == Text:
		l, r := c.text(x.Left), c.text(x.Right)
		cmp = func(f *Frame) (int, error) {
			a, err := l(f)
			if err != nil {
				return 0, err
			}
			b, err := r(f)
			if a == b {
				return 0, err
			}
			return 1, err
		}
	case lk == Date:
		l, r := c.day(x.Left), c.day(x.Right)
		cmp = func(f *Frame) (int, error) {
			a, err := l(f)
			if err != nil {
				return 0, err
			}
			b, err := r(f)
			return cmp64(int64(a), int64(b)), err
		}
	}
	test, ok := map[string]func(int) bool{
		"==": func(c int) bool { return c == 0 }, "!=": func(c int) bool { return c != 0 },
		"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
		">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
	}[x.Operator]
	ordered := x.Operator == "==" || x.Operator == "!=" || lk == Date
	if cmp == nil || !ok || !ordered {
		c.fail(x, "operator %q cannot be compiled for %s and %s", x.Operator, lk, rk)
		return func(*Frame) (bool, error) { return false, nil }
	}
	return func(f *Frame) (bool, error) {
		if err := f.tick(); err != nil {
			return false, w(err)
		}
		v, err := cmp(f)
		if err != nil {
			return false, err
		}
		return test(v), nil
	}
}

// element is one member of a list after `in`, evaluated: its text when it
// is text, its number when it is a number, and its type name otherwise.
type element struct {
	kind Kind
	text string
	num  Num
}

// elements compiles the list after `in`. Like the list expr builds, every
// member is evaluated before any is compared.
func (c *linker) elements(n ast.Node) func(*Frame, []element) ([]element, error) {
	var fns []func(*Frame) (element, error)
	add := func(e ast.Node) {
		switch k := kindOf(e.Type()); {
		case class(k) == Number:
			fn := c.num(e)
			fns = append(fns, func(f *Frame) (element, error) { v, err := fn(f); return element{kind: Number, num: v}, err })
		case k == Text:
			fn := c.text(e)
			fns = append(fns, func(f *Frame) (element, error) { v, err := fn(f); return element{kind: Text, text: v}, err })
		case k == Bool:
			fn := c.boolean(e)
			fns = append(fns, func(f *Frame) (element, error) { _, err := fn(f); return element{kind: Bool}, err })
		case k == Date:
			fn := c.day(e)
			fns = append(fns, func(f *Frame) (element, error) { _, err := fn(f); return element{kind: Date}, err })
		case k == Optional:
			fn := c.opt(e)
			fns = append(fns, func(f *Frame) (element, error) { _, err := fn(f); return element{kind: Optional}, err })
		default:
			if _, isNil := e.(*ast.NilNode); !isNil {
				c.fail(e, "list member %s has no definite type", clip(e.String()))
			}
			fns = append(fns, func(*Frame) (element, error) { return element{kind: Invalid}, nil })
		}
	}
	switch x := n.(type) {
	case *ast.ArrayNode:
		for _, e := range x.Nodes {
			add(e)
		}
	case *ast.ConstantNode:
		list, ok := x.Value.([]any)
		if !ok {
			c.fail(n, "a list of type %T cannot be compiled", x.Value)
		}
		for _, v := range list {
			var e element
			switch v := v.(type) {
			case string:
				e = element{kind: Text, text: v}
			case bool:
				e = element{kind: Bool}
			case decimal.Decimal:
				e = element{kind: Number, num: KeptNumOf(v)}
			case time.Time:
				e = element{kind: Date}
			case nil:
				e = element{kind: Invalid}
			default:
				c.fail(n, "a list member of type %T cannot be compiled", v)
			}
			fns = append(fns, func(*Frame) (element, error) { return e, nil })
		}
	default:
		c.fail(n, "`in` needs a list on its right")
	}
	return func(f *Frame, buf []element) ([]element, error) {
		buf = buf[:0]
		for _, fn := range fns {
			e, err := fn(f)
			if err != nil {
				return nil, err
			}
			buf = append(buf, e)
		}
		return buf, nil
	}
}

func (c *linker) textIn(x *ast.BinaryNode, w func(error) error) boolFn {
	l := c.text(x.Left)
	if k, ok := x.Right.(*ast.ConstantNode); ok {
		if set, ok := k.Value.(map[string]struct{}); ok {
			return func(f *Frame) (bool, error) {
				if err := f.tick(); err != nil {
					return false, w(err)
				}
				s, err := l(f)
				_, in := set[s]
				return in, err
			}
		}
	}
	list := c.elements(x.Right)
	return func(f *Frame) (bool, error) {
		if err := f.tick(); err != nil {
			return false, w(err)
		}
		s, err := l(f)
		if err != nil {
			return false, err
		}
		var buf [8]element
		es, err := list(f, buf[:])
		if err != nil {
			return false, err
		}
		for _, e := range es {
			if e.kind == Text && e.text == s {
				return true, nil
			}
		}
		return false, nil
	}
}

// goTypes names the Go types the reference evaluation reports for values
// that are not numbers in a list after a number's `in`.
var goTypes = map[Kind]string{Text: "string", Bool: "bool", Date: "time.Time", Optional: "dexpr.Maybe"}

func (c *linker) numberIn(x *ast.CallNode, w func(error) error) boolFn {
	l := c.num(x.Arguments[0])
	list := c.elements(x.Arguments[1])
	return func(f *Frame) (bool, error) {
		if err := f.tick(); err != nil {
			return false, w(err)
		}
		a, err := l(f)
		if err != nil {
			return false, err
		}
		var buf [8]element
		es, err := list(f, buf[:])
		if err != nil {
			return false, err
		}
		for _, e := range es {
			switch e.kind {
			case Number:
				if Cmp(a, e.num) == 0 {
					return true, nil
				}
			case Invalid:
				return false, w(errors.New("list after `in`: a number has no value"))
			default:
				return false, w(fmt.Errorf("list after `in`: %s is not a number", goTypes[e.kind]))
			}
		}
		return false, nil
	}
}

func (c *linker) text(n ast.Node) textFn {
	switch x := n.(type) {
	case *ast.StringNode:
		v := x.Value
		return func(*Frame) (string, error) { return v, nil }
	case *ast.ConstantNode:
		if v, ok := x.Value.(string); ok {
			return func(*Frame) (string, error) { return v, nil }
		}
	case *ast.IdentifierNode:
		if v, ok := c.variable(x); ok && v.Kind == Text {
			return func(f *Frame) (string, error) { return f.Texts[v.Slot], nil }
		}
	case *ast.ConditionalNode:
		cond, a, b, w := c.branch(x, c.boolean(x.Cond)), c.text(x.Exp1), c.text(x.Exp2), c.wrap(x)
		return func(f *Frame) (string, error) {
			if err := f.tick(); err != nil {
				return "", w(err)
			}
			ok, err := cond(f)
			switch {
			case err != nil:
				return "", err
			case ok:
				return a(f)
			}
			return b(f)
		}
	case *ast.VariableDeclaratorNode:
		store, restore := c.declare(x)
		body := c.text(x.Expr)
		restore()
		return func(f *Frame) (string, error) {
			if err := store(f); err != nil {
				return "", err
			}
			return body(f)
		}
	}
	c.fail(n, "text cannot be computed from %s", clip(n.String()))
	return func(*Frame) (string, error) { return "", nil }
}

func (c *linker) day(n ast.Node) dayFn {
	switch x := n.(type) {
	case *ast.ConstantNode:
		if t, ok := x.Value.(time.Time); ok {
			v := DayOf(t)
			return func(*Frame) (Day, error) { return v, nil }
		}
	case *ast.IdentifierNode:
		if v, ok := c.variable(x); ok && v.Kind == Date {
			return func(f *Frame) (Day, error) { return f.Days[v.Slot], nil }
		}
	case *ast.ConditionalNode:
		cond, a, b, w := c.branch(x, c.boolean(x.Cond)), c.day(x.Exp1), c.day(x.Exp2), c.wrap(x)
		return func(f *Frame) (Day, error) {
			if err := f.tick(); err != nil {
				return 0, w(err)
			}
			ok, err := cond(f)
			switch {
			case err != nil:
				return 0, err
			case ok:
				return a(f)
			}
			return b(f)
		}
	case *ast.VariableDeclaratorNode:
		store, restore := c.declare(x)
		body := c.day(x.Expr)
		restore()
		return func(f *Frame) (Day, error) {
			if err := store(f); err != nil {
				return 0, err
			}
			return body(f)
		}
	}
	c.fail(n, "a date cannot be computed from %s", clip(n.String()))
	return func(*Frame) (Day, error) { return 0, nil }
}

func (c *linker) opt(n ast.Node) optFn {
	switch x := n.(type) {
	case *ast.IdentifierNode:
		if v, ok := c.variable(x); ok && v.Kind == Optional {
			return func(f *Frame) (Opt, error) { return f.Opts[v.Slot], nil }
		}
	case *ast.ConditionalNode:
		cond, a, b, w := c.branch(x, c.boolean(x.Cond)), c.opt(x.Exp1), c.opt(x.Exp2), c.wrap(x)
		return func(f *Frame) (Opt, error) {
			if err := f.tick(); err != nil {
				return Opt{}, w(err)
			}
			ok, err := cond(f)
			switch {
			case err != nil:
				return Opt{}, err
			case ok:
				return a(f)
			}
			return b(f)
		}
	case *ast.VariableDeclaratorNode:
		store, restore := c.declare(x)
		body := c.opt(x.Expr)
		restore()
		return func(f *Frame) (Opt, error) {
			if err := store(f); err != nil {
				return Opt{}, err
			}
			return body(f)
		}
	}
	c.fail(n, "an optional number cannot be computed from %s", clip(n.String()))
	return func(*Frame) (Opt, error) { return Opt{}, nil }
}
