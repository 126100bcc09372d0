package rules_test

import (
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
)

// paramOutputs has outputs that are a money parameter and a whole-number
// parameter, rounded to fewer places than the money has.
const paramOutputs = `policy: {id: params, title: 参数}
inputs:
  a: {type: int, label: 甲}
parameters:
  grant:
    type: money
    label: 补助
    values:
      - {from: "2020-01-01", value: "900.50", basis: 第一条}
  months:
    type: int
    label: 月数
    values:
      - {from: "2020-01-01", value: "3", basis: 第一条}
rules:
  r:
    title: 参数
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    outputs:
      g: {label: g, expr: grant, round: {places: 0, mode: down}}
      m: {label: m, expr: months * a, round: {places: 0, mode: down}}
`

// TestRoundingPointFromParameterPlaces: an output that reads a money
// parameter of 2 places, rounded to 0, has a rounding point; one of whole
// numbers has none.
func TestRoundingPointFromParameterPlaces(t *testing.T) {
	c := coverageOf(t, paramOutputs)
	var rounding []string
	for _, p := range c.Rules[0].Points {
		if p.Kind == rules.PointRounding {
			rounding = append(rounding, p.Where)
		}
	}
	assert.Equal(t, []string{"output g"}, rounding)
}
