package rules_test

import (
	"context"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// formsPolicy computes text, dates and optional numbers through
// conditionals and lets, both as rule lets and inside one expression, and
// tests membership of text and numbers in lists: every kind of value the
// compiled closures hold, each in each form.
const formsPolicy = `policy: {id: forms, title: 形式}
inputs:
  a: {type: money, label: 甲, min: "0"}
  n: {type: int, label: 月数, min: "0"}
  tier: {type: enum, label: 类别, values: [A, B, C]}
  day: {type: date, label: 日期}
  flag: {type: bool, label: 标志}
parameters:
  cap:
    type: money
    label: 上限
    nullable: true
    values:
      - {from: "2020-01-01", value: null, basis: 第一条}
      - {from: "2025-01-01", value: "500.00", basis: 第一条修订}
rules:
  r:
    title: 形式
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a, n, tier, day, flag]
    let:
      t: 'flag ? tier : "C"'
      t2: 'let z = t; z'
      d: 'flag ? day : date("2024-01-01")'
      d2: 'let e = d; e'
      o: 'flag ? cap : cap'
      o2: 'let q = o; q'
    requirements:
      - {code: tier-listed, when: 't2 in ["A", "B"]', message: 类别不在名单}
      - {code: too-early, when: 'd2 >= date("2021-01-01")', message: 日期过早}
      - {code: n-listed, when: 'n in [1, 2, 3]', message: 月数不在名单}
      - {code: tier-matched, when: 't2 in [tier, "C", t]', message: 类别不符}
      - {code: flag-forms, when: '(flag ? d2 >= day : true) && (let g = flag; g || !g) && flag == flag && d != date("1999-01-01") && t2 != "D"', message: 标志}
      - {code: member-forms, when: '(flag ? t2 : "X") in ["A", "B", "C", "X", t] && (let m = n; m in [1, 2, 3, 4, n])', message: 成员}
      - {code: amount-listed, when: 'not (a in [n, o2 ?? 1, a + 1]) || a == 800', message: 金额在名单}
    outputs:
      x: {label: x, expr: 'min(a, o2 ?? a)', round: {places: 2, mode: half-up}, on_fail: keep}
      y: {label: y, expr: 'flag ? (let k = n; k * 2) : 0', round: {places: 0, mode: down}, on_fail: keep}
      m: {label: m, expr: '(n * 7) % 3 + n % 2', round: {places: 0, mode: down}, on_fail: keep}
      f: {label: f, expr: 'round(a / 3, 2) + abs(0 - n) - max(n, 2.5) + min(a, 0.5)', round: {places: 2, mode: half-up}, on_fail: keep}
`

func TestEveryFormOfValue(t *testing.T) {
	set := mustCompile(t, formsPolicy)
	ctx := context.Background()
	for _, tt := range []struct {
		name, a, n, tier, day, flag, on string
		pass                            bool
		reasons                         []string
		x, y, m, f                      string
	}{
		// 14 % 3 + 2 % 2 = 2; round(800/3, 2) + 2 - 2.5 + 0.5 = 266.67.
		{"all hold, no cap yet", "800.00", "2", "B", "2021-06-01", "是", "2024-06-01", true, nil, "800", "4", "2", "266.67"},
		// 21 % 3 + 3 % 2 = 1; 266.67 + 3 - 3 + 0.5.
		{"the cap from 2025", "800.00", "3", "A", "2021-06-01", "是", "2025-06-01", true, nil, "500", "6", "1", "267.17"},
		{"flag off: tier C and the default day", "800.00", "2", "A", "2019-01-01", "否", "2025-06-01", false, []string{"tier-listed"}, "500", "0", "2", "266.67"},
		// 28 % 3 + 4 % 2 = 1; 33.33 + 4 - 4 + 0.5.
		{"an early day and a month not listed", "100.00", "4", "A", "2020-12-31", "是", "2024-06-01", false, []string{"too-early", "n-listed"}, "100", "8", "1", "33.83"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := set.Eval(ctx, "r", rules.Input{rules.AsOf: rules.Text(tt.on), "a": rules.Text(tt.a), "n": rules.Text(tt.n),
				"tier": rules.Text(tt.tier), "day": rules.Text(tt.day), "flag": rules.Text(tt.flag)})
			require.NoError(t, err)
			assert.Equal(t, tt.pass, res.Pass)
			var codes []string
			for _, r := range res.Reasons {
				codes = append(codes, r.Code)
			}
			assert.Equal(t, tt.reasons, codes)
			assertDecimal(t, tt.x, output(t, res, "x"))
			assertDecimal(t, tt.y, output(t, res, "y"))
			assertDecimal(t, tt.m, output(t, res, "m"))
			assertDecimal(t, tt.f, output(t, res, "f"))
		})
	}
}

func TestDateNeedsItsTextInTheRuleFile(t *testing.T) {
	src := replaceOnce(t, formsPolicy, `d: 'flag ? day : date("2024-01-01")'`, `d: 'flag ? day : date(n)'`)
	_, err := compile(t, src)
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "bad-date", ds[0].Code, "%v", err)
	assert.NotZero(t, ds[0].Pos.Line)
}
