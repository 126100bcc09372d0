package rules_test

import (
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
)

// TestPolicyMistakes makes one mistake at a time in the tiny policy and
// checks the code of the first diagnostic and the line it points at.
func TestPolicyMistakes(t *testing.T) {
	base := numberRule("a")
	lineOf := func(src, text string) int {
		i := strings.Index(src, text)
		if i < 0 {
			t.Fatalf("%q not in the policy", text)
		}
		return strings.Count(src[:i], "\n") + 1
	}
	tests := []struct {
		name, from, to, code string
		line                 int // the line wanted when it is not one of to's
	}{
		{"input named as_of", "  n: {type: int", "  as_of: {type: int", "reserved-name", 0},
		{"input name not snake_case", "  n: {type: int", "  N: {type: int", "bad-name", 0},
		{"unknown input type", "n: {type: int,", "n: {type: float,", "bad-type", 0},
		{"two inputs with one label", "label: 乙", "label: 甲", "duplicate-label", 4},
		{"enum without values", "values: [A, B], aliases: {A类: A, B类: B}", "values: []", "missing-key", 0},
		{"alias to no value", "B类: B}", "B类: C}", "bad-alias", 0},
		{"bound on a date", "day: {type: date, label: 日期}", "day: {type: date, label: 日期, min: \"2020-01-01\"}", "bad-bound", 0},
		{"bound not a number", `b: {type: money, label: 乙, min: "0"}`, `b: {type: money, label: 乙, min: "zero"}`, "bad-number", 0},
		{"parameter named as an input", "  rate:\n", "  a:\n", "duplicate-name", 0},
		{"parameter named as_of", "  rate:\n", "  as_of:\n", "duplicate-name", 0},
		{"parameter name not snake_case", "  rate:\n", "  Rate:\n", "bad-name", 0},
		{"enum parameter", "type: decimal\n    label: 比例", "type: enum\n    label: 比例", "bad-type", 0},
		{"nullable date", "type: decimal\n    label: 比例", "type: date\n    label: 比例\n    nullable: true", "bad-nullable", 0},
		{"none without nullable", `value: "0.15"`, `value: null`, "bad-value", 0},
		{"value until before its from", `{from: "2020-01-01", value: "0.15"`, `{from: "2020-01-01", until: "2019-12-31", value: "0.15"`, "bad-period", 0},
		{"two values on one day", `"2025-01-01", value: "0.30"`, `"2020-01-01", value: "0.30"`, "overlapping-periods", 0},
		{"value starts before the one before ends", `{from: "2020-01-01", value: "0.15"`, `{from: "2020-01-01", until: "2025-01-01", value: "0.15"`, "overlapping-periods", 14},
		{"bool parameter not a bool", "type: decimal\n    label: 比例", "type: bool\n    label: 比例", "bad-value", 13},
		{"int parameter not whole", "type: decimal\n    label: 比例", "type: int\n    label: 比例", "bad-value", 13},
		{"rule id not kebab-case", "rules:\n  r:", "rules:\n  R_1:", "bad-name", 0},
		{"rule ends before it starts", `until: "2030-12-31"`, `until: "2019-12-31"`, "bad-period", 0},
		{"rule in_force from not a date", `in_force: {from: "2020-01-01"`, `in_force: {from: "2020-13-01"`, "bad-date", 0},
		{"input listed twice", "inputs: [a, b,", "inputs: [a, a,", "duplicate-name", 0},
		{"let named as an input", "    outputs:", "    let:\n      a: b\n    outputs:", "bad-name", 0},
		{"let with no expression", "    outputs:", "    let:\n      l: ''\n    outputs:", "missing-key", 0},
		{"reason code not kebab-case", "    outputs:", "    requirements:\n      - {code: Bad_Code, message: m, when: a > 0}\n    outputs:", "bad-name", 0},
		{"reason code twice", "    outputs:", "    requirements:\n      - {code: c, message: m, when: a > 0}\n      - {code: c, message: m, when: b > 0}\n    outputs:", "duplicate-name", 0},
		{"reason code reserved", "    outputs:", "    requirements:\n      - {code: not-in-force, message: m, when: a > 0}\n    outputs:", "duplicate-name", 0},
		{"output named pass", "      x: {label: x", "      pass: {label: x", "bad-name", 0},
		{"output name not snake_case", "      x: {label: x", "      X: {label: x", "bad-name", 0},
		{"places past 28", "places: 28", "places: 29", "bad-value", 0},
		{"places below 0", "places: 28", "places: -1", "bad-value", 0},
		{"places not a number", "places: 28", "places: two", "bad-value", 0},
		{"on_fail unknown", "mode: half-up}}", "mode: half-up}, on_fail: drop}", "bad-value", 0},
		{"test of an unknown rule", "", "tests:\n  - {name: t, rule: q, input: {a: \"1\"}, want: {pass: true}}\n", "unknown-rule", 0},
		{"test with pass not a bool", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {pass: yes}}\n", "bad-value", 0},
		{"test wanting an unknown output", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {y: \"1\"}}\n", "unknown-output", 0},
		{"test wanting an output that is not a number", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {x: one}}\n", "bad-value", 0},
		{"test of an unknown input", "", "tests:\n  - {name: t, rule: r, input: {zz: \"1\"}, want: {pass: true}}\n", "unknown-input", 0},
		{"test wanting an error of an unknown input", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {error: zz}}\n", "unknown-input", 0},
		{"test wanting an unknown reason", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {pass: false, reasons: [nope]}}\n", "unknown-reason", 0},
		{"test wanting an error and a decision", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {error: a, pass: true}}\n", "bad-test", 0},
		{"test wanting an error and outputs", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {error: a, x: \"1\"}}\n", "bad-test", 0},
		{"test wanting an error and reasons", "", "tests:\n  - {name: t, rule: r, input: {a: \"1\"}, want: {error: a, reasons: []}}\n", "bad-test", 0},
		{"test on a bad day", "", "tests:\n  - {name: t, rule: r, on: \"2021-02-30\", input: {a: \"1\"}, want: {pass: true}}\n", "bad-date", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src string
			at := 0
			if tt.from == "" {
				src = base + tt.to
				at = lineOf(src, "  - {name: t")
			} else {
				src = replaceOnce(t, base, tt.from, tt.to)
			}
			ds := diagnose(t, rules.Source{Name: "tiny.yaml", Data: []byte(src)})
			assert.Equal(t, tt.code, ds[0].Code, "%s", ds)
			switch {
			case tt.line > 0:
				assert.Equal(t, tt.line, ds[0].Pos.Line, "%s", ds)
			case tt.from != "":
				first, last := lineOf(src, tt.to), lineOf(src, tt.to)+strings.Count(tt.to, "\n")
				assert.True(t, ds[0].Pos.Line >= first && ds[0].Pos.Line <= last, "line %d, want %d to %d: %s", ds[0].Pos.Line, first, last, ds)
			default:
				assert.Equal(t, at, ds[0].Pos.Line, "%s", ds)
			}
		})
	}
}
