package rules_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPreparedDecidesAsEval: a prepared rule given values in the order of
// its inputs decides exactly as Set.Eval given the same values by name.
func TestPreparedDecidesAsEval(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	p, err := set.Prepare("monthly")
	require.NoError(t, err)
	assert.Equal(t, []string{"ok", "months"}, p.Inputs())
	ctx := context.Background()
	on := rules.On(rules.MustDate("2030-06-01"))
	for _, tt := range []struct{ ok, months string }{{"是", "2"}, {"否", "2"}, {"是", "5"}, {"1", "0"}} {
		got, err := p.Eval(ctx, []rules.Value{rules.Text(tt.ok), rules.Text(tt.months)}, on)
		require.NoError(t, err)
		want, err := set.Eval(ctx, "monthly", rules.Input{"ok": rules.Text(tt.ok), "months": rules.Text(tt.months)}, on)
		require.NoError(t, err)
		gj, _ := json.Marshal(got)
		wj, _ := json.Marshal(want)
		assert.JSONEq(t, string(wj), string(gj), "%v", tt)
	}
	five, err := p.Eval(ctx, []rules.Value{rules.Bool(true), rules.Int(5)}, on)
	require.NoError(t, err)
	assertDecimal(t, "3", output(t, five, "months_paid")) // the limit is 3 from 2030
}

func TestPreparedErrors(t *testing.T) {
	set := mustCompile(t, acrossPolicy)
	_, err := set.Prepare("mothly")
	assert.True(t, errors.Is(err, rules.ErrUnknownRule), "%v", err)
	p, err := set.Prepare("grant")
	require.NoError(t, err)
	ctx := context.Background()
	_, err = p.Eval(ctx, []rules.Value{rules.Bool(true)}, rules.On(rules.MustDate("2021-09-01")))
	assert.ErrorContains(t, err, "1 values given for 2 inputs")
	_, err = p.Eval(ctx, []rules.Value{rules.Bool(true), {}}, rules.On(rules.MustDate("2021-09-01")))
	var ie *rules.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "tier", ie.Field, "a zero Value is a missing input")
	_, err = p.Eval(ctx, []rules.Value{rules.Bool(true), rules.Text("A")})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, rules.AsOf, ie.Field, "the as-of date comes with On")
}

func ExampleSet_Prepare() {
	set, err := rules.Compile(rules.Source{Name: "grant.yaml", Data: []byte(`policy: {id: demo, title: 示例}
inputs:
  relieved: {type: bool, label: 脱贫人口}
  tier: {type: enum, label: 类别, values: [A, B]}
rules:
  grant:
    title: 补助
    basis: {clause: 第七条, quote: 原文}
    in_force: {from: "2021-08-19"}
    inputs: [relieved, tier]
    requirements:
      - {code: not-relieved, when: relieved, message: 不是脱贫人口}
    outputs:
      amount: {label: 金额, expr: 'tier == "A" ? 2000 : 1800', round: {places: 2, mode: half-up}}
`)})
	if err != nil {
		fmt.Println(err)
		return
	}
	grant, _ := set.Prepare("grant")
	fmt.Println(grant.Inputs())
	res, err := grant.Eval(context.Background(), []rules.Value{rules.Bool(true), rules.Text("B")}, rules.On(rules.MustDate("2021-09-01")))
	if err != nil {
		fmt.Println(err)
		return
	}
	amount, _ := res.Output("amount")
	fmt.Println(res.Pass, amount.StringFixed(2))
	// Output:
	// [relieved tier]
	// true 1800.00
}
