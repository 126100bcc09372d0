package rules_test

import (
	gf "github.com/ruralrelief/fangpin/internal/golden"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// head is a small policy used to try expressions: two money inputs, a whole
// number, an enum and a date, and a dated rate that changes on 2025-01-01.
const head = `policy: {id: tiny, title: 试验}
inputs:
  a: {type: money, label: 甲, min: "0"}
  b: {type: money, label: 乙, min: "0"}
  n: {type: int, label: 月数, min: "0"}
  tier: {type: enum, label: 类别, values: [A, B], aliases: {A类: A, B类: B}}
  day: {type: date, label: 日期}
parameters:
  rate:
    type: decimal
    label: 比例
    values:
      - {from: "2020-01-01", value: "0.15", basis: 第一条}
      - {from: "2025-01-01", value: "0.30", basis: 第一条修订}
  cap:
    type: money
    label: 上限
    nullable: true
    values:
      - {from: "2020-01-01", value: null, basis: 第二条}
rules:
  r:
    title: 试验规则
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01", until: "2030-12-31"}
    inputs: [a, b, n, tier, day]
`

// numberRule returns a policy whose rule r has one output x = expr, kept to
// 28 places so the exact value shows.
func numberRule(expr string) string {
	return head + "    outputs:\n      x: {label: x, expr: " + quote(expr) + ", round: {places: 28, mode: half-up}}\n"
}

// boolRule returns a policy whose rule r passes exactly when expr holds.
func boolRule(expr string) string {
	return head + "    requirements:\n      - {code: no, message: 不成立, when: " + quote(expr) + "}\n" +
		"    outputs:\n      x: {label: x, expr: \"1\", round: {places: 0, mode: half-up}}\n"
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func compile(t *testing.T, src string) (*rules.Set, error) {
	t.Helper()
	return rules.Compile(rules.Source{Name: "tiny.yaml", Data: []byte(src)})
}

func mustCompile(t *testing.T, src string) *rules.Set {
	t.Helper()
	s, err := compile(t, src)
	require.NoError(t, err)
	return s
}

// facts is a typical input for the tiny policy.
func facts() rules.Input {
	return rules.Input{
		rules.AsOf: rules.Text("2024-06-01"),
		"a":        rules.Text("18340.25"),
		"b":        rules.Text("100000.00"),
		"n":        rules.Text("9"),
		"tier":     rules.Text("B类"),
		"day":      rules.Text("2023-12-31"),
	}
}

func assertDecimal(t *testing.T, want string, got decimal.Decimal) {
	t.Helper()
	assert.True(t, decimal.RequireFromString(want).Equal(got), "got %s, want %s", got, want)
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	gf.Check(t, filepath.Join("testdata", name), got)
}

// output reads a named output that must exist.
func output(t *testing.T, res rules.Result, name string) decimal.Decimal {
	t.Helper()
	v, ok := res.Output(name)
	require.True(t, ok, "rule %s has no output %q", res.Rule, name)
	return v
}

// replaceOnce replaces from, which must occur in src, by to.
func replaceOnce(t *testing.T, src, from, to string) string {
	t.Helper()
	require.Contains(t, src, from)
	return strings.Replace(src, from, to, 1)
}
