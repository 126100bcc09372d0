package rules

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keepPolicy is a policy with one rule; its cases are appended.
const keepPolicy = `policy: {id: keep, title: 保留}
inputs:
  a: {type: money, label: 甲}
parameters:
  rate:
    type: decimal
    label: 比例
    values:
      - {from: "2020-01-01", value: "0.10", basis: 第一条}
rules:
  r:
    title: 试验
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    outputs:
      x: {label: x, expr: a * rate, round: {places: 2, mode: half-up}}
tests:
`

const (
	plainCase = "  - {name: plain, rule: r, on: \"2021-01-01\", input: {a: \"100\"}, want: {x: \"10\"}}\n"
	paramCase = "  - {name: param, rule: r, on: \"2021-01-01\", parameters: {rate: \"0.5\"}, input: {a: \"100\"}, want: {x: \"50\"}}\n"
	countyCut = "extends: keep\nparameters:\n  rate:\n    values: [{from: \"2020-01-01\", value: \"0.20\", basis: 县}]\ntests:\n" +
		"  - {name: county, rule: r, on: \"2021-01-01\", input: {a: \"100\"}, want: {x: \"20\"}}\n"
)

// TestFilesKeptWhenThereAreCases: a Set with test cases keeps a copy of
// its files, for a case that must run on a set built from them and for
// Set.Coverage, which builds its own; a Set without cases keeps none. A
// case that sets parameters, the only one of its policy, still runs.
func TestFilesKeptWhenThereAreCases(t *testing.T) {
	policy := func(cases string) Source { return Source{Name: "keep.yaml", Data: []byte(keepPolicy + cases)} }
	county := Source{Name: "county.yaml", Data: []byte(countyCut)}
	for _, tt := range []struct {
		name  string
		srcs  []Source
		files int
	}{
		{"no case", []Source{{Name: "keep.yaml", Data: []byte(strings.TrimSuffix(keepPolicy, "tests:\n"))}}, 0},
		{"a policy case without parameters", []Source{policy(plainCase)}, 1},
		{"a policy case with parameters", []Source{policy(paramCase)}, 1},
		{"an overlay case", []Source{{Name: "keep.yaml", Data: []byte(strings.TrimSuffix(keepPolicy, "tests:\n"))}, county}, 2},
		{"a policy case under an overlay", []Source{policy(plainCase), county}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Compile(tt.srcs...)
			require.NoError(t, err)
			assert.Len(t, s.files, tt.files)
			for _, r := range s.Test(context.Background()) {
				assert.False(t, r.Failed(), "%s", r)
			}
		})
	}
}
