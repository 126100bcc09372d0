package rules

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// tinyHead is a policy to try random expressions on: money, a whole
// number, an enum, a date, a dated rate and an optional cap.
const tinyHead = `policy: {id: tiny, title: 试验}
inputs:
  a: {type: money, label: 甲}
  b: {type: money, label: 乙}
  n: {type: int, label: 月数}
  tier: {type: enum, label: 类别, values: [A, B, C]}
  day: {type: date, label: 日期}
  ok: {type: bool, label: 是否}
parameters:
  rate:
    type: decimal
    label: 比例
    values:
      - {from: "2020-01-01", value: "0.15", basis: 第一条}
      - {from: "2025-01-01", value: "0.035", basis: 第一条修订}
  cap:
    type: money
    label: 上限
    nullable: true
    values:
      - {from: "2020-01-01", value: null, basis: 第二条}
      - {from: "2024-01-01", value: "1234.50", basis: 第二条修订}
rules:
  r:
    title: 试验规则
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01", until: "2030-12-31"}
    inputs: [a, b, n, tier, day, ok]
`

// exprGen writes random well-typed expressions.
type exprGen struct{ rng *rand.Rand }

func (g *exprGen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g *exprGen) literal() string {
	switch g.rng.IntN(4) {
	case 0:
		return fmt.Sprint(g.rng.IntN(10))
	case 1:
		return fmt.Sprintf("%d.%d", g.rng.IntN(1000), g.rng.IntN(10))
	case 2:
		return fmt.Sprintf("0.%03d", g.rng.IntN(1000))
	}
	return fmt.Sprintf("%d.%02d", g.rng.IntN(100000), g.rng.IntN(100))
}

func (g *exprGen) num(depth int) string {
	if depth <= 0 || g.rng.IntN(4) == 0 {
		return g.pick("a", "b", "n", "rate", "(cap ?? a)", g.literal(), "l1")
	}
	d := depth - 1
	switch g.rng.IntN(11) {
	case 0, 1:
		return "(" + g.num(d) + " " + g.pick("+", "-", "*") + " " + g.num(d) + ")"
	case 2:
		return "(" + g.num(d) + " / " + g.num(d) + ")"
	case 3:
		return g.pick("min", "max") + "(" + g.num(d) + ", " + g.num(d) + ")"
	case 4:
		return "round(" + g.num(d) + ", " + fmt.Sprint(g.rng.IntN(5)) + ")"
	case 5:
		return "abs(" + g.num(d) + ")"
	case 6:
		return "-" + g.num(d)
	case 7:
		return "(" + g.cond(d) + " ? " + g.num(d) + " : " + g.num(d) + ")"
	case 8:
		return "(n % " + g.pick("4", "7", "0") + ")"
	case 9:
		return "(let t = " + g.num(d) + "; t * t - t)"
	}
	return g.num(0)
}

func (g *exprGen) cond(depth int) string {
	if depth <= 0 || g.rng.IntN(4) == 0 {
		return g.pick("ok", "!ok", `tier == "A"`, `tier != "C"`, `day < date("2024-01-01")`, `as_of >= day`,
			`tier in ["A", "B"]`, "true")
	}
	d := depth - 1
	switch g.rng.IntN(5) {
	case 0:
		return "(" + g.num(d) + " " + g.pick("<", "<=", ">", ">=", "==", "!=") + " " + g.num(d) + ")"
	case 1:
		return "(" + g.cond(d) + " " + g.pick("&&", "||") + " " + g.cond(d) + ")"
	case 2:
		return "!" + g.cond(d)
	case 3:
		return "(" + g.num(d) + " in [1, 2.50, " + g.num(0) + "])"
	}
	return g.cond(0)
}

// TestRandomExpressionsMatchReference compiles random expressions into
// rules (a let, a requirement and outputs in every rounding mode) and
// decides random inputs with the compiled and the reference evaluator.
func TestRandomExpressionsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 15))
	g := &exprGen{rng: rng}
	in := &inputGen{rng: rng}
	rules, cases := 300, 40
	if testing.Short() {
		rules = 50
	}
	compiled := 0
	for i := 0; i < rules; i++ {
		var b strings.Builder
		b.WriteString(tinyHead)
		fmt.Fprintf(&b, "    let:\n      l1: %s\n", quoteYAML(g.num(2)))
		fmt.Fprintf(&b, "    requirements:\n      - {code: c1, message: 不成立, when: %s}\n", quoteYAML(g.cond(2)))
		b.WriteString("    outputs:\n")
		for j, mode := range []string{"half-up", "half-even", "down", "up"} {
			keep := g.pick("zero", "keep")
			fmt.Fprintf(&b, "      x%d: {label: x, expr: %s, round: {places: %d, mode: %s}, on_fail: %s}\n", j, quoteYAML(g.num(3)), rng.IntN(6), mode, keep)
		}
		src := b.String()
		s, err := Compile(Source{Name: "tiny.yaml", Data: []byte(src)})
		if err != nil {
			continue // a random expression may be ill-typed
		}
		compiled++
		r := s.rules["r"]
		for k := 0; k < cases; k++ {
			input := Input{}
			for _, def := range r.inputs {
				if v, ok := in.value(def); ok {
					input[def.name] = v
				}
			}
			on := in.asOf(input)
			if !sameDecision(t, s, "r", input, on) {
				t.Fatalf("rule file:\n%s\ninput %v on %s", src, input, on)
			}
		}
	}
	if compiled < rules/2 {
		t.Errorf("only %d of %d random rule files compiled", compiled, rules)
	}
}

// FuzzCompiledMatchesReference compiles any expression as an output and
// requires both evaluators to agree on it.
func FuzzCompiledMatchesReference(f *testing.F) {
	for _, s := range []string{"a + b", "1 / 3 * 3", "min(a, cap ?? b)", `tier == "A" ? a : b`, "round(a / 7, 3)",
		"n % 4", "let x = a / 3; x * 3", "-(-a)", `a in [1, 2, "x"]`, `day < date("2024-01-01") ? rate : 1`} {
		f.Add(s, "18340.25", "100000.00", "9", uint8(2))
	}
	f.Fuzz(func(t *testing.T, expr, a, b, n string, places uint8) {
		src := tinyHead + "    outputs:\n      x: {label: x, expr: " + quoteYAML(expr) +
			fmt.Sprintf(", round: {places: %d, mode: half-even}}\n", places%29)
		s, err := Compile(Source{Name: "f.yaml", Data: []byte(src)})
		if err != nil {
			return
		}
		in := Input{AsOf: Text("2024-06-01"), "a": Text(a), "b": Text(b), "n": Text(n), "tier": Text("B"),
			"day": Text("2023-12-31"), "ok": Text("是")}
		if !sameDecision(t, s, "r", in, Date{}) {
			t.Fatalf("expression %q", expr)
		}
		_, _ = s.Eval(context.Background(), "r", in)
	})
}

func quoteYAML(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
