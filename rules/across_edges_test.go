package rules_test

import (
	"testing"

	"github.com/ruralrelief/fangpin/rules"

	"github.com/stretchr/testify/assert"
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
