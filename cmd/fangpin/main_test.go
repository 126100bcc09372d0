package main

import (
	"bytes"
	"context"
	"errors"
	gf "github.com/ruralrelief/fangpin/internal/golden"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ruralrelief/fangpin/rules"
	"github.com/stretchr/testify/assert"
)

// cli runs the command with pinned streams and clock, and returns stdout,
// stderr and the exit status main would give.
func cli(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, today: func() rules.Date { return rules.MustDate("2021-09-01") },
		now: func() time.Time { return time.Date(2021, 9, 30, 9, 0, 0, 0, time.UTC) }}
	err := e.run(context.Background(), args)
	code = 0
	if err != nil {
		code = 2
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
			if ee.err != nil {
				errb.WriteString("fangpin: " + ee.err.Error() + "\n")
			}
		} else {
			errb.WriteString("fangpin: " + err.Error() + "\n")
		}
	}
	return out.String(), errb.String(), code
}

// golden compares got with testdata/golden/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	gf.Check(t, filepath.Join("testdata", "golden", name), []byte(got))
}

func TestCheckDefaultPolicy(t *testing.T) {
	out, errs, code := cli(t, "", "check")
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, out, "ok: henan-2021-48 豫办发电〔2021〕48号: 7 rules")
}

func TestCheckInvalidOverlay(t *testing.T) {
	out, errs, code := cli(t, "", "check", "testdata/bad-overlay.yaml")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	golden(t, "check-bad-overlay.txt", errs)
}

func TestTestCommand(t *testing.T) {
	out, errs, code := cli(t, "", "test")
	assert.Equal(t, 0, code, errs)
	assert.Regexp(t, `^\d+ passed, 0 failed\n$`, out)

	out, _, code = cli(t, "", "test", "testdata/wrong-expectation.yaml")
	assert.Equal(t, 1, code)
	golden(t, "test-wrong-expectation.txt", out)
}

func TestExplain(t *testing.T) {
	out, errs, code := cli(t, "", "explain", "training-grant", "--set", "脱贫人口=是", "--set", "monitored=否",
		"--set", "因灾受损=是", "--set", "certificate_tier=B类", "--on", "2021-09-01")
	assert.Equal(t, 0, code, errs)
	golden(t, "explain-training-grant.txt", out)

	out, errs, code = cli(t, "", "explain", "work-relief-labour-share", "--set", "fiscal_funds=1000000.00",
		"--set", "labour_remuneration=149999.99")
	assert.Equal(t, 0, code, errs)
	golden(t, "explain-labour-share-fail.txt", out)
}

func TestExplainUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown rule", []string{"explain", "nosuch"}, `unknown rule "nosuch"`},
		{"missing input", []string{"explain", "fund-scale", "--set", "integrated_2020=1.00"}, "input integrated_2021"},
		{"unknown input", []string{"explain", "fund-scale", "--set", "x=1"}, `has no input "x"`},
		{"bad date", []string{"explain", "fund-scale", "--on", "2021-02-30"}, "--on"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := cli(t, "", tt.args...)
			assert.Equal(t, 2, code)
			assert.Contains(t, errs, tt.want)
		})
	}
}
