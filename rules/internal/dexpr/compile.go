// Package dexpr compiles and runs expressions over exact decimal numbers on
// top of expr. Every number is a decimal.Decimal (or, after a division, an
// exact Ratio); float64 never appears. Only the operators and functions on an
// allow-list are accepted, and every problem is reported with its position.
package dexpr

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
	"github.com/shopspring/decimal"
)

// Kind is the static type of a value in an expression.
type Kind uint8

// The kinds of value an expression can see or produce.
const (
	Invalid  Kind = iota
	Number        // decimal.Decimal
	Fraction      // Ratio: the exact result of a division
	Bool          // bool
	Text          // string
	Date          // time.Time at midnight UTC
	Optional      // Maybe: a number that may be absent ("no cap")
)

func (k Kind) String() string {
	switch k {
	case Number, Fraction:
		return "number"
	case Bool:
		return "bool"
	case Text:
		return "text"
	case Date:
		return "date"
	case Optional:
		return "optional number"
	}
	return "invalid"
}

// Maybe is a number that may be absent, such as a cap that a policy leaves
// open. In expressions `x ?? y` is x's number, or y when x is absent.
type Maybe struct {
	Value decimal.Decimal
	Valid bool
}

var (
	decType   = reflect.TypeOf(decimal.Decimal{})
	ratType   = reflect.TypeOf(Ratio{})
	maybeType = reflect.TypeOf(Maybe{})
	timeType  = reflect.TypeOf(time.Time{})
	boolType  = reflect.TypeOf(false)
	textType  = reflect.TypeOf("")
)

func (k Kind) zero() any {
	switch k {
	case Number:
		return decimal.Decimal{}
	case Fraction:
		return Ratio{}
	case Bool:
		return false
	case Text:
		return ""
	case Date:
		return time.Time{}
	case Optional:
		return Maybe{}
	}
	return nil
}

func kindOf(t reflect.Type) Kind {
	switch t {
	case decType:
		return Number
	case ratType:
		return Fraction
	case boolType:
		return Bool
	case textType:
		return Text
	case timeType:
		return Date
	case maybeType:
		return Optional
	}
	return Invalid
}

// Problem is one defect found while compiling an expression. Line and Col
// are 1-based positions inside the expression's source.
type Problem struct {
	Line, Col int
	Code      string
	Message   string
}

// Program is a compiled expression, immutable and safe for concurrent use.
type Program struct {
	prog *vm.Program
	// ident is set when the whole expression is one variable: Run reads it
	// from the environment without starting the VM.
	ident string
	// Kind is the static kind of the result.
	Kind Kind
	// Names lists the variables the expression reads, sorted.
	Names []string

	// The compiled form, set by Link: one of these, by Kind.
	num     numFn
	boolean boolFn
	text    textFn
	day     dayFn
	opt     optFn
}

// MaxNodes bounds the size of one expression.
const MaxNodes = 1000

// MemoryBudget bounds what one run may allocate (expr counts elements).
const MemoryBudget = 10000

// Compile compiles src against the variables in env (name → kind). want, if
// not Invalid, is the kind the result must have (Number accepts Fraction).
// Compile never panics; every defect found is returned.
func Compile(src string, env map[string]Kind, want Kind) (p *Program, problems []Problem) {
	defer func() {
		if r := recover(); r != nil {
			p, problems = nil, []Problem{{Line: 1, Col: 1, Code: "expr-internal", Message: fmt.Sprintf("expression could not be compiled: %v", r)}}
		}
	}()
	if pre := screen(src); len(pre) > 0 {
		return nil, pre
	}
	// Only the names src mentions go to expr, which spends time on every
	// name it is given: compiling stays proportional to the expression,
	// not to the number of names in scope.
	envMap := map[string]any{}
	for _, w := range words(src) {
		if k, ok := env[w]; ok {
			envMap[w] = k.zero()
		}
	}
	lit := &literalPatcher{src: []rune(src)}
	opts := []expr.Option{
		expr.Env(envMap),
		expr.DisableAllBuiltins(),
		expr.MaxNodes(MaxNodes),
		expr.Patch(lit),
	}
	opts = append(opts, functionOptions()...)
	prog, err := expr.Compile(src, opts...)
	problems = append(problems, lit.problems...)
	if err != nil {
		if len(problems) == 0 {
			problems = append(problems, compileProblem(src, err))
		}
		return nil, problems
	}
	if len(problems) > 0 {
		return nil, problems
	}
	root := prog.Node()
	v := &verifier{src: []rune(src), allowed: map[ast.Node]bool{}, names: map[string]bool{}}
	v.check(root)
	if len(v.problems) > 0 {
		return nil, v.problems
	}
	k := kindOf(root.Type())
	switch {
	case k == Invalid:
		return nil, []Problem{v.at(root, "expr-type", fmt.Sprintf("expression has no definite type (%v)", root.Type()))}
	case want == Number && k != Number && k != Fraction, want != Number && want != Invalid && k != want:
		return nil, []Problem{v.at(root, "expr-result", fmt.Sprintf("expression gives a %s; a %s is required", k, want))}
	}
	names := make([]string, 0, len(v.names))
	for n := range v.names {
		if _, ok := env[n]; ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	p = &Program{prog: prog, Kind: k, Names: names}
	if id, ok := root.(*ast.IdentifierNode); ok {
		p.ident = id.Value
	}
	return p, nil
}

// words returns the runs of ASCII letters, digits and underscores in src,
// a superset of the variable names it can mention.
func words(src string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(src); i++ {
		if i < len(src) {
			c := src[i]
			if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				if start < 0 {
					start = i
				}
				continue
			}
		}
		if start >= 0 {
			out = append(out, src[start:i])
			start = -1
		}
	}
	return out
}

// NewVM returns a VM for one goroutine, with the memory budget set. The VM
// and [Program.Run] are the reference evaluation the compiled form of
// [Program.Link] is tested against; rules are evaluated in the compiled form.
func NewVM() *vm.VM { return &vm.VM{MemoryBudget: MemoryBudget} }

// Run runs p on the values in env, using m (which must not be shared between
// goroutines while it runs). A panic inside the VM is returned as an error.
func (p *Program) Run(m *vm.VM, env map[string]any) (out any, err error) {
	if p.ident != "" {
		if v, ok := env[p.ident]; ok && v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("%s has no value", p.ident)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("expression failed: %v", r)
		}
	}()
	out, err = m.Run(p.prog, env)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, errors.New(fe.Message)
		}
	}
	return out, err
}

// Source returns the expression's source text.
func (p *Program) Source() string { return p.prog.Source().String() }

func compileProblem(src string, err error) Problem {
	var fe *file.Error
	if errors.As(err, &fe) {
		msg := fe.Message
		code := "expr-type"
		switch {
		case strings.HasPrefix(msg, "unknown name"):
			code = "unknown-name"
		case strings.Contains(msg, "unexpected token"), strings.Contains(msg, "unexpected end"), strings.Contains(msg, "syntax"):
			code = "expr-syntax"
		case strings.Contains(msg, "invalid integer literal"), strings.Contains(msg, "invalid float literal"):
			code = "bad-number"
			msg = "number literal is too large or malformed"
		case strings.Contains(msg, "exceeds maximum allowed nodes"):
			code = "expr-too-large"
		}
		msg = strings.ReplaceAll(msg, "decimal.Decimal", "number")
		msg = strings.ReplaceAll(msg, "dexpr.Ratio", "number")
		msg = strings.ReplaceAll(msg, "dexpr.Maybe", "optional number")
		msg = strings.ReplaceAll(msg, "time.Time", "date")
		return Problem{Line: max(fe.Line, 1), Col: fe.Column + 1, Code: code, Message: msg}
	}
	return Problem{Line: 1, Col: 1, Code: "expr-syntax", Message: err.Error()}
}

// position turns a rune offset into a 1-based line and column.
func position(src []rune, offset int) (line, col int) {
	line, col = 1, 1
	for i := 0; i < offset && i < len(src); i++ {
		if src[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// screen parses src and rejects, before any type checking, what is never
// allowed whatever the types: member access and method calls, builtins and
// unknown functions, exponentiation. The messages say so plainly.
func screen(src string) []Problem {
	tree, err := parser.Parse(src)
	if err != nil {
		return []Problem{compileProblem(src, err)}
	}
	v := &verifier{src: []rune(src)}
	ast.Find(tree.Node, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.MemberNode:
			if x.Method {
				v.reject(n, "forbidden", "method calls are not allowed")
			} else {
				v.reject(n, "forbidden", "field access is not allowed")
			}
		case *ast.BuiltinNode:
			if !callable[x.Name] {
				v.reject(n, "forbidden", "function %q is not allowed (allowed: %s)", x.Name, strings.Join(FunctionNames, ", "))
			}
		case *ast.CallNode:
			if id, ok := x.Callee.(*ast.IdentifierNode); ok && !callable[id.Value] {
				v.reject(n, "forbidden", "function %q is not allowed (allowed: %s)", id.Value, strings.Join(FunctionNames, ", "))
			}
		case *ast.BinaryNode:
			if x.Operator == "**" || x.Operator == "^" {
				v.reject(n, "forbidden", "operator %q is not allowed", x.Operator)
			}
		case *ast.MapNode:
			v.reject(n, "forbidden", "map literals are not allowed")
		}
		return false
	})
	return v.problems
}

// literalPatcher turns every number literal into an exact decimal constant
// read from its source text, folds unary minus, folds date("YYYY-MM-DD") into
// a constant, and clears the type of every call so the checker re-derives it
// after its arguments changed.
type literalPatcher struct {
	src      []rune
	problems []Problem
}

func (l *literalPatcher) fail(n ast.Node, code, msg string) {
	line, col := position(l.src, n.Location().From)
	l.problems = append(l.problems, Problem{Line: line, Col: col, Code: code, Message: msg})
}

func (l *literalPatcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		loc := n.Location()
		if loc.From < 0 || loc.To > len(l.src) {
			l.fail(n, "bad-number", "number literal has no source text")
			return
		}
		text := string(l.src[loc.From:loc.To])
		d, err := ParseLiteral(text)
		if err != nil {
			l.fail(n, "bad-number", err.Error())
			return
		}
		constant(node, d)
	case *ast.UnaryNode:
		switch n.Operator {
		case "-":
			if c, ok := n.Node.(*ast.ConstantNode); ok {
				if d, ok := c.Value.(decimal.Decimal); ok {
					constant(node, d.Neg())
					return
				}
			}
			call := &ast.CallNode{Callee: &ast.IdentifierNode{Value: "neg"}, Arguments: []ast.Node{n.Node}}
			call.SetLocation(n.Location())
			ast.Patch(node, call)
		case "+":
			ast.Patch(node, n.Node)
		}
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && id.Value == "date" {
			s, ok := firstString(n.Arguments)
			if !ok {
				l.fail(n, "bad-date", `date() takes one date written as "YYYY-MM-DD"`)
				return
			}
			t, err := time.Parse(time.DateOnly, s)
			if err != nil || len(s) != 10 {
				l.fail(n, "bad-date", fmt.Sprintf("date %q is not a real day written as YYYY-MM-DD", s))
				return
			}
			c := &ast.ConstantNode{Value: t}
			c.SetType(timeType)
			c.SetLocation(n.Location())
			ast.Patch(node, c)
			return
		}
		n.SetType(nil)
	}
}

func firstString(args []ast.Node) (string, bool) {
	if len(args) != 1 {
		return "", false
	}
	s, ok := args[0].(*ast.StringNode)
	if !ok {
		return "", false
	}
	return s.Value, true
}

func constant(node *ast.Node, d decimal.Decimal) {
	c := &ast.ConstantNode{Value: d}
	c.SetType(decType)
	c.SetLocation((*node).Location())
	ast.Patch(node, c)
}

// verifier walks a compiled tree and rejects everything that is not on the
// allow-list: float or untyped values, builtins, method calls, member access,
// operators left without an exact decimal implementation.
type verifier struct {
	src      []rune
	allowed  map[ast.Node]bool // array literals that are the right side of `in`
	names    map[string]bool
	problems []Problem
}

func (v *verifier) at(n ast.Node, code, msg string) Problem {
	line, col := position(v.src, n.Location().From)
	return Problem{Line: line, Col: col, Code: code, Message: msg}
}

func (v *verifier) reject(n ast.Node, code, format string, args ...any) {
	v.problems = append(v.problems, v.at(n, code, fmt.Sprintf(format, args...)))
}

func (v *verifier) check(n ast.Node) {
	if n == nil {
		return
	}
	switch x := n.(type) {
	case *ast.IdentifierNode:
		v.names[x.Value] = true
		v.typed(n)
	case *ast.ConstantNode:
		switch x.Value.(type) {
		case decimal.Decimal, time.Time, bool, string:
		case []any, map[string]struct{}:
			if !v.allowed[n] {
				v.reject(n, "forbidden", "a list is only allowed after `in`")
			}
		default:
			v.reject(n, "forbidden", "constant of type %T is not allowed", x.Value)
		}
	case *ast.StringNode, *ast.BoolNode, *ast.NilNode:
	case *ast.IntegerNode, *ast.FloatNode:
		v.reject(n, "forbidden", "number literal was not read as an exact decimal")
	case *ast.UnaryNode:
		if x.Operator != "!" && x.Operator != "not" {
			v.reject(n, "forbidden", "operator %q is not allowed", x.Operator)
		}
		v.check(x.Node)
		v.typed(n)
	case *ast.BinaryNode:
		v.binary(x)
	case *ast.ConditionalNode:
		v.check(x.Cond)
		v.check(x.Exp1)
		v.check(x.Exp2)
		v.typed(n)
	case *ast.CallNode:
		id, ok := x.Callee.(*ast.IdentifierNode)
		if !ok {
			v.reject(n, "forbidden", "method calls are not allowed")
			return
		}
		if !allowedFunctions[id.Value] {
			v.reject(n, "forbidden", "function %q is not allowed", id.Value)
			return
		}
		if id.Value == "din" && len(x.Arguments) == 2 {
			v.allowed[x.Arguments[1]] = true
		}
		for _, a := range x.Arguments {
			v.check(a)
		}
		v.typed(n)
	case *ast.ArrayNode:
		if !v.allowed[n] {
			v.reject(n, "forbidden", "a list is only allowed after `in`")
			return
		}
		for _, e := range x.Nodes {
			v.check(e)
		}
	case *ast.VariableDeclaratorNode:
		v.check(x.Value)
		v.check(x.Expr)
	case *ast.BuiltinNode:
		v.reject(n, "forbidden", "function %q is not allowed", x.Name)
	case *ast.MemberNode, *ast.ChainNode:
		v.reject(n, "forbidden", "field and method access is not allowed")
	default:
		v.reject(n, "forbidden", "this kind of expression is not allowed")
	}
}

// typed rejects a node whose static type is not one of the value kinds.
func (v *verifier) typed(n ast.Node) {
	t := n.Type()
	if t == nil || kindOf(t) == Invalid {
		what := "no definite type"
		if t != nil {
			switch t.Kind() {
			case reflect.Float32, reflect.Float64:
				what = "a binary floating-point type"
			case reflect.Interface:
				what = "no definite type (its branches or operands differ in type)"
			default:
				what = "type " + strings.ReplaceAll(t.String(), "decimal.Decimal", "number")
			}
		}
		v.reject(n, "expr-type", "sub-expression %s has %s", clip(n.String()), what)
	}
}

func clip(s string) string {
	if len([]rune(s)) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

func (v *verifier) binary(x *ast.BinaryNode) {
	switch x.Operator {
	case "in":
		v.allowed[x.Right] = true
	}
	v.check(x.Left)
	v.check(x.Right)
	lk, rk := kindOf(x.Left.Type()), kindOf(x.Right.Type())
	num := func(k Kind) bool { return k == Number || k == Fraction || k == Optional }
	switch x.Operator {
	case "&&", "||", "and", "or":
		v.typed(x)
		return
	case "==", "!=":
		if !num(lk) && !num(rk) && lk == rk && lk != Invalid {
			v.typed(x)
			return
		}
	case "<", "<=", ">", ">=":
		if lk == Date && rk == Date {
			v.typed(x)
			return
		}
	case "in":
		if lk == Text {
			v.typed(x)
			return
		}
	}
	switch {
	case x.Operator == "**" || x.Operator == "^":
		v.reject(x, "forbidden", "operator %q is not allowed", x.Operator)
	case num(lk) || num(rk):
		v.reject(x, "expr-type", "operator %q cannot be applied to %s and %s", x.Operator, lk, rk)
	default:
		v.reject(x, "forbidden", "operator %q is not allowed on %s and %s", x.Operator, lk, rk)
	}
}
