package dexpr

import (
	"errors"
	"fmt"

	"github.com/expr-lang/expr/ast"
)

// The compiled form of an expression is a tree of Go closures, one per node
// of the checked expression, each returning its value in its own type: no
// interpreter, no environment map, no boxing into interfaces. Variables are
// read from the slots of a [Frame] that [Layout] assigned.
type (
	numFn  func(*Frame) (Num, error)
	boolFn func(*Frame) (bool, error)
	textFn func(*Frame) (string, error)
	dayFn  func(*Frame) (Day, error)
	optFn  func(*Frame) (Opt, error)
)

// Link compiles p to closures over the slots of l. Every name p reads must be
// declared in l. It fails only on a node kind the checker lets through and
// the compiler does not know, which is a defect in this package.
func (p *Program) Link(l *Layout) error { return p.link(l, nil, nil) }

// link is [Program.Link], telling hit which way each point in index went
// when hit is not nil (see [Program.LinkCovered]).
func (p *Program) link(l *Layout, hit Hit, index map[ast.Node]int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("expression could not be compiled: %v", r)
		}
	}()
	c := &linker{layout: l, src: []rune(p.Source()), locals: map[string]Var{}, hit: hit, index: index}
	c.clip = clip(p.Source())
	root := p.prog.Node()
	switch p.Kind {
	case Number, Fraction:
		p.num = c.num(root)
	case Bool:
		p.boolean = c.boolean(root)
	case Text:
		p.text = c.text(root)
	case Date:
		p.day = c.day(root)
	case Optional:
		p.opt = c.opt(root)
	}
	return c.err
}

// Num evaluates a number expression in f.
func (p *Program) Num(f *Frame) (Num, error) { return p.num(f) }

// Bool evaluates a condition in f.
func (p *Program) Bool(f *Frame) (bool, error) { return p.boolean(f) }

// Assign evaluates p in f and stores its value in slot v, which must have
// p's kind.
func (p *Program) Assign(f *Frame, v Var) error {
	var err error
	switch class(p.Kind) {
	case Number:
		f.Nums[v.Slot], err = p.num(f)
	case Bool:
		f.Flags[v.Slot], err = p.boolean(f)
	case Text:
		f.Texts[v.Slot], err = p.text(f)
	case Date:
		f.Days[v.Slot], err = p.day(f)
	case Optional:
		f.Opts[v.Slot], err = p.opt(f)
	}
	return err
}

type linker struct {
	layout *Layout
	src    []rune
	clip   string
	locals map[string]Var
	err    error
	hit    Hit              // nil unless linked for coverage
	index  map[ast.Node]int // the points, when linked for coverage
}

func (c *linker) fail(n ast.Node, format string, args ...any) {
	if c.err == nil {
		line, col := position(c.src, n.Location().From)
		c.err = fmt.Errorf("%d:%d: %s", line, col, fmt.Sprintf(format, args...))
	}
}

// wrap returns a function that turns an error at node n into an *Error with
// its position; budget and context errors pass through unchanged in kind.
func (c *linker) wrap(n ast.Node) func(error) error {
	line, col := position(c.src, n.Location().From)
	src := c.clip
	return func(err error) error {
		var e *Error
		if errors.As(err, &e) {
			return err
		}
		return &Error{Line: line, Col: col, Src: src, Err: err}
	}
}

func (c *linker) variable(n *ast.IdentifierNode) (Var, bool) {
	if v, ok := c.locals[n.Value]; ok {
		return v, true
	}
	if v, ok := c.layout.Lookup(n.Value); ok {
		return v, true
	}
	c.fail(n, "unknown name %q", n.Value)
	return Var{}, false
}

// declare handles `let name = value; expr`: value goes to a slot of its own,
// then expr sees it under name. restore ends the scope.
func (c *linker) declare(n *ast.VariableDeclaratorNode) (store func(*Frame) error, restore func()) {
	k := kindOf(n.Value.Type())
	v := c.layout.Slot(k)
	store = c.store(n.Value, v)
	old, shadowed := c.locals[n.Name]
	c.locals[n.Name] = v
	return store, func() {
		if shadowed {
			c.locals[n.Name] = old
		} else {
			delete(c.locals, n.Name)
		}
	}
}

func (c *linker) store(n ast.Node, v Var) func(*Frame) error {
	switch class(v.Kind) {
	case Number:
		fn := c.num(n)
		return func(f *Frame) (err error) { f.Nums[v.Slot], err = fn(f); return err }
	case Bool:
		fn := c.boolean(n)
		return func(f *Frame) (err error) { f.Flags[v.Slot], err = fn(f); return err }
	case Text:
		fn := c.text(n)
		return func(f *Frame) (err error) { f.Texts[v.Slot], err = fn(f); return err }
	case Date:
		fn := c.day(n)
		return func(f *Frame) (err error) { f.Days[v.Slot], err = fn(f); return err }
	case Optional:
		fn := c.opt(n)
		return func(f *Frame) (err error) { f.Opts[v.Slot], err = fn(f); return err }
	}
	c.fail(n, "value of no definite type")
	return func(*Frame) error { return nil }
}
