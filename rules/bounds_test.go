package rules_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chain returns a policy whose rule r has n lets, each computed from the
// one before by step (with %[1]s the previous let's name), and a test case.
func chain(n int, step string) string {
	var b strings.Builder
	b.WriteString(head + "    let:\n      v1: a\n")
	for i := 2; i <= n; i++ {
		fmt.Fprintf(&b, "      v%d: %s\n", i, fmt.Sprintf(step, fmt.Sprintf("v%d", i-1)))
	}
	fmt.Fprintf(&b, "    outputs:\n      x: {label: x, expr: v%d, round: {places: 2, mode: half-up}}\n", n)
	b.WriteString(`tests:
  - name: the chain decides
    rule: r
    on: "2024-06-01"
    input: {a: "3.07", b: "1", n: "1", tier: A, day: "2024-01-01"}
    want: {pass: true}
`)
	return b.String()
}

// TestSquaringChainIsStopped: 40 lets, each the square of the one before,
// would double the size of the exact value 40 times. Evaluation stops with
// ErrTooLarge at the let where a value first passes the limit, through Eval
// and through the rule file's own tests.
func TestSquaringChainIsStopped(t *testing.T) {
	src := chain(40, "%[1]s * %[1]s")
	s := mustCompile(t, src)
	in := facts()
	in["a"] = rules.Text("3.07")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a guard, not a measurement
	defer cancel()
	_, err := s.Eval(ctx, "r", in)
	var ee *rules.EvalError
	require.ErrorAs(t, err, &ee)
	assert.ErrorIs(t, err, rules.ErrTooLarge)
	// 3.07 is 307/100, and 307^256 has 2116 bits: v9 = a^256 is the first
	// value past the limit.
	at := strings.Index(src, "      v9:")
	assert.Equal(t, strings.Count(src[:at], "\n")+1, ee.Pos.Line, "points at the let that outgrew the limit: %v", err)
	assert.Equal(t, strings.Index(src[at:], "* v8")+1, ee.Pos.Col, "and at its operator: %v", err)
	assert.Contains(t, err.Error(), `v8 * v8`, "names the expression")

	results := s.Test(ctx)
	require.Len(t, results, 1)
	assert.False(t, results[0].Passed())
	assert.Contains(t, results[0].String(), "value too large")
}

// TestLongChainOfSmallValuesIsUnaffected: the same number of lets whose
// values stay small decides as before.
func TestLongChainOfSmallValuesIsUnaffected(t *testing.T) {
	s := mustCompile(t, chain(40, "%[1]s * 1 + 0.01"))
	res, err := s.Eval(context.Background(), "r", facts())
	require.NoError(t, err)
	assertDecimal(t, "18340.64", output(t, res, "x")) // 18340.25 + 39 × 0.01
	for _, r := range s.Test(context.Background()) {
		assert.True(t, r.Passed(), r.String())
	}
}

// TestLargeExactValuesWithinTheLimitStayExact: values past int64 but under
// the limit are computed exactly on the big-number path.
func TestLargeExactValuesWithinTheLimitStayExact(t *testing.T) {
	s := mustCompile(t, chain(6, "%[1]s * %[1]s"))
	in := facts()
	in["a"] = rules.Text("1.01")
	res, err := s.Eval(context.Background(), "r", in)
	require.NoError(t, err)
	// 1.01^32, rounded half-up to the fen
	assertDecimal(t, "1.37", output(t, res, "x"))
	ex := res.Explanation()
	assert.Equal(t, "1.3749406785310970541622913505711040449564178320493809360964963201", ex.Outputs[0].Exact.String(), "all 64 places")
}

// TestBudget: a decision that takes more steps than its budget stops with
// ErrBudget; the default budget is far above what a policy needs.
func TestBudget(t *testing.T) {
	s := mustCompile(t, chain(200, "%[1]s + 1"))
	_, err := s.Eval(context.Background(), "r", facts())
	require.NoError(t, err, "200 additions fit the default budget")
	_, err = s.Eval(context.Background(), "r", facts(), rules.WithBudget(150))
	var ee *rules.EvalError
	require.ErrorAs(t, err, &ee)
	assert.ErrorIs(t, err, rules.ErrBudget)
	assert.Equal(t, strings.Count(chain(200, "%[1]s + 1")[:strings.Index(chain(200, "%[1]s + 1"), "      v152:")], "\n")+1, ee.Pos.Line,
		"the 150th addition is let v152: %v", err)
	_, err = s.Eval(context.Background(), "r", facts(), rules.WithBudget(250))
	assert.NoError(t, err)
}

// cancelAfter is a context whose Err reports cancellation from its n-th call.
type cancelAfter struct {
	context.Context
	n int
}

func (c *cancelAfter) Err() error {
	c.n--
	if c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestContextCheckedBetweenSteps: a context cancelled while a long
// decision runs stops it with the context's error.
func TestContextCheckedBetweenSteps(t *testing.T) {
	// 190 lets of 4 additions each: 760 steps, within the loader's cap on lets.
	s := mustCompile(t, chain(190, "%[1]s + 1 + 1 + 1 + 1"))
	_, err := s.Eval(&cancelAfter{Context: context.Background(), n: 1}, "r", facts())
	var ee *rules.EvalError
	require.ErrorAs(t, err, &ee)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
	_, err = s.Eval(&cancelAfter{Context: context.Background(), n: 1000}, "r", facts())
	assert.NoError(t, err, "not cancelled: 760 steps look at the context a few times")
}
