package dexpr

import (
	"github.com/expr-lang/expr/ast"
	"github.com/shopspring/decimal"
)

// PointKind is the kind of a decision point: a place in an expression
// where evaluation goes one of two ways.
type PointKind uint8

// The kinds of decision point. Way 0 and way 1 of each are as listed.
const (
	// Branch is `c ? x : y`: way 0 when c holds (x), way 1 when not (y).
	Branch PointKind = iota + 1
	// Min is min(a, b): way 0 when the first argument is the value
	// (a <= b), way 1 when the second is (a > b).
	Min
	// Max is max(a, b): way 0 when the first argument is the value
	// (a >= b), way 1 when the second is (a < b).
	Max
	// Fallback is `x ?? y`: way 0 when x has a value, way 1 when it has
	// none and y is the value.
	Fallback
)

// Point is a decision point of a program, at a 1-based line and column
// inside the expression's source.
type Point struct {
	Kind      PointKind
	Line, Col int
}

// Hit is told, during an evaluation of a program linked by
// [Program.LinkCovered], which way a point went: point is its index in
// [Program.Points], way is 0 or 1.
type Hit func(point, way int)

// Points returns the decision points of p, in the order they appear in
// its source (a point before the points inside it).
func (p *Program) Points() []Point {
	out, _ := p.points()
	return out
}

// points returns the points of p and, for the linker, each point's node
// and index.
func (p *Program) points() ([]Point, map[ast.Node]int) {
	var out []Point
	index := map[ast.Node]int{}
	src := []rune(p.Source())
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		add := func(k PointKind) {
			from := n.Location().From
			if k == Branch { // the node is placed at its end: point at the condition
				from = start(n)
			}
			line, col := position(src, from)
			index[n] = len(out)
			out = append(out, Point{Kind: k, Line: line, Col: col})
		}
		switch x := n.(type) {
		case *ast.ConditionalNode:
			add(Branch)
			walk(x.Cond)
			walk(x.Exp1)
			walk(x.Exp2)
		case *ast.CallNode:
			if len(x.Arguments) == 2 {
				switch callee(x) {
				case "min":
					add(Min)
				case "max":
					add(Max)
				case "dor":
					add(Fallback)
				}
			}
			for _, a := range x.Arguments {
				walk(a)
			}
		case *ast.BinaryNode:
			walk(x.Left)
			walk(x.Right)
		case *ast.UnaryNode:
			walk(x.Node)
		case *ast.VariableDeclaratorNode:
			walk(x.Value)
			walk(x.Expr)
		case *ast.ArrayNode:
			for _, e := range x.Nodes {
				walk(e)
			}
		}
	}
	walk(p.prog.Node())
	return out, index
}

// start returns the offset of the first character of the expression n:
// the least offset of the nodes in it, leaving out the names of called
// functions, which the operators expr rewrites into calls place nowhere.
func start(n ast.Node) int {
	from := n.Location().From
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		if n == nil {
			return
		}
		from = min(from, n.Location().From)
		switch x := n.(type) {
		case *ast.ConditionalNode:
			walk(x.Cond)
			walk(x.Exp1)
			walk(x.Exp2)
		case *ast.CallNode:
			for _, a := range x.Arguments {
				walk(a)
			}
		case *ast.BinaryNode:
			walk(x.Left)
			walk(x.Right)
		case *ast.UnaryNode:
			walk(x.Node)
		case *ast.VariableDeclaratorNode:
			walk(x.Value)
			walk(x.Expr)
		case *ast.ArrayNode:
			for _, e := range x.Nodes {
				walk(e)
			}
		}
	}
	walk(n)
	return from
}

// LinkCovered is [Program.Link] for measuring coverage: the closures also
// tell hit which way each of p's points went. It is meant for a program
// compiled for that purpose alone; the closures [Program.Link] makes are
// not slowed by it. hit is called from the goroutine evaluating.
func (p *Program) LinkCovered(l *Layout, hit Hit) error {
	_, index := p.points()
	return p.link(l, hit, index)
}

// branch returns cond, telling c.hit which way it went when p is linked
// for coverage.
func (c *linker) branch(n ast.Node, cond boolFn) boolFn {
	i, ok := c.index[n]
	if c.hit == nil || !ok {
		return cond
	}
	hit := c.hit
	return func(f *Frame) (bool, error) {
		v, err := cond(f)
		if err == nil {
			hit(i, way(v))
		}
		return v, err
	}
}

// choice returns op, min or max of the call n, telling c.hit which
// argument it chose when p is linked for coverage.
func (c *linker) choice(n ast.Node, name string, op func(a, b Num) (Num, error)) func(a, b Num) (Num, error) {
	i, ok := c.index[n]
	if c.hit == nil || !ok {
		return op
	}
	hit := c.hit
	first := func(cmp int) bool { return cmp <= 0 }
	if name == "max" {
		first = func(cmp int) bool { return cmp >= 0 }
	}
	return func(a, b Num) (Num, error) {
		hit(i, way(first(Cmp(a, b))))
		return op(a, b)
	}
}

// present returns o, the left side of `??` at n, telling c.hit whether it
// had a value when p is linked for coverage.
func (c *linker) present(n ast.Node, o optFn) optFn {
	i, ok := c.index[n]
	if c.hit == nil || !ok {
		return o
	}
	hit := c.hit
	return func(f *Frame) (Opt, error) {
		v, err := o(f)
		if err == nil {
			hit(i, way(v.Valid))
		}
		return v, err
	}
}

// way is 0 for true (the first way) and 1 for false.
func way(first bool) int {
	if first {
		return 0
	}
	return 1
}

// Places returns the most decimal places the value of p can have, given
// the places of each name it reads (of reports ok false for a name whose
// places are unbounded), or ok false when they are unbounded: after a
// division, or from a name or an operation of unbounded places. It tells
// whether rounding to a number of places can ever change the value.
func (p *Program) Places(of func(name string) (places int32, ok bool)) (places int32, ok bool) {
	type bound struct {
		places int32
		ok     bool
	}
	locals := map[string]bound{}
	var walk func(n ast.Node) (int32, bool)
	most := func(args []ast.Node) (int32, bool) {
		m := int32(0)
		for _, a := range args {
			k, ok := walk(a)
			if !ok {
				return 0, false
			}
			m = max(m, k)
		}
		return m, true
	}
	walk = func(n ast.Node) (int32, bool) {
		switch x := n.(type) {
		case *ast.ConstantNode:
			if d, ok := x.Value.(decimal.Decimal); ok {
				return max(-d.Exponent(), 0), true
			}
		case *ast.IdentifierNode:
			if b, ok := locals[x.Value]; ok {
				return b.places, b.ok
			}
			return of(x.Value)
		case *ast.ConditionalNode:
			return most([]ast.Node{x.Exp1, x.Exp2})
		case *ast.VariableDeclaratorNode:
			old, shadowed := locals[x.Name]
			k, ok := walk(x.Value)
			locals[x.Name] = bound{k, ok}
			k, ok = walk(x.Expr)
			if shadowed {
				locals[x.Name] = old
			} else {
				delete(locals, x.Name)
			}
			return k, ok
		case *ast.CallNode:
			switch callee(x) {
			case "dadd", "dsub", "dmod", "min", "max", "dor", "neg", "abs":
				return most(x.Arguments)
			case "dmul":
				m := int32(0)
				for _, a := range x.Arguments {
					k, ok := walk(a)
					if !ok {
						return 0, false
					}
					m += k
				}
				return m, true
			case "round":
				if len(x.Arguments) == 2 {
					if c, ok := x.Arguments[1].(*ast.ConstantNode); ok {
						if d, ok := c.Value.(decimal.Decimal); ok && d.IsInteger() && !d.IsNegative() && d.LessThanOrEqual(decimal.NewFromInt(28)) {
							k := int32(d.IntPart()) //nolint:gosec // G115: 0 to 28, checked above
							if v, ok := walk(x.Arguments[0]); ok {
								return min(v, k), true
							}
							return k, true
						}
					}
				}
			}
		}
		return 0, false
	}
	return walk(p.prog.Node())
}
