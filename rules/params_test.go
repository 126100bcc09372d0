package rules_test

import (
	"fmt"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParamValuesListsEveryDatedValue(t *testing.T) {
	s, err := rules.Compile(
		rules.Source{Name: "tiny.yaml", Data: []byte(numberRule("min(a, cap ?? a)"))},
		rules.Source{Name: "county.yaml", Data: []byte(overlayBase)},
	)
	require.NoError(t, err)
	assert.Equal(t, []string{"rate", "cap"}, s.ParamNames(), "in the order the policy declares them")

	vs := s.ParamValues("cap")
	require.Len(t, vs, 2, "the policy's value and the overlay's")
	assert.Equal(t, "2020-01-01", vs[0].From.String())
	assert.True(t, vs[0].None, "no cap until the overlay sets one")
	assert.Equal(t, "tiny.yaml", vs[0].Pos.File)
	assert.Equal(t, "2024-01-01", vs[1].From.String())
	assert.False(t, vs[1].None)
	assertDecimal(t, "500.00", vs[1].Value.Decimal())
	assert.Equal(t, "县文件", vs[1].Basis)
	assert.Equal(t, "county.yaml", vs[1].Pos.File)
	assert.Equal(t, "cap", vs[1].Name)

	assert.Nil(t, s.ParamValues("max_rate"), "a name the policy does not have")
	names := s.ParamNames()
	names[0] = "changed"
	assert.Equal(t, []string{"rate", "cap"}, s.ParamNames(), "the caller's copy is its own")
}

func ExampleSet_ParamValues() {
	set, err := rules.Compile(rules.Source{Name: "demo.yaml", Data: []byte(grants)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range set.ParamNames() {
		for _, v := range set.ParamValues(name) {
			fmt.Printf("%s from %s: %s (%s, %s line %d)\n", v.Name, v.From, v.Value, v.Basis, v.Pos.File, v.Pos.Line)
		}
	}
	// Output:
	// monthly from 2021-08-19: 200.00 (第七条, demo.yaml line 10)
	// monthly from 2025-01-01: 250.00 (修订, demo.yaml line 11)
}
