package rules_test

import (
	"bytes"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteTextSections checks WriteText leaves out the sections an
// explanation has nothing for, shows booleans as 是 and 否, and stops after
// the inputs when the rule is not in force on the day.
func TestWriteTextSections(t *testing.T) {
	e := rules.Explanation{Policy: "p", PolicyNumber: "一号", Rule: "r", Title: "规则", Clause: "第一条", Quote: "原文",
		AsOf: rules.MustDate("2021-09-01"), InForce: rules.Period{From: rules.MustDate("2021-01-01")}, InForceOnDate: true,
		PolicyHash: "abc", Pass: true}
	var b bytes.Buffer
	require.NoError(t, e.WriteText(&b))
	assert.Equal(t, "规则：规则（r）\n政策：一号 p\n依据：第一条「原文」\n判定日期：2021-09-01（施行期 2021-01-01 起）\n政策文件 SHA-256：abc\n结论：符合条件\n", b.String())

	e.Inputs = []rules.Fact{{Name: "ok", Label: "符合", Value: rules.Bool(true)}, {Name: "no", Label: "不符", Value: rules.Bool(false)}}
	e.Values = []rules.Fact{{Name: "flag", Value: rules.Bool(false)}}
	e.Outputs = []rules.Step{{Name: "x", Label: "结果", Value: decimal.RequireFromString("2.5"), Exact: rules.Dec(decimal.RequireFromString("2.45")),
		Rounding: rules.Rounding{Places: 1, Mode: rules.HalfEven}, Computed: true}}
	b.Reset()
	require.NoError(t, e.WriteText(&b))
	assert.Contains(t, b.String(), "输入：\n  符合（ok）= 是\n  不符（no）= 否\n")
	assert.Contains(t, b.String(), "中间值：\n  flag = 否\n")
	assert.Contains(t, b.String(), "  结果（x）= 2.5（精确值 2.45，银行家舍入保留 1 位小数）\n")
	assert.NotContains(t, b.String(), "参数：")
	assert.NotContains(t, b.String(), "条件：")

	e.InForceOnDate, e.Pass = false, false
	b.Reset()
	require.NoError(t, e.WriteText(&b))
	assert.Contains(t, b.String(), "  不符（no）= 否\n结论：不予认定（not-in-force）：判定日期不在本条规则的施行期内\n")
	assert.NotContains(t, b.String(), "中间值")
	assert.NotContains(t, b.String(), "结果")
}
