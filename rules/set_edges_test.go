package rules_test

import (
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// untilPolicy has a parameter whose first value ends on a set day, with a
// gap before the next one starts.
const untilPolicy = `policy: {id: until, title: 试验}
inputs:
  a: {type: money, label: 甲}
parameters:
  rate:
    type: decimal
    label: 比例
    values:
      - {from: "2021-01-01", until: "2021-06-30", value: "0.10", basis: 第一条}
      - {from: "2021-08-01", value: "0.20", basis: 第二条}
rules:
  r:
    title: 试验规则
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2021-01-01"}
    inputs: [a]
    outputs:
      x: {label: 结果, expr: a * rate, round: {places: 2, mode: half-up}}
`

// TestParamOnEachSideOfAnEdge reads the parameter on the days where it
// starts, ends, and starts again.
func TestParamOnEachSideOfAnEdge(t *testing.T) {
	set := mustCompile(t, untilPolicy)
	for _, tt := range []struct{ day, want string }{
		{"2020-12-31", ""}, {"2021-01-01", "0.10"}, {"2021-06-30", "0.10"}, {"2021-07-01", ""},
		{"2021-07-31", ""}, {"2021-08-01", "0.20"}, {"2200-01-01", "0.20"},
	} {
		v, err := set.Param("rate", rules.MustDate(tt.day))
		if tt.want == "" {
			assert.ErrorIs(t, err, rules.ErrNoValue, tt.day)
			continue
		}
		require.NoError(t, err, tt.day)
		assert.Equal(t, tt.want, v.Value.String(), tt.day)
	}
	v, err := set.Param("rate", rules.MustDate("2021-03-01"))
	require.NoError(t, err)
	assert.Equal(t, "2021-06-30", v.Until.String())
	assert.Equal(t, "2021-01-01", v.From.String())
	assert.Equal(t, "第一条", v.Basis)
	assert.Equal(t, 9, v.Pos.Line)
	_, err = set.Param("rat", rules.MustDate("2021-03-01"))
	assert.ErrorIs(t, err, rules.ErrUnknownParam)
}

func TestSetDescribesItself(t *testing.T) {
	set := mustCompile(t, untilPolicy)
	ids := set.RuleIDs()
	ids[0] = "changed"
	assert.Equal(t, []string{"r"}, set.RuleIDs(), "a copy")
	src := set.Sources()
	src[0] = "changed"
	assert.Equal(t, []string{"tiny.yaml"}, set.Sources(), "a copy")
	names := set.ParamNames()
	names[0] = "changed"
	assert.Equal(t, []string{"rate"}, set.ParamNames(), "a copy")
	assert.Nil(t, set.ParamValues("rat"))
	vs := set.ParamValues("rate")
	require.Len(t, vs, 2)
	assert.Equal(t, "0.20", vs[1].Value.String())
	assert.False(t, vs[1].None)

	_, ok := set.Rule("q")
	assert.False(t, ok)
	info, ok := set.Rule("r")
	require.True(t, ok)
	assert.Equal(t, []string{rules.ReasonNotInForce}, info.Reasons)
	for header, want := range map[string]string{"as_of": "as_of", "判定日期": "as_of", "a": "a", "甲": "a", "乙": "", "": ""} {
		got, ok := info.Field(header)
		assert.Equal(t, want, got, header)
		assert.Equal(t, want != "", ok, header)
	}
}
