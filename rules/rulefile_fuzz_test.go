package rules_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/rules"
)

// FuzzRuleFile builds whole rule files, a policy and an overlay with
// inputs, parameters, rules with lets, requirements and outputs, and tests,
// from the fuzz bytes, rather than single expressions. Loading must never
// panic (not even one Compile recovers from), every diagnostic has a
// position in one of the files, and a policy that loads evaluates every
// rule and runs its tests without panicking. Seeds are in
// testdata/fuzz/FuzzRuleFile.
func FuzzRuleFile(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x03\x02\x01\x02\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"))
	f.Add([]byte(strings.Repeat("\x01\x05\x09\x0d\x11", 40)))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &fileGen{b: data}
		policy, overlay := g.policy(), g.overlay()
		s, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(policy)}, rules.Source{Name: "overlay.yaml", Data: []byte(overlay)})
		if err != nil {
			var ds rules.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("error is not Diagnostics: %v", err)
			}
			for _, d := range ds {
				if (d.Pos.File != "policy.yaml" && d.Pos.File != "overlay.yaml") || d.Pos.Line < 1 || d.Code == "" {
					t.Fatalf("diagnostic without a position or code: %+v\n%s\n---\n%s", d, policy, overlay)
				}
				if d.Code == "internal" {
					t.Fatalf("loading panicked: %s\n%s\n---\n%s", d, policy, overlay)
				}
				if len(d.Summary) > 1000 {
					t.Fatalf("diagnostic repeats %d bytes: %.200s", len(d.Summary), d.Summary)
				}
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, id := range s.RuleIDs() {
			_, err := s.Eval(ctx, id, g.input())
			if err != nil && strings.Contains(err.Error(), "internal error") {
				t.Fatalf("rule %s panicked: %v\n%s\n---\n%s", id, err, policy, overlay)
			}
		}
		for _, r := range s.Test(ctx) {
			_ = r.String()
		}
	})
}

// fileGen turns bytes into rule files: each choice takes one byte (zero
// once the bytes run out), so every input gives a file. Most choices give
// a valid file; a byte of 255 is mischief: a bad value, a raw string, a
// wrong type.
type fileGen struct {
	b      []byte
	inputs []string            // declared inputs, by name
	params []string            // declared parameters
	types  map[string]string   // each parameter's type
	reads  map[string][]string // each rule's inputs
	kinds  map[string]kind     // what each name in scope holds
}

type kind uint8

const (
	kNum kind = iota
	kBool
	kDate
	kEnum
	kOpt // a nullable number
)

func (g *fileGen) next() int {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return int(c)
}

func (g *fileGen) upTo(n int) int             { return g.next() % (n + 1) }
func (g *fileGen) pick(list ...string) string { return list[g.next()%len(list)] }
func (g *fileGen) mischief() bool             { return g.next() == 255 }

// raw takes up to 12 of the next bytes as text, for names and values no
// list foresees.
func (g *fileGen) raw() string {
	n := min(g.upTo(12), len(g.b))
	s := string(g.b[:n])
	g.b = g.b[n:]
	return s
}

// q quotes s for YAML in single quotes.
func q(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var inputPool = []struct {
	name, decl string
	kind       kind
}{
	{"m", `{type: money, label: 金额, min: "0"}`, kNum},
	{"d", `{type: decimal, label: 比例, above: "0"}`, kNum},
	{"n", `{type: int, label: 月数, min: "0", max: "12"}`, kNum},
	{"b", `{type: bool, label: 是否}`, kBool},
	{"e", `{type: enum, label: 类别, values: [A, B], aliases: {A类: A}}`, kEnum},
	{"t", `{type: date, label: 日期}`, kDate},
}

var days = []string{"2021-08-19", "2021-09-01", "2022-01-01", "2023-06-30", "2025-01-01"}

// date is a valid day, or on mischief one in another form or none at all.
func (g *fileGen) date() string {
	if g.mischief() {
		return g.pick("2021/9/1", "2021年9月1日", "2021-02-29", "0000-12-31", "2201-01-01", "x", g.raw())
	}
	return g.pick(days...)
}

func (g *fileGen) policy() string {
	g.kinds, g.types, g.reads = map[string]kind{rules.AsOf: kDate}, map[string]string{}, map[string][]string{}
	var b strings.Builder
	b.WriteString("policy: {id: fz, title: 模糊, issued: " + q(g.date()) + "}\ninputs:\n")
	for _, in := range inputPool {
		if g.next()%4 != 0 {
			g.inputs = append(g.inputs, in.name)
			fmt.Fprintf(&b, "  %s: %s\n", in.name, in.decl)
		}
	}
	if g.mischief() {
		fmt.Fprintf(&b, "  %s: {type: %s, label: %s}\n", q(g.raw()), g.pick("money", "int", "text"), q(g.raw()))
	}
	b.WriteString("parameters:\n")
	for i := range g.upTo(4) {
		name := fmt.Sprintf("p%d", i)
		g.params = append(g.params, name)
		b.WriteString(g.parameter(name, ""))
	}
	b.WriteString("rules:\n")
	nRules := 1 + g.upTo(3)
	for i := range nRules {
		b.WriteString(g.rule(fmt.Sprintf("r%d", i)))
	}
	if g.next()%2 == 0 {
		b.WriteString("tests:\n")
		for range 1 + g.upTo(2) {
			id := fmt.Sprintf("r%d", g.next()%nRules)
			if g.mischief() {
				id = "r9"
			}
			fmt.Fprintf(&b, "  - name: t\n    rule: %s\n    on: %s\n    input: {", id, q(g.date()))
			for _, in := range g.reads[id] {
				fmt.Fprintf(&b, "%s: %s, ", in, q(g.value(in)))
			}
			fmt.Fprintf(&b, "}\n    want: {pass: %s, o0: %s}\n", g.pick("true", "false"), q(g.pick("0.00", "1.50", "x")))
		}
	}
	return b.String()
}

// parameter writes a parameter. In the policy typ is empty and a type is
// chosen; an overlay passes the policy's type, which it usually leaves out.
func (g *fileGen) parameter(name, typ string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %s:\n", name)
	overlay := typ != ""
	if !overlay {
		typ = g.pick("money", "decimal", "int", "bool", "date", "money")
		nullable := typ == "money" && g.next()%2 == 0
		switch {
		case nullable:
			g.kinds[name] = kOpt
		case typ == "bool":
			g.kinds[name] = kBool
		case typ == "date":
			g.kinds[name] = kDate
		default:
			g.kinds[name] = kNum
		}
		g.types[name] = typ
		fmt.Fprintf(&b, "    type: %s\n    label: 参数\n", typ)
		if nullable {
			b.WriteString("    nullable: true\n")
		}
	} else if g.mischief() {
		fmt.Fprintf(&b, "    type: %s\n", g.pick("money", "int", "bool"))
	}
	b.WriteString("    values:\n")
	first := g.next() % len(days)
	for i := range min(1+g.upTo(3), len(days)-first) {
		from := days[first+i]
		if g.mischief() {
			from = g.date()
		}
		fmt.Fprintf(&b, "      - {from: %s, value: %s, basis: 第%d条}\n", q(from), g.paramValue(typ, g.kinds[name] == kOpt), i)
	}
	return b.String()
}

func (g *fileGen) paramValue(typ string, nullable bool) string {
	if g.mischief() {
		return g.pick(`"1.005"`, "2000.5", "null", `"x"`, "9223372036854775808", q(g.raw()))
	}
	switch typ {
	case "money":
		if nullable && g.next()%2 == 0 {
			return "null"
		}
		return g.pick(`"1800.00"`, `"2000"`, `"1,234.50"`, `"0.10"`, `"１２"`)
	case "decimal":
		return g.pick(`"0.35"`, `"0.0385"`, `"1"`, `"100000000000000000000.5"`)
	case "int":
		return g.pick("6", `"12"`, "0")
	case "bool":
		return g.pick("true", "是", "false")
	}
	return q(g.pick(days...))
}

func (g *fileGen) rule(id string) string {
	var b strings.Builder
	from := g.next() % len(days)
	fmt.Fprintf(&b, "  %s:\n    title: 规则\n    basis: {clause: 第一条, quote: 原文}\n    in_force: {from: %s", id, q(days[from]))
	switch {
	case g.mischief():
		fmt.Fprintf(&b, ", until: %s", q(g.date()))
	case g.next()%3 == 0:
		fmt.Fprintf(&b, ", until: %s", q(days[from+g.upTo(len(days)-1-from)]))
	}
	b.WriteString("}\n    inputs: [")
	scope := map[string]kind{}
	for name, k := range g.kinds {
		if !strings.HasPrefix(name, "l") {
			scope[name] = k
		}
	}
	for _, in := range inputPool {
		if contains(g.inputs, in.name) && g.next()%3 != 0 {
			scope[in.name] = in.kind
			g.reads[id] = append(g.reads[id], in.name)
			b.WriteString(in.name + ", ")
		}
	}
	if g.mischief() {
		b.WriteString(q(g.raw()))
	}
	b.WriteString("]\n")
	if n := g.upTo(4); n > 0 {
		b.WriteString("    let:\n")
		for i := range n {
			name := fmt.Sprintf("l%d", i)
			var e string
			switch g.next() % 3 {
			case 0:
				e, scope[name] = g.boolExpr(scope, 3), kBool
			default:
				e, scope[name] = g.numExpr(scope, 3), kNum
			}
			fmt.Fprintf(&b, "      %s: %s\n", name, q(e))
		}
	}
	if n := g.upTo(3); n > 0 {
		b.WriteString("    requirements:\n")
		for i := range n {
			fmt.Fprintf(&b, "      - {code: c%d, when: %s, message: 不符合}\n", i, q(g.boolExpr(scope, 3)))
		}
	}
	b.WriteString("    outputs:\n")
	for i := range 1 + g.upTo(2) {
		fmt.Fprintf(&b, "      o%d: {label: 输出%d, expr: %s, round: {places: %s, mode: %s}", i, i, q(g.numExpr(scope, 3)),
			g.pick("2", "0", "2", "28"), g.pick("half-up", "half-even", "down", "up"))
		if g.mischief() {
			fmt.Fprintf(&b, ", on_fail: %s, round: {places: %s}", g.pick("keep", "zero", "x"), g.pick("29", "-1", "x"))
		} else if g.next()%4 == 0 {
			b.WriteString(", on_fail: keep")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// named picks a name in scope of kind k, or "" if there is none.
func (g *fileGen) named(scope map[string]kind, k kind) string {
	var names []string
	for name, nk := range scope {
		if nk == k {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sortNames(names)
	return names[g.next()%len(names)]
}

func sortNames(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// oddity is an expression no valid file holds.
func (g *fileGen) oddity() string {
	return g.pick("x", "sum([1])", "a.b", "1e3", "0x10", "2 ** 3", `"A" + 1`, "(", g.raw())
}

// numExpr writes a number-valued expression, depth at most d.
func (g *fileGen) numExpr(scope map[string]kind, d int) string {
	if g.mischief() {
		return g.oddity()
	}
	c := g.next()
	if d == 0 || c < 100 {
		if name := g.named(scope, kNum); name != "" && c%3 != 0 {
			return name
		}
		if name := g.named(scope, kOpt); name != "" && c%5 == 0 {
			return "(" + name + " ?? " + g.pick("0", "1800") + ")"
		}
		return g.pick("0", "1", "1.5", "0.001", "3", "1000000000000")
	}
	a, b := g.numExpr(scope, d-1), g.numExpr(scope, d-1)
	switch c % 6 {
	case 0:
		return fmt.Sprintf("%s(%s, %s)", g.pick("min", "max"), a, b)
	case 1:
		return fmt.Sprintf("%s(%s)", g.pick("abs", "-"), a)
	case 2:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolExpr(scope, d-1), a, b)
	case 3:
		return fmt.Sprintf("round(%s, %s)", a, g.pick("0", "2", "5"))
	}
	return fmt.Sprintf("(%s %s %s)", a, g.pick("+", "-", "*", "/", "%"), b)
}

// boolExpr writes a condition, depth at most d.
func (g *fileGen) boolExpr(scope map[string]kind, d int) string {
	if g.mischief() {
		return g.oddity()
	}
	c := g.next()
	if d == 0 || c < 100 {
		switch c % 5 {
		case 0:
			if name := g.named(scope, kBool); name != "" {
				return name
			}
		case 1:
			if name := g.named(scope, kEnum); name != "" {
				return g.pick(name+` == "A"`, name+` in ["A", "B"]`, name+` != "B"`)
			}
		case 2:
			if name := g.named(scope, kDate); name != "" {
				return fmt.Sprintf("%s %s date(%q)", name, g.pick("<", ">=", "=="), g.pick(days...))
			}
		}
		return fmt.Sprintf("%s %s %s", g.numExpr(scope, 0), g.pick("<", "<=", ">", ">=", "==", "!="), g.numExpr(scope, 0))
	}
	switch c % 4 {
	case 0:
		return "!(" + g.boolExpr(scope, d-1) + ")"
	case 1:
		return fmt.Sprintf("(%s %s %s)", g.numExpr(scope, d-1), g.pick("<", "<=", ">", ">=", "==", "!="), g.numExpr(scope, d-1))
	}
	return fmt.Sprintf("(%s %s %s)", g.boolExpr(scope, d-1), g.pick("&&", "||", "and", "or"), g.boolExpr(scope, d-1))
}

func (g *fileGen) overlay() string {
	var b strings.Builder
	extends := "fz"
	if g.mischief() {
		extends = g.pick("other", "")
	}
	fmt.Fprintf(&b, "extends: %s\nparameters:\n", extends)
	for _, p := range g.params {
		if g.next()%2 == 0 {
			b.WriteString(g.parameter(p, g.types[p]))
		}
	}
	if g.mischief() {
		b.WriteString(g.parameter("p9", "money"))
	}
	if g.mischief() {
		b.WriteString("rules: {}\n")
	}
	return b.String()
}

// value is a text an input might be given, valid or not.
func (g *fileGen) value(name string) string {
	if g.mischief() {
		return g.pick("", "18446744073709551617", "1.005", "12.3,4", "0000-12-31", g.raw())
	}
	switch name {
	case "m":
		return g.pick("1800.00", "￥1,234.50", "1234.5元", "1.100", "0")
	case "d":
		return g.pick("0.35", "１．５", "2")
	case "n":
		return g.pick("6", "1,2", "12", "０")
	case "b":
		return g.pick("是", "否", "1", "true")
	case "e":
		return g.pick("A", "A类", "B")
	}
	return g.pick("2021-09-01", "2021/9/1", "2022年1月1日", "2025-1-1")
}

func (g *fileGen) input() rules.Input {
	in := rules.Input{rules.AsOf: rules.Text(g.pick(days...))}
	for _, name := range g.inputs {
		in[name] = rules.Text(g.value(name))
	}
	return in
}
