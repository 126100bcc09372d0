package rules

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ruralrelief/fangpin/rules/internal/ruledoc"
	"github.com/shopspring/decimal"
)

type testCase struct {
	name, rule string
	on         Date
	input      Input
	params     []caseParam // values the case sets for parameters
	overlay    bool        // written in an overlay, not in the policy
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

// TestStatus is what became of a test case kept in a rule file.
type TestStatus int

// The statuses of a test case.
const (
	// TestPassed: the decision is what the case wants.
	TestPassed TestStatus = iota
	// TestChanged: a case of the policy that passes under the policy
	// alone, whose answer the overlays change (a county's cap lowers an
	// amount, say). It is not a failure: the overlay means to change it.
	TestChanged
	// TestFailed: the decision is not what the case wants.
	TestFailed
)

// String returns "ok", "changed" or "FAIL".
func (st TestStatus) String() string {
	switch st {
	case TestPassed:
		return "ok"
	case TestChanged:
		return "changed"
	}
	return "FAIL"
}

// TestResult is the outcome of one test case kept in a rule file.
type TestResult struct {
	Name string
	Rule string
	Pos  Pos // where the case is written
	// Overlay reports that the case is written in an overlay: it is run
	// with the policy and every overlay.
	Overlay bool
	// Failures say why the case failed; empty when it did not.
	Failures []string
	// Changes are set on a case of the policy that passes under the policy
	// alone and answers differently under its overlays: each part of the
	// answer that differs, before (the policy alone) and after (with the
	// overlays). Empty when the overlays change nothing of the case, or
	// the set has no overlays.
	Changes []Change
}

// Change is one part of a test case's answer that the overlays change:
// "pass", an output's name, "reasons" or "error", with its value under the
// policy alone and under the overlays.
type Change struct {
	What   string
	Before string
	After  string
}

// Status returns whether the case passed, failed or was changed by the
// overlays.
func (t TestResult) Status() TestStatus {
	switch {
	case len(t.Failures) > 0:
		return TestFailed
	case len(t.Changes) > 0:
		return TestChanged
	}
	return TestPassed
}

// Passed reports whether the case passed with an answer the overlays do
// not change.
func (t TestResult) Passed() bool { return t.Status() == TestPassed }

// Failed reports whether the case failed. A case the overlays change has
// not failed.
func (t TestResult) Failed() bool { return t.Status() == TestFailed }

// String renders the result as "file:line:col: ok NAME", "…: FAIL NAME:
// why" or "…: changed NAME: amount 1286.50 -> 500.00; …".
func (t TestResult) String() string {
	switch t.Status() {
	case TestFailed:
		return fmt.Sprintf("%s: FAIL %s: %s", t.Pos, t.Name, strings.Join(t.Failures, "; "))
	case TestChanged:
		parts := make([]string, len(t.Changes))
		for i, c := range t.Changes {
			parts[i] = fmt.Sprintf("%s %s -> %s", c.What, c.Before, c.After)
		}
		return fmt.Sprintf("%s: changed %s: %s", t.Pos, t.Name, strings.Join(parts, "; "))
	}
	return fmt.Sprintf("%s: ok %s", t.Pos, t.Name)
}

// Test runs the test cases kept in the rule files and returns one result
// per case: the policy's in file order, then each overlay's. A case fails
// when the decision differs from what it wants: pass, each named output
// (compared by value), the exact list of reasons, or the field an input
// error must name.
//
// A case that sets parameters for itself (`parameters:` under the case) is
// run on a set built for it, in which each of those parameters has the
// case's value on every day; s itself is never changed.
//
// When s has overlays, an overlay's own cases run with the policy and
// every overlay. A case of the policy is decided twice, under the policy
// alone and with the overlays: it fails if it fails under the policy
// alone, or if the overlays make it an error; otherwise, when the two
// answers differ, it is changed ([TestChanged]) and the result lists each
// difference. An overlay is meant to change answers: a changed case is not
// a failure.
//
// Test is safe for concurrent use; it compiles the sets it needs for the
// cases from the files s was built from.
func (s *Set) Test(ctx context.Context) []TestResult {
	return s.runTests(ctx, s.forCase, nil)
}

// runTests runs the test cases of s as [Set.Test] describes, on the sets
// build returns for a case's parameters and the first n files, and tells
// seen, if not nil, of every decision made.
func (s *Set) runTests(ctx context.Context, build func(params []caseParam, n int) (*Set, error), seen func(tc *testCase, res Result, err error)) []TestResult {
	out := make([]TestResult, 0, len(s.tests))
	var alone *Set // the policy without its overlays
	var aloneErr error
	overlays := len(s.sources) > 1
	eval := func(set *Set, tc *testCase) (Result, error) {
		res, err := set.Eval(ctx, tc.rule, tc.input, On(tc.on))
		if seen != nil {
			seen(tc, res, err)
		}
		return res, err
	}
	for i := range s.tests {
		tc := &s.tests[i]
		tr := TestResult{Name: tc.name, Rule: tc.rule, Pos: tc.pos, Overlay: tc.overlay}
		with, err := build(tc.params, len(s.sources))
		if err != nil {
			tr.Failures = []string{fmt.Sprintf("cannot build the policy with the case's parameters: %v", err)}
			out = append(out, tr)
			continue
		}
		res, err := eval(with, tc)
		if !overlays || tc.overlay {
			tr.Failures = tc.check(res, err)
			out = append(out, tr)
			continue
		}
		before, berr := alone, aloneErr
		switch {
		case len(tc.params) > 0:
			before, berr = build(tc.params, 1)
		case alone == nil && aloneErr == nil:
			alone, aloneErr = build(nil, 1)
			before, berr = alone, aloneErr
		}
		if berr != nil {
			tr.Failures = []string{fmt.Sprintf("cannot build the policy without its overlays: %v", berr)}
			out = append(out, tr)
			continue
		}
		bres, berr := eval(before, tc)
		if failures := tc.check(bres, berr); len(failures) > 0 {
			for i := range failures {
				failures[i] = "under the policy alone: " + failures[i]
			}
			tr.Failures = failures
			out = append(out, tr)
			continue
		}
		if err != nil && berr == nil {
			tr.Failures = []string{fmt.Sprintf("with the overlays: error: %v", err)}
			out = append(out, tr)
			continue
		}
		tr.Changes = answerOf(bres, berr).changes(answerOf(res, err))
		out = append(out, tr)
	}
	return out
}

// forCase returns the set a case runs on: the first n files of s with the
// case's parameter values, or s itself when that is all of s.
func (s *Set) forCase(params []caseParam, n int) (*Set, error) {
	if len(params) == 0 && n == len(s.sources) {
		return s, nil
	}
	if len(s.files) < n {
		return nil, fmt.Errorf("the files of the policy were not kept")
	}
	return compile(s.files[:n], derivation{derived: true, override: params})
}

// needsFiles reports whether s must keep its files: when it has test
// cases, Test builds sets from them for a case that sets parameters or
// for the policy's cases under overlays, and Coverage builds sets that
// record what the cases reach.
func (s *Set) needsFiles(int) bool { return len(s.tests) > 0 }

// check returns why the decision (res, err) is not what the case wants.
func (tc *testCase) check(res Result, err error) []string {
	var failures []string
	fail := func(format string, args ...any) { failures = append(failures, fmt.Sprintf(format, args...)) }
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
	return failures
}

// answer is a decision as text, part by part (What and Before of each
// Change), to tell what changed.
type answer []Change

func answerOf(res Result, err error) answer {
	if err != nil {
		return answer{{What: "error", Before: err.Error()}}
	}
	a := answer{{What: "pass", Before: strconv.FormatBool(res.Pass)}}
	for _, o := range res.Outputs {
		a = append(a, Change{What: o.Name, Before: o.String()})
	}
	return append(a, Change{What: "reasons", Before: fmt.Sprintf("%v", codes(res.Reasons))})
}

// changes lists the parts of a that differ in b, a's value as Before and
// b's as After. A part only one of them has is "none" in the other.
func (a answer) changes(b answer) []Change {
	var out []Change
	seen := map[string]bool{}
	find := func(x answer, what string) string {
		for _, p := range x {
			if p.What == what {
				return p.Before
			}
		}
		return "none"
	}
	for _, p := range append(append(answer(nil), a...), b...) {
		if seen[p.What] {
			continue
		}
		seen[p.What] = true
		if before, after := find(a, p.What), find(b, p.What); before != after {
			out = append(out, Change{What: p.What, Before: before, After: after})
		}
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

func (c *compiler) test(s *Set, t ruledoc.Test, overlay bool) {
	p := c.at(t.Pos)
	tc := testCase{name: t.Name.Value, rule: t.Rule.Value, pos: p, input: Input{}, overlay: overlay}
	r, ok := s.rules[tc.rule]
	if !ok {
		c.diag(c.at(t.Rule.Pos), "unknown-rule", "test %q: unknown rule %q%s", tc.name, tc.rule, didYouMean(tc.rule, s.ruleOrder))
		return
	}
	if t.On.Set {
		tc.on = c.date(t.On, fmt.Sprintf("test %q on", tc.name))
	}
	info, _ := s.Rule(tc.rule)
	tc.params = c.caseParams(s, tc.name, t.Parameters)
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

// caseParams reads the values a test case sets for parameters, each in
// the parameter's type, in force on every day.
func (c *compiler) caseParams(s *Set, test string, pairs []ruledoc.Pair) []caseParam {
	var out []caseParam
	for _, kv := range pairs {
		name := kv.Key.Value
		p, ok := s.params[name]
		if !ok {
			c.diag(c.at(kv.Key.Pos), "unknown-param", "test %q sets unknown parameter %q%s", test, name, didYouMean(name, s.paramOrder))
			continue
		}
		// in force from the first day a date may be, so on every day
		pv := paramValue{from: NewDate(minYear, time.January, 1), basis: fmt.Sprintf("test %q", test), pos: c.at(kv.Value.Pos)}
		switch {
		case kv.Value.Null && !p.nullable:
			c.diag(c.at(kv.Value.Pos), "bad-value", "test %q: parameter %q cannot be none", test, name)
			continue
		case !kv.Value.Null:
			n := len(c.diags)
			pv.v = c.paramValue(p, kv.Value)
			for i := n; i < len(c.diags); i++ {
				c.diags[i].Summary = fmt.Sprintf("test %q: %s", test, c.diags[i].Summary)
			}
		}
		out = append(out, caseParam{name: name, value: pv})
	}
	return out
}
