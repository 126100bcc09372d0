package rules_test

import (
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capEnding has a cap limit that stops at the end of 2021: rule counted
// uses it only as its cap across records, rule monthly in its expressions
// as well.
const capEnding = `policy: {id: capend, title: 到期}
inputs:
  months: {type: int, label: 月数, min: "0"}
parameters:
  limit:
    type: int
    label: 月数上限
    values:
      - {from: "2021-01-01", until: "2021-12-31", value: 6, basis: 第二条}
rules:
  counted:
    title: 计数
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2021-01-01"}
    inputs: [months]
    outputs:
      months_paid: {label: 月数, expr: months, round: {places: 0, mode: down}}
    across:
      cap: {input: months, counts: months_paid, limit: limit, code: months-exhausted, message: 已满, note: {code: months-capped, message: 按剩余}}
  monthly:
    title: 月补贴
    basis: {clause: 第二条, quote: 原文}
    in_force: {from: "2021-01-01"}
    inputs: [months]
    outputs:
      months_paid: {label: 月数, expr: 'min(months, limit)', round: {places: 0, mode: down}}
    across:
      cap: {input: months, counts: months_paid, limit: limit, code: months-exhausted, message: 已满, note: {code: months-capped, message: 按剩余}}
`

// TestExpiringCapLimit: a parameter a rule uses only as its cap is the
// rule's, and one it uses in both ways is reported once.
func TestExpiringCapLimit(t *testing.T) {
	s := mustCompile(t, capEnding)
	got := s.Expiring(rules.MustDate("2021-12-01"), rules.MustDate("2021-12-31"))
	require.Len(t, got, 2, "%+v", got)
	assert.Equal(t, []string{"counted", "monthly"}, []string{got[0].Rule, got[1].Rule})
	for _, e := range got {
		assert.Equal(t, "limit", e.Param)
		assert.Equal(t, rules.MustDate("2021-12-31"), e.Last)
		assert.False(t, e.NoValue)
		assert.Equal(t, 9, e.Pos.Line)
	}
}
