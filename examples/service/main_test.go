package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/ruralrelief/fangpin/internal/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestService runs the service on the sample claims, under the default
// policy and under a county's overlay, and compares its output with the
// golden files: one decision a line, in input order.
func TestService(t *testing.T) {
	claims, err := os.ReadFile("testdata/claims.jsonl")
	require.NoError(t, err)
	for _, tt := range []struct {
		name   string
		args   []string
		golden string
	}{
		{"default policy", nil, "testdata/decisions.jsonl"},
		{"county overlay", []string{"-policy", "../overlays/county.yaml"}, "testdata/decisions-county.jsonl"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), tt.args, bytes.NewReader(claims), &out))
			golden.Check(t, tt.golden, out.Bytes())
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			assert.Len(t, lines, 10, "one decision per claim; the blank line is skipped")
			for _, l := range lines {
				assert.True(t, json.Valid([]byte(l)), "%s", l)
			}
		})
	}
}

// TestServiceBadInput checks a claim too long to read stops the service
// with an error, after the decisions before it, and a bad overlay is
// refused before anything is decided.
func TestServiceBadInput(t *testing.T) {
	var out bytes.Buffer
	in := `{"rule": "training-grant", "id": "1", "certificate_tier": "A", "as_of": "2021-09-01"}` + "\n" +
		`{"id": "` + strings.Repeat("x", maxLine) + `"}` + "\n"
	err := run(context.Background(), nil, strings.NewReader(in), &out)
	assert.ErrorContains(t, err, "reading claims: bufio.Scanner: token too long")
	assert.Equal(t, 1, strings.Count(out.String(), "\n"), "the decision before the long line is written")

	bad := t.TempDir() + "/bad.yaml"
	require.NoError(t, os.WriteFile(bad, []byte("extends: henan-2021-48\nparameters:\n  nosuch:\n    values: []\n"), 0o644))
	out.Reset()
	err = run(context.Background(), []string{"-policy", bad}, strings.NewReader(in), &out)
	assert.ErrorContains(t, err, "unknown-param")
	assert.Empty(t, out.String())
}

// TestDocsExampleIsWritten checks the decision shown in docs/json.md is a
// line the service writes, byte for byte, so the reference cannot drift.
func TestDocsExampleIsWritten(t *testing.T) {
	md, err := os.ReadFile("../../docs/json.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)```json\n(.*?)\n```").FindSubmatch(md)
	require.NotNil(t, m, "docs/json.md shows a decision")
	out, err := os.ReadFile("testdata/decisions.jsonl")
	require.NoError(t, err)
	assert.Contains(t, strings.Split(string(out), "\n"), string(m[1]))
}
