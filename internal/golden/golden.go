// Package golden compares test output with golden files, which
// `go test -update` rewrites. Read every diff it makes before committing.
package golden

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Check compares got with the file at path, or first rewrites the file
// when the test runs with -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "golden file %s (go test -update rewrites it; read the diff)", path)
}

// SameJSONLines checks that two writers of JSON lines agree byte for byte,
// line by line: the library's decision objects (rules.AppendJSON,
// subsidy.Decision.AppendJSON) against what the CLI writes for the same
// records. Each line must be valid JSON; the first line that differs is
// named with both versions.
func SameJSONLines(t testing.TB, library, cli []byte) {
	t.Helper()
	want := strings.Split(strings.TrimSuffix(string(library), "\n"), "\n")
	got := strings.Split(strings.TrimSuffix(string(cli), "\n"), "\n")
	for i := 0; i < len(want) && i < len(got); i++ {
		require.True(t, json.Valid([]byte(got[i])), "line %d is not JSON: %s", i+1, got[i])
		if got[i] != want[i] {
			assert.Equal(t, want[i], got[i], "line %d: the CLI writes (actual) what the library writes (expected)", i+1)
			return
		}
	}
	assert.Equal(t, len(want), len(got), "number of lines")
}
