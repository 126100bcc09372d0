package rules

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
	"github.com/shopspring/decimal"
)

type testCase struct {
	name, rule string
	on         Date
	input      Input
	pass       *bool
	outputs    []wantOutput
	reasons    []string
	hasReasons bool
	errField   string
	pos        Pos
}

type wantOutput struct {
	name string
	want decimal.Decimal
}

// TestResult is the outcome of one test case kept in a rule file.
type TestResult struct {
	Name     string
	Rule     string
	Pos      Pos      // where the case is written
	Failures []string // empty when the case passed
}

// Passed reports whether the case passed.
func (t TestResult) Passed() bool { return len(t.Failures) == 0 }

// String renders the result as "file:line:col: ok NAME" or "…: FAIL NAME: why".
func (t TestResult) String() string {
	if t.Passed() {
		return fmt.Sprintf("%s: ok %s", t.Pos, t.Name)
	}
	return fmt.Sprintf("%s: FAIL %s: %s", t.Pos, t.Name, strings.Join(t.Failures, "; "))
}

// Test runs the test cases of the policy file and returns one result per
// case, in file order. A case fails when the decision differs from what it
// wants: pass, each named output (compared by value), the exact list of
// reasons, or the field an input error must name.
func (s *Set) Test(ctx context.Context) []TestResult {
	out := make([]TestResult, 0, len(s.tests))
	for _, tc := range s.tests {
		tr := TestResult{Name: tc.name, Rule: tc.rule, Pos: tc.pos}
		fail := func(format string, args ...any) { tr.Failures = append(tr.Failures, fmt.Sprintf(format, args...)) }
		res, err := s.Eval(ctx, tc.rule, tc.input, On(tc.on))
		var ie *InputError
		switch {
		case tc.errField != "":
			if !errors.As(err, &ie) {
				fail("want an input error naming %s, got %s", tc.errField, describe(res, err))
			} else if ie.Field != tc.errField {
				fail("input error names %s, want %s (%v)", ie.Field, tc.errField, err)
			}
		case err != nil:
			fail("error: %v", err)
		default:
			if tc.pass != nil && res.Pass != *tc.pass {
				fail("pass = %t, want %t (reasons %v)", res.Pass, *tc.pass, codes(res.Reasons))
			}
			for _, w := range tc.outputs {
				if got, _ := res.Output(w.name); !got.Equal(w.want) { // the name is checked at load
					fail("%s = %s, want %s", w.name, got, w.want)
				}
			}
			if tc.hasReasons && strings.Join(codes(res.Reasons), ",") != strings.Join(tc.reasons, ",") {
				fail("reasons = %v, want %v", codes(res.Reasons), tc.reasons)
			}
		}
		out = append(out, tr)
	}
	return out
}

func describe(res Result, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("a decision (pass %t, reasons %v)", res.Pass, codes(res.Reasons))
}

func codes(rs []Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Code
	}
	return out
}

func (c *compiler) test(s *Set, t ruledoc.Test) {
	p := c.at(t.Pos)
	tc := testCase{name: t.Name.Value, rule: t.Rule.Value, pos: p, input: Input{}}
	r, ok := s.rules[tc.rule]
	if !ok {
		c.diag(c.at(t.Rule.Pos), "unknown-rule", "test %q: unknown rule %q%s", tc.name, tc.rule, didYouMean(tc.rule, s.ruleOrder))
		return
	}
	if t.On.Set {
		tc.on = c.date(t.On, fmt.Sprintf("test %q on", tc.name))
	}
	info, _ := s.Rule(tc.rule)
	for _, kv := range t.Input {
		name, ok := info.Field(kv.Key.Value)
		if !ok {
			c.diag(c.at(kv.Key.Pos), "unknown-input", "test %q: rule %q has no input %q", tc.name, tc.rule, kv.Key.Value)
			continue
		}
		if !kv.Value.Null {
			tc.input[name] = Text(kv.Value.Value)
		}
	}
	for _, kv := range t.Want {
		switch k := kv.Key.Value; k {
		case "pass":
			b := kv.Value.Value == "true"
			if kv.Value.Value != "true" && kv.Value.Value != "false" {
				c.diag(c.at(kv.Value.Pos), "bad-value", "test %q: pass must be true or false", tc.name)
			}
			tc.pass = &b
		case "error":
			tc.errField = kv.Value.Value
			if _, ok := info.Field(tc.errField); !ok {
				c.diag(c.at(kv.Value.Pos), "unknown-input", "test %q: error names %q, which rule %q does not read", tc.name, tc.errField, tc.rule)
			}
		default:
			if !hasOutput(r, k) {
				c.diag(c.at(kv.Key.Pos), "unknown-output", "test %q: rule %q has no output %q", tc.name, tc.rule, k)
				continue
			}
			d, err := decimal.NewFromString(kv.Value.Value)
			if err != nil {
				c.diag(c.at(kv.Value.Pos), "bad-value", "test %q: %s = %q is not a decimal", tc.name, k, kv.Value.Value)
			}
			tc.outputs = append(tc.outputs, wantOutput{name: k, want: d})
		}
	}
	tc.hasReasons = t.HasReasons
	for _, code := range t.WantReasons {
		if !contains(info.Reasons, code.Value) {
			c.diag(c.at(code.Pos), "unknown-reason", "test %q: rule %q has no reason code %q", tc.name, tc.rule, code.Value)
		}
		tc.reasons = append(tc.reasons, code.Value)
	}
	if tc.errField != "" && (tc.pass != nil || len(tc.outputs) > 0 || tc.hasReasons) {
		c.diag(p, "bad-test", "test %q: a case that wants an error cannot also want a decision", tc.name)
	}
	s.tests = append(s.tests, tc)
}

func hasOutput(r *rule, name string) bool {
	for _, o := range r.outputs {
		if o.name == name {
			return true
		}
	}
	return false
}
