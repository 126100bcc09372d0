package rules_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ending is a policy whose rate is set for 2021 only, and set again from
// 2022-03-01; the cap runs until 2022-06-30 and the next cap starts the
// day after, so the cap never stops before 2022-12-31.
const ending = `policy: {id: ending, title: 到期}
inputs:
  cost: {type: money, label: 金额, min: "0"}
parameters:
  rate:
    type: decimal
    label: 比例
    values:
      - {from: "2021-01-01", until: "2021-12-31", value: "0.10", basis: 2021年}
      - {from: "2022-03-01", value: "0.20", basis: 2022年}
  cap:
    type: money
    label: 上限
    values:
      - {from: "2021-01-01", until: "2022-06-30", value: "100.00", basis: 第一期}
      - {from: "2022-07-01", until: "2022-12-31", value: "200.00", basis: 第二期}
  unused:
    type: int
    label: 未用
    values:
      - {from: "2021-01-01", until: "2021-06-30", value: 1, basis: 试验}
rules:
  paid:
    title: 支付
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2021-01-01"}
    inputs: [cost]
    outputs:
      amount: {label: 金额, expr: 'min(cost * rate, cap)', round: {places: 2, mode: half-up}}
  short:
    title: 短期
    basis: {clause: 第二条, quote: 原文}
    in_force: {from: "2021-01-01", until: "2021-11-30"}
    inputs: [cost]
    outputs:
      amount: {label: 金额, expr: cost, round: {places: 2, mode: half-up}}
`

func TestUntilIsTheLastDayInForce(t *testing.T) {
	s := mustCompile(t, ending)
	tests := []struct {
		name, on, want string
		wantErr        error
	}{
		{"the last day of the 2021 rate", "2021-12-31", "10.00", nil},
		{"the day after: no value", "2022-01-01", "", rules.ErrNoValue},
		{"the day before the next value", "2022-02-28", "", rules.ErrNoValue},
		{"the next value starts", "2022-03-01", "20.00", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Eval(context.Background(), "paid", rules.Input{"cost": rules.Text("100.00")}, rules.On(rules.MustDate(tt.on)))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Contains(t, err.Error(), `parameter "rate" has no value on `+tt.on+" (its first value is from 2021-01-01)")
				_, err = s.Param("rate", rules.MustDate(tt.on))
				assert.ErrorIs(t, err, rules.ErrNoValue)
				return
			}
			require.NoError(t, err)
			assertDecimal(t, tt.want, output(t, res, "amount"))
		})
	}
	p, err := s.Param("rate", rules.MustDate("2021-06-01"))
	require.NoError(t, err)
	assert.Equal(t, rules.MustDate("2021-12-31"), p.Until)
}

func TestUntilDiagnostics(t *testing.T) {
	tests := []struct {
		name, from, to, code string
		line                 int
	}{
		{"until before from", `{from: "2021-01-01", until: "2021-12-31", value: "0.10", basis: 2021年}`,
			`{from: "2021-01-01", until: "2020-12-31", value: "0.10", basis: 2021年}`, "bad-period", 9},
		{"the next value starts before this one ends", `{from: "2022-03-01", value: "0.20", basis: 2022年}`,
			`{from: "2021-12-31", value: "0.20", basis: 2022年}`, "overlapping-periods", 10},
		{"until is not a date", `until: "2021-12-31"`, `until: "2021-12-32"`, "bad-date", 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compile(t, replaceOnce(t, ending, tt.from, tt.to))
			var ds rules.Diagnostics
			require.True(t, errors.As(err, &ds), "got %v", err)
			require.Len(t, ds, 1, "%s", ds)
			assert.Equal(t, tt.code, ds[0].Code)
			assert.Equal(t, tt.line, ds[0].Pos.Line)
		})
	}
}

// An overlay gives a value the same from to extend it: the value it
// replaces ended, the overlay's does not.
func TestOverlayExtendsAValueThatEnds(t *testing.T) {
	overlay := `extends: ending
parameters:
  rate:
    values:
      - {from: "2021-01-01", value: "0.10", basis: 延续}
`
	s, err := rules.Compile(rules.Source{Name: "ending.yaml", Data: []byte(ending)}, rules.Source{Name: "county.yaml", Data: []byte(overlay)})
	require.NoError(t, err)
	p, err := s.Param("rate", rules.MustDate("2022-02-01"))
	require.NoError(t, err)
	assert.Equal(t, "0.10", p.Value.String())
	assert.True(t, p.Until.IsZero())
}

func TestExpiring(t *testing.T) {
	s := mustCompile(t, ending)
	day := rules.MustDate
	tests := []struct {
		name, on, through string
		want              []rules.Expiry
	}{
		{"nothing stops in the window", "2021-03-01", "2021-03-31", nil},
		{"the rate and the short rule stop", "2021-11-01", "2021-12-31", []rules.Expiry{
			{Rule: "paid", Param: "rate", Last: day("2021-12-31"), Pos: rules.Pos{File: "tiny.yaml", Line: 9, Col: 9}},
			{Rule: "short", Last: day("2021-11-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 30, Col: 3}},
			{Param: "unused", Last: day("2021-06-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 21, Col: 9}},
		}},
		{"the day before the window would reach the end", "2021-11-01", "2021-12-30", []rules.Expiry{
			{Rule: "short", Last: day("2021-11-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 30, Col: 3}},
			{Param: "unused", Last: day("2021-06-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 21, Col: 9}},
		}},
		{"no rate on the day: the rule cannot be decided", "2022-01-15", "2022-02-14", []rules.Expiry{
			{Rule: "paid", Param: "rate", Last: day("2021-12-31"), NoValue: true, Pos: rules.Pos{File: "tiny.yaml", Line: 9, Col: 9}},
			{Rule: "short", Last: day("2021-11-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 30, Col: 3}},
			{Param: "unused", Last: day("2021-06-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 21, Col: 9}},
		}},
		{"a cap that the next value carries on", "2022-06-20", "2022-07-20", []rules.Expiry{
			{Rule: "short", Last: day("2021-11-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 30, Col: 3}},
			{Param: "unused", Last: day("2021-06-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 21, Col: 9}},
		}},
		{"the second cap ends", "2022-12-01", "2022-12-31", []rules.Expiry{
			{Rule: "paid", Param: "cap", Last: day("2022-12-31"), Pos: rules.Pos{File: "tiny.yaml", Line: 16, Col: 9}},
			{Rule: "short", Last: day("2021-11-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 30, Col: 3}},
			{Param: "unused", Last: day("2021-06-30"), Pos: rules.Pos{File: "tiny.yaml", Line: 21, Col: 9}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Expiring(day(tt.on), day(tt.through))
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestParameterWithNoValuesAtAll: a parameter declared with an empty list
// of values has no value on any day, and says it has none.
func TestParameterWithNoValuesAtAll(t *testing.T) {
	s := mustCompile(t, `policy: {id: none, title: 无值}
inputs:
  cost: {type: money, label: 费用}
parameters:
  rate:
    type: decimal
    label: 比例
    values: []
rules:
  r:
    title: 支付
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2021-01-01"}
    inputs: [cost]
    outputs:
      amount: {label: 金额, expr: cost * rate, round: {places: 2, mode: half-up}}
`)
	_, err := s.Eval(context.Background(), "r", rules.Input{"cost": rules.Text("100.00")}, rules.On(rules.MustDate("2021-09-01")))
	require.ErrorIs(t, err, rules.ErrNoValue)
	assert.Contains(t, err.Error(), `parameter "rate" has no value on 2021-09-01 (its first value is from none)`)
}
