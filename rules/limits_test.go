package rules_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile is a set of crafted rule files, generated here rather than kept
// in testdata, that once took seconds to minutes to load.
type hostile struct {
	name  string
	files func() []rules.Source
	codes []string // the diagnostic codes wanted, in order of first appearance; none: it loads
}

// oneRule is a policy with a rate parameter and a rule r, to which lines
// of YAML are appended under r.
const oneRule = `policy: {id: tiny, title: 试验}
inputs:
  a: {type: money, label: 甲}
parameters:
  rate:
    type: decimal
    label: 比例
    values:
      - {from: "2020-01-01", value: "0.15", basis: 第一条}
rules:
  r:
    title: 试验规则
    basis: {clause: 第一条, quote: 原文}
    in_force: {from: "2020-01-01"}
    inputs: [a]
`

const oneOutput = "    outputs:\n      x: {label: x, expr: a * rate, round: {places: 2, mode: half-up}}\n"

// valuesOverlay returns an overlay giving rate n dated values, one a day
// from first, in the order the days come.
func valuesOverlay(first string, n int) rules.Source {
	var b strings.Builder
	b.WriteString("extends: tiny\nparameters:\n  rate:\n    values:\n")
	d := rules.MustDate(first)
	for i := range n {
		fmt.Fprintf(&b, "      - {from: \"%s\", value: \"0.%d\", basis: 第%d号}\n", d.AddDays(i), i%100, i)
	}
	return rules.Source{Name: "overlay.yaml", Data: []byte(b.String())}
}

func policy(extra string) rules.Source {
	return rules.Source{Name: "policy.yaml", Data: []byte(oneRule + extra)}
}

func lets(n int, expr string) string {
	var b strings.Builder
	b.WriteString("    let:\n")
	for i := range n {
		fmt.Fprintf(&b, "      l%d: %s\n", i, expr)
	}
	return b.String()
}

var longName = strings.Repeat("a", 100000)

func hostileFiles() []hostile {
	return []hostile{
		{"overlay with 200,000 values of one parameter", func() []rules.Source {
			return []rules.Source{policy(oneOutput), valuesOverlay("2021-01-01", 200000)}
		}, []string{"file-too-large"}},
		{"overlay with one value more than the cap", func() []rules.Source {
			return []rules.Source{policy(oneOutput), valuesOverlay("1950-01-01", 10001)}
		}, []string{"too-many-values"}},
		{"overlay filling the cap", func() []rules.Source {
			return []rules.Source{policy(oneOutput), valuesOverlay("1950-01-01", 9999)}
		}, nil},
		{"two overlays past the cap together", func() []rules.Source {
			return []rules.Source{policy(oneOutput), valuesOverlay("1950-01-01", 6000), valuesOverlay("1980-01-01", 6000)}
		}, []string{"too-many-values"}},
		{"10,000 lets", func() []rules.Source {
			return []rules.Source{policy(lets(10000, "a * rate") + oneOutput)}
		}, []string{"too-many-expressions", "expressions-too-large", "too-many-lets"}},
		{"200 chained lets", func() []rules.Source {
			var b strings.Builder
			b.WriteString("    let:\n      l0: a\n")
			for i := 1; i < 200; i++ {
				fmt.Fprintf(&b, "      l%d: l%d + a * rate\n", i, i-1)
			}
			return []rules.Source{policy(b.String() + oneOutput)}
		}, nil},
		{"2,000 expressions, the most a policy may have", func() []rules.Source {
			var b strings.Builder
			b.WriteString(oneRule + lets(199, "a * rate") + oneOutput)
			for i := range 9 {
				fmt.Fprintf(&b, "  r%d:\n    title: t\n    basis: {clause: c, quote: q}\n    in_force: {from: \"2020-01-01\"}\n    inputs: [a]\n%s%s", i, lets(199, "a"), oneOutput)
			}
			return []rules.Source{policy(strings.TrimPrefix(b.String(), oneRule))}
		}, nil},
		{"64 KiB of expressions, the most a policy may have", func() []rules.Source {
			return []rules.Source{policy(lets(80, strings.Repeat("a * rate + ", 70)+"a") + oneOutput)}
		}, nil},
		{"1,000 rules over 1,000 parameters", func() []rules.Source {
			var b strings.Builder
			b.WriteString("policy: {id: tiny, title: 试验}\ninputs:\n  a: {type: money, label: 甲}\nparameters:\n")
			for i := range 1000 {
				fmt.Fprintf(&b, "  p%d: {type: decimal, label: p, values: [{from: \"2020-01-01\", value: \"0.%d\", basis: b}]}\n", i, i)
			}
			b.WriteString("rules:\n")
			for i := range 1000 {
				fmt.Fprintf(&b, "  r%d:\n    title: t\n    basis: {clause: c, quote: q}\n    in_force: {from: \"2020-01-01\"}\n    inputs: [a]\n", i)
				fmt.Fprintf(&b, "    outputs: {x: {label: x, expr: a * p%d, round: {places: 2, mode: half-up}}}\n", i)
			}
			return []rules.Source{{Name: "policy.yaml", Data: []byte(b.String())}}
		}, nil},
		{"100,000-character parameter name next to a near miss", func() []rules.Source {
			src := strings.Replace(oneRule, "  rate:\n", "  ? "+longName+"\n  : {type: decimal, label: 长, values: [{from: \"2020-01-01\", value: \"1\", basis: 一}]}\n  rate:\n", 1)
			return []rules.Source{{Name: "policy.yaml", Data: []byte(src + "    outputs:\n      x: {label: x, expr: " + longName + "b, round: {places: 2, mode: half-up}}\n")}}
		}, []string{"name-too-long", "expressions-too-large"}},
		{"100,000-character unknown parameter in an overlay", func() []rules.Source {
			return []rules.Source{policy(oneOutput), {Name: "overlay.yaml", Data: []byte("extends: tiny\nparameters:\n  ? " + longName + "b\n  : {values: [{from: \"2020-01-01\", value: \"1\", basis: 一}]}\n")}}
		}, []string{"name-too-long"}},
		{"60,000-character unknown name in an expression", func() []rules.Source {
			return []rules.Source{policy("    outputs:\n      x: {label: x, expr: " + longName[:60000] + ", round: {places: 2, mode: half-up}}\n")}
		}, []string{"unknown-name"}},
		{"100,000-character unknown key", func() []rules.Source {
			return []rules.Source{policy(oneOutput + "    ? " + longName + "\n    : 1\n")}
		}, []string{"unknown-key"}},
		{"100,000-character undeclared input", func() []rules.Source {
			return []rules.Source{{Name: "policy.yaml", Data: []byte(strings.Replace(oneRule, "    inputs: [a]", "    inputs: [a, "+longName+"]", 1) + oneOutput)}}
		}, []string{"name-too-long"}},
	}
}

// TestHostileFilesLoadQuickly loads each crafted file, or has it refused by
// a cap, and checks every diagnostic has a position and a short message. A
// goroutine with a generous deadline guards against a hang; how fast each
// one loads is measured by BenchmarkLoadHostile.
func TestHostileFilesLoadQuickly(t *testing.T) {
	for _, h := range hostileFiles() {
		t.Run(h.name, func(t *testing.T) {
			srcs := h.files()
			done := make(chan error, 1)
			go func() {
				_, err := rules.Compile(srcs...)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("Compile did not return in 10 s")
			}
			if h.codes == nil {
				require.NoError(t, err)
				return
			}
			var ds rules.Diagnostics
			require.ErrorAs(t, err, &ds)
			var codes []string
			for _, d := range ds {
				assert.NotEmpty(t, d.Pos.File, "%s", d)
				assert.Positive(t, d.Pos.Line, "%s", d)
				assert.Less(t, len(d.Summary), 400, "diagnostic repeats too much: %.400s", d.Summary)
				if len(codes) == 0 || codes[len(codes)-1] != d.Code {
					codes = append(codes, d.Code)
				}
			}
			assert.Equal(t, h.codes, codes, "%s", ds)
		})
	}
}

// TestLongNamesQuotedShort checks the form of a clipped name.
func TestLongNamesQuotedShort(t *testing.T) {
	_, err := rules.Compile(hostileFiles()[10].files()...)
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, `overlay.yaml:3:5: parameter name "`+strings.Repeat("a", 32)+`…" (100001 characters) has 100001 characters; at most 64 are allowed [name-too-long]`, ds[0].String())
}

// TestMergeKeepsEveryDay merges 5,000 policy values with 5,000 overlay
// values on the days between them (one on a policy day) and checks the value in force on both
// sides of a change, and that the same day replaces rather than adds.
func TestMergeKeepsEveryDay(t *testing.T) {
	var pol strings.Builder
	pol.WriteString(strings.Replace(oneRule, `      - {from: "2020-01-01", value: "0.15", basis: 第一条}`+"\n", "", 1))
	pol.WriteString(oneOutput)
	start := rules.MustDate("1950-01-01")
	var pv strings.Builder
	for i := range 4999 {
		fmt.Fprintf(&pv, "      - {from: \"%s\", value: \"%d\", basis: 单日}\n", start.AddDays(2*i), 2*i)
	}
	src := strings.Replace(pol.String(), "    values:\n", "    values:\n"+pv.String(), 1)
	var ov strings.Builder
	ov.WriteString("extends: tiny\nparameters:\n  rate:\n    values:\n")
	for i := range 5000 {
		if 2*i+1 == 4001 { // the same day as a policy value: replaces it
			fmt.Fprintf(&ov, "      - {from: \"%s\", value: \"7\", basis: 替换}\n", start.AddDays(4000))
		}
		fmt.Fprintf(&ov, "      - {from: \"%s\", value: \"%d\", basis: 双日}\n", start.AddDays(2*i+1), 2*i+1)
	}
	s, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(src)}, rules.Source{Name: "overlay.yaml", Data: []byte(ov.String())})
	require.NoError(t, err)
	for _, tt := range []struct {
		day  int
		want string
	}{{0, "0"}, {1, "1"}, {2, "2"}, {3999, "3999"}, {4000, "7"}, {4001, "4001"}, {9996, "9996"}, {9997, "9997"}, {9998, "9997"}, {9999, "9999"}, {30000, "9999"}} {
		v, err := s.Param("rate", start.AddDays(tt.day))
		require.NoError(t, err, "At(+%d days)", tt.day)
		assert.Equal(t, tt.want, v.Value.String(), "At(+%d days)", tt.day)
	}
}

// TestCountCaps checks each cap on what a file holds, one past the cap.
func TestCountCaps(t *testing.T) {
	ruleWith := func(i int, lets string) string {
		return fmt.Sprintf("  r%d:\n    title: t\n    basis: {clause: c, quote: q}\n    in_force: {from: \"2020-01-01\"}\n    inputs: [a]\n%s    outputs: {x: {label: x, expr: a, round: {places: 2, mode: half-up}}}\n", i, lets)
	}
	rule := func(i int) string { return ruleWith(i, "") }
	many := func(n int, f func(int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(f(i))
		}
		return b.String()
	}
	tests := []struct {
		name, src, code string
	}{
		{"rules", oneRule + oneOutput + many(1000, rule), "too-many-rules"},
		{"inputs", strings.Replace(oneRule, "inputs:\n", "inputs:\n"+many(1001, func(i int) string { return fmt.Sprintf("  i%d: {type: bool, label: l%d}\n", i, i) }), 1) + oneOutput, "too-many-inputs"},
		{"parameters", strings.Replace(oneRule, "parameters:\n", "parameters:\n"+many(1001, func(i int) string {
			return fmt.Sprintf("  p%d: {type: int, label: p, values: [{from: \"2020-01-01\", value: 1, basis: b}]}\n", i)
		}), 1) + oneOutput, "too-many-params"},
		{"expressions", oneRule + oneOutput + many(12, func(i int) string { return ruleWith(i+1, lets(180, "a")) }), "too-many-expressions"},
		{"expression bytes", oneRule + lets(100, strings.Repeat("a + ", 200)+"a") + oneOutput, "expressions-too-large"},
		{"label", strings.Replace(oneRule, "label: 甲", "label: "+strings.Repeat("甲", 101), 1) + oneOutput, "label-too-long"},
		{"enum value", strings.Replace(oneRule, "inputs:\n", "inputs:\n  e: {type: enum, label: e, values: ["+strings.Repeat("长", 65)+"]}\n", 1) + oneOutput, "name-too-long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rules.Compile(rules.Source{Name: "policy.yaml", Data: []byte(tt.src)})
			var ds rules.Diagnostics
			require.ErrorAs(t, err, &ds)
			assert.Equal(t, tt.code, ds[0].Code, "%s", ds)
			assert.Len(t, ds, 1, "%s", ds)
		})
	}
}

// TestFileSizeCap refuses a file over 2 MiB, through Load (which reads no
// more than the cap) and Compile.
func TestFileSizeCap(t *testing.T) {
	big := append([]byte(oneRule+oneOutput+"# "), []byte(strings.Repeat("x", 2<<20))...)
	fsys := fstest.MapFS{"big.yaml": {Data: big}, "ok.yaml": {Data: []byte(oneRule + oneOutput)}}
	_, err := rules.Load(fsys, "big.yaml")
	var ds rules.Diagnostics
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "big.yaml:1:1: big.yaml is larger than 2097152 bytes; split it or remove what it repeats [file-too-large]", ds.Error())

	_, err = rules.Load(fsys, "ok.yaml")
	require.NoError(t, err)
	_, err = rules.Load(fsys, "missing.yaml")
	require.ErrorAs(t, err, &ds)
	assert.Equal(t, "unreadable", ds[0].Code)
}

// TestDiagnosticsClipLongText checks a diagnostic quotes a short prefix of
// a long value and gives its length, whatever the message.
func TestDiagnosticsClipLongText(t *testing.T) {
	long := strings.Repeat("长", 5000)
	_, err := rules.Compile(policy(strings.Replace(oneOutput, "round: {places: 2, mode: half-up}", "round: {places: 2, mode: "+long+"}", 1)))
	var ds rules.Diagnostics
	require.True(t, errors.As(err, &ds))
	require.Len(t, ds, 1)
	assert.Equal(t, `output "x": rounding mode "`+strings.Repeat("长", 32)+`…" (5000 characters) (want half-up, half-even, down or up)`, ds[0].Summary)
}

// BenchmarkLoadHostile measures loading each crafted file; BENCHMARKS.md
// keeps the figures.
func BenchmarkLoadHostile(b *testing.B) {
	for _, h := range hostileFiles() {
		srcs := h.files()
		b.Run(strings.ReplaceAll(h.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = rules.Compile(srcs...)
			}
		})
	}
}

// BenchmarkLoad measures loading the default policy, for comparison with
// the crafted files.
func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile("../policies/henan-2021-48.yaml")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rules.Compile(rules.Source{Name: "henan-2021-48.yaml", Data: data}); err != nil {
			b.Fatal(err)
		}
	}
}
