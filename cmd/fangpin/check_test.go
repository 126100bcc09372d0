package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// The county overlay caps return travel: the policy's uncapped case is
// listed as changed, with before and after, not as a failure, and the
// command exits 0.
func TestTestOverlayListsChangedCases(t *testing.T) {
	for _, overlay := range []string{"../../examples/overlays/county.yaml", "testdata/county-with-tests.yaml"} {
		t.Run(overlay, func(t *testing.T) {
			out, errs, code := cli(t, "", "test", overlay)
			assert.Equal(t, 0, code, out+errs)
			assert.Regexp(t, `policies/henan-2021-48.yaml:\d+:\d+: changed round trip reimbursed in full: amount 1286.50 -> 500.00\n`, out)
			assert.Regexp(t, `policies/henan-2021-48.yaml:\d+:\d+: changed 50,000.01 is over the cap under the strict reading: `+
				`pass false -> true; subsidised_principal 0.00 -> 50000.00; reasons \[principal-over-cap\] -> \[\]\n`, out)
			assert.Regexp(t, `\n\d+ passed, 2 changed by the overlays, 0 failed\n$`, out)
			assert.NotContains(t, out, "FAIL")
		})
	}
}

func TestTestOverlayOwnCases(t *testing.T) {
	out, errs, code := cli(t, "", "test", "-v", "testdata/county-with-tests.yaml")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, "testdata/county-with-tests.yaml:12:5: ok a round trip above the cap is paid 500.00\n")
	assert.Contains(t, out, "testdata/county-with-tests.yaml:27:5: ok a cap the case sets for itself\n")

	// The same overlay with a case that wants the uncapped amount fails.
	data, err := os.ReadFile("testdata/county-with-tests.yaml")
	require.NoError(t, err)
	wrong := filepath.Join(t.TempDir(), "county.yaml")
	require.NoError(t, os.WriteFile(wrong, []byte(strings.Replace(string(data), `want: {pass: true, amount: "500.00"}`, `want: {pass: true, amount: "1286.50"}`, 1)), 0o644))
	out, _, code = cli(t, "", "test", wrong)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, wrong+":12:5: FAIL a round trip above the cap is paid 500.00: amount = 500, want 1286.5\n")
	assert.Regexp(t, `\n\d+ passed, 2 changed by the overlays, 1 failed\n$`, out)
}

func TestTestCoverage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		golden string
	}{
		// the default policy's cases reach every point: 100.0%
		{"default policy", []string{"test", "--coverage"}, 0, "test-coverage-default.txt"},
		// a requirement no case sees fail is named with its line
		{"untested requirement", []string{"test", "--coverage", "testdata/untested-requirement.yaml"}, 0, "test-coverage-untested.txt"},
		// the county's overlay: the policy's changed cases, then the coverage
		{"overlay", []string{"test", "--coverage", "testdata/county-with-tests.yaml"}, 0, "test-coverage-overlay.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := cli(t, "", tt.args...)
			assert.Equal(t, tt.code, code, errs)
			golden(t, tt.golden, out)
		})
	}
}

func TestTestCoverageNamesTheLineOfAnUntestedRequirement(t *testing.T) {
	out, _, code := cli(t, "", "test", "--coverage", "testdata/untested-requirement.yaml")
	assert.Equal(t, 0, code)
	// line 28 is `when: back_to_work`
	assert.Contains(t, out, "testdata/untested-requirement.yaml:28:15: travel: requirement not-back-to-work: never failed\n")
	assert.Contains(t, out, "\ntotal: 80.0% (4 of 5)\n")

	// A case that fails still fails with --coverage, and the coverage is
	// still printed.
	data, err := os.ReadFile("testdata/untested-requirement.yaml")
	require.NoError(t, err)
	wrong := filepath.Join(t.TempDir(), "travel.yaml")
	require.NoError(t, os.WriteFile(wrong, []byte(strings.Replace(string(data), `amount: "500.00"}`, `amount: "800.00"}`, 1)), 0o644))
	out, _, code = cli(t, "", "test", "--coverage", wrong)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, wrong+":41:5: FAIL over the cap: amount = 500, want 800\n")
	assert.Contains(t, out, "\ntotal: 80.0% (4 of 5)\n")
}

func TestTestWithoutCoveragePrintsNoCoverage(t *testing.T) {
	out, _, code := cli(t, "", "test", "testdata/untested-requirement.yaml")
	assert.Equal(t, 0, code)
	assert.Equal(t, "2 passed, 0 failed\n", out)
}
