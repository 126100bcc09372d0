package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spaced returns an expression of exactly n bytes (n >= 3) adding a to
// itself, padded with spaces.
func spaced(n int) string { return "a" + strings.Repeat(" ", n-3) + "+a" }

// ruleNamed is a rule of the oneRule policy with the lines extra under it.
func ruleNamed(id, extra string) string {
	return fmt.Sprintf("  %s:\n    title: t\n    basis: {clause: c, quote: q}\n    in_force: {from: \"2020-01-01\"}\n    inputs: [a]\n%s", id, extra)
}

// TestCapsAtTheEdge loads files that hold exactly as much as a cap allows,
// which must load, and files one past a cap by a single item, which must be
// refused with the cap's code.
func TestCapsAtTheEdge(t *testing.T) {
	many := func(n int, f func(int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(f(i))
		}
		return b.String()
	}
	// 65,528 bytes of lets and the 8 of "a * rate" make 65,536.
	fullLets := "    let:\n" + many(15, func(i int) string { return fmt.Sprintf("      l%d: %s\n", i, spaced(4096)) }) +
		"      l15: " + spaced(4088) + "\n"
	var values strings.Builder
	start := rules.MustDate("1950-01-01")
	for i := range 10000 {
		fmt.Fprintf(&values, "      - {from: \"%s\", value: \"0.%d\", basis: b}\n", start.AddDays(i), i%100)
	}
	tenThousand := strings.Replace(oneRule, "      - {from: \"2020-01-01\", value: \"0.15\", basis: 第一条}\n", values.String(), 1)
	name64, name65 := strings.Repeat("n", 64), strings.Repeat("n", 65)
	tests := []struct {
		name, src, code string // code "": it loads
	}{
		{"1,000 inputs", strings.Replace(oneRule, "inputs:\n", "inputs:\n"+many(999, func(i int) string { return fmt.Sprintf("  i%d: {type: bool, label: l%d}\n", i, i) }), 1) + oneOutput, ""},
		{"200 lets", oneRule + lets(200, "a") + oneOutput, ""},
		{"201 lets", oneRule + lets(201, "a") + oneOutput, "too-many-lets"},
		{"64 requirements", oneRule + "    requirements:\n" + many(64, func(i int) string { return fmt.Sprintf("      - {code: c%d, message: m, when: a > 0}\n", i) }) + oneOutput, ""},
		{"65 requirements", oneRule + "    requirements:\n" + many(65, func(i int) string { return fmt.Sprintf("      - {code: c%d, message: m, when: a > 0}\n", i) }) + oneOutput, "too-many-requirements"},
		{"2,000 expressions and one more rule", oneRule + lets(199, "a") + oneOutput +
			many(9, func(i int) string { return ruleNamed(fmt.Sprintf("r%d", i), lets(199, "a")+oneOutput) }) +
			ruleNamed("last", oneOutput), "too-many-expressions"},
		{"65,536 bytes of expressions", oneRule + fullLets + oneOutput, ""},
		{"65,537 bytes of expressions", oneRule + strings.Replace(fullLets, "l15: a", "l15: a ", 1) + oneOutput, "expressions-too-large"},
		{"65,536 bytes of expressions and one more rule", oneRule + fullLets + oneOutput + ruleNamed("last", oneOutput), "expressions-too-large"},
		{"10,000 values in one file", tenThousand + oneOutput, ""},
		{"64-character name", strings.ReplaceAll(oneRule, "rate", name64) + strings.ReplaceAll(oneOutput, "rate", name64), ""},
		{"65-character name", strings.ReplaceAll(oneRule, "rate", name65) + strings.ReplaceAll(oneOutput, "rate", name65), "name-too-long"},
		{"100-character label", strings.Replace(oneRule, "label: 甲", "label: "+strings.Repeat("甲", 100), 1) + oneOutput, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(tt.src)})
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			var ds rules.Diagnostics
			require.ErrorAs(t, err, &ds)
			assert.Equal(t, tt.code, ds[0].Code, "%s", ds)
		})
	}
}

// TestFileSizeAtTheCap loads a file of exactly 2 MiB, through Load and
// Compile, and one a byte larger.
func TestFileSizeAtTheCap(t *testing.T) {
	head := oneRule + oneOutput + "# "
	exact := []byte(head + strings.Repeat("x", 2<<20-len(head)))
	require.Len(t, exact, 2<<20)
	over := append(exact[:len(exact):len(exact)], 'x')
	fsys := fstest.MapFS{"exact.yaml": {Data: exact}, "over.yaml": {Data: over}}
	_, err := rules.Load(fsys, "exact.yaml")
	require.NoError(t, err)
	_, err = rules.Load(fsys, "over.yaml")
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "file-too-large", ds[0].Code)
	_, err = rules.Compile(rules.Source{Name: "over.yaml", Data: over})
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "file-too-large", ds[0].Code)
}

// TestRequirementsCountAsExpressions: a rule with one output and 31 rules
// of 64 requirements and an output each hold 2,016 expressions, past the
// cap.
func TestRequirementsCountAsExpressions(t *testing.T) {
	var b strings.Builder
	b.WriteString(oneRule + oneOutput)
	reqs := "    requirements:\n"
	for i := range 64 {
		reqs += fmt.Sprintf("      - {code: c%d, message: m, when: a > 0}\n", i)
	}
	for i := range 31 {
		b.WriteString(ruleNamed(fmt.Sprintf("r%d", i), reqs+oneOutput))
	}
	ds := diagnose(t, rules.Source{Name: "policy.yaml", Data: []byte(b.String())})
	assert.Equal(t, "too-many-expressions", ds[0].Code, "%s", ds)
	assert.Contains(t, ds[0].Summary, `from rule "r30" on`)
}
