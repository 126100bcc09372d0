package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules/internal/dexpr"
	"github.com/shopspring/decimal"
)

// casesPerRule is how many random inputs each rule of the default policy is
// decided on by both evaluators.
const casesPerRule = 10_000

func loadDefaultPolicy(t testing.TB) *Set {
	t.Helper()
	b, err := os.ReadFile("../policies/henan-2021-48.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Compile(Source{Name: "henan-2021-48.yaml", Data: b})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCompiledMatchesReference decides random inputs with the compiled
// evaluator and with the reference evaluator (the engine before rules were
// compiled to closures) and requires the same pass, outputs (value and
// places), reasons, errors and explanation, JSON and text.
func TestCompiledMatchesReference(t *testing.T) {
	s := loadDefaultPolicy(t)
	n := casesPerRule
	if testing.Short() {
		n = 1000
	}
	for _, id := range s.ruleOrder {
		t.Run(id, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(48, uint64(len(id))))
			gen := &inputGen{rng: rng}
			r := s.rules[id]
			decided, refused := 0, 0
			for i := 0; i < n; i++ {
				in := Input{}
				for _, def := range r.inputs {
					if v, ok := gen.value(def); ok {
						in[def.name] = v
					}
				}
				on := gen.asOf(in)
				if ok := sameDecision(t, s, id, in, on); !ok {
					t.Fatalf("case %d: %v", i, in)
				}
				if _, err := s.Eval(context.Background(), id, in, On(on)); err == nil {
					decided++
				} else {
					refused++
				}
			}
			// the generator must reach decisions, not only input errors
			if decided < n/4 || refused == 0 {
				t.Errorf("%d decided, %d refused: the random inputs do not cover both", decided, refused)
			}
		})
	}
}

// TestPolicyCasesMatchReference runs every test case of the default policy
// through both evaluators.
func TestPolicyCasesMatchReference(t *testing.T) {
	s := loadDefaultPolicy(t)
	for _, tc := range s.tests {
		if !sameDecision(t, s, tc.rule, tc.input, tc.on) {
			t.Errorf("test case %q differs", tc.name)
		}
	}
}

// sameDecision reports whether both evaluators agree on one decision,
// logging the difference when they do not.
func sameDecision(t *testing.T, s *Set, id string, in Input, on Date) bool {
	t.Helper()
	ctx := context.Background()
	got, gotErr := s.Eval(ctx, id, in, On(on))
	want, wantErr := s.referenceEval(ctx, id, in, on)
	if (gotErr == nil) != (wantErr == nil) {
		t.Errorf("%s: error %v, reference error %v", id, gotErr, wantErr)
		return false
	}
	if wantErr != nil {
		if g, w := cause(gotErr), cause(wantErr); g != w {
			t.Errorf("%s: error %q, reference error %q", id, g, w)
			return false
		}
		return true
	}
	gj, err1 := AppendJSON(nil, got, nil, JSONOptions{}), error(nil) // the reference has no policy to name
	// The reference's Result is written with got's record only so that
	// outputs that were not computed are listed alike.
	wj, err2 := AppendJSON(nil, Result{Rule: want.res.Rule, Pass: want.res.Pass, Outputs: want.res.Outputs, Reasons: want.res.Reasons, rec: got.rec, ru: got.ru, apart: got.apart}, nil, JSONOptions{}), error(nil)
	if err1 != nil || err2 != nil {
		t.Errorf("%s: marshal: %v %v", id, err1, err2)
		return false
	}
	gx, _ := json.Marshal(got.Explanation())
	wx, _ := json.Marshal(want.ex)
	// The reference's Result carries no record, so its JSON has an empty
	// explanation: compare the decision part and the explanation apart.
	gj, wj = decisionPart(gj), decisionPart(wj)
	var gt, wt bytes.Buffer
	_ = got.Explanation().WriteText(&gt)
	_ = want.ex.WriteText(&wt)
	switch {
	case !bytes.Equal(gj, wj):
		t.Errorf("%s: decision\n got %s\nwant %s", id, gj, wj)
	case !bytes.Equal(gx, wx):
		t.Errorf("%s: explanation\n got %s\nwant %s", id, gx, wx)
	case gt.String() != wt.String():
		t.Errorf("%s: explanation text\n got %s\nwant %s", id, gt.String(), wt.String())
	default:
		for i, o := range got.Outputs {
			w := want.res.Outputs[i]
			if !o.Value.Equal(w.Value) || o.Value.Exponent() != w.Value.Exponent() || o.Value.String() != w.Value.String() {
				t.Errorf("%s: output %s = %s (exponent %d), reference %s (exponent %d)", id, o.Name, o.Value, o.Value.Exponent(), w.Value, w.Value.Exponent())
				return false
			}
		}
		return true
	}
	return false
}

func decisionPart(b []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return b
	}
	delete(m, "explanation")
	out, _ := json.Marshal(m)
	return out
}

// cause is the message of what went wrong, without the position the
// compiled evaluator adds inside the expression.
func cause(err error) string {
	var de *dexpr.Error
	if errors.As(err, &de) {
		return de.Err.Error()
	}
	var ee *EvalError
	if errors.As(err, &ee) {
		return ee.Err.Error()
	}
	return err.Error()
}

// inputGen makes random inputs: mostly valid, some at the edges a policy
// cares about (equal amounts, zero, the largest amounts an input accepts),
// some malformed.
type inputGen struct {
	rng  *rand.Rand
	last []string // money amounts given so far in this case
}

func (g *inputGen) pick(xs ...string) string { return xs[g.rng.IntN(len(xs))] }

func (g *inputGen) value(def *inputDef) (Value, bool) {
	if g.rng.IntN(60) == 0 {
		return Value{}, false // missing
	}
	if g.rng.IntN(50) == 0 {
		return Text(g.pick("", " ", "x", "1e3", "NaN", "-", "是否", "2021-13-01", "1.234", "--1")), true
	}
	switch def.typ {
	case TypeBool:
		switch g.rng.IntN(5) {
		case 0:
			return Bool(g.rng.IntN(2) == 0), true
		case 1:
			return Int(int64(g.rng.IntN(3))), true
		}
		return Text(g.pick("是", "否", "true", "false", "1", "0", "TRUE", " True ", "FALSE")), true
	case TypeEnum:
		if g.rng.IntN(4) == 0 {
			for a := range def.aliases {
				if g.rng.IntN(2) == 0 {
					return Text(a), true
				}
			}
		}
		return Text(def.values[g.rng.IntN(len(def.values))]), true
	case TypeDate:
		return Text(g.day().String()), true
	case TypeInt:
		switch g.rng.IntN(10) {
		case 0:
			return Text(g.pick("-1", "2.5", "6.0", "99999999999999999999", "1,000")), true
		case 1:
			return Int(int64(g.rng.IntN(40))), true
		}
		return Text(fmt.Sprint(g.rng.IntN(13))), true
	}
	return Text(g.money()), true
}

func (g *inputGen) money() string {
	var s string
	switch g.rng.IntN(12) {
	case 0:
		s = "0"
	case 1:
		// the largest amounts: past int64 fen
		var b strings.Builder
		b.WriteByte(byte('1' + g.rng.IntN(9)))
		for range 19 + g.rng.IntN(8) {
			b.WriteByte(byte('0' + g.rng.IntN(10)))
		}
		s = b.String()
		if g.rng.IntN(2) == 0 {
			s += "." + fmt.Sprintf("%02d", g.rng.IntN(100))
		}
	case 2:
		if len(g.last) > 0 { // the same as an earlier amount, or 15% of it
			prev := g.last[g.rng.IntN(len(g.last))]
			if g.rng.IntN(2) == 0 {
				s = prev
			} else if d, err := parsePlain(prev); err == nil {
				s = d.Mul(mustDec("0.15")).RoundUp(2).StringFixed(2)
			}
		}
	case 3:
		s = fmt.Sprintf("%d.%03d", g.rng.IntN(100), g.rng.IntN(1000)) // 3 places: refused for money
	}
	if s == "" {
		scale := []int{1, 10, 100, 1e4, 1e6, 1e8, 1e10, 1e13}[g.rng.IntN(8)]
		fen := g.rng.Int64N(int64(scale) * 100)
		switch g.rng.IntN(3) {
		case 0:
			s = fmt.Sprintf("%d", fen/100)
		case 1:
			s = fmt.Sprintf("%d.%d", fen/100, fen%10)
		default:
			s = fmt.Sprintf("%d.%02d", fen/100, fen%100)
		}
		if g.rng.IntN(20) == 0 {
			s = "-" + s
		}
	}
	g.last = append(g.last, s)
	return s
}

func mustDec(s string) (d decimal.Decimal) {
	d, _ = parsePlain(s)
	return d
}

var policyDays = []string{"2021-08-18", "2021-08-19", "2021-08-20", "2021-12-19", "2021-12-20", "2022-01-20",
	"2023-12-31", "2024-01-01", "2024-07-22", "2020-04-19", "2020-04-20"}

func (g *inputGen) day() Date {
	if g.rng.IntN(3) == 0 {
		return MustDate(policyDays[g.rng.IntN(len(policyDays))])
	}
	return MustDate("2020-01-01").AddDays(g.rng.IntN(365 * 6))
}

// asOf puts an as-of date in the input, or returns one for On.
func (g *inputGen) asOf(in Input) Date {
	g.last = g.last[:0]
	switch g.rng.IntN(4) {
	case 0:
		in[AsOf] = Text(g.day().String())
	case 1:
		in[AsOf] = Day(g.day())
	}
	return g.day()
}
