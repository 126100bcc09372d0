package rules_test

import (
	"context"
	"testing"

	"github.com/ruralrelief/fangpin/rules"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTallyWithoutAmount: an across section that names no amount output
// records a zero amount, whichever outputs the rule has.
func TestTallyWithoutAmount(t *testing.T) {
	src := replaceOnce(t, acrossPolicy, "      amount: amount\n      once:", "      once:")
	src = replaceOnce(t, src, "      amount: {label: 金额, expr: 'tier == \"A\" ? 2000 : 1800', round: {places: 2, mode: half-up}}\n",
		"      amount: {label: 金额, expr: 'tier == \"A\" ? 2000 : 1800', round: {places: 2, mode: half-up}}\n"+
			"      extra: {label: 另计, expr: '300', round: {places: 2, mode: half-up}}\n")
	set := mustCompile(t, src)
	tl := set.NewTally("a.csv", nil)
	res, e := apply(t, set, tl, "grant", "p", 2, grantIn("是", "A"))
	assert.True(t, res.Pass)
	assertDecimal(t, "300", output(t, res, "extra"))
	assertDecimal(t, "0", e.Amount)
	assert.Equal(t, "A", e.Key)
	assert.Equal(t, rules.MustDate("2021-09-01"), e.AsOf)
	assert.Equal(t, 2, e.Line)
	assert.Equal(t, "p", e.Subject)
}

// TestTallyRefusesResultWithoutOutputs: a caller's own Result, with fewer
// outputs than the rule has, is refused as a duplicate without a panic.
func TestTallyRefusesResultWithoutOutputs(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	tl := set.NewTally("a.csv", nil)
	apply(t, set, tl, "grant", "p", 2, grantIn("是", "A"))
	res, e, err := tl.Apply(context.Background(), "p", 3, grantIn("是", "A"), rules.Result{Rule: "grant", Pass: true})
	require.NoError(t, err)
	assert.False(t, res.Pass)
	assert.Empty(t, res.Outputs)
	assert.Equal(t, "duplicate-grant", e.Refusal)
	assertDecimal(t, "0", e.Amount)
	assert.True(t, e.AsOf.IsZero(), "a Result not from Eval has no as-of date")

	// The first for its subject passes, with no amount to record.
	res, e, err = tl.Apply(context.Background(), "q", 4, grantIn("是", "A"), rules.Result{Rule: "grant", Pass: true})
	require.NoError(t, err)
	assert.True(t, res.Pass)
	assertDecimal(t, "0", e.Amount)
}
