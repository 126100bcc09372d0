package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// squaringChain is a 1.3 KB policy whose 40 lets each square the one
// before: the exact value would double in size 40 times. It passes check.
func squaringChain(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`policy: {id: chain, title: 平方链}
inputs:
  a: {type: money, label: 金额, min: "0"}
rules:
  r:
    title: 平方链
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
    let:
      v1: a
`)
	for i := 2; i <= 40; i++ {
		fmt.Fprintf(&b, "      v%d: v%d * v%d\n", i, i-1, i-1)
	}
	b.WriteString(`    outputs:
      x: {label: x, expr: v40, round: {places: 2, mode: half-up}}
tests:
  - {name: the chain, rule: r, on: "2024-06-01", input: {a: "3.07"}, want: {pass: true}}
`)
	path := filepath.Join(t.TempDir(), "chain.yaml")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

// TestSquaringChainStopsEveryCommand: eval, test and explain each end with
// an error naming the expression that grew too large, instead of running
// for ever (the run is bounded by the engine's size limit, so a hang would
// show as the test binary's timeout).
func TestSquaringChainStopsEveryCommand(t *testing.T) {
	policy := squaringChain(t)
	_, errs, code := cli(t, "", "check", policy)
	require.Equal(t, 0, code, errs)

	out, errs, code := cli(t, "", "test", policy)
	assert.Equal(t, 1, code, errs)
	assert.Contains(t, out, "FAIL the chain")
	assert.Contains(t, out, "too large")

	_, errs, code = cli(t, "", "explain", "r", "--policy", policy, "--set", "a=3.07", "--on", "2024-06-01")
	assert.Equal(t, 2, code, "the one case asked about cannot be decided")
	assert.Contains(t, errs, "too large")
	assert.Contains(t, errs, "chain.yaml:", "the error points into the rule file")

	sheet := filepath.Join(t.TempDir(), "a.csv")
	require.NoError(t, os.WriteFile(sheet, []byte("id,a\n1,3.07\n2,1.00\n"), 0o644))
	out, _, code = cli(t, "", "eval", "r", sheet, "--policy", policy, "--on", "2024-06-01", "-q")
	assert.Equal(t, 1, code, "the first row cannot be decided")
	recs := csvRecords(t, out)
	require.Len(t, recs, 2)
	assert.Contains(t, recs[0]["error"], "too large")
	assert.Equal(t, "1.00", recs[1]["x"], "a row whose values stay small is decided")
}
