package main

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckOnWarnsAboutAParameterThatEnds(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		golden string
	}{
		// 2021-12-01 + 30 days is 2021-12-31, the cap's last day.
		{"ends within 30 days", []string{"check", "--on", "2021-12-01", "testdata/ending-overlay.yaml"}, 0, "check-on-warns.txt"},
		{"ends 31 days after", []string{"check", "--on", "2021-11-30", "testdata/ending-overlay.yaml"}, 0, "check-on-quiet.txt"},
		{"no value, not strict", []string{"check", "--on", "2022-01-01", "testdata/ending-overlay.yaml"}, 0, "check-on-no-value.txt"},
		{"no value, strict", []string{"check", "--on", "2022-01-01", "--strict", "testdata/ending-overlay.yaml"}, 1, "check-on-strict.txt"},
		{"strict, the last day", []string{"check", "--on", "2021-12-31", "--strict", "testdata/ending-overlay.yaml"}, 0, "check-on-last-day.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := cli(t, "", tt.args...)
			assert.Equal(t, tt.code, code, errs)
			// The policy's SHA-256 changes with every edit of it; the
			// default check test pins the line.
			golden(t, tt.golden, sha256Text.ReplaceAllString(out+errs, "sha256 …"))
		})
	}
}

func TestCheckOnUsage(t *testing.T) {
	_, errs, code := cli(t, "", "check", "--strict")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--strict needs --on DATE")
	_, errs, code = cli(t, "", "check", "--on", "2021-02-30")
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "--on:")
}

// Evaluating on a day with no value stays an error naming the parameter.
func TestEvalOnADayWithNoValue(t *testing.T) {
	out, errs, code := cli(t, "", "explain", "return-travel-reimbursement", "--policy", "testdata/ending-overlay.yaml",
		"--on", "2022-01-01", "--set", "poverty_relieved=是", "--set", "returned_due_to_disaster=是",
		"--set", "back_to_work=是", "--set", "travel_cost=800.00")
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, errs, `parameter "return_travel_cap" has no value on 2022-01-01`)
	out, errs, code = cli(t, "", "explain", "return-travel-reimbursement", "--policy", "testdata/ending-overlay.yaml",
		"--on", "2021-12-31", "--set", "poverty_relieved=是", "--set", "returned_due_to_disaster=是",
		"--set", "back_to_work=是", "--set", "travel_cost=800.00")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, "500.00")
}

var sha256Text = regexp.MustCompile(`sha256 [0-9a-f]{64}`)
